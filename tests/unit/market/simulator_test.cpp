// The simulated market: reproducible, valid, and with the stylised facts of
// real returns.

#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>

#include "market/candle_window.hpp"
#include "market/interval.hpp"
#include "market/simulator.hpp"
#include "market/validation.hpp"

using namespace herald;
using namespace herald::market;

namespace {

sim_options opts(std::uint64_t seed) {
  sim_options o;
  o.symbols = {{"BTCUSDT", 42000, 0.0012, 40}, {"ETHUSDT", 2300, 0.0015, 400}};
  o.seed = seed;
  o.start_time = 1'700'000'000'000;
  return o;
}

double mean(const std::vector<double>& xs) {
  return std::accumulate(xs.begin(), xs.end(), 0.0) / static_cast<double>(xs.size());
}

double corr(const std::vector<double>& a, const std::vector<double>& b) {
  auto ma = mean(a), mb = mean(b);
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

} // namespace

TEST_CASE("the same seed gives the same market, another seed another one", "[market][sim]") {
  simulator a{opts(7)}, b{opts(7)}, c{opts(8)};
  bool differs = false;
  for (int i = 0; i < 500; ++i) {
    auto x = a.next(), y = b.next(), z = c.next();
    REQUIRE(x == y);
    differs = differs || !(x == z);
  }
  CHECK(differs);
}

TEST_CASE("simulated candles are valid, aligned and contiguous", "[market][sim]") {
  simulator s{opts(1)};
  series_validator v{minute_ms};
  for (int i = 0; i < 5000; ++i)
    for (auto& c : s.next())
      if (c.symbol == "BTCUSDT")
        REQUIRE(v.check(c) == series_validator::verdict::accepted);
  CHECK(v.accepted() == 5000);
  CHECK(v.gaps().empty());
}

TEST_CASE("simulated returns show fat tails, volatility clustering, correlation and "
          "volume that follows moves",
          "[market][sim]") {
  simulator s{opts(3)};
  std::vector<double> btc, eth, abs_btc, vol_btc;
  for (int i = 0; i < 50000; ++i) {
    auto bars = s.next();
    btc.push_back(std::log(bars[0].close / bars[0].open));
    eth.push_back(std::log(bars[1].close / bars[1].open));
    abs_btc.push_back(std::abs(btc.back()));
    vol_btc.push_back(bars[0].volume);
  }
  // fat tails: excess kurtosis well above the normal distribution's 0
  auto m = mean(btc);
  double m2 = 0, m4 = 0;
  for (double r : btc) {
    m2 += (r - m) * (r - m);
    m4 += std::pow(r - m, 4);
  }
  m2 /= btc.size();
  m4 /= btc.size();
  CHECK(m4 / (m2 * m2) > 4.0);
  // volatility clustering: |r| today predicts |r| tomorrow
  std::vector<double> a(abs_btc.begin(), abs_btc.end() - 1), b(abs_btc.begin() + 1, abs_btc.end());
  CHECK(corr(a, b) > 0.1);
  // cross-asset correlation from the common factor
  CHECK(corr(btc, eth) > 0.4);
  // volume follows the size of moves
  CHECK(corr(abs_btc, vol_btc) > 0.3);
}

TEST_CASE("headlines carry the tone of the regime", "[market][sim]") {
  auto o = opts(11);
  o.news_rate = 0.05;
  simulator s{o};
  int up = 0, down = 0;
  for (int i = 0; i < 20000; ++i) {
    s.next();
    for (auto& n : s.news()) {
      if (s.current_regime() == regime::trend_up && n.sentiment > 0.2)
        ++up;
      if (s.current_regime() == regime::trend_down && n.sentiment < -0.2)
        ++down;
      CHECK(n.title.find(n.symbol) != std::string::npos);
    }
  }
  CHECK(up > 0);
  CHECK(down > 0);
}

TEST_CASE("a candle window keeps the last N candles, oldest first", "[market][window]") {
  candle_window w{3};
  CHECK(w.empty());
  for (int i = 0; i < 5; ++i) {
    candle c;
    c.open_time = i;
    w.push(c);
  }
  CHECK(w.size() == 3);
  auto last = w.last(10);
  REQUIRE(last.size() == 3);
  CHECK(last[0].open_time == 2);
  CHECK(last[2].open_time == 4);
  CHECK(w.back().open_time == 4);
  CHECK(w.last(1)[0].open_time == 4);
}

TEST_CASE("a candle window grows as candles come and then rolls, agreeing with a plain list "
          "at every step",
          "[market]") {
  for (std::size_t cap : {1u, 2u, 7u, 16u, 17u, 100u}) {
    INFO("capacity " << cap);
    candle_window w{cap};
    std::vector<std::int64_t> model; // every open time pushed
    for (std::int64_t t = 0; t < static_cast<std::int64_t>(3 * cap + 5); ++t) {
      candle c;
      c.open_time = t * 10;
      w.push(c);
      model.push_back(c.open_time);
      auto held = std::min(model.size(), cap);
      REQUIRE(w.size() == held);
      CHECK(w.capacity() == cap);
      CHECK(w.back().open_time == model.back());
      CHECK(w.front().open_time == model[model.size() - held]);
      auto all = w.last(cap + 3);
      REQUIRE(all.size() == held);
      for (std::size_t i = 0; i < held; ++i)
        CHECK(all[i].open_time == model[model.size() - held + i]);
      // since / last_before over the middle of what is held
      auto mid = model[model.size() - (held + 1) / 2];
      auto s = w.since(mid, cap);
      CHECK(s.size() == (held + 1) / 2);
      CHECK(s.front().open_time == mid);
      auto b = w.last_before(2, mid);
      CHECK(b.size() == std::min<std::size_t>(2, held - (held + 1) / 2));
      if (!b.empty())
        CHECK(b.back().open_time < mid);
    }
  }
}
