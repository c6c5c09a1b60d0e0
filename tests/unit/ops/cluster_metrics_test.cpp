#include <catch2/catch.hpp>

#include "ops/cluster_metrics.hpp"

using namespace herald;

TEST_CASE("cluster metrics: members, node up per peer, losses and their detection time",
          "[ops][metrics][cluster]") {
  cluster::view v;
  cluster::node_view a;
  a.name = "a";
  a.roles = {"data", "ops"};
  v.set_self(a);
  auto b = a;
  b.name = "b";
  b.roles = {"analysis"};
  v.peer_up(b, 1);
  v.peer_down("b", 2, "remote_link_unreachable", 1600);
  v.dial_failed();
  auto text = ops::render_cluster_metrics(v);
  CHECK(text.find("# TYPE herald_cluster_members_up gauge\nherald_cluster_members_up 1\n")
        != std::string::npos);
  CHECK(text.find("herald_cluster_node_up{node=\"a\",roles=\"data,ops\"} 1") != std::string::npos);
  CHECK(text.find("herald_cluster_node_up{node=\"b\",roles=\"analysis\"} 0") != std::string::npos);
  CHECK(text.find("herald_cluster_roles_missing 2") != std::string::npos);
  CHECK(text.find("herald_cluster_nodes_lost_total 1") != std::string::npos);
  CHECK(text.find("herald_cluster_detection_seconds_count 1") != std::string::npos);
  CHECK(text.find("herald_cluster_detection_seconds_sum 1.6") != std::string::npos);
  CHECK(text.find("herald_cluster_detection_seconds_bucket{le=\"+Inf\"} 1") != std::string::npos);
  CHECK(text.find("herald_cluster_dial_failures_total 1") != std::string::npos);
}
