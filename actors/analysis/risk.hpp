#pragma once
// The risk manager agent ("analysis.risk"): runs analysis::risk_manager over
// the signals the pipeline releases (in order), persists the insights, and
// sends every subscriber a risk_report per run of signals (content, backtests).

#include <memory>

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "analysis/risk.hpp"
#include "messages/type_ids.hpp"
#include "supervisor/agent_directory.hpp"

namespace herald::analysis_actors {

using risk_sink_actor = caf::typed_actor<caf::reacts_to<risk_report>>;

using risk_actor = caf::typed_actor<
  caf::reacts_to<std::vector<analysis::signal>>,
  caf::replies_to<subscribe_atom, risk_sink_actor>::with<bool>,
  /// Answers after every signal received before it has been reported.
  caf::replies_to<drain_atom>::with<bool>,
  // internal: resend insights the persistence agent did not commit
  caf::reacts_to<persist_retry_atom>>;

risk_actor spawn_risk(caf::local_actor* parent, analysis::risk_options o, bool persist,
                      std::shared_ptr<supervision::agent_directory> dir);

} // namespace herald::analysis_actors
