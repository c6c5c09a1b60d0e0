#include <catch2/catch.hpp>

#include "market/interval.hpp"

using namespace herald::market;

TEST_CASE("every Binance interval has its length and name", "[market][interval]") {
  CHECK(interval_ms("1m") == minute_ms);
  CHECK(interval_ms("15m") == 15 * minute_ms);
  CHECK(interval_ms("12h") == 12 * hour_ms);
  CHECK(interval_ms("1w") == week_ms);
  CHECK_FALSE(interval_ms("2m"));
  CHECK_FALSE(interval_ms("1M"));
  CHECK(interval_names().size() == 13);
  for (auto& n : interval_names())
    CHECK(interval_name(*interval_ms(n)) == n);
}

TEST_CASE("bars align to the epoch, weeks to Monday 00:00 UTC", "[market][interval]") {
  // 2021-01-01 00:00 UTC was a Friday; the week began Monday 2020-12-28.
  const std::int64_t jan1 = 1'609'459'200'000;
  CHECK(bar_start(jan1 + 59'999, minute_ms) == jan1);
  CHECK(bar_start(jan1 + 3 * hour_ms + 5, 4 * hour_ms) == jan1);
  CHECK(bar_start(jan1, week_ms) == jan1 - 4 * day_ms);
  CHECK(aligned(jan1 - 4 * day_ms, week_ms));
  CHECK_FALSE(aligned(jan1, week_ms));
  CHECK(bar_start(-1, minute_ms) == -minute_ms); // floor, not truncation
  CHECK(format_utc(jan1) == "2021-01-01 00:00:00");
}
