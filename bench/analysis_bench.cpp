// Issue 5 benchmark (a): all nine analyzers as pure code, candles/s on one
// core: the eight per-series analyzers in batches (as the analyzer actors run
// them) plus aggregation into a signal and the risk manager's decision.
//   herald_bench_analysis [candles [batch]]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "analysis/aggregate.hpp"
#include "analysis/kinds.hpp"
#include "analysis/risk.hpp"
#include "market/simulator.hpp"

using namespace herald;
using clk = std::chrono::steady_clock;

int main(int argc, char** argv) {
  std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  market::sim_options o;
  o.symbols = {{"BTCUSDT", 42000, 0.0012, 40}};
  o.start_time = 1'700'000'040'000 - 1'700'000'040'000 % 60'000;
  market::simulator sim{o};
  std::vector<candle> cs;
  cs.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    cs.push_back(sim.next()[0]);
  analysis::analyzer_options opts;
  std::vector<std::unique_ptr<analysis::analyzer>> all;
  for (std::size_t k = 0; k < analysis::kind_count; ++k)
    all.push_back(analysis::make_analyzer(analysis::kind_at(k), opts));
  // some news for the sentiment analyzer: one article an hour
  auto* news = static_cast<analysis::news_sentiment*>(
    all[static_cast<std::size_t>(analysis::kind::news_sentiment)].get());
  for (std::size_t i = 0; i < n; i += 60)
    news->on_news(cs[i].open_time, (i / 60) % 3 == 0 ? 0.6 : -0.3);
  const std::size_t batch = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1024;
  std::vector<std::vector<analysis::result>> out(analysis::kind_count,
                                                 std::vector<analysis::result>(batch));
  double per_kind[analysis::kind_count] = {};
  analysis::aggregate_options agg;
  analysis::risk_manager risk;
  double aggregate_secs = 0, checksum = 0;
  std::uint64_t insights = 0;
  // The regime label as the pipeline receives it (a string per result).
  const std::string empty, low = "low", normal = "normal", high = "high", unknown = "unknown";
  auto regime_of = [&](const char* t) -> const std::string& {
    return t[0] == 'l' ? low : t[0] == 'h' ? high : t[0] == 'n' ? normal : unknown;
  };
  auto t_all = clk::now();
  for (std::size_t i = 0; i < n; i += batch) {
    auto m = std::min(batch, n - i);
    for (std::size_t k = 0; k < analysis::kind_count; ++k) {
      auto t0 = clk::now();
      all[k]->on_candles(cs.data() + i, m, out[k].data());
      per_kind[k] += std::chrono::duration<double>(clk::now() - t0).count();
    }
    auto t0 = clk::now();
    for (std::size_t j = 0; j < m; ++j) {
      analysis::contribution_set parts;
      for (std::size_t k = 0; k < analysis::kind_count; ++k)
        parts.push_back({static_cast<std::uint8_t>(k), true, out[k][j].score,
                         out[k][j].confidence, 0.0});
      auto& vr = out[static_cast<std::size_t>(analysis::kind::volatility_regime)][j];
      auto& c = cs[i + j];
      auto s = analysis::aggregate(agg, c.symbol, c.interval, c.open_time, c.close,
                                   parts, vr.text ? regime_of(vr.text) : empty);
      if (auto in = risk.on_signal(s))
        insights += in->approved;
      checksum += s.score;
    }
    aggregate_secs += std::chrono::duration<double>(clk::now() - t0).count();
  }
  double total = std::chrono::duration<double>(clk::now() - t_all).count();
  std::printf("nine analyzers, pure code, one core, %zu candles (batches of %zu):\n", n, batch);
  double analyzers = 0;
  for (std::size_t k = 0; k < analysis::kind_count; ++k) {
    analyzers += per_kind[k];
    std::printf("  %-22s %12.0f candles/s  %7.1f ns/candle\n",
                analysis::kind_name(analysis::kind_at(k)), n / per_kind[k], 1e9 * per_kind[k] / n);
  }
  std::printf("  %-22s %12.0f candles/s  %7.1f ns/candle\n", "aggregate + risk_manager",
              n / aggregate_secs, 1e9 * aggregate_secs / n);
  std::printf("  eight analyzers alone  %12.0f candles/s\n", n / analyzers);
  std::printf("  all nine, end to end   %12.0f candles/s  (target 5,000,000; %llu approved, "
              "checksum %.3f)\n",
              n / total, static_cast<unsigned long long>(insights), checksum);
  return 0;
}
