// Issue 5 benchmark (a): the analyzers as pure code, candles per second on
// one core, on a simulated series. (The nine-analyzer target is 5,000,000
// candles/s; news sentiment and the risk manager are not written yet.)
//   herald_bench_analysis [candles]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <memory>
#include <vector>

#include "analysis/analyzers.hpp"
#include "market/simulator.hpp"

using namespace herald;

int main(int argc, char** argv) {
  std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  market::sim_options o;
  o.symbols = {{"BTCUSDT", 42000, 0.0012, 40}};
  o.start_time = 1'700'000'000'000;
  market::simulator sim{o};
  std::vector<candle> cs;
  cs.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    cs.push_back(sim.next()[0]);
  std::vector<std::unique_ptr<analysis::analyzer>> all;
  all.push_back(std::make_unique<analysis::momentum>());
  all.push_back(std::make_unique<analysis::volatility_regime>());
  all.push_back(std::make_unique<analysis::statistical_edge>());
  all.push_back(std::make_unique<analysis::market_structure>());
  all.push_back(std::make_unique<analysis::order_flow>());
  all.push_back(std::make_unique<analysis::pattern_recognition>());
  all.push_back(std::make_unique<analysis::multi_timeframe>());
  double total = 0, checksum = 0;
  std::printf("analyzers, pure code, one core, %zu candles:\n", n);
  for (auto& a : all) {
    std::vector<analysis::result> out(1024);
    auto t0 = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < n; i += out.size()) {
      auto k = std::min(out.size(), n - i);
      a->on_candles(cs.data() + i, k, out.data());
      checksum += out[0].score;
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    total += secs;
    std::printf("  %-20s %10.0f candles/s\n", a->name(), n / secs);
  }
  std::printf("  all %zu together:    %10.0f candles/s (checksum %.3f)\n", all.size(), n / total,
              checksum);
  return 0;
}
