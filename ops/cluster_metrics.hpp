#pragma once
// The cluster's metrics (issue 16), appended to /metrics on a cluster node:
// members up, each node up or down, losses with their detection times, dial
// failures and refusals, roles no node holds, series placement and leases.
// Plain code.

#include <string>

#include "cluster/board.hpp"
#include "cluster/view.hpp"

namespace herald::ops {

/// Prometheus text of the cluster families; with `b` (this node's board)
/// also the series owned per node, the moves this node made as coordinator
/// and each lease's holder, epoch and whether this node holds it.
std::string render_cluster_metrics(const cluster::view& v, const cluster::board* b = nullptr);

} // namespace herald::ops
