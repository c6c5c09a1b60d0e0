#pragma once
// What an operator can do to a running agent, for the HTTP API and the
// terminal console (implemented over the actor system in
// actors/ops/control.cpp). Pure interface: no CAF.

#include <string>

namespace herald::ops {

struct control_outcome {
  bool ok = false;
  int status = 200;     ///< HTTP status: 200, 404 (no such agent), 409 (not allowed now)
  std::string message;  ///< what was done, or why not
};

class agent_control {
public:
  virtual ~agent_control() = default;
  /// `action`: pause, resume (workers only), restart (orderly exit, the
  /// supervisor starts it again), kill (chaos: exit_reason::kill).
  virtual control_outcome act(const std::string& action, const std::string& path) = 0;
};

} // namespace herald::ops
