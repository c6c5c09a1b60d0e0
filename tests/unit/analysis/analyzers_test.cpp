// Each analyzer on constructed series where the right answer is obvious, and
// on bad input (flat prices, zero volume, a single candle) without NaN.

#include <catch2/catch.hpp>

#include <cmath>
#include <algorithm>
#include <memory>
#include <string>
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
  auto p = nlohmann::json::parse(r.payload_json());
  CHECK(p["rsi"].get<double>() > 50);
  CHECK(std::string(r.agent) == "momentum");
}

TEST_CASE("momentum reads a long decline as oversold", "[analysis]") {
  momentum m;
  auto r = feed(m, ramp(200, -1, 60));
  CHECK(nlohmann::json::parse(r.payload_json())["rsi"].get<double>() < 30);
}

TEST_CASE("volatility regime: a burst of wide bars is high, a calm stretch low, never a direction",
          "[analysis]") {
  volatility_regime v;
  result r;
  int i = 0;
  for (; i < 150; ++i)
    r = v.on_candle(bar(i, 100, 100.05, 10, 0.5, true, 0.05));
  for (int k = 0; k < 20; ++k, ++i)
    r = v.on_candle(bar(i, 100, k % 2 ? 104 : 96, 10, 0.5, true, 2));
  CHECK(nlohmann::json::parse(r.payload_json())["regime"] == "high");
  CHECK(r.score == 0);
  for (int k = 0; k < 120; ++k, ++i)
    r = v.on_candle(bar(i, 100, 100.01, 10, 0.5, true, 0.01));
  CHECK(nlohmann::json::parse(r.payload_json())["regime"] == "low");
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
  CHECK(nlohmann::json::parse(r.payload_json())["structure"] == "higher highs and lows");
  auto d = feed(down_ms, down);
  CHECK(d.score < -0.4);
  CHECK(nlohmann::json::parse(d.payload_json())["structure"] == "lower highs and lows");
}

TEST_CASE("order flow: aggressive buying on a volume spike is bullish, selling bearish, "
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
  CHECK(nlohmann::json::parse(rn.payload_json())["taker_imbalance"].is_null());
}

namespace {
candle ohlc(int i, double o, double h, double l, double c) {
  auto x = bar(i, o, c);
  x.high = h;
  x.low = l;
  return x;
}
std::vector<std::string> patterns(const result& r) {
  return nlohmann::json::parse(r.payload_json())["patterns"].get<std::vector<std::string>>();
}
bool has(const std::vector<std::string>& xs, const std::string& x) {
  return std::find(xs.begin(), xs.end(), x) != xs.end();
}
} // namespace

TEST_CASE("candlestick patterns are recognised", "[analysis][patterns]") {
  SECTION("a bullish engulfing pair") {
    pattern_recognition p;
    p.on_candle(ohlc(0, 105, 105.5, 101.5, 102));
    auto r = p.on_candle(ohlc(1, 101.5, 106.5, 101, 106));
    CHECK(has(patterns(r), "bullish engulfing"));
    CHECK(r.score > 0.5);
  }
  SECTION("a bearish engulfing pair") {
    pattern_recognition p;
    p.on_candle(ohlc(0, 102, 105.5, 101.5, 105));
    auto r = p.on_candle(ohlc(1, 105.5, 106, 101, 101.5));
    CHECK(has(patterns(r), "bearish engulfing"));
    CHECK(r.score < -0.5);
  }
  SECTION("hammer, shooting star, doji") {
    pattern_recognition p;
    CHECK(has(patterns(p.on_candle(ohlc(0, 100, 100.6, 96, 100.5))), "hammer"));
    CHECK(has(patterns(p.on_candle(ohlc(1, 101.2, 105, 100.0, 100.1))), "shooting star"));
    CHECK(has(patterns(p.on_candle(ohlc(2, 100, 101, 99, 100.02))), "doji"));
  }
  SECTION("morning star and three white soldiers") {
    pattern_recognition p;
    for (int i = 0; i < 10; ++i)
      p.on_candle(ohlc(i, 100, 101, 99, 100.5));
    p.on_candle(ohlc(10, 104, 104.2, 99.8, 100));  // long bearish
    p.on_candle(ohlc(11, 99.9, 100.1, 99.5, 99.8)); // small
    auto r = p.on_candle(ohlc(12, 100, 103.2, 99.9, 103)); // strong bullish past the midpoint
    CHECK(has(patterns(r), "morning star"));
    pattern_recognition q;
    for (int i = 0; i < 10; ++i)
      q.on_candle(ohlc(i, 100, 100.6, 99.6, 100.4));
    q.on_candle(ohlc(10, 100, 101.1, 99.9, 101));
    q.on_candle(ohlc(11, 101, 102.1, 100.9, 102));
    auto s = q.on_candle(ohlc(12, 102, 103.1, 101.9, 103));
    CHECK(has(patterns(s), "three white soldiers"));
  }
  SECTION("a 20-bar range breakout") {
    pattern_recognition p;
    for (int i = 0; i < 20; ++i)
      p.on_candle(ohlc(i, 100, 101, 99, 100 + (i % 2) * 0.5));
    auto r = p.on_candle(ohlc(20, 100.5, 103, 100.4, 102.5));
    CHECK(has(patterns(r), "range breakout up"));
  }
  SECTION("a double top breaking its neckline") {
    pattern_recognition p;
    std::vector<double> path;
    for (int i = 0; i < 15; ++i)
      path.push_back(100 + i);          // up to 114
    for (int i = 0; i < 10; ++i)
      path.push_back(114 - i);          // pullback to 105
    for (int i = 0; i < 10; ++i)
      path.push_back(105 + i);          // back up to 114
    for (int i = 0; i < 25; ++i)
      path.push_back(114 - i * 0.45);   // and down through the neckline
    result r;
    double prev = path.front();
    bool seen = false;
    for (std::size_t i = 0; i < path.size(); ++i) {
      r = p.on_candle(ohlc(static_cast<int>(i), prev, std::max(prev, path[i]) + 0.1,
                           std::min(prev, path[i]) - 0.1, path[i]));
      seen = seen || has(patterns(r), "double top");
      prev = path[i];
    }
    CHECK(seen);
  }
}

TEST_CASE("multi-timeframe: every higher interval agrees in a steady trend", "[analysis]") {
  multi_timeframe up, down;
  result ru, rd;
  // 1m bars over two days: 5m, 15m and 1h trends all warm
  for (int i = 0; i < 2 * 24 * 60; ++i) {
    double wobble = (i % 7) * 0.01;
    ru = up.on_candle(bar(i, 100 + i * 0.01 + wobble, 100 + (i + 1) * 0.01 + wobble));
    rd = down.on_candle(bar(i, 200 - i * 0.01 + wobble, 200 - (i + 1) * 0.01 + wobble));
  }
  CHECK(ru.score == 1.0);
  CHECK(ru.confidence == 100.0);
  CHECK(rd.score == -1.0);
  auto p = nlohmann::json::parse(ru.payload_json());
  CHECK(p["trend"]["1h"].get<double>() > 0);
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
    all.push_back(std::make_unique<pattern_recognition>());
    all.push_back(std::make_unique<multi_timeframe>());
  };
  auto check = [](const result& r) {
    CHECK(std::isfinite(r.score));
    CHECK(std::isfinite(r.confidence));
    CHECK(r.score >= -1);
    CHECK(r.score <= 1);
    CHECK(r.confidence >= 0);
    CHECK(r.confidence <= 100);
    CHECK(nlohmann::json::accept(r.payload_json()));
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

TEST_CASE("double tops and bottoms: the cached search agrees with a full scan on every bar",
          "[analysis]") {
  // Reference: the definition, scanned over the whole window on every bar.
  auto scan = [](const std::vector<candle>& w, double close, bool tops) {
    auto top = [&](std::size_t i) { return tops ? w[i].high : w[i].low; };
    auto other = [&](std::size_t i) { return tops ? w[i].low : w[i].high; };
    auto better = [&](double a, double b) { return tops ? a > b : a < b; };
    std::size_t n = w.size(), i1 = 0, i2 = n;
    for (std::size_t i = 1; i < n; ++i)
      if (better(top(i), top(i1)))
        i1 = i;
    for (std::size_t i = 0; i < n; ++i)
      if ((i + 5 < i1 || i > i1 + 5) && (i2 == n || better(top(i), top(i2))))
        i2 = i;
    if (i2 == n || top(i2) <= 0 || std::abs(top(i2) - top(i1)) > 0.003 * top(i1))
      return false;
    auto a = std::min(i1, i2), b = std::max(i1, i2);
    if (b + 1 >= n)
      return false;
    double pull = other(a);
    for (auto i = a; i <= b; ++i)
      pull = tops ? std::min(pull, other(i)) : std::max(pull, other(i));
    return tops ? close < pull : close > pull;
  };
  pattern_recognition p;
  std::vector<candle> window;
  std::uint64_t state = 12345;
  auto rnd = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / 9007199254740992.0;
  };
  double price = 100;
  int tops = 0, bottoms = 0;
  for (int i = 0; i < 20000; ++i) {
    // A tight random walk revisits its extremes often: many double shapes.
    double next = price * (1 + (rnd() - 0.5) * 0.004);
    auto c = bar(i, price, next, 10, 0.5, true, price * 0.0005 * rnd());
    price = next;
    window.push_back(c);
    if (window.size() > 60)
      window.erase(window.begin());
    auto found = patterns(p.on_candle(c));
    bool want_top = window.size() == 60 && scan(window, c.close, true);
    bool want_bottom = window.size() == 60 && scan(window, c.close, false);
    INFO("bar " << i);
    REQUIRE(has(found, "double top") == want_top);
    REQUIRE(has(found, "double bottom") == want_bottom);
    tops += want_top;
    bottoms += want_bottom;
  }
  CHECK(tops > 10); // the walk did exercise both shapes
  CHECK(bottoms > 10);
}

TEST_CASE("squash is tanh within 1e-4, odd, monotonic and saturating", "[analysis]") {
  double prev = -2;
  for (int i = -10000; i <= 10000; ++i) {
    double x = i / 1000.0;
    double y = squash(x);
    REQUIRE(std::abs(y - std::tanh(x)) < 1e-4);
    REQUIRE(squash(-x) == -y);
    REQUIRE(y >= prev);
    REQUIRE(std::abs(y) <= 1.0);
    prev = y;
  }
  CHECK(squash(1e300) == 1.0);
  CHECK(squash(-1e300) == -1.0);
  CHECK(std::isnan(squash(std::nan(""))));
  CHECK(safe(squash(std::nan("")), -1, 1) == 0.0);
}
