// Indicators: hand-checked small cases, and agreement with an independent
// implementation (technicalindicators, pure JS from npm, run by the test) on
// real data, to 1e-6 relative after warm-up.

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "io/files/candle_file.hpp"
#include "market/indicators.hpp"
#include "support/market_data.hpp"

using namespace herald;
using namespace herald::market;

TEST_CASE("SMA and EMA by hand", "[indicators]") {
  sma s{3};
  CHECK_FALSE(s.push(1));
  CHECK_FALSE(s.push(2));
  CHECK(*s.push(3) == Approx(2));
  CHECK(*s.push(7) == Approx(4));
  ema e{3}; // alpha = 0.5, seeded with SMA(1,2,3) = 2
  CHECK_FALSE(e.push(1));
  CHECK_FALSE(e.push(2));
  CHECK(*e.push(3) == Approx(2));
  CHECK(*e.push(6) == Approx(4));
}

TEST_CASE("RSI by hand (Wilder)", "[indicators]") {
  rsi r{2};
  CHECK_FALSE(r.push(10));
  CHECK_FALSE(r.push(12)); // +2
  // second change -1: avg gain 1, avg loss 0.5 -> RS 2 -> 66.67
  CHECK(*r.push(11) == Approx(200.0 / 3.0));
  // +3: avg gain (1*1+3)/2 = 2, avg loss (0.5*1+0)/2 = 0.25 -> RS 8 -> 88.89
  CHECK(*r.push(14) == Approx(800.0 / 9.0));
  rsi flat{3};
  for (int i = 0; i < 10; ++i)
    flat.push(5);
  CHECK(*flat.push(5) == 50.0); // no gains, no losses: neutral, not NaN
}

TEST_CASE("ATR, Bollinger, z-score and OBV by hand", "[indicators]") {
  atr a{2};
  CHECK_FALSE(a.push(10, 8, 9));     // no previous close: no true range yet
  CHECK_FALSE(a.push(12, 9, 11));    // TR max(3, 3, 0) = 3
  CHECK(*a.push(11, 10, 10) == 2);   // TR max(1, 0, 1) = 1 -> mean 2
  CHECK(*a.push(13, 12, 12) == Approx((2.0 + 3) / 2)); // TR max(1, 3, 2) = 3
  bollinger b{2, 2};
  b.push(1);
  auto v = b.push(3); // mean 2, population sd 1
  REQUIRE(v);
  CHECK(v->lower == Approx(0));
  CHECK(v->upper == Approx(4));
  zscore z{3};
  z.push(5);
  z.push(5);
  CHECK(*z.push(5) == 0.0); // flat: 0, not NaN
  obv o;
  CHECK(o.push(10, 5) == 0);
  CHECK(o.push(11, 3) == 3);
  CHECK(o.push(10, 2) == 1);
  CHECK(o.push(10, 9) == 1);
  rolling_percentile p{4};
  for (double x : {1.0, 2.0, 3.0})
    CHECK_FALSE(p.push(x));
  CHECK(*p.push(4) == Approx(0.875)); // 3 below + half of itself, of 4
}

TEST_CASE("rolling percentile agrees with a naive count, with ties, NaN and odd windows",
          "[indicators]") {
  for (std::size_t n : {1u, 2u, 7u, 100u}) {
    rolling_percentile p{n};
    std::vector<double> window;
    std::uint64_t state = 12345;
    for (int i = 0; i < 2000; ++i) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      double x = static_cast<double>((state >> 33) % 50); // many ties
      if (i % 97 == 5) {
        CHECK_FALSE(p.push(std::nan(""))); // ignored, the window is unchanged
        continue;
      }
      auto got = p.push(x);
      window.push_back(x);
      if (window.size() > n)
        window.erase(window.begin());
      if (window.size() < n) {
        CHECK_FALSE(got);
        continue;
      }
      double below = 0;
      for (double v : window)
        below += v < x ? 1.0 : v == x ? 0.5 : 0.0;
      REQUIRE(got);
      REQUIRE(*got == Approx(below / static_cast<double>(n)).margin(1e-12));
    }
  }
}

TEST_CASE("rolling variance stays accurate over long series with a large offset",
          "[indicators]") {
  zscore z{20};
  std::optional<double> last;
  for (int i = 0; i < 200000; ++i)
    last = z.push(1e9 + (i % 7)); // naive sum-of-squares loses this completely
  // the window holds a repeating pattern: z of the newest value is exact
  std::vector<double> w;
  for (int i = 200000 - 20; i < 200000; ++i)
    w.push_back(i % 7);
  double m = 0, v = 0;
  for (double x : w)
    m += x / 20;
  for (double x : w)
    v += (x - m) * (x - m) / 20;
  CHECK(*last == Approx(((199999 % 7) - m) / std::sqrt(v)).epsilon(1e-9));
}

TEST_CASE("indicators agree with technicalindicators (npm) on real BTCUSDT 1h candles",
          "[indicators][reference][data]") {
  HERALD_REQUIRE_MARKET_DATA();
  std::string modules = std::string{HERALD_TEST_NPM_DIR} + "/node_modules";
  if (!std::ifstream{modules + "/technicalindicators/package.json"}) {
    WARN("SKIPPED: technicalindicators is not installed (ctest runs scripts/npm-reference; "
         "it needs npm and the npm registry)");
    return;
  }
  auto r = io::read_candle_file(test::market_data("binance_spot_1h_4h/BTCUSDT_1h.csv"), "BTCUSDT",
                                "1h");
  REQUIRE(r.ok());
  auto& cs = r.file.candles;
  nlohmann::json in;
  for (auto& c : cs) {
    in["high"].push_back(c.high);
    in["low"].push_back(c.low);
    in["close"].push_back(c.close);
  }
  auto base = "/tmp/herald-ind-" + std::to_string(::getpid());
  {
    std::ofstream out{base + "-in.json"};
    out << in.dump();
  }
  auto cmd = "NODE_PATH='" + modules + "' node '" + HERALD_SOURCE_DIR
             + "/tests/reference/indicators.js' '" + base + "-in.json' '" + base + "-out.json'";
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::ifstream ref_in{base + "-out.json"};
  auto ref = nlohmann::json::parse(ref_in);
  std::remove((base + "-in.json").c_str());
  std::remove((base + "-out.json").c_str());

  sma sma20{20};
  ema ema20{20};
  rsi rsi14{14};
  atr atr14{14};
  bollinger bb{20, 2};
  macd m{12, 26, 9};
  zscore z20{20};
  std::map<std::string, std::vector<std::optional<double>>> ours;
  for (auto& c : cs) {
    ours["sma20"].push_back(sma20.push(c.close));
    ours["ema20"].push_back(ema20.push(c.close));
    ours["rsi14"].push_back(rsi14.push(c.close));
    ours["atr14"].push_back(atr14.push(c.high, c.low, c.close));
    auto b = bb.push(c.close);
    ours["bb_lower"].push_back(b ? std::optional<double>{b->lower} : std::nullopt);
    ours["bb_middle"].push_back(b ? std::optional<double>{b->middle} : std::nullopt);
    ours["bb_upper"].push_back(b ? std::optional<double>{b->upper} : std::nullopt);
    auto mv = m.push(c.close);
    ours["macd"].push_back(mv ? std::optional<double>{mv->macd} : std::nullopt);
    ours["macd_signal"].push_back(mv ? std::optional<double>{mv->signal} : std::nullopt);
    ours["macd_hist"].push_back(mv ? std::optional<double>{mv->histogram} : std::nullopt);
    ours["zscore20"].push_back(z20.push(c.close));
  }
  const std::size_t warmup = 100; // "after warm-up"
  for (auto& [name, values] : ours) {
    INFO(name);
    auto& theirs = ref.at(name);
    REQUIRE(theirs.size() == values.size());
    std::size_t compared = 0, worst_i = 0;
    double worst = 0;
    for (std::size_t i = warmup; i < values.size(); ++i) {
      REQUIRE(values[i].has_value());
      REQUIRE_FALSE(theirs[i].is_null());
      double a = *values[i], b = theirs[i].get<double>();
      // relative to the indicator's scale (MACD and z-scores cross zero)
      double scale = std::max({std::abs(a), std::abs(b), name.rfind("macd", 0) == 0 ? 1.0 : 1e-12});
      double rel = std::abs(a - b) / scale;
      if (rel > worst) {
        worst = rel;
        worst_i = i;
      }
      ++compared;
    }
    INFO("worst relative difference " << worst << " at row " << worst_i);
    CHECK(worst <= 1e-6);
    CHECK(compared == values.size() - warmup);
  }
}
