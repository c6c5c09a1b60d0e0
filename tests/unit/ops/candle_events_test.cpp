// The inspector's choice of console candle events: the newest candle of each
// series of a batch, with work linear in the batch (counted, not timed).
#include <catch2/catch.hpp>

#include <set>

#include "ops/candle_events.hpp"

using namespace herald;

namespace {

/// `series` series closing together `bars` times: bars x series candles.
std::vector<candle> burst(std::size_t series, std::size_t bars) {
  std::vector<candle> out;
  out.reserve(series * bars);
  for (std::size_t b = 0; b < bars; ++b)
    for (std::size_t s = 0; s < series; ++s) {
      candle c;
      c.symbol = "S" + std::to_string(s) + "USDT";
      c.interval = s % 2 ? "1m" : "5m";
      c.open_time = static_cast<std::int64_t>(b) * 60'000;
      out.push_back(c);
    }
  return out;
}

} // namespace

TEST_CASE("the newest candle of each series in a batch, each series once", "[ops]") {
  auto cs = burst(50, 4);
  cs.push_back(cs[3]); // a late repeat of series 3: the last one counts
  cs.back().open_time = 999;
  auto newest = ops::newest_per_series(cs);
  REQUIRE(newest.size() == 50);
  CHECK(newest.front() == &cs.back());
  std::set<std::string> seen;
  for (auto* c : newest) {
    CHECK(seen.insert(c->symbol + "/" + c->interval).second);
    if (c != &cs.back())
      CHECK(c->open_time == 3 * 60'000);
  }
  CHECK(ops::newest_per_series({}).empty());
}

TEST_CASE("choosing console candle events costs the same per candle with 100 and 10,000 "
          "series", "[ops][scale]") {
  auto per_candle = [](std::size_t series) {
    auto cs = burst(series, 3);
    ops::series_probe_count n;
    auto newest = ops::newest_per_series(cs, &n);
    REQUIRE(newest.size() == series);
    return static_cast<double>(n.hashes + n.compares) / static_cast<double>(cs.size());
  };
  auto small = per_candle(100), large = per_candle(10'000);
  INFO("hash + compare operations per candle: 100 series " << small << ", 10,000 series " << large);
  // A scan of the series found so far would do ~series/2 compares a candle.
  CHECK(small < 4);
  CHECK(large < 4);
  CHECK(large < 2 * small);
}
