#include <catch2/catch.hpp>

#include <limits>

#include "market/interval.hpp"
#include "market/validation.hpp"

using namespace herald;
using namespace herald::market;
using verdict = series_validator::verdict;

namespace {
candle bar(std::int64_t t, double o = 10, double h = 11, double l = 9, double c = 10.5,
           double v = 3) {
  candle x;
  x.symbol = "BTCUSDT";
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

TEST_CASE("each kind of bad candle is rejected with its reason", "[market][validation]") {
  series_validator v{minute_ms};
  auto nan = std::numeric_limits<double>::quiet_NaN();
  auto inf = std::numeric_limits<double>::infinity();
  struct row {
    candle c;
    reject_reason why;
  } rows[] = {
    {bar(0, nan), reject_reason::non_finite},
    {bar(0, 10, inf), reject_reason::non_finite},
    {bar(0, 10, 11, 9, 10.5, -1), reject_reason::negative},
    {bar(0, 10, 8, 9, 8.5), reject_reason::high_below_low},
    {bar(0, 12, 11, 9, 10), reject_reason::open_outside},
    {bar(0, 10, 11, 9, 8), reject_reason::close_outside},
    {bar(30'000), reject_reason::misaligned},
  };
  for (auto& r : rows) {
    CHECK(v.check(r.c) == verdict::rejected);
    CHECK(v.last_reason() == r.why);
  }
  CHECK(v.rejected() == 7);
  CHECK(v.rejected(reject_reason::non_finite) == 2);
  CHECK(v.accepted() == 0);
}

TEST_CASE("duplicates are dropped, older candles rejected, gaps reported",
          "[market][validation]") {
  series_validator v{minute_ms};
  CHECK(v.check(bar(0)) == verdict::accepted);
  CHECK(v.check(bar(60'000)) == verdict::accepted);
  CHECK(v.check(bar(60'000)) == verdict::duplicate);
  CHECK(v.check(bar(0)) == verdict::rejected);
  CHECK(v.last_reason() == reject_reason::out_of_order);
  CHECK(v.check(bar(5 * 60'000)) == verdict::accepted);
  REQUIRE(v.gaps().size() == 1);
  CHECK(v.gaps()[0].from == 2 * 60'000);
  CHECK(v.gaps()[0].to == 5 * 60'000);
  CHECK(v.gaps()[0].missing(minute_ms) == 3);
  CHECK(v.duplicates() == 1);
  CHECK(v.accepted() == 3);
}

TEST_CASE("a zero-volume filler minute is a valid candle", "[market][validation]") {
  series_validator v{minute_ms};
  CHECK(v.check(bar(0, 10, 10, 10, 10, 0)) == verdict::accepted);
}
