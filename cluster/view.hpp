#pragma once
// What this node knows about the cluster right now, shared between the node
// agent (which writes it) and the HTTP threads, the inspector and /metrics
// (which read it). Thread-safe; plain code, no CAF.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace herald::cluster {

struct node_view {
  std::string name;
  std::uint64_t incarnation = 0;
  std::vector<std::string> roles;
  std::string version;
  std::string address;
  bool self = false;
  bool up = false;
  std::int64_t up_since_ms = 0;   ///< wall clock, the last time it came up
  std::int64_t down_since_ms = 0; ///< wall clock, 0 while up
  std::string down_reason;
};

/// Counters for /metrics (monotonic).
struct view_counters {
  std::uint64_t dial_failures = 0;
  std::uint64_t refused = 0; ///< greetings refused (protocol, name, roles)
  std::uint64_t nodes_lost = 0;
  /// Detection time of each loss: from the last sign of life (any message
  /// or heartbeat of the node agent) to the down message, in ms.
  std::vector<double> detection_ms;
};

class view {
public:
  void set_self(node_view self);
  void peer_up(node_view peer, std::int64_t now_ms);
  void peer_down(const std::string& name, std::int64_t now_ms, const std::string& reason,
                 double detection_ms);
  void dial_failed();
  void refused();

  /// This node first, then the peers by name.
  std::vector<node_view> nodes() const;
  /// The roles that no node that is up holds (sorted).
  std::vector<std::string> missing_roles() const;
  /// How many nodes that are up hold `role`.
  std::size_t holding(const std::string& role) const;
  /// Names of the nodes that are up, this one included (sorted).
  std::vector<std::string> up_names() const;
  view_counters counters() const;

  /// Blocks until `pred(*this)` holds or the deadline passes; wakes on
  /// every change. Returns whether it holds.
  bool wait_until(const std::function<bool(const view&)>& pred,
                  std::chrono::steady_clock::time_point deadline) const;

private:
  void changed();
  mutable std::mutex mtx_;
  node_view self_;
  std::map<std::string, node_view> peers_;
  view_counters counters_;
  mutable std::condition_variable cv_;
  std::uint64_t version_ = 0;
};

} // namespace herald::cluster
