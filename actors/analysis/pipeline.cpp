#include "actors/analysis/pipeline.hpp"
#include "actors/ops/instrumented.hpp"

#include <deque>
#include <limits>
#include <map>
#include <optional>

#include <caf/all.hpp>

#include "actors/analysis/risk.hpp"
#include "actors/analysis/worker.hpp"
#include "actors/data/hub.hpp"
#include "io/logging.hpp"
#include "io/news/feed.hpp"
#include "messages/errors.hpp"

namespace herald::analysis_actors {

namespace {

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
  int outstanding = 0;
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
  /// Candle arrival -> its signal ready for release, per job.
  ops::latency_histogram latency;
  /// Signals waiting for slower series, by (time, series id).
  std::size_t ready_count = 0; ///< signals waiting in the series' `ready` queues
  std::optional<clock_type::time_point> blocked_since;
  bool subscribed = false, timer_armed = false;
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
  std::uint64_t held_acks = 0; ///< batches answered late (saturation, for /metrics)
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
  void answer_drains() {
    if (drains.empty() || !idle() || verifying)
      return;
    auto risk = caf::actor_cast<risk_actor>(dir->find("analysis.risk"));
    auto hub = caf::actor_cast<data::hub_actor>(dir->find("data.hub"));
    if (!risk || !hub) {
      arm(std::chrono::milliseconds{50});
      return;
    }
    verifying = true;
    auto again = [this] {
      verifying = false;
      arm(std::chrono::milliseconds{20});
    };
    self->request(risk, std::chrono::seconds{10}, through_atom::value)
      .then(
        [this, hub, again](std::int64_t t, std::string& sid) {
          if (!(analysis::signal_key{t, sid} == released)) {
            again(); // its down message is on the way: a rewind follows
            return;
          }
          self->request(hub, std::chrono::seconds{10}, stats_atom::value)
            .then(
              [this, again](std::vector<series_stats>& all) {
                for (auto& x : all) {
                  candle probe;
                  probe.symbol = x.symbol;
                  probe.interval = x.interval;
                  if (!tracked(probe) || x.accepted == 0)
                    continue;
                  auto it = series.find(series_id(x.symbol, x.interval));
                  if (it == series.end() || it->second.last_seen < x.last_open_time) {
                    again(); // candles on their way here
                    return;
                  }
                }
                verifying = false;
                if (!idle()) {
                  arm(std::chrono::milliseconds{20});
                  return;
                }
                for (auto& rp : std::exchange(drains, {}))
                  rp.deliver(true);
              },
              [again](caf::error&) { again(); });
        },
        [again](caf::error&) { again(); });
  }

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

  void subscribe() {
    auto hub = caf::actor_cast<data::hub_actor>(dir->find("data.hub"));
    if (!hub) {
      arm(std::chrono::milliseconds{100});
      return;
    }
    hub_addr = hub.address();
    self->monitor(hub);
    auto me = caf::actor_cast<data::candle_batch_sink_actor>(self);
    auto news = caf::actor_cast<data::news_sink_actor>(self);
    for (auto& sym : o.symbols)
      for (auto& iv : o.intervals)
        self->request(hub, std::chrono::seconds{10}, subscribe_atom::value, sym, iv, me)
          .then([](bool) {}, [this](caf::error& e) {
            log->error("cannot subscribe to the hub: {}", caf::to_string(e));
          });
    for (auto& sym : o.symbols)
      self->request(hub, std::chrono::seconds{10}, subscribe_atom::value, sym, news)
        .then([](bool) {}, [](caf::error&) {});
    subscribed = true;
    // A new hub may have taken candles before this subscription: rewind
    // (its requests reach the hub after the subscriptions).
    rewind();
  }

  // -- rewinding ------------------------------------------------------------------
  //
  // At start, and whenever the risk manager or the hub is lost, the pipeline
  // cannot know which of its candles and signals reached the risk manager.
  // It asks the risk manager where it stands (a restarted one replays the
  // stored signals first), drops everything it holds, and takes every
  // tracked series back from the hub from that candle time on; the
  // analyzers rebuild their state before the first job (fresh). Signals up
  // to the risk manager's position are not sent again.

  void rewind() {
    ++rewind_epoch;
    rewinding = true;
    rewind_armed = false;
    ++rewinds;
    // Everything held is in the hub's window (or its database) and is taken
    // back below; what arrives from now on is held until then.
    held_batches.clear();
    held_news.clear();
    series.clear();
    ready_count = 0;
    blocked_since.reset();
    ++risk_epoch;
    risk_in_flight = 0;
    release_acks();
    auto risk = caf::actor_cast<risk_actor>(dir->find("analysis.risk"));
    auto hub = caf::actor_cast<data::hub_actor>(dir->find("data.hub"));
    if (!risk || !hub) {
      rewind_later();
      return;
    }
    if (risk.address() != risk_addr) {
      risk_addr = risk.address();
      self->monitor(risk);
    }
    auto epoch = rewind_epoch;
    self->request(risk, std::chrono::seconds{30}, through_atom::value)
      .then(
        [this, epoch, hub](std::int64_t t, std::string& sid) {
          if (epoch != rewind_epoch)
            return;
          take_back(hub, analysis::signal_key{t, std::move(sid)});
        },
        [this, epoch](caf::error& e) {
          if (epoch != rewind_epoch)
            return;
          log->info("risk manager's position unknown ({}); asking again", caf::to_string(e));
          rewind_later();
        });
  }

  void rewind_later() {
    if (rewind_armed)
      return;
    rewind_armed = true;
    self->delayed_send(self, std::chrono::milliseconds{100}, caf::tick_atom::value);
  }

  void take_back(data::hub_actor hub, analysis::signal_key at) {
    auto epoch = rewind_epoch;
    self->request(hub, std::chrono::seconds{30}, stats_atom::value)
      .then(
        [this, epoch, hub, at](std::vector<series_stats>& all) {
          if (epoch != rewind_epoch)
            return;
          auto got = std::make_shared<std::map<std::string, std::vector<candle>>>();
          auto left = std::make_shared<std::size_t>(0);
          std::vector<std::pair<std::string, std::string>> wanted;
          for (auto& x : all) {
            candle probe;
            probe.symbol = x.symbol;
            probe.interval = x.interval;
            if (tracked(probe))
              wanted.emplace_back(x.symbol, x.interval);
          }
          *left = wanted.size();
          if (wanted.empty()) {
            finish_rewind(at, {});
            return;
          }
          auto from = at.none() ? none : at.time;
          for (auto& [sym, iv] : wanted)
            self->request(hub, std::chrono::seconds{60}, caf::get_atom::value, since_atom::value,
                          sym, iv, from, max_rewind)
              .then(
                [this, epoch, at, got, left, id = series_id(sym, iv)](std::vector<candle>& cs) {
                  if (epoch != rewind_epoch)
                    return;
                  (*got)[id] = std::move(cs);
                  if (--*left == 0)
                    finish_rewind(at, std::move(*got));
                },
                [this, epoch](caf::error& e) {
                  if (epoch != rewind_epoch)
                    return;
                  log->info("hub did not hand back candles ({}); rewinding again",
                            caf::to_string(e));
                  rewind_later();
                });
        },
        [this, epoch](caf::error& e) {
          if (epoch != rewind_epoch)
            return;
          log->info("hub did not list its series ({}); rewinding again", caf::to_string(e));
          rewind_later();
        });
  }

  void finish_rewind(const analysis::signal_key& at,
                     std::map<std::string, std::vector<candle>> back) {
    rewinding = false;
    released = at;
    skip_through = at;
    std::size_t n = 0;
    for (auto& [id, cs] : back) {
      if (cs.empty())
        continue;
      if (cs.size() == max_rewind)
        log->warn("{}: analysis resumes at {} (at most {} candles are taken back)", id,
                  cs.front().open_time, max_rewind);
      n += cs.size();
      take(std::move(cs));
    }
    if (rewinds > 1 || n > 0)
      log->info("rewound to {} {}: {} candles taken back", at.none() ? "the start" : at.series,
                at.none() ? 0 : at.time, n);
    auto held = std::move(held_batches);
    held_batches.clear();
    for (auto& b : held)
      take(std::move(b.candles));
    for (auto& a : std::exchange(held_news, {}))
      on_news(a);
    answer_drains();
    release_acks();
  }

  /// Queues candles (in time order per series) for analysis; drops those
  /// already taken (a rewound hub or a source that resent them).
  void take(std::vector<candle> cs) {
    std::vector<series_state*> touched;
    for (auto& c : cs) {
      if (!tracked(c))
        continue;
      auto& s = get(c);
      if (c.open_time <= s.last_seen)
        continue;
      s.last_seen = c.open_time;
      if (s.pending.empty())
        s.pending_since = clock_type::now();
      s.pending.push_back(std::move(c));
      if (touched.empty() || touched.back() != &s)
        touched.push_back(&s);
    }
    for (auto* s : touched) {
      if (!s->started)
        start_series(*s);
      dispatch(*s);
    }
  }

  void on_news(const db::news_article& a) {
    for (auto& [id, s] : series)
      if (io::news::mentions_symbol(a.symbols_json, s.symbol))
        s.pending_news.push_back(a);
  }

  // -- series lifecycle -------------------------------------------------------------

  series_state& get(const candle& c) {
    auto id = series_id(c.symbol, c.interval);
    auto it = series.find(id);
    if (it != series.end())
      return it->second;
    auto& s = series[id];
    s.symbol = c.symbol;
    s.interval = c.interval;
    s.id = id;
    s.path = "analysis.series." + id;
    return s;
  }

  void start_series(series_state& s) {
    if (s.starting || s.started)
      return;
    if (dir->find(s.path)) { // a previous pipeline incarnation started it
      s.started = true;
      return;
    }
    auto pool = caf::actor_cast<supervision::supervisor_actor>(dir->find("analysis.series"));
    if (!pool) {
      arm(std::chrono::milliseconds{100});
      return;
    }
    s.starting = true;
    auto id = s.id;
    self->request(pool, std::chrono::seconds{30}, start_child{id, s.symbol + " " + s.interval})
      .then(
        [this, id](caf::actor&) {
          auto& s = series[id];
          s.starting = false;
          s.started = true;
          log->info("analysing {} {}", s.symbol, s.interval);
          dispatch(s);
        },
        [this, id](caf::error& e) {
          auto& s = series[id];
          s.starting = false;
          // A busy pool (it is starting another series) is expected at start:
          // not a warning.
          if (e.category() == caf::atom("herald")
              && e.code() == static_cast<std::uint8_t>(herald_errc::supervisor_busy))
            log->debug("analysers of {} wait: the series pool is busy; retrying", id);
          else
            log->warn("cannot start analysers of {}: {}; retrying", id, caf::to_string(e));
          arm(std::chrono::milliseconds{200});
        });
  }

  // -- jobs -----------------------------------------------------------------------

  void dispatch(series_state& s) {
    if (rewinding || !s.started || s.busy || s.pending.empty())
      return;
    s.busy = true;
    s.seq = ++next_seq;
    auto k = std::min(o.max_batch, s.pending.size());
    analysis_job job;
    job.seq = s.seq;
    job.want_payload = o.persist;
    job.fresh = std::exchange(s.fresh, false);
    job.candles.assign(std::make_move_iterator(s.pending.begin()),
                       std::make_move_iterator(s.pending.begin() + static_cast<std::ptrdiff_t>(k)));
    s.pending.erase(s.pending.begin(), s.pending.begin() + static_cast<std::ptrdiff_t>(k));
    s.job_arrived = s.pending_since;
    s.pending_since = clock_type::now(); // the rest arrived no earlier than the job started
    job.news = std::move(s.pending_news);
    s.pending_news.clear();
    s.outstanding = 0;
    // One message for all analyzers of the series: CAF shares it instead of
    // copying the candles once per analyzer.
    s.job_msg = caf::make_message(std::move(job));
    for (std::size_t i = 0; i < analysis::kind_count; ++i) {
      s.replies[i].reset();
      s.done[i] = !o.enabled[i];
      s.first_failure[i] = {};
      s.failed_handle[i] = nullptr;
      if (o.enabled[i])
        ++s.outstanding;
    }
    for (std::size_t i = 0; i < analysis::kind_count; ++i)
      if (o.enabled[i])
        ask(s, static_cast<std::uint8_t>(i));
  }

  void ask(series_state& s, std::uint8_t k) {
    auto& worker = s.workers[k];
    if (!worker || worker.address() == s.failed_handle[k])
      worker = caf::actor_cast<analyzer_actor>(
        dir->find(s.path + "." + analysis::kind_name(analysis::kind_at(k))));
    auto id = s.id;
    auto seq = s.seq;
    if (!worker || worker.address() == s.failed_handle[k]) {
      self->delayed_send(self, std::chrono::milliseconds{10}, retry_atom::value, id, seq, k);
      return;
    }
    // A job of many candles gets a deadline per 1000 candles.
    auto scale = 1 + static_cast<long>(s.job().candles.size() / 1000);
    self->request(caf::actor_cast<caf::actor>(worker), o.deadline * scale, s.job_msg)
      .then(
        [this, id, seq, k](analysis_reply& r) {
          auto it = series.find(id);
          if (it == series.end() || it->second.seq != seq || it->second.done[k])
            return;
          it->second.replies[k] = std::move(r);
          finish_one(it->second, k);
        },
        [this, id, seq, k, addr = worker.address()](caf::error& e) {
          auto it = series.find(id);
          if (it == series.end() || it->second.seq != seq || it->second.done[k])
            return;
          auto& s = it->second;
          if (e == caf::sec::request_timeout) {
            ++n.late;
            log->warn("{} {}: {} missed its deadline for {} candles from {}: left out", s.symbol,
                      s.interval, analysis::kind_name(analysis::kind_at(k)), s.job().candles.size(),
                      s.job().candles.front().open_time);
            finish_one(s, k);
            return;
          }
          auto now = clock_type::now();
          if (e.category() == caf::atom("herald")
              && e.code() == static_cast<std::uint8_t>(herald_errc::not_ready)) {
            // The analyzer waits for a restarted hub to catch up: ask again.
            if (s.first_failure[k] == clock_type::time_point{})
              s.first_failure[k] = now;
            self->delayed_send(self, std::chrono::milliseconds{20}, retry_atom::value, id, seq,
                               k);
            return;
          }
          // The analyzer died: its supervisor restarts it; ask the new one.
          if (s.first_failure[k] == clock_type::time_point{})
            s.first_failure[k] = now;
          s.failed_handle[k] = addr;
          if (now - s.first_failure[k] > o.restart_wait) {
            ++n.failed;
            log->error("{} {}: {} failed ({}) and was not back within {} ms: left out", s.symbol,
                       s.interval, analysis::kind_name(analysis::kind_at(k)),
                       caf::to_string(e), o.restart_wait.count());
            finish_one(s, k);
            return;
          }
          ++n.retried;
          self->delayed_send(self, std::chrono::milliseconds{10}, retry_atom::value, id, seq, k);
        });
  }

  void retry(const std::string& id, std::uint64_t seq, std::uint8_t k) {
    auto it = series.find(id);
    if (it == series.end() || it->second.seq != seq || it->second.done[k])
      return;
    auto& s = it->second;
    if (s.first_failure[k] == clock_type::time_point{})
      s.first_failure[k] = clock_type::now();
    if (clock_type::now() - s.first_failure[k] > o.restart_wait) {
      ++n.failed;
      log->error("{} {}: no {} analyzer within {} ms: left out", s.symbol, s.interval,
                 analysis::kind_name(analysis::kind_at(k)), o.restart_wait.count());
      finish_one(s, k);
      return;
    }
    ask(s, k);
  }

  void finish_one(series_state& s, std::uint8_t k) {
    s.done[k] = true;
    if (--s.outstanding > 0)
      return;
    complete(s);
  }

  void complete(series_state& s) {
    auto& cs = s.job().candles;
    std::array<std::size_t, analysis::kind_count> pos{};
    std::vector<analysis::signal> out;
    out.reserve(cs.size());
    std::vector<std::vector<db::analysis_result>> records(o.persist ? cs.size() : 0);
    constexpr auto regime = static_cast<std::size_t>(analysis::kind::volatility_regime);
    for (std::size_t i = 0; i < cs.size(); ++i) {
      auto& c = cs[i];
      analysis::contribution_set parts;
      std::string label;
      for (std::size_t k = 0; k < analysis::kind_count; ++k) {
        if (!o.enabled[k])
          continue;
        analysis::contribution part;
        part.analyzer = static_cast<std::uint8_t>(k);
        auto& r = s.replies[k];
        if (r && pos[k] < r->results.size() && r->results[pos[k]].time == c.open_time) {
          auto& x = r->results[pos[k]++];
          part.present = true;
          part.score = x.score;
          part.confidence = x.confidence;
          if (k == regime)
            label = x.label;
          if (o.persist)
            records[i].push_back({c.symbol, c.interval, c.open_time,
                                      analysis::kind_name(analysis::kind_at(k)), x.score,
                                      x.confidence, x.payload.empty() ? "{}" : x.payload,
                                      x.duration_ns});
        }
        parts.push_back(part);
      }
      // The risk agent stores the signal and these results with its
      // insight (one ordered stream: what a restarted risk agent replays;
      // a rewind starts after it).
      out.push_back(analysis::aggregate(o.aggregate, c.symbol, c.interval, c.open_time, c.close,
                                        parts, label));
    }
    n.candles += cs.size();
    n.signals += out.size();
    latency.observe(static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now() - s.job_arrived)
        .count()));
    if (!cs.empty())
      s.completed_through = cs.back().open_time;
    s.busy = false;
    s.idle_since = clock_type::now();
    ready_count += out.size();
    for (std::size_t i = 0; i < out.size(); ++i) {
      s.ready.push_back(std::move(out[i]));
      s.ready_records.push_back(o.persist ? std::move(records[i])
                                          : std::vector<db::analysis_result>{});
    }
    release();
    dispatch(s);
    release_acks();
  }

  /// Sends the risk manager every ready signal no slower series can precede
  /// (while it has fewer than risk_window batches unanswered).
  void release() {
    if (risk_in_flight >= o.risk_window) {
      answer_drains();
      return;
    }
    std::vector<analysis::signal> out;
    std::vector<db::analysis_result> records;
    out.reserve(ready_count);
    auto now = clock_type::now();
    while (ready_count > 0) {
      // The next signal in (time, series id) order: the series map is
      // ordered by id, so the first series with the earliest head wins ties.
      series_state* next = nullptr;
      for (auto& [id, s] : series)
        if (!s.ready.empty() && (!next || s.ready.front().time < next->ready.front().time))
          next = &s;
      auto t = next->ready.front().time;
      bool wait = false;
      for (auto& [id, s] : series) {
        if (s.completed_through >= t)
          continue;
        // A series behind t holds the release while it has work, or for
        // order-wait when it is idle (its candle for t may be on the way).
        if (s.busy || !s.pending.empty() || s.starting || now - s.idle_since < o.order_wait) {
          wait = true;
          break;
        }
      }
      if (wait && blocked_since && now - *blocked_since >= o.order_wait)
        wait = false; // waited long enough: a slow series does not stall the others
      if (wait) {
        if (!blocked_since)
          blocked_since = now;
        arm(o.order_wait / 4 + std::chrono::milliseconds{1});
        break;
      }
      if (!skip_through.none() && analysis::signal_key::of(next->ready.front()) <= skip_through)
        ; // the risk manager took it (and stored its results) before the rewind
      else {
        out.push_back(std::move(next->ready.front()));
        auto& rs = next->ready_records.front();
        records.insert(records.end(), std::make_move_iterator(rs.begin()),
                       std::make_move_iterator(rs.end()));
      }
      next->ready.pop_front();
      next->ready_records.pop_front();
      --ready_count;
      blocked_since.reset();
    }
    if (!out.empty()) {
      auto risk = caf::actor_cast<risk_actor>(dir->find("analysis.risk"));
      if (risk && risk.address() == risk_addr) {
        signal_batch b;
        b.prev_time = released.time;
        b.prev_series = released.series;
        released = analysis::signal_key::of(out.back());
        b.signals = std::move(out);
        b.analysis = std::move(records);
        ++risk_in_flight;
        auto back = [this, e = risk_epoch] {
          if (e != risk_epoch)
            return;
          --risk_in_flight;
          release();
          release_acks();
        };
        // Refused (false) or lost batches are re-derived by the rewind the
        // risk manager's down message or a drain check starts.
        self->request(risk, std::chrono::seconds{60}, std::move(b))
          .then([back](bool) { back(); },
                [this, back, ep = risk_epoch](caf::error& e) {
                  if (ep == risk_epoch && e == caf::sec::request_timeout)
                    log->warn("the risk manager has not taken signals for 60 s; sending on");
                  back();
                });
      } else {
        // Lost or replaced: its down message starts a rewind, which
        // derives these signals again.
        log->debug("{} signals held back: the risk manager is restarting", out.size());
      }
    }
    answer_drains();
  }
};

pipeline_actor::behavior_type pipeline_impl(ops::instrumented_stateful<pipeline_actor, pipeline_state>* self,
                                            pipeline_options o,
                                            std::shared_ptr<supervision::agent_directory> dir) {
  auto& st = self->state;
  st.self = self;
  st.o = std::move(o);
  st.dir = std::move(dir);
  st.log = logging::get("analysis.pipeline");
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    if (dm.source == st.hub_addr) {
      st.hub_addr = nullptr;
      st.subscribed = false; // resubscribing rewinds
      st.rewinding = true;   // no new jobs from the old hub's candles meanwhile
      st.arm(std::chrono::milliseconds{100});
    } else if (dm.source == st.risk_addr) {
      st.log->info("risk manager lost ({}): rewinding to its successor's position",
                   caf::to_string(dm.reason));
      st.risk_addr = nullptr;
      st.rewind();
    }
  });
  st.rewinding = true; // until the first rewind: drains wait for it
  st.subscribe();
  return {
    [self](candle_batch& b) -> caf::result<bool> {
      auto& st = self->state;
      if (st.rewinding)
        st.held_batches.push_back(std::move(b));
      else
        st.take(std::move(b.candles));
      auto n = st.backlog();
      if (st.o.flow)
        st.o.flow->pipeline.set(static_cast<std::int64_t>(n),
                                static_cast<std::int64_t>(st.o.max_backlog));
      if (n < st.o.max_backlog)
        return true;
      // Back-pressure: the hub holds its sources until this answer comes.
      ++st.held_acks;
      if (st.o.flow)
        st.o.flow->pipeline.holding(true, ops::wall_ms());
      st.acks.push_back(self->make_response_promise<bool>());
      return st.acks.back();
    },
    [self](db::news_article& a) {
      auto& st = self->state;
      if (st.rewinding)
        st.held_news.push_back(std::move(a));
      else
        st.on_news(a);
    },
    [self](stats_atom) {
      auto& n = self->state.n;
      return caf::make_result(n.candles, n.signals, n.late, n.failed, n.retried);
    },
    [self](stats_atom, caf::get_atom) {
      const auto& h = self->state.latency;
      actor_stats out; // the pipeline's latency, in the actor_stats shape
      out.messages = h.total;
      out.busy_ns = h.sum_ns;
      out.buckets.assign(h.counts.begin(), h.counts.end());
      return out;
    },
    [self](drain_atom) -> caf::result<bool> {
      auto& st = self->state;
      st.drains.push_back(self->make_response_promise<bool>());
      auto rp = st.drains.back();
      st.answer_drains();
      st.arm();
      return rp;
    },
    [self](retry_atom, const std::string& id, std::uint64_t seq, std::uint8_t k) {
      self->state.retry(id, seq, k);
    },
    [self](caf::tick_atom) {
      auto& st = self->state;
      st.timer_armed = false;
      if (!st.subscribed)
        st.subscribe();
      else if (st.rewind_armed)
        st.rewind();
      for (auto& [id, s] : st.series)
        if (!s.started && !s.starting && !s.pending.empty())
          st.start_series(s), st.dispatch(s);
      st.release();
    },
  };
}

} // namespace

pipeline_actor spawn_pipeline(caf::local_actor* parent, pipeline_options o,
                              std::shared_ptr<supervision::agent_directory> dir) {
  return parent->spawn(pipeline_impl, std::move(o), std::move(dir));
}

supervision::supervisor_config analysis_tree(const analysis_tree_options& o,
                                             std::shared_ptr<supervision::agent_directory> dir) {
  using namespace supervision;
  // By value: the pool's factory below runs long after this function
  // returned (a reference to `o` there read freed memory: restarts of
  // analyzers were delayed by garbage backoffs, found by the console test).
  auto worker_spec = [timeout = o.shutdown_timeout, backoff = o.backoff](std::string name,
                                                                          auto start) {
    return permanent_worker(std::move(name), std::move(start), timeout, backoff);
  };
  supervisor_config pool;
  pool.name = "series";
  pool.path = "analysis.series";
  pool.flags = o.flags;
  pool.flags.strat = strategy::simple_one_for_one;
  pool.directory = dir;
  pool.pool = supervisor_pool_member([o, dir, worker_spec](const std::string& arg) {
    auto space = arg.find(' ');
    auto symbol = arg.substr(0, space), interval = arg.substr(space + 1);
    supervisor_config s;
    s.name = series_id(symbol, interval);
    s.path = "analysis.series." + s.name;
    s.flags = o.series_flags;
    s.flags.strat = strategy::one_for_one;
    s.directory = dir;
    for (std::size_t k = 0; k < analysis::kind_count; ++k) {
      if (!o.pipeline.enabled[k])
        continue;
      worker_options w;
      w.k = analysis::kind_at(k);
      w.symbol = symbol;
      w.interval = interval;
      w.opts = o.analyzers;
      w.rebuild_candles = o.rebuild_candles;
      w.stall = o.stall[k];
      s.children.push_back(worker_spec(analysis::kind_name(w.k),
                                       [w, dir](caf::local_actor* self, const std::string&) {
                                         return caf::actor_cast<caf::actor>(
                                           spawn_worker(self, w, dir));
                                       }));
    }
    return s;
  });
  supervisor_config root;
  root.name = "analysis";
  root.path = "analysis";
  root.flags = o.flags;
  root.flags.strat = strategy::one_for_one;
  root.directory = dir;
  auto risk_opts = o.risk;
  auto persist = o.persist;
  auto storage = o.persist ? o.storage : nullptr;
  auto flow = o.pipeline.flow;
  root.children.push_back(worker_spec("risk", [risk_opts, persist, storage, dir,
                                               flow](caf::local_actor* self, const std::string&) {
    return caf::actor_cast<caf::actor>(spawn_risk(self, risk_opts, persist, storage, dir, flow));
  }));
  root.children.push_back(supervisor_child(pool));
  auto popts = o.pipeline;
  popts.persist = persist;
  root.children.push_back(worker_spec("pipeline", [popts, dir](caf::local_actor* self,
                                                               const std::string&) {
    return caf::actor_cast<caf::actor>(spawn_pipeline(self, popts, dir));
  }));
  return root;
}

} // namespace herald::analysis_actors
