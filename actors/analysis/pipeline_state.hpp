#pragma once
// The analysis pipeline's state (internal to actors/analysis/pipeline*.cpp):
// per series, the candles queued, the job in flight and the signals ready;
// for the pipeline, the rewind and back-pressure bookkeeping. The rewind
// lives in pipeline_rewind.cpp, the rest of the logic in pipeline.cpp.

#include <array>
#include <chrono>
#include <deque>
#include <limits>
#include <map>
#include <set>
#include <optional>

#include <caf/all.hpp>

#include "actors/analysis/pipeline.hpp"
#include "actors/analysis/risk.hpp"
#include "actors/analysis/worker.hpp"
#include "actors/data/hub.hpp"
#include "actors/ops/instrumented.hpp"
#include "io/logging.hpp"
#include "io/news/feed.hpp"
#include "messages/errors.hpp"

namespace herald::analysis_actors::pipeline_detail {

using clock_type = std::chrono::steady_clock;
constexpr std::int64_t none = std::numeric_limits<std::int64_t>::min();

using analysis::series_id;

/// Candles a rewinding pipeline takes back per series at most.
constexpr std::uint32_t max_rewind = 200'000;

struct series_state {
  std::string symbol, interval, id, path;
  bool starting = false, started = false;
  std::deque<candle> pending;
  std::vector<db::news_article> pending_news;
  // the job in flight
  bool busy = false;
  std::uint64_t seq = 0;
  caf::message job_msg; ///< the job in flight, as sent to every analyzer
  std::deque<analysis::signal> ready; ///< completed, in time order, not yet released
  /// Per ready signal, its analyzers' results to store (with `persist`).
  std::deque<std::vector<db::analysis_result>> ready_records;
  const analysis_job& job() const { return job_msg.get_as<analysis_job>(0); }
  std::array<std::optional<analysis_reply>, analysis::kind_count> replies;
  std::array<bool, analysis::kind_count> done{};
  std::array<clock_type::time_point, analysis::kind_count> first_failure{};
  std::array<caf::actor_addr, analysis::kind_count> failed_handle{};
  /// Grows with every request to an analyzer: the answer of an earlier
  /// request for the same kind (a lost owner's time-out) is ignored.
  std::array<std::uint32_t, analysis::kind_count> attempt{};
  int outstanding = 0;
  /// Cluster: the node that owns the series and the assignment's epoch; a
  /// series waiting for its (new) owner holds the release without the
  /// order-wait escape (its signals must not be overtaken).
  std::string owner;
  std::int64_t epoch = 0;
  bool awaiting_owner = false, wait_logged = false;
  /// Analyzer handles, looked up in the directory once and again only after
  /// a failure (a restarted analyzer has a new handle).
  std::array<analyzer_actor, analysis::kind_count> workers{};
  std::int64_t completed_through = none; ///< open time of the last analysed candle
  std::int64_t last_seen = none; ///< newest candle taken: older ones are duplicates
  bool fresh = true; ///< the next job makes the analyzers rebuild their state
  /// When the oldest pending candle arrived, and when the job in flight's did.
  clock_type::time_point pending_since{}, job_arrived{};
  clock_type::time_point idle_since = clock_type::now();
};

struct pipeline_state {
  static inline const char* name = "herald.pipeline";
  pipeline_actor::pointer self = nullptr;
  pipeline_options o;
  std::shared_ptr<supervision::agent_directory> dir;
  std::shared_ptr<spdlog::logger> log;
  std::map<std::string, series_state> series;
  pipeline_counters n;
  /// Weight epochs by effective_from (issue 19); before the first, o.aggregate.
  std::vector<weight_epoch> epochs;
  /// The aggregate options in force for a candle of this open time.
  analysis::aggregate_options aggregate_at(std::int64_t open_time) const {
    auto a = o.aggregate;
    for (auto& e : epochs)
      if (e.effective_from <= open_time) {
        a.weights = e.weights;
        a.threshold = e.threshold;
      }
    return a;
  }
  /// Adds an epoch (an epoch of the same version again changes nothing).
  void add_epoch(const weight_epoch& e) {
    for (auto& x : epochs)
      if (x.version == e.version)
        return;
    epochs.push_back(e);
    std::stable_sort(epochs.begin(), epochs.end(), [](auto& a, auto& b) {
      return a.effective_from != b.effective_from ? a.effective_from < b.effective_from
                                                  : a.version < b.version;
    });
  }
  /// Candle arrival -> its signal ready for release, per job.
  ops::latency_histogram latency;
  /// Signals waiting for slower series, by (time, series id).
  std::size_t ready_count = 0; ///< signals waiting in the series' `ready` queues
  std::optional<clock_type::time_point> blocked_since;
  bool subscribed = false, timer_armed = false;
  std::uint64_t board_version = 0; ///< the assignments last applied (cluster)
  std::set<caf::actor_addr> watched; ///< remote analyzers monitored (cluster)
  caf::actor_addr hub_addr, risk_addr;
  std::uint64_t next_seq = 0; ///< job numbers, unique in this incarnation
  /// Rewinding: the candles, signals and jobs held are dropped, the risk
  /// manager's position is asked, and every tracked series is taken back
  /// from the hub from that candle time on. Live batches wait meanwhile.
  bool rewinding = false, rewind_armed = false;
  std::uint64_t rewind_epoch = 0;
  std::vector<candle_batch> held_batches;
  std::vector<db::news_article> held_news;
  /// The key of the last signal sent to the risk manager (what the next
  /// batch continues), and the risk manager's position after a rewind:
  /// signals up to it are not sent again.
  analysis::signal_key released, skip_through;
  std::uint64_t rewinds = 0;
  /// Drain requests waiting for every candle received so far to be released.
  std::vector<caf::typed_response_promise<bool>> drains;
  /// The hub's batches whose answer waits for room in the backlog.
  std::vector<caf::typed_response_promise<bool>> acks;
  /// Signal batches the risk manager has not answered yet (risk_epoch makes
  /// the answers of a replaced risk manager void).
  int risk_in_flight = 0;
  std::uint64_t risk_epoch = 0;

  /// Candles held: queued, in a job, signals not taken by the risk manager.
  std::size_t backlog() const {
    std::size_t n = ready_count;
    for (auto& b : held_batches)
      n += b.candles.size();
    for (auto& [id, s] : series) {
      n += s.pending.size();
      if (s.busy)
        n += s.job().candles.size();
    }
    return n;
  }

  /// Answers the hub's held batches once the backlog has room.
  void release_acks() {
    if (acks.empty())
      return;
    auto n = backlog();
    if (o.flow)
      o.flow->pipeline.set(static_cast<std::int64_t>(n), static_cast<std::int64_t>(o.max_backlog));
    if (n >= o.max_backlog)
      return;
    for (auto& rp : std::exchange(acks, {}))
      rp.deliver(true);
    if (o.flow)
      o.flow->pipeline.holding(false, 0);
  }

  bool idle() const {
    if (ready_count > 0 || rewinding || !held_batches.empty() || risk_in_flight > 0)
      return false;
    for (auto& [id, s] : series)
      if (s.busy || s.starting || !s.pending.empty())
        return false;
    return true;
  }

  /// Drains are answered once nothing is held here, the risk manager stands
  /// where the last release left it (a risk manager that restarted meanwhile
  /// makes this pipeline rewind first), and every candle the hub holds of a
  /// tracked series was taken.
  void answer_drains();

  bool verifying = false;

  bool tracked(const candle& c) const {
    auto in = [](const std::vector<std::string>& xs, const std::string& x) {
      for (auto& y : xs)
        if (y == "*" || y == x)
          return true;
      return false;
    };
    return in(o.symbols, c.symbol) && in(o.intervals, c.interval);
  }

  void arm(std::chrono::milliseconds after = std::chrono::milliseconds{50}) {
    if (timer_armed)
      return;
    timer_armed = true;
    self->delayed_send(self, after, caf::tick_atom::value);
  }

  void subscribe();

  // -- rewinding (pipeline_rewind.cpp) ---------------------------------------------
  //
  // At start, and whenever the risk manager or the hub is lost, the pipeline
  // cannot know which of its candles and signals reached the risk manager.
  // It asks the risk manager where it stands (a restarted one replays the
  // stored signals first), drops everything it holds, and takes every
  // tracked series back from the hub from that candle time on; the
  // analyzers rebuild their state before the first job (fresh). Signals up
  // to the risk manager's position are not sent again.
  void rewind();
  void rewind_later();
  void take_back(data::hub_actor hub, analysis::signal_key at);
  void finish_rewind(const analysis::signal_key& at,
                     std::map<std::string, std::vector<candle>> back);


  /// Queues candles (in time order per series) for analysis; drops those
  /// already taken (a rewound hub or a source that resent them).
  void take(std::vector<candle> cs);

  void on_news(const db::news_article& a);

  // -- series lifecycle -------------------------------------------------------------

  series_state& get(const candle& c);

  void start_series(series_state& s);

  // -- jobs -----------------------------------------------------------------------

  void dispatch(series_state& s);
  /// Sends `job` to every enabled analyzer of the series (a new seq).
  void send_job(series_state& s, analysis_job job);

  // -- cluster (board set) --------------------------------------------------------
  /// The analyzer of kind `k` for the series: at its owner in a cluster.
  analyzer_actor find_worker(const series_state& s, std::uint8_t k) const;
  /// Applies changed assignments: a series whose owner changed gets fresh
  /// analyzers there, and its job in flight is sent again.
  void apply_assignments();
  /// A monitored analyzer went down (its node was lost): ask again.
  void on_worker_down(const caf::actor_addr& who);

  void ask(series_state& s, std::uint8_t k);

  void retry(const std::string& id, std::uint64_t seq, std::uint8_t k);

  void finish_one(series_state& s, std::uint8_t k);

  void complete(series_state& s);

  /// Sends the risk manager every ready signal no slower series can precede
  /// (while it has fewer than risk_window batches unanswered).
  void release();
};

} // namespace herald::analysis_actors::pipeline_detail
