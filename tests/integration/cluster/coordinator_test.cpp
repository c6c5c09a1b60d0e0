// The coordinator against both storage backends (issue 16): leases with
// fencing epochs, series placed over the analysis nodes that are up and
// renewing, a lost node's series moved at once, a rejoined node given at
// most ceil(S/N) series, one move per rebalance interval.
#include <catch2/catch.hpp>

#include <map>

#include "cluster/coordinator.hpp"
#include "db/storage.hpp"
#include "support/storage.hpp"

using namespace herald;
using namespace herald::cluster;
using herald::test::backend_target;
using herald::test::for_each_backend;
using herald::test::open_migrated;

namespace {

struct node {
  std::string name;
  std::shared_ptr<view> v = std::make_shared<view>();
  std::shared_ptr<board> b;
  std::unique_ptr<coordinator> c;
  std::vector<std::string> events;
};

std::unique_ptr<node> make_node(std::shared_ptr<db::storage> s, const std::string& name,
                                std::vector<std::string> roles) {
  auto n = std::make_unique<node>();
  n->name = name;
  n->b = std::make_shared<board>(name);
  node_view self;
  self.name = name;
  self.roles = roles;
  self.self = true;
  self.up = true;
  n->v->set_self(self);
  s->join_member({name, name + "#1", "", "127.0.0.1:1", "test"});
  coordination_options o;
  o.node = name;
  o.roles = roles;
  o.lease_ttl = std::chrono::milliseconds{60'000};
  o.placement.max_moves_per_step = 1;
  o.placement.min_stay_ms = 0;
  o.rebalance_interval = std::chrono::milliseconds{0};
  o.tracked = [](const std::string&, const std::string& iv) { return iv == "1m"; };
  o.series_id = [](const std::string& sym, const std::string& iv) { return sym + "_" + iv; };
  auto* raw = n.get();
  n->c = std::make_unique<coordinator>(s, n->v, n->b, o,
                                       [raw](const std::string& e, const std::string& d) {
                                         raw->events.push_back(e + " " + d);
                                       });
  return n;
}

void see(node& n, const std::string& peer, bool up) {
  if (up) {
    node_view p;
    p.name = peer;
    p.roles = {"analysis"};
    n.v->peer_up(p, 0);
  } else {
    n.v->peer_down(peer, 0, "test", 0);
  }
}

std::map<std::string, std::size_t> loads(const board& b) {
  std::map<std::string, std::size_t> out;
  for (auto& a : b.assignments())
    ++out[a.owner];
  return out;
}

} // namespace

TEST_CASE("the coordinator places series moves a lost node's at once and rebalances a rejoined "
          "node by at most ceil(S/N)",
          "[storage][cluster]") {
  for_each_backend([](const backend_target& t) {
    db::storage_options opts;
    opts.pool_size = 2;
    auto s = open_migrated(t, opts);
    db::write_batch candles;
    for (auto sym : {"AAAUSDT", "BBBUSDT", "CCCUSDT", "DDDUSDT", "EEEUSDT"}) {
      candle c;
      c.symbol = sym;
      c.interval = "1m";
      c.open_time = 60'000;
      c.close_time = 119'999;
      c.open = c.high = c.low = c.close = 1;
      candles.candles.push_back(c);
      c.interval = "5m"; // not tracked below
      candles.candles.push_back(c);
    }
    s->write(candles);
    auto a = make_node(s, "a", {"data", "ops"});
    auto b = make_node(s, "b", {"analysis"});
    auto c = make_node(s, "c", {"analysis"});
    for (auto* n : {a.get(), b.get(), c.get()})
      for (auto peer : {"b", "c"})
        if (n->name != peer)
          see(*n, peer, true);
    // a steps first: it holds the coordinator lease; b and c hold none of it.
    a->c->step();
    b->c->step();
    c->c->step();
    CHECK(a->b->lease("coordinator").held);
    CHECK(a->b->lease("coordinator").epoch == 1);
    CHECK_FALSE(b->b->lease("coordinator").held);
    CHECK(b->b->lease("coordinator").holder == "a");
    CHECK(b->b->lease("analysis").held); // b asked for it first
    CHECK_FALSE(c->b->lease("analysis").held);
    CHECK_FALSE(a->b->lease("analysis").held); // not an analysis node: never asked
    // Only the tracked 1m series, balanced: 3 and 2.
    auto all = b->b->assignments();
    REQUIRE(all.size() == 5);
    for (auto& x : all) {
      CHECK(x.series.find("_1m") != std::string::npos);
      CHECK(x.epoch == 1);
    }
    auto l = loads(*b->b);
    CHECK(l["b"] + l["c"] == 5);
    CHECK(l["b"] <= 3);
    CHECK(l["c"] <= 3);

    // c is lost: its series move to b at once (all of them, one step).
    see(*a, "c", false);
    a->c->step();
    b->c->step();
    CHECK(loads(*b->b)["b"] == 5);
    for (auto& x : b->b->assignments())
      if (l["c"] > 0 && x.epoch > 1)
        CHECK(x.owner == "b");
    REQUIRE(!a->events.empty());
    CHECK(a->events.back().rfind("assigned ", 0) == 0);

    // c rejoins: one move per step, at most ceil(5/2) = 3 to c in the end.
    see(*a, "c", true);
    std::size_t steps = 0, to_c = 0;
    for (; steps < 10; ++steps) {
      auto before = b->b->assignments();
      a->c->step();
      b->c->step();
      auto after = b->b->assignments();
      std::size_t moved = 0;
      for (std::size_t i = 0; i < after.size(); ++i)
        if (after[i].owner != before[i].owner) {
          ++moved;
          CHECK(after[i].owner == "c");
          ++to_c;
        }
      CHECK(moved <= 1);
      if (moved == 0)
        break;
    }
    CHECK(to_c >= 2);
    CHECK(to_c <= node_capacity(5, 2));
    l = loads(*b->b);
    CHECK(l["b"] <= 3);
    CHECK(l["c"] <= 3);

    // The coordinator stops in order: its lease goes at once, b takes it
    // with a higher epoch (the fence of the old holder's writes).
    a->c->release_all();
    CHECK_FALSE(a->b->lease("coordinator").held);
    b->c->step();
    CHECK(b->b->lease("coordinator").held);
    CHECK(b->b->lease("coordinator").epoch == 2);
    // The old holder's epoch no longer assigns anything.
    CHECK_FALSE(s->assign_series({{"AAAUSDT_1m", "a", 99, 0}}, "a", 1));
  });
}
