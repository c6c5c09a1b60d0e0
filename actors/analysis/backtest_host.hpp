#pragma once
// The backtest host ("ops.backtests", issue 16): on every analysis node of a
// cluster, it runs the analyzers of distributed backtests. A backtest's
// driver (the node that took `POST /api/v1/backtests`) asks each host for
// the analyzer actors of the series it places there:
//   (backtest_atom, run, symbol, interval, rebuild, hub) -> std::vector<caf::actor>
// one per analyzer kind (an invalid handle for a disabled kind). They are the
// same worker actors as a live run's, but they rebuild from the driver's
// private hub (`hub`, up to `rebuild` candles; 0: this node's
// analysis.rebuild-candles), not the cluster's, and are not in the directory. The
// host monitors the driver: when it is gone, or sends (backtest_atom, run),
// the run's analyzers stop. Spawning locally on command is CAF 0.17's
// advice (remote_spawn is experimental).

#include <memory>

#include <caf/fwd.hpp>

#include "actors/analysis/worker.hpp"

namespace herald::analysis_actors {

struct backtest_host_options {
  analysis::analyzer_options analyzers;
  std::uint32_t rebuild_candles = 5000;
  std::array<bool, analysis::kind_count> enabled{true, true, true, true, true, true, true, true};
};

caf::actor spawn_backtest_host(caf::local_actor* parent, backtest_host_options o);

} // namespace herald::analysis_actors
