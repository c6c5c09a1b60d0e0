// The cluster view: who is up, which roles no node holds, detection times.
#include <catch2/catch.hpp>

#include "cluster/view.hpp"

using namespace herald::cluster;

namespace {
node_view node(std::string name, std::vector<std::string> roles) {
  node_view n;
  n.name = std::move(name);
  n.roles = std::move(roles);
  return n;
}
} // namespace

TEST_CASE("the cluster view names the roles no node that is up holds", "[cluster]") {
  view v;
  v.set_self(node("a", {"data", "ops"}));
  CHECK(v.missing_roles() == std::vector<std::string>{"analysis", "content"});
  v.peer_up(node("b", {"analysis"}), 1000);
  v.peer_up(node("c", {"content"}), 1000);
  CHECK(v.missing_roles().empty());
  CHECK(v.up_names() == std::vector<std::string>{"a", "b", "c"});
  CHECK(v.holding("analysis") == 1);
  CHECK(v.holding("data") == 1);
  v.peer_down("b", 5000, "remote_link_unreachable", 1600);
  CHECK(v.missing_roles() == std::vector<std::string>{"analysis"});
  auto nodes = v.nodes();
  REQUIRE(nodes.size() == 3);
  CHECK(nodes[0].self);
  CHECK_FALSE(nodes[1].up);
  CHECK(nodes[1].down_since_ms == 5000);
  CHECK(nodes[1].down_reason == "remote_link_unreachable");
  // A second down of the same loss is not counted twice.
  v.peer_down("b", 6000, "again", 10);
  auto c = v.counters();
  CHECK(c.nodes_lost == 1);
  REQUIRE(c.detection_ms.size() == 1);
  CHECK(c.detection_ms[0] == 1600);
  // Back up (a new incarnation): up again, the loss kept in the counters.
  auto b2 = node("b", {"analysis"});
  b2.incarnation = 2;
  v.peer_up(b2, 7000);
  CHECK(v.missing_roles().empty());
  CHECK(v.nodes()[1].incarnation == 2);
  CHECK(v.nodes()[1].up_since_ms == 7000);
}

TEST_CASE("waiting on the cluster view wakes on a change and ends at the deadline",
          "[cluster]") {
  view v;
  v.set_self(node("a", {"data"}));
  auto soon = std::chrono::steady_clock::now() + std::chrono::milliseconds{50};
  CHECK_FALSE(v.wait_until([](const view& x) { return x.up_names().size() == 2; }, soon));
  v.peer_up(node("b", {"ops"}), 1);
  CHECK(v.wait_until([](const view& x) { return x.up_names().size() == 2; },
                     std::chrono::steady_clock::now()));
}
