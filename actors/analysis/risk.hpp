#pragma once
// The risk manager agent ("analysis.risk"): runs analysis::risk_manager over
// the signals the pipeline releases (in order), persists the signals together
// with their insights (one ordered write stream, so the stored signals are
// always a prefix of what it decided), and sends every subscriber a
// risk_report per run of signals (content, backtests).
//
// Crash-safe: a fresh incarnation with a database replays every stored
// signal through a new risk manager before it takes any message, so its
// paper portfolio, drawdown and state machine are those of its predecessor
// at the last committed signal. It takes a signal_batch only if the batch
// continues at its own position (`through`); the pipeline asks for that
// position and re-derives everything after it.

#include <memory>

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "analysis/risk.hpp"
#include "db/storage.hpp"
#include "ops/flow.hpp"
#include "messages/type_ids.hpp"
#include "supervisor/agent_directory.hpp"

namespace herald::analysis_actors {

/// Whoever wants risk reports (messages/sinks.hpp). Each report is a
/// request: the sink answers when it has room for more. While a sink has two
/// reports unanswered, or more than `max_unstored` records wait to be
/// committed, the risk agent holds its answers to the pipeline
/// (back-pressure).
using herald::risk_sink_actor;

using risk_actor = caf::typed_actor<
  /// Answers true when taken (false: it does not continue at `through`),
  /// once the agent has room for more.
  caf::replies_to<signal_batch>::with<bool>,
  /// The key (time, series id) of the last signal its risk manager took;
  /// INT64_MIN and "" when none.
  caf::replies_to<through_atom>::with<std::int64_t, std::string>,
  caf::replies_to<subscribe_atom, risk_sink_actor>::with<bool>,
  /// Subscribes with a catch-up: first one report of every signal with a
  /// candle time >= the given time (stored or taken by this incarnation),
  /// with the insights the risk manager decided for them, then live reports.
  caf::replies_to<subscribe_atom, risk_sink_actor, std::int64_t>::with<bool>,
  /// Answers after every signal received before it has been reported.
  caf::replies_to<drain_atom>::with<bool>,
  // internal: resend records the persistence agent did not commit
  caf::reacts_to<persist_retry_atom>>;

/// `storage` (may be null): where a fresh incarnation reads the stored
/// signals it replays; with `persist`, signals and insights are written
/// through data.persistence.
risk_actor spawn_risk(caf::local_actor* parent, analysis::risk_options o, bool persist,
                      std::shared_ptr<db::storage> storage,
                      std::shared_ptr<supervision::agent_directory> dir,
                      std::shared_ptr<ops::flow_gauges> flow = nullptr);

} // namespace herald::analysis_actors
