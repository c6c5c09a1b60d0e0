#pragma once
// The placement agent ("analysis.placement", issue 16): on every analysis
// node, it makes the node run what the board says it should.
// - Series: the series supervisors of the series assigned to this node are
//   started in the local series pool ("analysis.series"), those assigned to
//   another node are stopped (the pipeline has moved their job by then).
// - Gated children: children of a pool that run only while this node holds
//   a lease (the risk manager and the pipeline while it holds `analysis`):
//   started in order once the lease is held, stopped in reverse order as
//   soon as it is not (lost, or not renewed within its TTL).
// One pool request at a time; it checks again every tick and after each
// answer, so a restarted placement agent finds where things stand from the
// directory.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "cluster/board.hpp"
#include "supervisor/agent_directory.hpp"

namespace herald::cluster_actors {

struct lease_gate {
  std::string lease;                 ///< "analysis"
  std::string pool;                  ///< the pool's directory path ("analysis.lead")
  std::string prefix;                ///< the children's path prefix ("analysis.")
  std::vector<std::string> children; ///< started in this order ("risk", "pipeline")
};

struct placement_options {
  std::shared_ptr<const cluster::board> board;
  std::string node;
  std::shared_ptr<supervision::agent_directory> directory;
  std::string series_pool = "analysis.series"; ///< "" manages no series
  std::vector<lease_gate> gates;
  std::chrono::milliseconds tick{100};
};

/// The pool argument of a series id ("BTCUSDT_1m" -> "BTCUSDT 1m"; an
/// interval has no '_').
std::string series_pool_arg(const std::string& id);

caf::actor spawn_placement_agent(caf::local_actor* parent, placement_options o);

} // namespace herald::cluster_actors
