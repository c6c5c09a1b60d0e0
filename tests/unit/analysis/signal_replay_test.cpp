// What a restarted risk agent replays: a signal rebuilt from its stored
// form (direction, confidence, payload_json) is the signal that was stored,
// bit for bit, so the replayed risk manager decides exactly as before.
#include <catch2/catch.hpp>

#include "analysis/aggregate.hpp"
#include "analysis/risk.hpp"
#include "market/candle_window.hpp"

using namespace herald;
using namespace herald::analysis;

namespace {

signal make(double s0, double s1, std::int64_t t, double price) {
  contribution_set parts;
  parts.push_back({static_cast<std::uint8_t>(kind::market_structure), true, s0, 61.25, 0});
  parts.push_back({static_cast<std::uint8_t>(kind::momentum), true, s1, 47.5, 0});
  parts.push_back({static_cast<std::uint8_t>(kind::order_flow), false, 0, 0, 0});
  aggregate_options o;
  return aggregate(o, "BTCUSDT", "1m", t, price, parts, "high");
}

} // namespace

TEST_CASE("a stored signal parses back to the same signal", "[analysis][replay]") {
  for (auto [a, b] : {std::pair{0.91, 0.57}, std::pair{-0.73, -0.21}, std::pair{0.01, -0.02},
                      std::pair{1.0 / 3, 2.0 / 7}}) {
    auto s = make(a, b, 1'700'000'060'000, 37123.456789);
    auto back = parse_signal(s.symbol, s.interval, s.time, to_string(s.dir), s.confidence,
                             s.payload_json());
    CHECK(back.symbol == s.symbol);
    CHECK(back.interval == s.interval);
    CHECK(back.time == s.time);
    CHECK(back.dir == s.dir);
    CHECK(back.score == s.score); // exact: doubles are written to round-trip
    CHECK(back.strength == s.strength);
    CHECK(back.confidence == s.confidence);
    CHECK(back.price == s.price);
    CHECK(back.regime == s.regime);
    CHECK(back.missing == s.missing);
    CHECK(back.contributions == s.contributions);
  }
}

TEST_CASE("a risk manager fed the parsed signals decides as the original did",
          "[analysis][replay]") {
  risk_manager live, replayed;
  for (int i = 0; i < 400; ++i) {
    double x = (i % 17) / 8.0 - 1.0, y = ((i * 7) % 13) / 6.5 - 1.0;
    auto s = make(x, y, 1'700'000'000'000 + i * 60'000, 30'000 + 40 * ((i * 31) % 23));
    auto back = parse_signal(s.symbol, s.interval, s.time, to_string(s.dir), s.confidence,
                             s.payload_json());
    auto a = live.on_signal(s);
    auto b = replayed.on_signal(back);
    REQUIRE(a.has_value() == b.has_value());
    if (a) {
      CHECK(a->approved == b->approved);
      CHECK(a->notional == b->notional);
      CHECK(a->reason == b->reason);
    }
  }
  CHECK(live.equity() == replayed.equity());
  CHECK(live.trades() == replayed.trades());
  CHECK(live.state() == replayed.state());
}

TEST_CASE("a malformed stored signal is refused with what is wrong", "[analysis][replay]") {
  auto s = make(0.5, 0.5, 1, 100);
  auto msg = [&](const std::string& dir, const std::string& payload) {
    try {
      parse_signal("BTCUSDT", "1m", 1, dir, 50, payload);
    } catch (const std::invalid_argument& e) {
      return std::string{e.what()};
    }
    return std::string{"accepted"};
  };
  CHECK(msg("long", "not json").find("signal BTCUSDT:1m:1: payload is not a JSON object")
        != std::string::npos);
  CHECK(msg("sideways", s.payload_json()).find("unknown direction 'sideways'")
        != std::string::npos);
  CHECK(msg("long", R"({"score":1,"strength":1,"price":1,"missing":0})").find("'regime'")
        != std::string::npos);
  CHECK(msg("long", R"({"score":"x"})").find("the number 'score'") != std::string::npos);
  CHECK(msg("long", R"({"score":1,"strength":1,"price":1,"missing":0,"regime":"low",
                       "contributions":[{"analyzer":"tea_leaves","score":1}]})")
          .find("no known analyzer")
        != std::string::npos);
}

TEST_CASE("signal keys order by candle time, then series id", "[analysis][replay]") {
  signal_key none, a{10, "BTCUSDT_1m"}, b{10, "ETHUSDT_1m"}, c{11, "AAVEUSDT_1m"};
  CHECK(none.none());
  CHECK(none < a);
  CHECK(a < b);
  CHECK(b < c);
  CHECK(a <= a);
  CHECK(!(b <= a));
  CHECK(series_id("BTCUSDT", "1m") == "BTCUSDT_1m");
}

TEST_CASE("a candle window hands out the candles since a time", "[market][window]") {
  market::candle_window w{5};
  for (int i = 0; i < 8; ++i) {
    candle c;
    c.open_time = i * 60;
    w.push(c);
  }
  // holds 3..7
  CHECK(w.front().open_time == 180);
  auto all = w.since(0, 100);
  REQUIRE(all.size() == 5);
  CHECK(all.front().open_time == 180);
  auto tail = w.since(300, 100);
  REQUIRE(tail.size() == 3);
  CHECK(tail.front().open_time == 300);
  CHECK(tail.back().open_time == 420);
  auto newest = w.since(0, 2); // at most the newest two
  REQUIRE(newest.size() == 2);
  CHECK(newest.front().open_time == 360);
  CHECK(w.since(1000, 10).empty());
}
