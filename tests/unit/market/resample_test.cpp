// Resampling as the exchange does it, checked against the exchange's own bars.

#include <catch2/catch.hpp>

#include <map>

#include "io/files/candle_file.hpp"
#include "market/interval.hpp"
#include "market/resample.hpp"
#include "support/market_data.hpp"

using namespace herald;
using namespace herald::market;

namespace {

std::vector<candle> load(const std::string& rel, const std::string& interval = "") {
  auto r = io::read_candle_file(test::market_data(rel), "X", interval);
  REQUIRE(r.ok());
  return r.file.candles;
}

candle m(std::int64_t t, double o, double h, double l, double c, double v) {
  candle x;
  x.interval = "1m";
  x.open_time = t;
  x.open = o;
  x.high = h;
  x.low = l;
  x.close = c;
  x.volume = v;
  x.close_time = t + 59'999;
  return x;
}

} // namespace

TEST_CASE("zero-volume filler minutes do not set open, high or low", "[market][resample]") {
  resampler r{minute_ms, 5 * minute_ms, "5m"};
  // a filler first (flat at the previous close 9), then real trades
  CHECK_FALSE(r.push(m(0, 9, 9, 9, 9, 0)));
  r.push(m(60'000, 10, 12, 10, 11, 2));
  r.push(m(120'000, 11, 11, 11, 11, 0)); // filler inside
  r.push(m(180'000, 11, 11.5, 10.5, 11.2, 1));
  r.push(m(240'000, 11.2, 11.2, 11.2, 11.2, 0));
  auto bar = r.push(m(300'000, 11, 11, 11, 11, 1)); // next bar starts
  REQUIRE(bar);
  CHECK(bar->open_time == 0);
  CHECK(bar->close_time == 299'999);
  CHECK(bar->open == 10);
  CHECK(bar->high == 12);
  CHECK(bar->low == 10);
  CHECK(bar->close == 11.2);
  CHECK(bar->volume == 3);
  CHECK(bar->interval == "5m");
}

TEST_CASE("a bar made only of filler minutes keeps their flat price", "[market][resample]") {
  auto out = resample({m(0, 9, 9, 9, 9, 0), m(60'000, 9, 9, 9, 9, 0)}, minute_ms, 2 * minute_ms,
                      "2m", true);
  REQUIRE(out.size() == 1);
  CHECK(out[0].open == 9);
  CHECK(out[0].high == 9);
  CHECK(out[0].volume == 0);
}

TEST_CASE("BTCUSDT 1m data.vision (2025-11-28..30) resampled to 1h equals the exchange's 1h bars",
          "[market][resample][data]") {
  HERALD_REQUIRE_MARKET_DATA();
  std::vector<candle> minutes;
  for (auto day : {"28", "29", "30"}) {
    auto part = load(std::string{"binance_spot_1m_datavision/BTCUSDT-1m-2025-11-"} + day + ".csv");
    minutes.insert(minutes.end(), part.begin(), part.end());
  }
  auto hours = resample(minutes, minute_ms, hour_ms, "1h", false);
  REQUIRE(hours.size() == 72);
  std::map<std::int64_t, candle> ref;
  for (auto& c : load("binance_spot_1h_4h/BTCUSDT_1h.csv"))
    ref[c.open_time] = c;
  int compared = 0;
  for (auto& h : hours) {
    auto it = ref.find(h.open_time);
    REQUIRE(it != ref.end());
    INFO(format_utc(h.open_time));
    CHECK(h.open == it->second.open);
    CHECK(h.high == it->second.high);
    CHECK(h.low == it->second.low);
    CHECK(h.close == it->second.close);
    CHECK(h.volume == Approx(it->second.volume).epsilon(1e-12));
    ++compared;
  }
  CHECK(compared == 72);
}

TEST_CASE("XRP/ETH 1m resampled to 5m equals the 5m file on every bar",
          "[market][resample][data]") {
  HERALD_REQUIRE_MARKET_DATA();
  auto minutes = load("freqtrade_testdata/XRP_ETH-1m.json");
  auto fives = load("freqtrade_testdata/XRP_ETH-5m.json");
  auto out = resample(minutes, minute_ms, 5 * minute_ms, "5m", false);
  REQUIRE(out.size() == fives.size());
  REQUIRE(out.size() == 712);
  for (std::size_t i = 0; i < out.size(); ++i) {
    INFO("bar " << i << " at " << format_utc(out[i].open_time));
    CHECK(out[i].open_time == fives[i].open_time);
    CHECK(out[i].open == fives[i].open);
    CHECK(out[i].high == fives[i].high);
    CHECK(out[i].low == fives[i].low);
    CHECK(out[i].close == fives[i].close);
    CHECK(out[i].volume == Approx(fives[i].volume).epsilon(1e-12));
  }
}

TEST_CASE("BTCUSDT 1h resampled to 4h equals the 4h file", "[market][resample][data]") {
  HERALD_REQUIRE_MARKET_DATA();
  auto out = resample(load("binance_spot_1h_4h/BTCUSDT_1h.csv"), hour_ms, 4 * hour_ms, "4h",
                      false);
  auto ref = load("binance_spot_1h_4h/BTCUSDT_4h.csv");
  REQUIRE(out.size() == ref.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    CHECK(out[i].open_time == ref[i].open_time);
    CHECK(out[i].open == ref[i].open);
    CHECK(out[i].high == ref[i].high);
    CHECK(out[i].low == ref[i].low);
    CHECK(out[i].close == ref[i].close);
  }
}
