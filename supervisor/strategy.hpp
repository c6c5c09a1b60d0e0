#pragma once
// Which children a supervisor stops and restarts when one of them exits.
// Pure decision logic (OTP semantics), unit tested without actors.

#include <string>
#include <vector>

namespace herald::supervision {

enum class strategy { one_for_one, one_for_all, rest_for_one, simple_one_for_one };

enum class restart_type {
  permanent, ///< always restarted
  transient, ///< restarted only after an abnormal exit
  temporary, ///< never restarted, not even when a sibling's failure stops it
};

const char* to_string(strategy s);
const char* to_string(restart_type r);

/// What the supervisor knows about a child when deciding.
struct child_view {
  std::string name;
  restart_type restart = restart_type::permanent;
  bool running = false;
};

/// The supervisor's reaction to a child's exit.
struct restart_decision {
  /// Whether a restart happens (it counts against the restart intensity).
  bool restart = false;
  /// Running siblings to stop first, in stop order (reverse start order).
  std::vector<std::string> to_stop;
  /// Children to start afterwards, in start order.
  std::vector<std::string> to_start;
  /// Children whose specs are dropped (temporary children that exited or were
  /// stopped; pool members that are not restarted).
  std::vector<std::string> to_remove;
};

/// Decides the reaction to the exit of `children[failed]` (children are in
/// start order). `abnormal` is false for a normal exit / orderly shutdown.
restart_decision decide(strategy s, const std::vector<child_view>& children,
                        std::size_t failed, bool abnormal);

} // namespace herald::supervision
