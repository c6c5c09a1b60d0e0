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

class agent_directory {
public:
  void started(const std::string& path, caf::actor_addr addr, bool is_supervisor);
  void exited(const std::string& path, const std::string& reason);
  void restarted(const std::string& path);
  void removed(const std::string& path);

  std::vector<agent_record> snapshot() const;
  /// The address of the running agent at `path` (null when none).
  caf::actor_addr find(const std::string& path) const;
  std::uint64_t total_restarts() const;
  /// Restarts of one path (0 when unknown).
  std::uint64_t restarts(const std::string& path) const;

  /// Blocks until `pred(snapshot)` holds or the deadline passes; returns
  /// whether it holds. Wakes on every change (no polling).
  bool wait_until(const std::function<bool(const agent_directory&)>& pred,
                  std::chrono::steady_clock::time_point deadline) const;

private:
  void changed();
  mutable std::mutex mtx_;
  mutable std::condition_variable cv_;
  std::map<std::string, agent_record> agents_;
  std::uint64_t total_restarts_ = 0;
  std::uint64_t version_ = 0;
};

} // namespace herald::supervision
