// What the consoles and the SSE stream get per stats interval at scale:
// ops::tree_json over a tree of N series of nine actors (a series
// supervisor and eight analyzers), every actor (as before decision 106)
// and aggregated per series kind. Prints the time to build and serialise
// the JSON and its size, for 100, 1,000 and 10,000 series.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include "ops/json_views.hpp"

using namespace herald;

namespace {

ops::snapshot tree(std::size_t n) {
  ops::snapshot s;
  auto add = [&](std::string path, std::string parent, bool sup) {
    ops::actor_view a;
    a.path = std::move(path);
    a.parent = std::move(parent);
    a.is_supervisor = sup;
    a.running = true;
    a.rate = 12.5;
    a.p99_seconds = 0.0004;
    s.actors.push_back(std::move(a));
  };
  add("root", "", true);
  for (auto d : {"data", "analysis", "content", "community", "learning", "ops"})
    add(std::string{d}, "root", true);
  add("analysis.pipeline", "analysis", false);
  add("analysis.series", "analysis", true);
  const char* kinds[] = {"momentum",    "trend",           "volatility_regime",
                         "order_flow",  "market_structure", "pattern_recognition",
                         "sentiment",   "volume_profile"};
  for (std::size_t i = 0; i < n; ++i) {
    auto series = "analysis.series.S" + std::to_string(i) + "USDT_1m";
    add(series, "analysis.series", true);
    for (auto k : kinds)
      add(series + "." + k, series, false);
  }
  return s;
}

} // namespace

int main() {
  std::printf("%8s %8s  %-10s %6s %12s %10s\n", "series", "actors", "tree", "rows", "bytes", "ms");
  for (std::size_t n : {100, 1000, 10000}) {
    auto s = tree(n);
    for (bool full : {true, false}) {
      auto t0 = std::chrono::steady_clock::now();
      auto j = ops::tree_json(s, full ? SIZE_MAX : 0); // 0: aggregate at any size
      auto text = j.dump();
      auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                  .count();
      std::printf("%8zu %8zu  %-10s %6zu %12zu %10.2f\n", n, s.actors.size(),
                  full ? "every" : "aggregated", j["actors"].size(), text.size(), ms);
    }
  }
  return 0;
}
