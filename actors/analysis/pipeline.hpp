#pragma once
// The analysis pipeline ("analysis.pipeline"): subscribes to the hub for the
// tracked series, starts a series supervisor ("analysis.series.<S>_<I>", one
// analyzer actor per kind) for each new series through the pool
// "analysis.series", and for every batch of closed candles asks all analyzer
// actors of the series in parallel, each with a deadline. Late analyzers are
// left out (logged, counted, and the signal's confidence drops); an analyzer
// that died is asked again once its supervisor has restarted it (within
// restart-wait), so a crash changes no signal. Results are aggregated into
// signals, released in (time, series) order to the risk manager
// ("analysis.risk"), and persisted (analysis_results, signals) when asked.

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <functional>

#include "analysis/aggregate.hpp"
#include "cluster/board.hpp"
#include "db/storage.hpp"
#include "ops/flow.hpp"
#include "messages/ops.hpp"
#include "analysis/kinds.hpp"
#include "messages/type_ids.hpp"
#include "supervisor/agent_directory.hpp"
#include "supervisor/supervisor.hpp"

namespace herald::analysis_actors {

struct pipeline_options {
  std::vector<std::string> symbols{"*"};  ///< tracked symbols ("*": all)
  std::vector<std::string> intervals{"1m"}; ///< tracked base intervals
  std::array<bool, analysis::kind_count> enabled{true, true, true, true, true, true, true, true};
  analysis::aggregate_options aggregate;
  std::chrono::milliseconds deadline{1000};     ///< per analyzer and job
  std::chrono::milliseconds restart_wait{10'000}; ///< for a crashed analyzer's replacement
  std::chrono::milliseconds order_wait{2000};   ///< for slower series before releasing
  std::size_t max_batch = 4096;                 ///< candles per job
  bool persist = true;
  /// Candles held here (queued, being analysed, signals not yet taken by
  /// the risk manager) beyond which the hub's batches are answered only
  /// when the backlog is below it again (back-pressure to the sources).
  std::size_t max_backlog = 10'000;
  /// Signal batches sent to the risk manager and not yet answered; further
  /// signals wait (the risk manager answers when it has room).
  int risk_window = 2;
  /// Where the pipeline and the risk agent report how full they are.
  std::shared_ptr<ops::flow_gauges> flow;
  /// Cluster (issue 16): the series assignments of this node's board. When
  /// set, the pipeline starts no series itself: it asks the analyzers of the
  /// node that owns each series (started there by its placement agent),
  /// sends every job with the assignment epoch, refuses replies of another
  /// epoch and moves a series' job in flight when its owner changes.
  std::shared_ptr<const cluster::board> board;
  std::string node; ///< this node's name (with `board`)
  /// Backtests: a series with work queued or in flight always holds the
  /// release of later signals (no order-wait escape), and an idle one never
  /// does (all candles arrive in time order), so that the risk manager sees
  /// every series' signals in (time, series) order however fast the
  /// analyzers answer: the same report in one process and on a cluster.
  bool strict_order = false;
  /// Issue 19: the weight epochs applied so far (the learning coordinator's
  /// hot swaps), read when the pipeline starts, so that a restarted pipeline
  /// aggregates every candle with the weights in force at its time. Empty
  /// function: the configured weights only.
  std::function<std::vector<weight_epoch>()> weight_history;
};

/// Counters of the pipeline.
struct pipeline_counters {
  std::uint64_t candles = 0, signals = 0, late = 0, failed = 0, retried = 0;
  std::uint64_t stale = 0, moved = 0; ///< replies of an old epoch refused; jobs moved
};

using pipeline_actor = caf::typed_actor<
  /// Answered (true) when the backlog has room for more (back-pressure).
  caf::replies_to<candle_batch>::with<bool>,
  caf::reacts_to<db::news_article>,
  /// A hot swap (issue 19): from `effective_from` on, candles are aggregated
  /// with these weights; candles before it keep theirs.
  caf::reacts_to<weight_epoch>,
  /// Answers once every candle received before this request has been
  /// analysed and its signal released to the risk manager (bounded runs).
  caf::replies_to<drain_atom>::with<bool>,
  /// candles, signals, late, failed, retried answers
  caf::replies_to<stats_atom>::with<std::uint64_t, std::uint64_t, std::uint64_t, std::uint64_t,
                                    std::uint64_t>,
  /// The latency histogram (candle arrival -> signal ready), as actor_stats:
  /// messages = jobs, busy_ns = sum, buckets = ops/latency.hpp counts.
  caf::replies_to<stats_atom, caf::get_atom>::with<actor_stats>,
  // internal: ask a restarted analyzer again (series id, seq, kind)
  caf::reacts_to<retry_atom, std::string, std::uint64_t, std::uint8_t>,
  // internal: order-wait and hub resubscription timer
  caf::reacts_to<caf::tick_atom>>;

pipeline_actor spawn_pipeline(caf::local_actor* parent, pipeline_options o,
                              std::shared_ptr<supervision::agent_directory> dir);

/// The analysis subtree's supervisor config (analysis: one_for_one over
/// risk, the series pool and the pipeline), for the app tree and backtests.
struct analysis_tree_options {
  pipeline_options pipeline;
  analysis::analyzer_options analyzers;
  analysis::risk_options risk;
  std::uint32_t rebuild_candles = 5000;
  bool persist = true;
  /// Where a restarted risk agent replays the stored signals from (with
  /// `persist`; null: a restarted risk agent starts a fresh portfolio).
  std::shared_ptr<db::storage> storage;
  supervision::supervisor_flags flags;        ///< of "analysis"
  supervision::supervisor_flags series_flags; ///< of each series supervisor
  supervision::backoff_options backoff;
  std::chrono::nanoseconds shutdown_timeout = std::chrono::seconds{5};
  /// Fault injection: analyzer kinds whose actors answer this late.
  std::array<std::chrono::milliseconds, analysis::kind_count> stall{};
  /// Cluster (pipeline.board set): the risk manager and the pipeline become
  /// members of the pool "analysis.lead" (still at "analysis.risk" and
  /// "analysis.pipeline"), started only where the `analysis` lease is held;
  /// `extra` children (the placement agent that starts them and the
  /// assigned series) follow the pools.
  std::vector<supervision::child_spec> extra;
  /// With pipeline.board: false keeps the one-process layout (risk, series
  /// pool, pipeline started at once), for a distributed backtest's driver.
  bool lead_pool = true;
};

supervision::supervisor_config analysis_tree(const analysis_tree_options& o,
                                             std::shared_ptr<supervision::agent_directory> dir);

} // namespace herald::analysis_actors
