#pragma once
// What the inspector knows, published as an immutable snapshot that the HTTP
// API, /metrics and the web console read without asking an actor (readers
// never wait on the actor system; the inspector replaces the snapshot once
// per stats interval). Pure: no CAF.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace herald::ops {

/// One supervised actor with the statistics it reported itself.
struct actor_view {
  std::string path;            ///< "analysis.series.BTCUSDT_1m.momentum"
  std::string parent;          ///< "analysis.series.BTCUSDT_1m" ("" for root)
  bool is_supervisor = false;
  bool running = false;
  bool paused = false;
  std::uint64_t actor_id = 0;
  std::uint64_t restarts = 0;
  std::string last_exit_reason;
  std::int64_t started_at_ms = 0;
  /// Totals over every incarnation of this path.
  std::uint64_t messages = 0;
  double busy_seconds = 0;
  /// Non-cumulative counts per latency bucket (ops/latency.hpp), all incarnations.
  std::vector<std::uint64_t> buckets;
  /// From the last report: mailbox length, message rate and p99 over the last window.
  std::uint64_t mailbox = 0;
  double rate = 0;       ///< messages per second
  double p99_seconds = 0;
  std::int64_t reported_at_ms = 0; ///< 0: never reported
};

struct series_view {
  std::string symbol, interval;
  std::uint64_t accepted = 0, duplicates = 0, rejected = 0, gaps = 0;
  std::int64_t last_open_time = 0;
};

struct channel_view {
  std::string channel, mode;
  std::uint64_t published = 0, failed = 0, pending_approval = 0, dry_run = 0, in_doubt = 0,
                queued = 0, refused = 0;
};

/// A stage that can hold back the one before it (ops/flow.hpp).
struct flow_view {
  std::string stage;        ///< "hub", "pipeline", "risk"
  std::int64_t queued = 0, limit = 0;
  std::int64_t holding_ms = 0; ///< how long it has held an answer back; 0: flowing
  std::uint64_t holds = 0;
};

struct readiness_check {
  std::string name;
  bool ok = false;
  std::string detail;
};

struct snapshot {
  std::int64_t taken_at_ms = 0;
  std::vector<actor_view> actors; ///< in path order (a tree walk)
  std::vector<series_view> series;
  std::vector<channel_view> channels;
  /// The write-behind queue.
  std::string db_backend;
  bool db_available = false;
  bool db_known = false;
  std::uint64_t db_pending = 0, db_written = 0, db_failures = 0, db_rejected = 0;
  std::string db_last_error;
  /// Pipeline latency (batch arrival -> signals released), non-cumulative.
  std::vector<std::uint64_t> pipeline_latency;
  double pipeline_latency_sum = 0;
  /// Counters from the risk reports the inspector saw.
  std::map<std::string, std::uint64_t> signals_by_direction;
  std::map<std::string, std::uint64_t> insights_by_outcome;
  std::vector<readiness_check> checks;
  std::vector<flow_view> flow;

  bool ready() const {
    for (const auto& c : checks)
      if (!c.ok)
        return false;
    return !checks.empty();
  }
  const actor_view* find(const std::string& path) const;
};

/// The one place a snapshot is published; thread-safe.
class board {
public:
  board() : current_(std::make_shared<const snapshot>()) {}
  void publish(std::shared_ptr<const snapshot> s) {
    std::lock_guard<std::mutex> guard{mtx_};
    current_ = std::move(s);
  }
  std::shared_ptr<const snapshot> get() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return current_;
  }

private:
  mutable std::mutex mtx_;
  std::shared_ptr<const snapshot> current_;
};

} // namespace herald::ops
