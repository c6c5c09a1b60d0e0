#include <catch2/catch.hpp>

#include "community/track_record.hpp"

using namespace herald;

namespace {

candle bar(std::int64_t t, double close) {
  candle c;
  c.symbol = "BTCUSDT";
  c.interval = "1m";
  c.open_time = t;
  c.open = c.high = c.low = c.close = close;
  c.close_time = t + 59'999;
  return c;
}

constexpr std::int64_t t0 = 1609459200000; // 2021-01-01 00:00 UTC

} // namespace

TEST_CASE("track record: alert pieces name their series and time", "[community][track]") {
  community::alert_call c;
  REQUIRE(community::parse_alert_piece("alert:BTCUSDT:1m:1609459200000", c));
  CHECK(c.symbol == "BTCUSDT");
  CHECK(c.interval == "1m");
  CHECK(c.time == t0);
  CHECK_FALSE(community::parse_alert_piece("recap:1609459200000", c));
  CHECK_FALSE(community::parse_alert_piece("alert:BTCUSDT:1m:", c));
  CHECK_FALSE(community::parse_alert_piece("alert:BTCUSDT:1m:12x", c));
  CHECK_FALSE(community::parse_alert_piece("alert::1m:1", c));
}

TEST_CASE("track record: the outcome is the close `horizon` bars after the alert's candle",
          "[community][track]") {
  community::alert_call c;
  REQUIRE(community::parse_alert_piece("alert:BTCUSDT:1m:1609459200000", c));
  c.dir = -1;
  c.entry = 100;
  std::vector<candle> after;
  for (int i = 1; i <= 3; ++i)
    after.push_back(bar(t0 + i * 60'000, 100 - i));
  CHECK_FALSE(community::resolve(c, after, 4)); // not yet: 3 bars known
  // a gap: the 4th bar comes 10 minutes late and still counts as the 4th
  after.push_back(bar(t0 + 14 * 60'000, 98));
  auto o = community::resolve(c, after, 4);
  REQUIRE(o);
  CHECK(o->exit == 98);
  CHECK(o->exit_time == t0 + 14 * 60'000);
  CHECK(o->ret == Approx(-0.02));
  CHECK(o->signed_ret == Approx(0.02));
  CHECK(o->hit);
  auto text = community::outcome_text(*o, " of 1m");
  CHECK(text.find("SHORT BTCUSDT") != std::string::npos);
  CHECK(text.find("After 4 bars of 1m") != std::string::npos);
  CHECK(text.find("-2.00% for the market") != std::string::npos);
  CHECK(text.find("+2.00% for the call: hit.") != std::string::npos);
  c.dir = 1; // the same move against a long call is a miss
  o = community::resolve(c, after, 4);
  REQUIRE(o);
  CHECK_FALSE(o->hit);
  CHECK(community::outcome_text(*o, "").find("miss.") != std::string::npos);
  c.entry = 0; // no price: nothing is claimed
  CHECK_FALSE(community::resolve(c, after, 4));
}

TEST_CASE("track record: the summary claims only what its interval shows", "[community][track]") {
  std::vector<community::call_outcome> os;
  for (int i = 0; i < 10; ++i) {
    community::call_outcome o;
    o.call.piece = "alert:BTCUSDT:1m:" + std::to_string(t0 + i);
    o.call.symbol = "BTCUSDT";
    o.call.interval = "1m";
    o.call.time = t0 + i * 60'000;
    o.call.dir = 1;
    o.call.entry = 100;
    o.exit = i < 6 ? 101 : 99;
    o.ret = o.exit / 100 - 1;
    o.signed_ret = o.ret;
    o.hit = o.ret > 0;
    os.push_back(o);
  }
  auto s = community::summarize(os);
  CHECK(s.hits.n == 10);
  CHECK(s.hits.hits == 6);
  CHECK(s.hits.lower() < 0.5); // 6 of 10 is no evidence
  CHECK(s.verdict().find("not distinguishable from chance") != std::string::npos);
  CHECK(s.signed_return.mean() == Approx(0.002));
  auto a = community::track_record_article(s, "week of 2021-01-01", 10);
  CHECK(a.title == "Track record, week of 2021-01-01");
  CHECK(a.markdown.find("6 of 10 = 60.00%") != std::string::npos);
  CHECK(a.markdown.find("does not show skill") != std::string::npos);
  // every alert is listed, misses included
  std::size_t misses = 0, pos = 0;
  while ((pos = a.markdown.find("| miss |", pos)) != std::string::npos)
    ++misses, ++pos;
  CHECK(misses == 4);

  std::vector<community::call_outcome> strong(60, os.front()); // 60 hits of 60
  auto sure = community::summarize(strong);
  CHECK(sure.verdict() == "better than chance at 95%");
  CHECK(community::track_record_article(sure, "x", 10).markdown.find("does not show skill")
        == std::string::npos);
  auto none = community::track_record_article(community::summarize({}), "x", 10);
  CHECK(none.markdown.find("nothing to claim") != std::string::npos);
}
