// The weekly analysis scorecard on SQLite: its figures equal an independent
// count of the week's signals, only outcomes resolved by its time count,
// every number it prints passes the fact check (through the creator and the
// shipped templates), and it waits for the database or has nothing to say.
#include <catch2/catch.hpp>

#include "content/briefing.hpp"
#include "content/creator.hpp"
#include "content/fact_check.hpp"
#include "content/strategist.hpp"
#include "learning/loops.hpp"
#include "learning/scorecard.hpp"
#include "support/learning_seed.hpp"
#include "support/sqlite_file.hpp"

#include <set>

#include <nlohmann/json.hpp>

using namespace herald;
using test::seed_hour;
using test::seed_t0;

namespace {

constexpr std::int64_t day = 24 * seed_hour;
constexpr std::int64_t monday = seed_t0 + 4 * day; // 2026-01-05
constexpr std::int64_t noon_after = monday + 7 * day + 12 * seed_hour;

struct week_truth {
  std::uint64_t rows = 0, calls = 0, hits = 0;
  double se = 0;
};

week_truth count(const test::combined_truth& t, std::int64_t from, std::int64_t at) {
  week_truth w;
  for (auto& r : t.per_signal)
    if (r.time >= from && r.time < from + 7 * day && r.resolved_at < at) {
      ++w.rows;
      w.se += r.se;
      w.calls += r.called;
      w.hits += r.hit;
    }
  return w;
}

content_brief brief_for(const std::string& channel, std::int64_t week, std::int64_t at) {
  content_brief b;
  b.piece = "scorecard:" + std::to_string(week);
  b.id = b.piece + "@" + channel;
  b.type = "scorecard";
  b.channel = channel;
  b.scheduled_at = at;
  return b;
}

} // namespace

TEST_CASE("the weekly scorecard's figures equal an independent count of the week's resolved "
          "signals",
          "[learning][scorecard]") {
  test::sqlite_file db{"herald-scorecard"};
  auto truth = test::seed(*db.store);
  learning::scorecard_options o; // horizon 10, as seeded
  o.call_threshold = 0.15;
  // Noon on the Monday after: every signal of the week has resolved.
  auto sc = learning::weekly_scorecard(*db.store, monday, noon_after, o);
  auto w = count(truth, monday, noon_after);
  REQUIRE(w.rows == 7 * 24);
  CHECK(sc.outcomes == w.rows);
  REQUIRE(sc.scopes.size() == analysis::kind_count + 1);
  auto& c = sc.scopes.back();
  CHECK(c.scope == "combined");
  CHECK(c.hits.n == w.calls);
  CHECK(c.hits.hits == w.hits);
  CHECK(c.rows == w.rows);
  CHECK(c.brier == Approx(w.se / static_cast<double>(w.rows)).epsilon(1e-9));
  // The momentum vote was seeded to agree with the move 70% of the time.
  auto& mom = sc.scopes[static_cast<std::size_t>(analysis::kind::momentum)];
  CHECK(mom.hits.rate() > 0.6);
  CHECK(sc.title == "Weekly analysis scorecard, week of 2026-01-05");
  CHECK(sc.markdown.find("| combined | " + std::to_string(w.calls) + " | ") != std::string::npos);
  CHECK(sc.summary.find(std::to_string(w.calls) + " calls") != std::string::npos);
  // Every number printed is a fact.
  CHECK(content::fact_check(sc.markdown, sc.facts) == "");
  CHECK(content::fact_check(sc.summary, sc.facts) == "");
  CHECK(content::fact_check(sc.title, sc.facts) == "");

  SECTION("at 05:00 the signals of Sunday evening have not resolved yet and do not count") {
    auto early = monday + 7 * day + 5 * seed_hour;
    auto part = learning::weekly_scorecard(*db.store, monday, early, o);
    auto we = count(truth, monday, early);
    CHECK(we.rows < w.rows);
    CHECK(part.outcomes == we.rows);
  CHECK(part.outcomes > 0);
    CHECK(part.scopes.back().hits.n == we.calls);
    CHECK(part.scopes.back().hits.hits == we.hits);
  }
}

TEST_CASE("a scorecard brief is written by the creator with the shipped templates and passes "
          "the fact check",
          "[learning][scorecard]") {
  test::sqlite_file db{"herald-scorecard"};
  test::seed(*db.store);
  learning::scorecard_options o;
  auto set = content::template_set::load(std::string{HERALD_SOURCE_DIR} + "/config/templates",
                                         content::sample_facts(), content::optional_facts());
  content::creator writer{set, "https://example.org/site/", {}};
  for (auto ch : {"articles", "discord", "webhook"}) {
    INFO(ch);
    auto b = brief_for(ch, monday, noon_after);
    std::string why;
    REQUIRE(learning::fill_scorecard(*db.store, b, o, &why) == learning::scorecard_step::ready);
    CHECK(b.title == "Weekly analysis scorecard, week of 2026-01-05");
    if (std::string{ch} == "articles") {
      REQUIRE(b.chart_png.size() > 1000); // the reliability diagram
      CHECK(b.chart_png.substr(1, 3) == "PNG");
    } else {
      CHECK(b.chart_png.empty());
    }
    std::string err;
    auto d = writer.write(b, &err);
    INFO(err);
    REQUIRE(d);
    CHECK(d->refused == "");
    REQUIRE(!d->parts.empty());
    if (std::string{ch} == "articles")
      CHECK(d->parts[0].find("| combined |") != std::string::npos);
    else
      CHECK(d->parts[0].find("The combined signal was right on ") != std::string::npos);
  }
}

TEST_CASE("a scorecard waits for the database to pass the week, and a week without resolved "
          "signals has nothing to publish",
          "[learning][scorecard]") {
  test::sqlite_file db{"herald-scorecard"};
  learning::scorecard_options o;
  std::string why;
  // Nothing stored: the database has not reached the week's end.
  auto b = brief_for("articles", monday, noon_after);
  CHECK(learning::fill_scorecard(*db.store, b, o, &why) == learning::scorecard_step::wait);
  CHECK(why.find("no signal and candle of the hour before 2026-01-12 12:00") != std::string::npos);
  test::seed(*db.store);
  // Two weeks before the data starts: the database is past it, no signal.
  auto before = brief_for("articles", monday - 14 * day, noon_after - 14 * day);
  CHECK(learning::fill_scorecard(*db.store, before, o, &why) == learning::scorecard_step::nothing);
  CHECK(why.find("no signal of the week of 2025-12-22") != std::string::npos);
  CHECK(before.markdown.empty());
  // A piece id that is not a scorecard's is refused loudly.
  auto bad = brief_for("articles", monday, noon_after);
  bad.piece = "scorecard:next-week";
  CHECK_THROWS_AS(learning::fill_scorecard(*db.store, bad, o, &why), std::invalid_argument);
}

TEST_CASE("stored outcomes are read in pages without a signal lost or read twice",
          "[learning][scorecard]") {
  test::sqlite_file db{"herald-pages"};
  // 8 series x 3,000 hourly signals at the same times: 24,000 signals, more
  // than a page (20,000), the page boundary inside one open time.
  std::vector<std::string> symbols;
  for (int i = 0; i < 8; ++i) {
    symbols.push_back("S" + std::to_string(i) + "USDT");
    test::seed(*db.store, 3 + static_cast<unsigned>(i), 1 << 30, symbols.back());
  }
  std::vector<std::string> ids;
  auto rows = learning::stored_outcomes(*db.store, 0, seed_t0 + 4000 * seed_hour, 10, 1'000'000,
                                        &ids);
  CHECK(rows.size() == 8 * (3000 - 10));
  std::set<std::string> unique(ids.begin(), ids.end());
  CHECK(unique.size() == ids.size());
  // A limit reads that many signals, oldest first.
  std::vector<std::string> few;
  learning::stored_outcomes(*db.store, 0, seed_t0 + 4000 * seed_hour, 10, 1000, &few);
  CHECK(few.size() == 1000);
  CHECK(few.back() < ids.back());
}
