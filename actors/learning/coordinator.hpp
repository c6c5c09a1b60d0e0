#pragma once
// The feedback-loop coordinator ("learning.coordinator", issue 19): every
// learning.coordinator.tick it runs the loops that are due
// (learning::coordinator_core: the A/B update through learning.ab, the
// tuning proposal through learning.tuning, the performance analytics
// through learning.performance, the expiry check), records each run once
// (a due run whose agent is restarting is tried again), and sends the
// pipeline ("analysis.pipeline") every weight epoch applied since (a hot
// swap: candles from the epoch's effective_from on use it). Detached: it
// calls the database and waits for the agents.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "learning/loops.hpp"
#include "messages/type_ids.hpp"

namespace herald::config {
class settings;
}
namespace herald::supervision {
class agent_directory;
}

namespace herald::learning_actors {

struct coordinator_options {
  std::shared_ptr<db::storage> storage;
  learning::loop_settings loops;
  std::chrono::milliseconds tick{10'000};
  std::chrono::milliseconds ab_timeout{60'000};
  /// How long a run of learning.tuning or learning.performance may take
  /// before it is recorded as failed.
  std::chrono::milliseconds agent_timeout{600'000};
  std::function<std::int64_t()> clock; ///< unix ms; empty: the system clock
};

/// From [learning.*] and the configured aggregate ([analysis]).
coordinator_options coordinator_options_from(const config::settings& s,
                                             std::shared_ptr<db::storage> storage);
/// The loop settings alone (herald tune apply / rollback / replay use them).
learning::loop_settings loop_settings_from(const config::settings& s);

/// drain: run what is due now; answered with how many runs were recorded.
using coordinator_actor = caf::typed_actor<caf::reacts_to<caf::tick_atom>,
                                           caf::replies_to<drain_atom>::with<std::uint64_t>>;

coordinator_actor spawn_coordinator(caf::local_actor* parent,
                                    std::shared_ptr<const coordinator_options> opts,
                                    std::shared_ptr<supervision::agent_directory> dir);

} // namespace herald::learning_actors
