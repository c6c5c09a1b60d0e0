#pragma once
// The backtest run shared by `herald backtest` (one process) and the
// distributed backtest (`POST /api/v1/backtests` on a cluster node, and
// `herald backtest --cluster URL`): candles in time order go through a
// private hub, the pipeline and the risk manager, as in a live run, and the
// risk manager's reports build the backtest report. On a cluster the series
// are split over the analysis nodes (bounded-load rendezvous, as live
// series are placed) and analysed by analyzer actors that each node's
// backtest host (ops.backtests) starts on command; the one pipeline and risk
// manager stay with the driver, which releases signals in strict (time,
// series) order, so the report equals the one-process report exactly.

#include <optional>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/analysis/pipeline.hpp"
#include "content/strategist.hpp"
#include "analysis/backtest_report.hpp"
#include "db/storage.hpp"
#include "io/http/server.hpp"
#include "messages/market.hpp"

namespace herald::app {

struct backtest_job {
  std::vector<candle> candles; ///< every series, sorted by open time
  std::int64_t horizon = 10;
  /// The content strategist's rules ([content], [publish.*]): the report
  /// then says which insights would have been published as alerts and
  /// their track record. Empty: not tracked.
  std::optional<content::strategist_options> alerts;
};

/// The analysis nodes' backtest hosts (cluster): node name -> host.
using backtest_hosts = std::vector<std::pair<std::string, caf::actor>>;

struct backtest_result {
  analysis::backtest_report report{10};
  std::uint64_t accepted = 0, late = 0, failed = 0;
  std::map<std::string, std::string> placement; ///< series id -> node (cluster)
  std::string error; ///< "" when it ran to the end
};

/// Runs the backtest in `sys` (blocking the calling thread, which must not
/// be one of the actor system's). With `hosts` empty, everything runs here.
backtest_result run_backtest(caf::actor_system& sys, analysis_actors::analysis_tree_options opts,
                             const backtest_job& job, const backtest_hosts& hosts,
                             const std::function<void(std::uint64_t)>& progress = {});

/// A cluster node's `POST /api/v1/backtests`: reads the candles from the
/// cluster's database, finds every analysis node's backtest host
/// (ops.backtests) in the cluster-wide directory, runs the backtest over
/// them and answers the report as JSON (with the text and the placement).
std::function<io::http::backtest_answer(const io::http::backtest_request&)>
backtest_service(caf::actor_system& sys, std::shared_ptr<supervision::agent_directory> dir,
                 std::shared_ptr<db::storage> store,
                 analysis_actors::analysis_tree_options opts, std::string node,
                 std::optional<content::strategist_options> alerts = std::nullopt);

/// The first line of a backtest's text report.
std::string backtest_headline(const std::vector<candle>& candles, std::int64_t horizon,
                              std::uint64_t accepted);

/// The symbols and intervals of `candles`, sorted, without repeats.
std::vector<std::string> symbols_of(const std::vector<candle>& candles);
std::vector<std::string> intervals_of(const std::vector<candle>& candles);

} // namespace herald::app
