// The strategist: which insights become alerts, when and where pieces go.
#include <catch2/catch.hpp>

#include <algorithm>

#include "content/strategist.hpp"

using namespace herald;
using namespace herald::content;

namespace {

constexpr std::int64_t m = 60'000, h = 60 * m, day0 = 1'700'006'400'000; // a UTC midnight (Wed)

analysis::insight ins(const std::string& sym, analysis::direction d, std::int64_t t,
                      double conf = 80, double strength = 0.5, bool approved = true) {
  analysis::insight i;
  i.symbol = sym;
  i.interval = "1m";
  i.time = t;
  i.signal_id = sym + ":1m:" + std::to_string(t);
  i.dir = d;
  i.confidence = conf;
  i.strength = strength;
  i.approved = approved;
  i.reason = approved ? "approved" : "cooldown";
  return i;
}

strategist_options opts(std::initializer_list<channel> on) {
  strategist_options o;
  for (auto c : on)
    o.channels[static_cast<std::size_t>(c)].enabled = true;
  return o;
}

std::size_t count(const std::vector<plan>& ps, channel c) {
  return static_cast<std::size_t>(
    std::count_if(ps.begin(), ps.end(), [&](auto& p) { return p.ch == c; }));
}

} // namespace

TEST_CASE("an approved, confident, novel insight becomes an alert on every enabled channel",
          "[content]") {
  strategist s{opts({channel::articles, channel::x})};
  std::vector<skipped> why;
  auto ps = s.on_insights({ins("BTCUSDT", analysis::direction::long_, day0 + 12 * h)}, &why);
  REQUIRE(ps.size() == 2);
  CHECK(why.empty());
  CHECK(ps[0].piece == "alert:BTCUSDT:1m:" + std::to_string(day0 + 12 * h));
  CHECK(ps[0].id == ps[0].piece + "@articles");
  CHECK(ps[1].id == ps[1].piece + "@x");
  CHECK(ps[0].scheduled_at == day0 + 12 * h);
  CHECK(ps[0].insight_id == "insight:BTCUSDT:1m:" + std::to_string(day0 + 12 * h));
}

TEST_CASE("vetoed, weak and repeated insights are skipped with their reason", "[content]") {
  strategist s{opts({channel::articles})};
  std::vector<skipped> why;
  auto t = day0 + 12 * h;
  s.on_insights({ins("BTCUSDT", analysis::direction::long_, t, 80, 0.5, false),
                 ins("ETHUSDT", analysis::direction::long_, t, 20)},
                &why);
  REQUIRE(why.size() == 2);
  CHECK(why[0].reason == "not_approved");
  CHECK(why[1].reason == "low_confidence");
  why.clear();
  CHECK(s.on_insights({ins("BTCUSDT", analysis::direction::long_, t)}, &why).size() == 1);
  CHECK(s.on_insights({ins("BTCUSDT", analysis::direction::long_, t + h)}, &why).empty());
  CHECK(why.back().reason == "not_novel");
  CHECK(s.on_insights({ins("BTCUSDT", analysis::direction::short_, t + h)}, &why).size() == 1);
  CHECK(s.on_insights({ins("BTCUSDT", analysis::direction::long_, t + 4 * h)}, &why).size() == 1);
  strategist none{opts({})};
  none.on_insights({ins("BTCUSDT", analysis::direction::long_, t)}, &why);
  CHECK(why.back().reason == "no_channel");
}

TEST_CASE("a post budget goes to the most important insights, the rest are dropped, not late",
          "[content]") {
  auto o = opts({channel::articles, channel::x});
  o.channels[static_cast<std::size_t>(channel::x)].per_hour = 2;
  strategist s{o};
  auto t = day0 + 12 * h;
  std::vector<analysis::insight> batch;
  for (int i = 0; i < 5; ++i)
    batch.push_back(ins("S" + std::to_string(i) + "USDT", analysis::direction::long_, t, 60 + i,
                        0.2 + 0.1 * i));
  auto ps = s.on_insights(batch);
  CHECK(count(ps, channel::articles) == 5);
  REQUIRE(count(ps, channel::x) == 2);
  for (auto& p : ps)
    if (p.ch == channel::x)
      CHECK((p.piece.find("S4USDT") != std::string::npos
             || p.piece.find("S3USDT") != std::string::npos));
  CHECK(s.dropped()[static_cast<std::size_t>(channel::x)] == 3);
}

TEST_CASE("quiet hours drop stale alerts but postpone recaps and reports", "[content]") {
  auto o = opts({channel::articles, channel::telegram});
  o.channels[static_cast<std::size_t>(channel::telegram)].quiet = {22 * 60, 7 * 60};
  o.recap_minute = 23 * 60;
  strategist s{o};
  auto night = day0 + 23 * h + 30 * m;
  auto ps = s.on_insights({ins("BTCUSDT", analysis::direction::long_, night)});
  CHECK(s.on_time(night).empty()); // starts the recap clock, as the actor does per report
  CHECK(count(ps, channel::articles) == 1);
  CHECK(count(ps, channel::telegram) == 0);
  // The recap time (23:00) passed since the clock (23:30 -> next day 00:10 crosses nothing),
  // so move to the next day's 23:05.
  auto next = s.on_time(day0 + 24 * h + 23 * h + 5 * m);
  REQUIRE(count(next, channel::telegram) == 1);
  for (auto& p : next)
    if (p.ch == channel::telegram)
      CHECK(p.scheduled_at == day0 + 2 * 24 * h + 7 * h); // after the quiet night
    else
      CHECK(p.scheduled_at == day0 + 24 * h + 23 * h);
}

TEST_CASE("the weekly report goes to long-form channels, its thread to X and Telegram",
          "[content]") {
  auto o = opts({channel::articles, channel::x, channel::telegram, channel::discord});
  o.report_weekday = 3; // Wednesday: day0 is one
  o.report_minute = 18 * 60;
  o.recap_minute = 21 * 60;
  strategist s{o};
  CHECK(s.on_time(day0 + 17 * h).empty()); // first call only sets the clock
  auto ps = s.on_time(day0 + 18 * h + m);
  std::size_t reports = 0, threads = 0;
  for (auto& p : ps) {
    reports += p.type == content_type::report;
    threads += p.type == content_type::thread;
    if (p.type == content_type::report)
      CHECK((p.ch == channel::articles || p.ch == channel::discord));
    if (p.type == content_type::thread)
      CHECK((p.ch == channel::x || p.ch == channel::telegram));
  }
  CHECK(reports == 2);
  CHECK(threads == 2);
  CHECK(s.on_time(day0 + 20 * h).empty());
  auto recap = s.on_time(day0 + 21 * h);
  CHECK(recap.size() == 4);
  auto closing = s.closing(day0 + 22 * h);
  CHECK(std::count_if(closing.begin(), closing.end(),
                      [](auto& p) { return p.type == content_type::report; })
        == 2);
}

TEST_CASE("insights arriving with the clock do not hide the recap time they pass", "[content]") {
  // The actor calls on_insights, then on_time, with the same market time: the
  // recap due between the two calls of on_time must still be planned.
  auto o = opts({channel::articles});
  o.recap_minute = 21 * 60;
  strategist s{o};
  CHECK(s.on_time(day0 + 20 * h).empty()); // first call: starts the clock
  s.on_insights({ins("BTCUSDT", analysis::direction::long_, day0 + 22 * h)});
  auto ps = s.on_time(day0 + 22 * h);
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].type == content_type::recap);
  CHECK(ps[0].scheduled_at == day0 + 21 * h);
}

TEST_CASE("the plan does not depend on how insights were grouped into reports", "[content]") {
  // A weaker insight first, a stronger one of the same symbol and direction
  // an hour later: in one report or in two, the first (in time) is the alert.
  auto weak = ins("SOLUSDT", analysis::direction::long_, day0 + 10 * h, 60, 0.2);
  auto strong = ins("SOLUSDT", analysis::direction::long_, day0 + 11 * h, 90, 0.9);
  strategist together{opts({channel::articles})};
  auto a = together.on_insights({strong, weak});
  strategist apart{opts({channel::articles})};
  auto b = apart.on_insights({weak});
  auto b2 = apart.on_insights({strong});
  REQUIRE(a.size() == 1);
  REQUIRE(b.size() == 1);
  CHECK(b2.empty());
  CHECK(a[0].piece == b[0].piece);
  CHECK(a[0].insight_id == weak.id());
}

TEST_CASE("the weekly scorecard covers the last full week, goes to long-form channels, once",
          "[content][scorecard]") {
  auto o = opts({channel::articles, channel::telegram, channel::discord, channel::x,
                 channel::webhook});
  o.scorecard = true; // Monday 12:00 UTC by default
  auto scorecards = [](const std::vector<plan>& ps) {
    std::vector<plan> out;
    for (auto& p : ps)
      if (p.type == content_type::scorecard)
        out.push_back(p);
    return out;
  };
  const auto monday_noon = day0 + 5 * 24 * h + 12 * h; // day0 is a Wednesday
  const auto week = day0 - 2 * 24 * h;                  // the Monday before it
  strategist s{o};
  CHECK(s.on_time(day0).empty()); // first call: starts the clock
  CHECK(scorecards(s.on_time(monday_noon - m)).empty());
  auto ps = scorecards(s.on_time(monday_noon + m));
  REQUIRE(ps.size() == 3);
  for (auto& p : ps) {
    CHECK(p.piece == "scorecard:" + std::to_string(week));
    CHECK(p.scheduled_at == monday_noon);
    CHECK(p.ch != channel::x);
    CHECK(p.ch != channel::telegram);
  }
  CHECK(strategist::scorecard_week(ps[0].piece) == week);
  CHECK(strategist::scorecard_week("scorecard:soon") == INT64_MIN);
  CHECK(scorecards(s.on_time(monday_noon + 2 * h)).empty());
  // A week later: the next week's.
  auto next = scorecards(s.on_time(monday_noon + 7 * 24 * h));
  REQUIRE(next.size() == 3);
  CHECK(next[0].piece == "scorecard:" + std::to_string(week + 7 * 24 * h));

  SECTION("off unless asked for") {
    strategist off{opts({channel::articles})};
    off.on_time(day0);
    CHECK(scorecards(off.on_time(monday_noon + m)).empty());
  }
}

TEST_CASE("a posting hour moves a recap to the arm's next hour, within quiet hours and budget",
          "[content][learning]") {
  CHECK(strategist::next_in_hour(day0 + 21 * h, 9) == day0 + 33 * h);       // next morning
  CHECK(strategist::next_in_hour(day0 + 9 * h + 30 * m, 9) == day0 + 9 * h + 30 * m); // in it
  CHECK(strategist::next_in_hour(day0 + 8 * h + 59 * m, 9) == day0 + 9 * h);
  CHECK(strategist::next_in_hour(day0 + 10 * h, 9) == day0 + 33 * h);
  CHECK(strategist::next_in_hour(day0 - 1, 0) == day0);

  auto o = opts({channel::articles, channel::telegram});
  o.recap_minute = 21 * 60;
  o.channels[static_cast<std::size_t>(channel::telegram)].quiet = {8 * 60, 10 * 60};
  o.channels[static_cast<std::size_t>(channel::articles)].per_hour = 1;
  strategist s{o};
  CHECK(s.on_time(day0 + 20 * h).empty());
  auto ps = s.on_time(day0 + 21 * h + 5 * m);
  REQUIRE(ps.size() == 2);
  for (auto& p : ps) {
    REQUIRE(p.scheduled_at == day0 + 21 * h);
    s.move_to_hour(p, 9);
    if (p.ch == channel::articles)
      CHECK(p.scheduled_at == day0 + 33 * h);
    else // 09:00 is in telegram's quiet hours: it waits for 10:00
      CHECK(p.scheduled_at == day0 + 34 * h);
  }
  // The articles budget (one an hour) counts the moved recap at 09:00 and
  // no longer at 21:00: an alert at 21:10 fits, one at 09:10 waits.
  auto at_nine = s.on_insights({ins("BTCUSDT", analysis::direction::long_, day0 + 21 * h + 10 * m)});
  REQUIRE(count(at_nine, channel::articles) == 1);
  CHECK(at_nine[0].scheduled_at == day0 + 21 * h + 10 * m);
  auto later = s.on_insights({ins("ETHUSDT", analysis::direction::long_, day0 + 33 * h + 10 * m)});
  CHECK(count(later, channel::articles) == 0); // 10:00 is beyond the alert's 15 min
  // An alert never moves.
  plan a = at_nine[0];
  s.move_to_hour(a, 3);
  CHECK(a.scheduled_at == day0 + 21 * h + 10 * m);
}
