#pragma once
// Operations messages: supervision queries and the state of supervised agents.

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/optional.hpp>

namespace herald {

/// One child of a supervisor as reported by `which_children_atom`.
struct child_info {
  std::string name;              ///< child id within its supervisor ("health")
  std::string path;              ///< dotted path from the root ("ops.health")
  bool is_supervisor = false;
  std::string restart;           ///< "permanent", "transient" or "temporary"
  bool running = false;
  /// Current incarnation; none while down. (An optional, because a null
  /// handle cannot be deserialized on another node in CAF 0.17.)
  caf::optional<caf::actor> handle;
  std::uint32_t restarts = 0;    ///< restarts since the supervisor started
  std::string last_exit_reason;  ///< "" when it never exited
  std::int64_t started_at_ms = 0; ///< wall-clock start of the current incarnation
};

inline bool operator==(const child_info& a, const child_info& b) {
  return a.name == b.name && a.path == b.path && a.is_supervisor == b.is_supervisor
         && a.restart == b.restart && a.running == b.running && a.handle == b.handle
         && a.restarts == b.restarts && a.last_exit_reason == b.last_exit_reason
         && a.started_at_ms == b.started_at_ms;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, child_info& x) {
  return f(caf::meta::type_name("herald::child_info"), x.name, x.path, x.is_supervisor,
           x.restart, x.running, x.handle, x.restarts, x.last_exit_reason, x.started_at_ms);
}

/// Request to a simple_one_for_one supervisor: start a pool member.
struct start_child {
  std::string id;   ///< unique within the pool
  std::string arg;  ///< passed to the pool's child factory
};

inline bool operator==(const start_child& a, const start_child& b) {
  return a.id == b.id && a.arg == b.arg;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, start_child& x) {
  return f(caf::meta::type_name("herald::start_child"), x.id, x.arg);
}

/// Request to any supervisor: stop a child (orderly, with its shutdown
/// timeout). Pool members are removed; static children stay down until a
/// restart of their group.
struct terminate_child {
  std::string id;
};

inline bool operator==(const terminate_child& a, const terminate_child& b) {
  return a.id == b.id;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, terminate_child& x) {
  return f(caf::meta::type_name("herald::terminate_child"), x.id);
}

} // namespace herald
