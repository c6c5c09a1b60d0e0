#pragma once
// The loop agents the feedback-loop coordinator asks to run their loop at
// each due time (issue 19):
//   "learning.tuning"       the strategy-tuning agent (tuning.cpp): outcomes
//                           of the stored signals -> a weight proposal,
//                           stored proposed or refused (applied at once only
//                           with learning.tuning.auto-apply);
//   "learning.performance"  the performance-analytics agent (performance.cpp):
//                           per analyzer and combined, per week and overall,
//                           into performance_snapshots.
// Each answers with the run it did (the coordinator records it once). Both
// are detached: a run reads months of signals and candles. Stateless
// between runs: a killed agent's successor answers the next due time.

#include <cstdint>
#include <memory>

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/learning/coordinator.hpp"
#include "messages/type_ids.hpp"

namespace herald::learning_actors {

/// (learning_run_atom, due, now) -> the run; an error when the run threw.
using loop_agent_actor = caf::typed_actor<
  caf::replies_to<learning_run_atom, std::int64_t, std::int64_t>::with<db::learning_run_row>>;

loop_agent_actor spawn_tuning(caf::local_actor* parent,
                              std::shared_ptr<const coordinator_options> opts);
loop_agent_actor spawn_performance(caf::local_actor* parent,
                                   std::shared_ptr<const coordinator_options> opts);

} // namespace herald::learning_actors
