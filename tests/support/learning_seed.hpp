#pragma once
// Stored signals with known outcomes for the learning tests: 3,000 hourly
// BTCUSDT candles from t0 (2026-01-01, a Thursday) and a signal for each,
// with what the combined signal did counted while seeding (the independent
// computation the performance figures are checked against).
#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "analysis/aggregate.hpp"
#include "db/storage.hpp"

namespace herald::test {

constexpr std::int64_t seed_hour = 3'600'000;
constexpr std::int64_t seed_t0 = 1'767'225'600'000; // 2026-01-01 00:00 UTC

/// 3,000 hourly candles and a signal for each, whose momentum vote agrees
/// with the move 10 bars later 70% of the time and whose order-flow vote
/// disagrees with it 70% of the time.
/// What the combined signal did, counted while seeding (the independent
/// computation the performance loop is checked against).
struct combined_truth {
  std::uint64_t calls = 0, hits = 0, rows = 0;
  double se = 0;
  /// Per signal: its time, the time its outcome resolved (the close of the
  /// candle 10 bars on), whether it called, whether the call hit, its
  /// squared error.
  struct row {
    std::int64_t time = 0, resolved_at = 0;
    bool called = false, hit = false;
    double se = 0;
  };
  std::vector<row> per_signal;
};

inline combined_truth seed(db::storage& s, unsigned rng_seed = 3, int flip_after = 1 << 30,
                           const std::string& symbol = "BTCUSDT") {
  combined_truth truth;
  std::mt19937_64 g(rng_seed);
  std::normal_distribution<double> step(0, 0.01);
  std::uniform_real_distribution<double> u(0, 1);
  const int n = 3000;
  std::vector<candle> cs;
  double price = 100;
  for (int i = 0; i < n; ++i) {
    candle c;
    c.symbol = symbol;
    c.interval = "1h";
    c.open_time = seed_t0 + i * seed_hour;
    c.close_time = c.open_time + seed_hour - 1;
    c.open = price;
    price *= std::exp(step(g));
    c.close = price;
    c.high = std::max(c.open, c.close);
    c.low = std::min(c.open, c.close);
    c.volume = 10;
    cs.push_back(c);
  }
  db::write_batch b;
  b.candles = cs;
  analysis::aggregate_options ao;
  for (int i = 0; i + 10 < n; ++i) {
    double move = cs[i + 10].close > cs[i].close ? 1 : -1;
    if (i >= flip_after)
      move = -move; // from here on the votes point the wrong way
    analysis::contribution_set parts;
    for (std::uint8_t k = 0; k < analysis::kind_count; ++k) {
      double score = u(g) * 2 - 1;
      if (k == static_cast<std::size_t>(analysis::kind::momentum))
        score = (u(g) < 0.7 ? move : -move) * (0.3 + 0.7 * u(g));
      if (k == static_cast<std::size_t>(analysis::kind::order_flow))
        score = (u(g) < 0.7 ? -move : move) * (0.3 + 0.7 * u(g));
      parts.push_back({k, true, score, 80, 0});
    }
    auto sig = analysis::aggregate(ao, symbol, "1h", cs[i].open_time, cs[i].close, parts, "normal");
    b.signals.push_back({sig.id(), symbol, "1h", sig.time, analysis::to_string(sig.dir),
                         sig.score, sig.confidence, sig.payload_json(), sig.time});
    double fwd = cs[i + 10].close / cs[i].close - 1;
    double p = std::min(1.0, std::max(0.0, 0.5 + 0.5 * sig.score * sig.confidence / 100));
    double y = fwd > 0 ? 1 : 0;
    ++truth.rows;
    truth.se += (p - y) * (p - y);
    combined_truth::row r{cs[i].open_time, cs[i + 10].close_time, false, false, (p - y) * (p - y)};
    if (sig.dir != analysis::direction::neutral) {
      ++truth.calls;
      r.called = true;
      r.hit = (sig.dir == analysis::direction::long_) == (fwd > 0);
      truth.hits += r.hit;
    }
    truth.per_signal.push_back(r);
  }
  s.write(b);
  return truth;
}

} // namespace herald::test
