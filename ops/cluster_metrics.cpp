#include "ops/cluster_metrics.hpp"

#include <algorithm>
#include <map>

#include "ops/latency.hpp"
#include "ops/metrics.hpp"

namespace herald::ops {

std::string render_cluster_metrics(const cluster::view& v, const cluster::board* b) {
  prometheus_writer w;
  using labels = prometheus_writer::labels;
  auto nodes = v.nodes();
  auto counters = v.counters();
  double up = 0;
  for (auto& n : nodes)
    up += n.up ? 1 : 0;
  w.family("herald_cluster_members_up", "gauge",
           "Nodes this node sees up (itself included).");
  w.sample("herald_cluster_members_up", {}, up);
  w.family("herald_cluster_node_up", "gauge",
           "1 while this node is connected to the node (itself: 1), 0 once it was lost.");
  for (auto& n : nodes) {
    std::string roles;
    for (auto& r : n.roles)
      roles += (roles.empty() ? "" : ",") + r;
    w.sample("herald_cluster_node_up", labels{{"node", n.name}, {"roles", roles}},
             n.up ? 1 : 0);
  }
  w.family("herald_cluster_roles_missing", "gauge",
           "Roles no node that is up holds (the cluster is not ready while > 0).");
  w.sample("herald_cluster_roles_missing", {}, static_cast<double>(v.missing_roles().size()));
  w.family("herald_cluster_nodes_lost_total", "counter",
           "Peers this node declared lost (down message from the middleman).");
  w.sample("herald_cluster_nodes_lost_total", {}, static_cast<double>(counters.nodes_lost));
  w.family("herald_cluster_detection_seconds", "histogram",
           "From a lost peer's last sign of life to its down message.");
  std::vector<std::uint64_t> buckets(latency_buckets, 0);
  double sum = 0;
  for (auto ms : counters.detection_ms) {
    ++buckets[latency_bucket(static_cast<std::uint64_t>(ms * 1e6))];
    sum += ms / 1000.0;
  }
  w.histogram("herald_cluster_detection_seconds", {}, buckets, sum);
  w.family("herald_cluster_dial_failures_total", "counter",
           "Dials of peers that failed (unreachable, timed out, TLS refused, greeting refused).");
  w.sample("herald_cluster_dial_failures_total", {}, static_cast<double>(counters.dial_failures));
  w.family("herald_cluster_refused_total", "counter",
           "Greetings refused (another protocol version, a duplicate name, unknown roles).");
  w.sample("herald_cluster_refused_total", {}, static_cast<double>(counters.refused));
  if (!b)
    return w.text();
  std::map<std::string, double> owned;
  for (auto& n : nodes)
    if (std::find(n.roles.begin(), n.roles.end(), "analysis") != n.roles.end())
      owned[n.name] = 0;
  for (auto& a : b->assignments())
    owned[a.owner] += 1;
  w.family("herald_cluster_series_owned", "gauge",
           "Analysis series assigned to each node (series_assignments, as last read).");
  for (auto& [node, k] : owned)
    w.sample("herald_cluster_series_owned", labels{{"node", node}}, k);
  w.family("herald_cluster_reassignments_total", "counter",
           "Series moves this node wrote while it held the coordinator lease.");
  w.sample("herald_cluster_reassignments_total", {}, static_cast<double>(b->moves()));
  w.family("herald_cluster_lease_epoch", "gauge",
           "Fencing epoch of each lease and its holder, as this node last read them.");
  auto leases = b->leases();
  for (auto& l : leases)
    w.sample("herald_cluster_lease_epoch", labels{{"lease", l.name}, {"holder", l.holder}},
             static_cast<double>(l.epoch));
  w.family("herald_cluster_lease_held", "gauge",
           "1 while this node holds the lease (within its TTL).");
  for (auto& l : leases)
    w.sample("herald_cluster_lease_held", labels{{"lease", l.name}}, l.held ? 1 : 0);
  return w.text();
}

} // namespace herald::ops
