// Each analyzer on constructed series where the right answer is obvious, and
// on bad input (flat prices, zero volume, a single candle) without NaN.

#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/analyzers.hpp"

using namespace herald;
using namespace herald::analysis;

namespace {

candle bar(int i, double open, double close, double volume = 10, double taker_share = 0.5,
           bool extras = true, double wick = 0.2) {
  candle c;
  c.symbol = "BTCUSDT";
  c.interval = "1m";
  c.open_time = 1'700'000'000'000 - 1'700'000'000'000 % 60'000 + i * 60'000;
  c.close_time = c.open_time + 59'999;
  c.open = open;
  c.close = close;
  c.high = std::max(open, close) + wick;
  c.low = std::min(open, close) - wick;
  c.volume = volume;
  c.has_extras = extras;
  if (extras) {
    c.taker_buy_base = volume * taker_share;
    c.quote_volume = volume * close;
    c.taker_buy_quote = c.taker_buy_base * close;
    c.trades = 10;
  }
  return c;
}

/// Feeds closes (each bar opens at the previous close); returns the last result.
result feed(analyzer& a, const std::vector<double>& closes, double volume = 10,
            double taker = 0.5) {
  result r;
  double prev = closes.front();
  for (std::size_t i = 0; i < closes.size(); ++i) {
    r = a.on_candle(bar(static_cast<int>(i), prev, closes[i], volume, taker));
    prev = closes[i];
  }
  return r;
}

std::vector<double> ramp(double from, double step, int n) {
  std::vector<double> xs;
  for (int i = 0; i < n; ++i)
    xs.push_back(from + step * i);
  return xs;
}

} // namespace

TEST_CASE("momentum turns bullish when a decline reverses into a strong rally", "[analysis]") {
  momentum m;
  auto xs = ramp(200, -1, 60);
  auto up = ramp(141, 2.5, 12);
  xs.insert(xs.end(), up.begin(), up.end());
  auto r = feed(m, xs);
  CHECK(r.score > 0.1);
  CHECK(r.confidence > 40);
  auto p = nlohmann::json::parse(r.payload);
  CHECK(p["rsi"].get<double>() > 50);
  CHECK(r.agent == "momentum");
}

TEST_CASE("momentum reads a long decline as oversold", "[analysis]") {
  momentum m;
  auto r = feed(m, ramp(200, -1, 60));
  CHECK(nlohmann::json::parse(r.payload)["rsi"].get<double>() < 30);
}

TEST_CASE("volatility regime: a burst of wide bars is high, a calm stretch low; never a direction",
          "[analysis]") {
  volatility_regime v;
  result r;
  int i = 0;
  for (; i < 150; ++i)
    r = v.on_candle(bar(i, 100, 100.05, 10, 0.5, true, 0.05));
  for (int k = 0; k < 20; ++k, ++i)
    r = v.on_candle(bar(i, 100, k % 2 ? 104 : 96, 10, 0.5, true, 2));
  CHECK(nlohmann::json::parse(r.payload)["regime"] == "high");
  CHECK(r.score == 0);
  for (int k = 0; k < 120; ++k, ++i)
    r = v.on_candle(bar(i, 100, 100.01, 10, 0.5, true, 0.01));
  CHECK(nlohmann::json::parse(r.payload)["regime"] == "low");
  CHECK(r.score == 0);
}

TEST_CASE("statistical edge fades a spike above the mean and buys one below", "[analysis]") {
  statistical_edge up, down;
  std::vector<double> flat(40, 100.0);
  for (std::size_t i = 0; i < flat.size(); ++i)
    flat[i] += (i % 2) * 0.5;
  auto a = flat, b = flat;
  a.push_back(110);
  b.push_back(90);
  auto ra = feed(up, a), rb = feed(down, b);
  CHECK(ra.score < -0.9);
  CHECK(rb.score > 0.9);
  CHECK(ra.confidence > 90);
}

TEST_CASE("market structure: a zigzag uptrend is bullish with higher highs and lows",
          "[analysis]") {
  market_structure ms, down_ms;
  std::vector<double> up, down;
  for (int i = 0; i < 120; ++i) {
    double wave = (i % 10 < 5 ? i % 10 : 10 - i % 10) * 0.8; // a zigzag
    up.push_back(100 + i * 0.5 + wave);
    down.push_back(200 - i * 0.5 + wave);
  }
  auto r = feed(ms, up);
  CHECK(r.score > 0.4);
  CHECK(nlohmann::json::parse(r.payload)["structure"] == "higher highs and lows");
  auto d = feed(down_ms, down);
  CHECK(d.score < -0.4);
  CHECK(nlohmann::json::parse(d.payload)["structure"] == "lower highs and lows");
}

TEST_CASE("order flow: aggressive buying on a volume spike is bullish, selling bearish; "
          "without taker volumes the confidence is lower",
          "[analysis]") {
  order_flow buy, sell, blind;
  result rb, rs, rn;
  for (int i = 0; i < 40; ++i) {
    rb = buy.on_candle(bar(i, 100, 100 + (i % 2), 10, 0.5));
    rs = sell.on_candle(bar(i, 100, 100 + (i % 2), 10, 0.5));
    rn = blind.on_candle(bar(i, 100, 100 + (i % 2), 10, 0.5, false));
  }
  for (int i = 40; i < 43; ++i) {
    rb = buy.on_candle(bar(i, 100, 102, 60, 0.9));
    rs = sell.on_candle(bar(i, 102, 100, 60, 0.1));
    rn = blind.on_candle(bar(i, 100, 102, 60, 0.5, false));
  }
  CHECK(rb.score > 0.3);
  CHECK(rs.score < -0.3);
  CHECK(rn.confidence < rb.confidence);
  CHECK(nlohmann::json::parse(rn.payload)["taker_imbalance"].is_null());
}

TEST_CASE("bad input never makes an analyzer answer NaN", "[analysis][bad-input]") {
  std::vector<std::unique_ptr<analyzer>> all;
  auto make_all = [&] {
    all.clear();
    all.push_back(std::make_unique<momentum>());
    all.push_back(std::make_unique<volatility_regime>());
    all.push_back(std::make_unique<statistical_edge>());
    all.push_back(std::make_unique<market_structure>());
    all.push_back(std::make_unique<order_flow>());
  };
  auto check = [](const result& r) {
    CHECK(std::isfinite(r.score));
    CHECK(std::isfinite(r.confidence));
    CHECK(r.score >= -1);
    CHECK(r.score <= 1);
    CHECK(r.confidence >= 0);
    CHECK(r.confidence <= 100);
    CHECK(nlohmann::json::accept(r.payload));
  };
  SECTION("a single candle") {
    make_all();
    for (auto& a : all)
      check(a->on_candle(bar(0, 100, 101)));
  }
  SECTION("flat prices and zero volume") {
    make_all();
    for (auto& a : all)
      for (int i = 0; i < 300; ++i)
        check(a->on_candle(bar(i, 100, 100, 0, 0, true, 0)));
  }
  SECTION("zero prices") {
    make_all();
    for (auto& a : all)
      for (int i = 0; i < 100; ++i)
        check(a->on_candle(bar(i, 0, 0, 0, 0, false, 0)));
  }
}
