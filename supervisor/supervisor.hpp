#pragma once
// OTP-style supervisor on CAF 0.17 (which has none of its own).
//
// A supervisor monitors each child: a child's exit arrives as a down_msg and
// is answered by the strategy (supervisor/strategy.hpp). Links are not used:
// CAF's exit_reason::kill cannot be trapped, so a killed child would take a
// linked supervisor with it. Instead a functor attached to the supervisor
// (attach_functor) ends the subtree whenever the supervisor ends, even when it
// is killed. The supervisor traps exit messages: an exit_msg (from the parent
// supervisor, or from main on SIGTERM) is a shutdown request: children stop
// in reverse start order, each within its shutdown timeout or killed, then
// the supervisor quits with the requested reason.
// More than `intensity` restarts within `period` make it stop everything and
// fail with herald_errc::restart_intensity_exceeded, so its parent applies its
// own strategy (escalation).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "messages/errors.hpp"
#include "messages/type_ids.hpp"
#include "supervisor/agent_directory.hpp"
#include "supervisor/backoff.hpp"
#include "supervisor/strategy.hpp"

namespace herald::supervision {

/// How to start one child. `start` spawns the actor (the supervisor monitors
/// it); `arg` is the pool argument for simple_one_for_one members, "" else.
struct child_spec {
  std::string name;
  std::function<caf::actor(caf::local_actor* supervisor, const std::string& arg)> start;
  restart_type restart = restart_type::permanent;
  bool is_supervisor = false;
  /// Time an orderly stop may take before the child is killed. Supervisors
  /// get a long one: they stop their own subtree first.
  duration shutdown_timeout = std::chrono::seconds{5};
  backoff_options backoff;
};

struct supervisor_flags {
  strategy strat = strategy::one_for_one;
  std::int64_t intensity = 1;
  duration period = std::chrono::seconds{5};
};

struct supervisor_config {
  std::string name; ///< "root", "data", ...
  std::string path; ///< dotted path ("root" for the root, "ops" for its children)
  supervisor_flags flags;
  /// Static children in start order (ignored for simple_one_for_one).
  std::vector<child_spec> children;
  /// The template of every pool member (simple_one_for_one only).
  child_spec pool;
  std::shared_ptr<agent_directory> directory;
  std::uint64_t seed = 0; ///< backoff jitter
};

/// The supervisor's typed interface.
using supervisor_actor = caf::typed_actor<
  /// The children in start order.
  caf::replies_to<which_children_atom>::with<std::vector<child_info>>,
  /// Starts a pool member (simple_one_for_one only).
  caf::replies_to<start_child>::with<caf::actor>,
  /// Stops a child in order; true when it was running.
  caf::replies_to<terminate_child>::with<bool>,
  /// The current handle of the named child.
  caf::replies_to<caf::get_atom, std::string>::with<caf::actor>,
  /// Answers once every initial child (and, recursively, its subtree) has
  /// started: OTP's start_link of a supervisor.
  caf::replies_to<ready_atom>::with<bool>,
  // internal timers
  caf::reacts_to<restart_atom, std::string, std::uint64_t>,
  caf::reacts_to<stop_timeout_atom, std::uint64_t>>;

/// Spawns a top-level supervisor (a parent supervisor spawns its children
/// through supervisor_child instead) and records it in its directory.
supervisor_actor spawn_supervisor(caf::actor_system& sys, supervisor_config cfg);

/// A permanent worker child: started by `start`, stopped within
/// `shutdown_timeout`, restarted after `backoff`.
child_spec permanent_worker(std::string name,
                            std::function<caf::actor(caf::local_actor*, const std::string&)> start,
                            duration shutdown_timeout, backoff_options backoff);

/// A child_spec that starts a supervisor built from `cfg` (for trees).
child_spec supervisor_child(supervisor_config cfg,
                            restart_type restart = restart_type::permanent);

/// A child_spec for a simple_one_for_one pool whose members are supervisors
/// themselves, each built from the pool argument by `make` (which must give
/// it the path "<pool path>.<id>").
child_spec supervisor_pool_member(
  std::function<supervisor_config(const std::string& arg)> make);

/// Renders any exit reason for logs ("normal", "kill", "herald: ...").
std::string describe_reason(const caf::error& reason);

} // namespace herald::supervision
