#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "cluster/placement.hpp"

using namespace herald::cluster;

namespace {

std::vector<std::string> some_series(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i)
    out.push_back("S" + std::to_string(i) + "USDT:1m");
  return out;
}

std::vector<assignment> with_moves(std::vector<assignment> cur, const std::vector<assignment>& moves) {
  for (auto& m : moves) {
    auto it = std::find_if(cur.begin(), cur.end(), [&](auto& a) { return a.series == m.series; });
    if (it == cur.end())
      cur.push_back(m);
    else
      *it = m;
  }
  return cur;
}

} // namespace

TEST_CASE("the stable hash is fixed (the same on every node and build)", "[cluster]") {
  // Values pinned (computed independently: FNV-1a 64, then the SplitMix64
  // finalizer): a change would move every series of a running cluster.
  CHECK(stable_hash("a") == 0x02c0bdbf481420f8ULL);
  CHECK(stable_hash("BTCUSDT:1m") == 0x9fe71d19c5b7666eULL);
  CHECK(stable_hash("BTCUSDT:1m") != stable_hash("ETHUSDT:1m"));
}

TEST_CASE("rendezvous spreads series evenly and losing a node moves only its series",
          "[cluster]") {
  auto series = some_series(3000);
  std::vector<std::string> nodes{"a", "b", "c"};
  std::map<std::string, std::string> owner;
  std::map<std::string, int> count;
  for (auto& s : series) {
    owner[s] = rendezvous_owner(s, nodes);
    ++count[owner[s]];
  }
  for (auto& n : nodes) {
    INFO(n);
    CHECK(count[n] > 900);
    CHECK(count[n] < 1100);
  }
  std::vector<std::string> without_b{"a", "c"};
  for (auto& s : series) {
    auto now = rendezvous_owner(s, without_b);
    if (owner[s] != "b")
      CHECK(now == owner[s]); // nothing else moves
    else
      CHECK(now != "b");
  }
  CHECK(rendezvous_owner("x", {}).empty());
}

TEST_CASE("a lost node's series move at once, a joining node gets series gradually",
          "[cluster]") {
  auto series = some_series(30);
  placement_options o;
  o.max_moves_per_step = 2;
  o.min_stay_ms = 60'000;
  // Start: everything placed on a and b.
  auto cur = with_moves({}, plan_moves({}, series, {"a", "b"}, 0, o));
  REQUIRE(cur.size() == 30);
  CHECK(plan_moves(cur, series, {"a", "b"}, 1, o).empty()); // stable
  // b is lost: its series move at once, all of them, with a new epoch.
  auto lost = plan_moves(cur, series, {"a"}, 1000, o);
  std::size_t on_b = std::count_if(cur.begin(), cur.end(), [](auto& a) { return a.owner == "b"; });
  CHECK(lost.size() == on_b);
  for (auto& m : lost) {
    CHECK(m.owner == "a");
    CHECK(m.epoch == 2);
  }
  cur = with_moves(cur, lost);
  // c joins: at most 2 moves per step; none of them again within min_stay.
  std::int64_t t = 100'000;
  std::set<std::string> moved;
  int steps = 0;
  for (;; ++steps, t += 10'000) {
    auto m = plan_moves(cur, series, {"a", "c"}, t, o);
    if (m.empty())
      break;
    CHECK(m.size() <= 2);
    for (auto& x : m) {
      CHECK(x.owner == "c");
      CHECK(moved.insert(x.series).second); // no series moves twice
    }
    cur = with_moves(cur, m);
    REQUIRE(steps < 100);
  }
  // In the end: c holds at most ceil(S/N) series (bounded load), and every
  // series sits on its first choice unless that node is full.
  std::map<std::string, std::size_t> load;
  for (auto& a : cur)
    ++load[a.owner];
  CHECK(load["c"] == moved.size());
  CHECK(load["c"] <= node_capacity(series.size(), 2));
  CHECK(load["a"] <= node_capacity(series.size(), 2));
  for (auto& a : cur)
    if (a.owner != rendezvous_owner(a.series, {"a", "c"}))
      CHECK(load[rendezvous_owner(a.series, {"a", "c"})] == node_capacity(series.size(), 2));
}

TEST_CASE("a node that rejoins gets series back even when no series ranks it first",
          "[cluster]") {
  placement_options o;
  o.min_stay_ms = 0;
  // Two series that both rank x first: bounded load puts one on y.
  std::vector<std::string> two;
  for (int i = 0; two.size() < 2; ++i)
    if (rendezvous_owner("Q" + std::to_string(i), {"x", "y"}) == "x")
      two.push_back("Q" + std::to_string(i));
  auto cur = with_moves({}, plan_moves({}, two, {"x", "y"}, 0, o));
  std::map<std::string, int> load;
  for (auto& a : cur)
    ++load[a.owner];
  CHECK(load["x"] == 1);
  CHECK(load["y"] == 1);
  // y is lost (both on x), then rejoins: one series moves back, not two.
  cur = with_moves(cur, plan_moves(cur, two, {"x"}, 10, o));
  auto back = plan_moves(cur, two, {"x", "y"}, 20, o);
  REQUIRE(back.size() == 1);
  CHECK(back[0].owner == "y");
  cur = with_moves(cur, back);
  CHECK(plan_moves(cur, two, {"x", "y"}, 30, o).empty());
}

TEST_CASE("bounded load: no node holds more than ceil(S/N) series after placement or a loss",
          "[cluster]") {
  placement_options o;
  for (int n_series : {1, 2, 3, 7, 30, 101}) {
    INFO(n_series << " series");
    auto series = some_series(n_series);
    auto cur = with_moves({}, plan_moves({}, series, {"a", "b", "c"}, 0, o));
    std::map<std::string, std::size_t> load;
    for (auto& a : cur)
      ++load[a.owner];
    for (auto& [n, k] : load)
      CHECK(k <= node_capacity(series.size(), 3));
    // c is lost: only its series move, onto a and b, within the new bound.
    auto moves = plan_moves(cur, series, {"a", "b"}, 5000, o);
    CHECK(moves.size() == load["c"]);
    cur = with_moves(cur, moves);
    std::map<std::string, std::size_t> after;
    for (auto& a : cur)
      ++after[a.owner];
    CHECK(after.count("c") == 0);
    for (auto& [n, k] : after)
      CHECK(k <= node_capacity(series.size(), 2));
  }
  CHECK(node_capacity(5, 2) == 3);
  CHECK(node_capacity(0, 3) == 0);
  CHECK(node_capacity(4, 0) == 0);
}

TEST_CASE("a series that just moved stays put until min_stay has passed", "[cluster]") {
  placement_options o;
  o.min_stay_ms = 60'000;
  // A series that z (joining) would take from a.
  std::string s;
  for (int i = 0; s.empty(); ++i)
    if (rendezvous_owner("X" + std::to_string(i), {"a", "z"}) == "z")
      s = "X" + std::to_string(i);
  std::vector<assignment> cur{{s, "a", 3, 1000}};
  CHECK(plan_moves(cur, {s}, {"a", "z"}, 30'000, o).empty());
  auto m = plan_moves(cur, {s}, {"a", "z"}, 61'000, o);
  REQUIRE(m.size() == 1);
  CHECK(m[0].epoch == 4);
}
