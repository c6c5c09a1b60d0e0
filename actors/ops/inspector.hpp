#pragma once
// The inspector ("ops.inspector"): the one actor that knows how the node is
// doing, feeding the web console (through ops::board + ops::journal, read
// by io/http without asking an actor) and the terminal console (over the
// middleman: it is published on [inspector] address/port).
//  - every actor reports actor_stats to it (actors/ops/instrumented.hpp);
//    paths, restarts and exit reasons come from the supervisors' directory;
//  - it polls the hub (series counters), the persistence agent (write
//    queue, database up), the pipeline (latency) and the content publisher
//    (posts per channel) every interval, and subscribes to the hub's candle
//    batches and the risk manager's reports (events, signal counters);
//  - it answers console_command{token, line} with JSON text.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "cluster/view.hpp"
#include "db/storage.hpp"
#include "messages/type_ids.hpp"
#include "ops/auth.hpp"
#include "ops/board.hpp"
#include "ops/control.hpp"
#include "ops/flow.hpp"
#include "ops/journal.hpp"
#include "supervisor/agent_directory.hpp"

namespace herald::ops {

struct inspector_options {
  std::shared_ptr<supervision::agent_directory> directory;
  std::shared_ptr<board> board_;
  std::shared_ptr<journal> journal_;
  std::shared_ptr<const token_table> tokens;
  std::shared_ptr<agent_control> control;
  /// For audit rows of console actions (null: not audited).
  std::shared_ptr<db::storage> storage;
  std::chrono::milliseconds interval{1000};
  /// Readiness expects these agents to run (besides the database and the
  /// pipeline): "data.scanner", "data.news", ...
  std::vector<std::string> sources;
  bool expect_database = true;
  /// Readiness expects analysis.pipeline (false with analysis.enabled=false).
  bool expect_pipeline = true;
  /// Middleman publication for the terminal console (port 0: an ephemeral
  /// port, logged at start).
  bool publish = false;
  std::string publish_address = "127.0.0.1";
  std::uint16_t publish_port = 0;
  std::string node_name = "herald";
  /// Back-pressure gauges (readiness check "flow", /metrics); null: none.
  std::shared_ptr<flow_gauges> flow;
  /// A cluster node's view of the cluster (readiness check "cluster": every
  /// role held by a node that is up); null: a single process.
  std::shared_ptr<cluster::view> cluster;
  std::int64_t cluster_ttl_ms = 5000; ///< membership rows older are down
};

using inspector_actor = caf::typed_actor<
  caf::reacts_to<actor_stats>, caf::replies_to<risk_report>::with<bool>,
  caf::replies_to<candle_batch>::with<bool>,
  caf::reacts_to<caf::tick_atom>,
  /// A terminal-console command; the answer is JSON text ({"error":...} on failure).
  caf::replies_to<console_command>::with<std::string>>;

inspector_actor spawn_inspector(caf::local_actor* parent, inspector_options o);

/// The control of agents by path over `sys` (pause, resume, restart, kill).
std::shared_ptr<agent_control> make_agent_control(caf::actor_system& sys,
                                                  std::shared_ptr<supervision::agent_directory> dir);

} // namespace herald::ops
