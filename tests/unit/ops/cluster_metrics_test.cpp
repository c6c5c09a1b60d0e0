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

TEST_CASE("cluster metrics: series owned per node, reassignments and leases", "[ops][metrics][cluster]") {
  cluster::view v;
  cluster::node_view a;
  a.name = "a";
  a.roles = {"analysis"};
  v.set_self(a);
  auto b = a;
  b.name = "b";
  v.peer_up(b, 1);
  cluster::board board{"a"};
  board.set_assignments({{"X_1m", "a", 1, 0}, {"Y_1m", "a", 2, 5}});
  board.count_moves(3);
  board.set_lease("coordinator", "a", 4, true, cluster::board::clock::now() + std::chrono::hours{1});
  board.set_lease("analysis", "b", 2, false, {});
  auto text = ops::render_cluster_metrics(v, &board);
  CHECK(text.find("herald_cluster_series_owned{node=\"a\"} 2") != std::string::npos);
  CHECK(text.find("herald_cluster_series_owned{node=\"b\"} 0") != std::string::npos);
  CHECK(text.find("herald_cluster_reassignments_total 3") != std::string::npos);
  CHECK(text.find("herald_cluster_lease_epoch{lease=\"coordinator\",holder=\"a\"} 4") != std::string::npos);
  CHECK(text.find("herald_cluster_lease_held{lease=\"coordinator\"} 1") != std::string::npos);
  CHECK(text.find("herald_cluster_lease_held{lease=\"analysis\"} 0") != std::string::npos);
  // Without a board: none of these families.
  CHECK(ops::render_cluster_metrics(v).find("herald_cluster_lease") == std::string::npos);
}
