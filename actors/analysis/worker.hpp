#pragma once
// An analyzer actor: one analyzer kind for one series
// ("analysis.series.<SYMBOL>_<interval>.<kind>"). It answers analysis jobs
// (consecutive candles) with one output per candle. Its state lives only in
// the pure analyzer object: a fresh incarnation (first start, or restart after
// a crash) first rebuilds it from the hub's window - the candles (and, for
// news sentiment, the articles) before the job's first candle - so a job
// gives the same answer whichever incarnation runs it.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "analysis/kinds.hpp"
#include "messages/type_ids.hpp"
#include "supervisor/agent_directory.hpp"

namespace herald::analysis_actors {

using analyzer_actor = caf::typed_actor<caf::replies_to<analysis_job>::with<analysis_reply>>;

struct worker_options {
  analysis::kind k = analysis::kind::momentum;
  std::string symbol;
  std::string interval;
  analysis::analyzer_options opts;
  std::uint32_t rebuild_candles = 5000; ///< history replayed by a fresh incarnation
  /// Fault injection (tests, drills): the answer to each job is held back
  /// this long, as if the analyzer were overloaded. Zero in production.
  std::chrono::milliseconds stall{0};
};

/// The options of the analyzer of kind `k` for one series (no stall).
worker_options worker_for(analysis::kind k, std::string symbol, std::string interval,
                          const analysis::analyzer_options& opts, std::uint32_t rebuild_candles);

analyzer_actor spawn_worker(caf::local_actor* parent, worker_options o,
                            std::shared_ptr<supervision::agent_directory> dir);

} // namespace herald::analysis_actors
