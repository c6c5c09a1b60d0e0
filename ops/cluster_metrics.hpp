#pragma once
// The cluster's metrics (issue 16), appended to /metrics on a cluster node:
// members up, each node up or down, losses with their detection times, dial
// failures and refusals, roles no node holds. Plain code.

#include <string>

#include "cluster/view.hpp"

namespace herald::ops {

/// Prometheus text of the cluster families.
std::string render_cluster_metrics(const cluster::view& v);

} // namespace herald::ops
