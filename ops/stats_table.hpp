#pragma once
// Turns the actors' own reports (cumulative per incarnation, keyed by actor
// id) and the supervisors' directory (paths, restarts, exit reasons) into one
// actor_view per path: totals over every incarnation (a restart does not
// reset a path's counters), message rate and p99 over a sliding window.
// Pure: no CAF; time is passed in.

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "ops/board.hpp"

namespace herald::ops {

struct stats_report {
  std::uint64_t actor_id = 0;
  std::uint64_t messages = 0;
  std::uint64_t busy_ns = 0;
  std::uint64_t mailbox = 0;
  std::vector<std::uint64_t> buckets;
  bool paused = false;
};

struct directory_entry {
  std::string path;
  bool is_supervisor = false;
  bool running = false;
  std::uint64_t actor_id = 0; ///< of the current incarnation (0 while down)
  std::uint64_t restarts = 0;
  std::string last_exit_reason;
  std::int64_t started_at_ms = 0;
};

class stats_table {
public:
  explicit stats_table(std::int64_t window_ms = 10000) : window_ms_(window_ms) {}

  /// A report from an actor (any order, any actor).
  void on_report(const stats_report& r, std::int64_t now_ms);

  /// One view per directory entry, in path order.
  std::vector<actor_view> build(const std::vector<directory_entry>& dir, std::int64_t now_ms);

private:
  struct sample {
    std::int64_t at_ms;
    std::uint64_t messages;
    std::vector<std::uint64_t> buckets;
  };
  struct per_path {
    std::uint64_t current_id = 0;
    // Totals of the earlier incarnations.
    std::uint64_t base_messages = 0, base_busy_ns = 0;
    std::vector<std::uint64_t> base_buckets;
    // The current incarnation's last report.
    stats_report last;
    std::int64_t last_at_ms = 0;
    std::deque<sample> window;
  };
  std::int64_t window_ms_;
  std::map<std::uint64_t, std::pair<stats_report, std::int64_t>> reports_; ///< by actor id
  std::map<std::string, per_path> paths_;
};

} // namespace herald::ops
