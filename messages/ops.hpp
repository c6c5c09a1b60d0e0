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

/// What an instrumented actor reports about itself to the inspector every
/// stats interval (actors/ops/instrumented.hpp). Counters are cumulative for
/// this incarnation; the mailbox length is read by the actor itself.
struct actor_stats {
  std::uint64_t actor_id = 0;
  std::uint64_t messages = 0;
  std::uint64_t busy_ns = 0;
  std::uint64_t mailbox = 0;
  std::vector<std::uint64_t> buckets; ///< non-cumulative, ops/latency.hpp buckets
  bool paused = false;
};

inline bool operator==(const actor_stats& a, const actor_stats& b) {
  return a.actor_id == b.actor_id && a.messages == b.messages && a.busy_ns == b.busy_ns
         && a.mailbox == b.mailbox && a.buckets == b.buckets && a.paused == b.paused;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, actor_stats& x) {
  return f(caf::meta::type_name("herald::actor_stats"), x.actor_id, x.messages, x.busy_ns,
           x.mailbox, x.buckets, x.paused);
}

/// A terminal-console command for the inspector (over the middleman):
/// the API token and the command line; the answer is JSON text.
struct console_command {
  std::string token;
  std::string line;
};

inline bool operator==(const console_command& a, const console_command& b) {
  return a.token == b.token && a.line == b.line;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, console_command& x) {
  return f(caf::meta::type_name("herald::console_command"), x.token, x.line);
}

} // namespace herald
