#pragma once
// The chaos agent ("ops.chaos"): kills random matching agents with
// exit_reason::kill at `chaos.kill-rate` per second, so operators (and our
// tests) see the supervision tree absorb faults. Supervisors and the chaos
// agent itself are never chosen.

#include <memory>
#include <string>

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "supervisor/agent_directory.hpp"

namespace herald::ops {

struct chaos_options {
  double kill_rate = 0;        ///< kills per second; 0 = idle
  std::string pattern = "*";   ///< glob over agent paths
  std::uint64_t seed = 0;      ///< 0: random
  std::string self_path = "ops.chaos";
};

using chaos_actor = caf::typed_actor<caf::reacts_to<caf::tick_atom>>;

chaos_actor spawn_chaos(caf::local_actor* parent, chaos_options opts,
                        std::shared_ptr<supervision::agent_directory> dir);

} // namespace herald::ops
