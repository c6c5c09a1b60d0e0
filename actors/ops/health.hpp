#pragma once
// The health agent ("ops.health"): every `ops.health-interval` logs one status
// line (agents running, supervisors, restarts, live actors in the system, and
// the database's availability as the persistence agent reports it: the
// readiness an operator reads), and answers a status query with that line.

#include <chrono>
#include <cstdint>
#include <memory>

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "supervisor/agent_directory.hpp"

namespace herald::ops {

using health_actor = caf::typed_actor<caf::reacts_to<caf::tick_atom>,
                                      caf::replies_to<caf::get_atom>::with<std::string>>;

health_actor spawn_health(caf::local_actor* parent, std::chrono::nanoseconds interval,
                          std::shared_ptr<supervision::agent_directory> dir);

} // namespace herald::ops
