#pragma once
// A process-wide view of every supervised actor, kept current by the
// supervisors: path, handle, kind, restarts, last exit reason, start time.
// The chaos agent picks its victims here, the health agent and (later) the
// inspection console read it, and tests wait on it. Thread-safe; one instance
// per actor system, passed to the supervisors (no global).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <caf/actor_addr.hpp>

namespace herald::supervision {

struct agent_record {
  std::string path;
  bool is_supervisor = false;
  bool running = false;
  caf::actor_addr addr;
  std::uint64_t restarts = 0;
  std::string last_exit_reason;
  std::chrono::system_clock::time_point started_at{};
};

/// An agent of another node of the cluster, as its node agent reported it.
struct remote_agent_record {
  std::string path;
  std::string node;
  bool is_supervisor = false;
  caf::actor_addr addr;
  std::uint64_t restarts = 0;
  std::int64_t started_at_ms = 0;
};

class agent_directory {
public:
  void started(const std::string& path, caf::actor_addr addr, bool is_supervisor);
  void exited(const std::string& path, const std::string& reason);
  void restarted(const std::string& path);
  void removed(const std::string& path);

  std::vector<agent_record> snapshot() const;
  /// The address of the running agent at `path`: this node's, else another
  /// node's (cluster), else null.
  caf::actor_addr find(const std::string& path) const;
  /// This node's running agent at `path` only.
  caf::actor_addr find_local(const std::string& path) const;
  /// The agent at `path` on `node` (`node_is_here`: this node's own).
  caf::actor_addr find_at(const std::string& path, const std::string& node,
                          bool node_is_here) const;
  /// Whether `path` runs on another node (and not here).
  bool is_remote(const std::string& path) const;

  /// The cluster-wide part (issue 16): replaces every agent of `node`.
  void set_remote(const std::string& node, std::vector<remote_agent_record> agents);
  /// Forgets every agent of `node` at once (the node was lost or left).
  void drop_remote(const std::string& node);
  /// The other nodes' agents, by path.
  std::vector<remote_agent_record> remote_snapshot() const;
  /// Grows with every change (local or remote): a node agent sends its
  /// directory to its peers when it moved.
  std::uint64_t version() const;
  /// Grows with every change of this node's own agents only.
  std::uint64_t local_version() const;
  std::uint64_t total_restarts() const;
  /// Restarts of one path (0 when unknown).
  std::uint64_t restarts(const std::string& path) const;

  /// Blocks until `pred(snapshot)` holds or the deadline passes; returns
  /// whether it holds. Wakes on every change (no polling).
  bool wait_until(const std::function<bool(const agent_directory&)>& pred,
                  std::chrono::steady_clock::time_point deadline) const;

private:
  void changed(bool local = true);
  mutable std::mutex mtx_;
  mutable std::condition_variable cv_;
  std::map<std::string, agent_record> agents_;
  /// By (path, node): two nodes may run the same path (their own ops.health).
  std::map<std::pair<std::string, std::string>, remote_agent_record> remote_;
  std::uint64_t total_restarts_ = 0;
  std::uint64_t version_ = 0;
  std::uint64_t local_version_ = 0;
};

} // namespace herald::supervision
