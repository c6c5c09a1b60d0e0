// The tree the consoles and the SSE stream show at scale: series pools one
// row per kind beyond max_rows, with sums and maxima that match the actors;
// the API's actor and series search.
#include <catch2/catch.hpp>

#include <algorithm>

#include "ops/actor_groups.hpp"
#include "ops/json_views.hpp"
#include "ops/metrics.hpp"

using namespace herald;

namespace {

ops::actor_view actor(const std::string& path, const std::string& parent, bool sup) {
  ops::actor_view a;
  a.path = path;
  a.parent = parent;
  a.is_supervisor = sup;
  a.running = true;
  return a;
}

/// root, analysis, pipeline, the series pool with `n` series of two analyzers.
ops::snapshot tree(std::size_t n) {
  ops::snapshot s;
  s.actors.push_back(actor("root", "", true));
  s.actors.push_back(actor("analysis", "root", true));
  s.actors.push_back(actor("analysis.pipeline", "analysis", false));
  s.actors.push_back(actor("analysis.series", "analysis", true));
  for (std::size_t i = 0; i < n; ++i) {
    auto series = "analysis.series.S" + std::to_string(i) + "USDT_1m";
    s.actors.push_back(actor(series, "analysis.series", true));
    for (auto kind : {"momentum", "trend"}) {
      auto a = actor(series + "." + kind, series, false);
      a.mailbox = i;
      a.rate = 1;
      a.restarts = i % 3 == 0;
      a.p99_seconds = 0.001 * static_cast<double>(i);
      a.running = i != 5;
      s.actors.push_back(a);
    }
    ops::series_view v;
    v.symbol = "S" + std::to_string(i) + "USDT";
    v.interval = i % 2 ? "1m" : "5m";
    s.series.push_back(v);
  }
  s.actors.push_back(actor("content", "root", true));
  return s;
}

} // namespace

TEST_CASE("a small tree is shown actor by actor", "[ops]") {
  auto s = tree(10);
  auto j = ops::tree_json(s, 2000);
  CHECK(j["aggregated"] == false);
  CHECK(j["total"] == s.actors.size());
  CHECK(j["actors"].size() == s.actors.size());
}

TEST_CASE("beyond max_rows the series pools are one row per kind, in tree order", "[ops]") {
  auto s = tree(1000); // 3,005 actors
  auto j = ops::tree_json(s, 2000);
  CHECK(j["aggregated"] == true);
  CHECK(j["total"] == 3005);
  auto& rows = j["actors"];
  REQUIRE(rows.size() == 4 + 3 + 1);
  std::vector<std::string> paths;
  for (auto& r : rows)
    paths.push_back(r["path"]);
  CHECK(paths == std::vector<std::string>{"root", "analysis", "analysis.pipeline",
                                          "analysis.series", "analysis.series.*",
                                          "analysis.series.*.momentum", "analysis.series.*.trend",
                                          "content"});
  auto& sup = rows[4];
  CHECK(sup["count"] == 1000);
  CHECK(sup["kind"] == "supervisor");
  CHECK(sup["parent"] == "analysis.series");
  auto& mom = rows[5];
  CHECK(mom["parent"] == "analysis.series.*");
  CHECK(mom["count"] == 1000);
  CHECK(mom["running_count"] == 999); // series 5 is down
  CHECK(mom["running"] == false);
  CHECK(mom["mailbox"] == 999);       // the largest
  CHECK(mom["rate"].get<double>() == Approx(1000)); // summed
  CHECK(mom["restarts"] == 334);      // 0, 3, ..., 999
  CHECK(mom["p99_seconds"].get<double>() == Approx(0.999));
  // Ten times the series: still eight rows.
  CHECK(ops::tree_json(tree(10'000), 2000)["actors"].size() == 8);
}

TEST_CASE("actors and series are found by a part of their name", "[ops]") {
  auto s = tree(30);
  auto found = ops::find_actors(s, "S12USDT", "");
  REQUIRE(found.size() == 3); // the series supervisor and its two analyzers
  CHECK(found[0]->path == "analysis.series.S12USDT_1m");
  auto busiest = ops::find_actors(s, "momentum", "mailbox");
  REQUIRE(busiest.size() == 30);
  CHECK(busiest[0]->path == "analysis.series.S29USDT_1m.momentum");
  CHECK(ops::find_actors(s, "", "").size() == s.actors.size());
  CHECK_THROWS_WITH(ops::find_actors(s, "", "name"),
                    "sort 'name' is not mailbox, p99, rate or restarts");
  CHECK(ops::find_series(s, "s1").size() == 11); // S1, S10..S19
  CHECK(ops::find_series(s, "s1usdt 1m").size() == 1);
  CHECK(ops::find_series(s, "").size() == 30);
  CHECK(ops::find_series(s, "ETH").empty());
}

TEST_CASE("beyond 2,000 actors /metrics has a row per series kind, not per actor", "[ops][metrics]") {
  ops::http_counters http;
  ops::process_sample p;
  auto small = ops::render_metrics(tree(10), http, p);
  CHECK(small.find("herald_actor_up{actor=\"analysis.series.S3USDT_1m.momentum\"} 1")
        != std::string::npos);
  CHECK(small.find("herald_actor_group_size") == std::string::npos);
  auto big = ops::render_metrics(tree(1000), http, p);
  CHECK(big.find("actor=\"analysis.series.S3USDT") == std::string::npos);
  CHECK(big.find("herald_actor_up{actor=\"analysis.pipeline\"} 1") != std::string::npos);
  // Series 5's analyzers are down: their kinds are not all up.
  CHECK(big.find("herald_actor_up{actor=\"analysis.series.*.momentum\"} 0") != std::string::npos);
  CHECK(big.find("herald_actor_up{actor=\"analysis.series.*\"} 1") != std::string::npos);
  CHECK(big.find("herald_actor_group_size{actor=\"analysis.series.*.trend\"} 1000")
        != std::string::npos);
  CHECK(big.find("herald_actor_group_running{actor=\"analysis.series.*.trend\"} 999")
        != std::string::npos);
  CHECK(big.find("herald_actor_restarts_total{actor=\"analysis.series.*.trend\"} 334")
        != std::string::npos);
  CHECK(big.find("herald_actor_mailbox_size{actor=\"analysis.series.*.trend\"} 999")
        != std::string::npos);
  // Ten times the series, the same number of actor lines (the per-series
  // families, e.g. candles accepted, stay one line a series).
  auto lines = [](const std::string& t) {
    std::size_t n = 0;
    for (std::size_t at = t.find("\nherald_actor_"); at != std::string::npos;
         at = t.find("\nherald_actor_", at + 1))
      ++n;
    return n;
  };
  CHECK(lines(ops::render_metrics(tree(10'000), http, p)) == lines(big));
}

TEST_CASE("an actor's group is its pool and kind", "[ops]") {
  CHECK(ops::group_of("analysis.series.BTCUSDT_1m.momentum") == "analysis.series.*.momentum");
  CHECK(ops::group_of("analysis.series.BTCUSDT_1m") == "analysis.series.*");
  CHECK(ops::group_of("analysis.series").empty());
  CHECK(ops::group_of("analysis.pipeline").empty());
}
