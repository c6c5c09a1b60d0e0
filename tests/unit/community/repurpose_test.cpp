#include <catch2/catch.hpp>

#include "community/repurpose.hpp"
#include "content/channel.hpp"

using namespace herald;

namespace {

const char* report = R"(# Weekly research report, week to 2021-01-07

Herald's view of 2 analysed series over the week to 2021-01-07 23:59 UTC. Figures come from the candles and signals Herald analysed; this is research, not investment advice.

## Summary

| Symbol | Interval | Last | Change | Trend over the change's window | Regime | RSI | Latest signal |
|---|---|---|---|---|---|---|---|
| BTCUSDT | 1m | 39432.28 | +7.11% in 24 h | up | normal | 60.7 | long (47) |
| ETHUSDT | 1m | 1223.40 | -1.02% in 24 h | down | high | 41.2 | short (55) |

## BTCUSDT (1m)

### Trend

Last close **39432.28**, +7.11% over the last 24 hours: over that window the trend is **up**.
)";

} // namespace

TEST_CASE("repurpose: the report's summary table", "[community][repurpose]") {
  auto rows = community::report_summary(report);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].symbol == "BTCUSDT");
  CHECK(rows[0].change == "+7.11% in 24 h");
  CHECK(rows[1].trend == "down");
  CHECK(rows[1].signal == "short (55)");
  CHECK(community::report_summary("# no table\n\ntext").empty());
}

TEST_CASE("repurpose: a thread and a summary that never repeat the report",
          "[community][repurpose]") {
  auto rows = community::report_summary(report);
  auto thread = community::report_thread("Weekly research report, week to 2021-01-07", rows,
                                         "https://herald.example/site/report.html", 280);
  REQUIRE(thread.size() == 4); // opening, two series, the link
  CHECK(thread[1].find("BTCUSDT on the 1m chart closed at 39432.28 (+7.11% in 24 h)")
        != std::string::npos);
  CHECK(thread[3].find("https://herald.example/site/report.html") != std::string::npos);
  for (auto& p : thread)
    CHECK(content::utf8_length(p) <= 280);
  CHECK_FALSE(community::repeats_source(thread, report));
  auto summary = community::report_summary_post("Weekly research report, week to 2021-01-07",
                                                rows, "https://herald.example/r.html", 280);
  CHECK(summary.find("BTCUSDT +7.11% in 24 h, trend up") != std::string::npos);
  CHECK(summary.size() >= 30);
  CHECK(summary.substr(summary.size() - 30).find("https://herald.example/r.html")
        != std::string::npos);
  CHECK_FALSE(community::repeats_source({summary}, report));
  // a tight limit cuts the text, never the link
  auto tight = community::report_summary_post("Weekly research report", rows,
                                              "https://herald.example/r.html", 60);
  CHECK(content::utf8_length(tight) <= 60);
  CHECK(tight.find("https://herald.example/r.html") != std::string::npos);
  CHECK(community::report_thread("t", {}, "u", 280).empty());
}

TEST_CASE("repurpose: the repeat check", "[community][repurpose]") {
  // a line of the source, or a long sentence of it, is a repeat (case and
  // whitespace folded, markdown emphasis ignored)
  CHECK(community::repeats_source({"## summary"}, report));
  CHECK(community::repeats_source(
    {"New take. Last close 39432.28, +7.11% over the LAST 24 hours: over that window the trend is up."},
    report));
  CHECK_FALSE(community::repeats_source({"BTC went up this week."}, report));
  CHECK_FALSE(community::repeats_source({""}, report));
}

TEST_CASE("repurpose: the follow-up on an alert", "[community][repurpose]") {
  community::followup_input in{"BTCUSDT", "1m", -1, 40000, 1609840800000, 12, 39000,
                               1610063940000};
  auto t = community::followup_post(in, 280);
  REQUIRE(t);
  CHECK(t->find("short call on BTCUSDT (1m) at 40000.00 on 2021-01-05 10:00 UTC") != std::string::npos);
  CHECK(t->find("(12)") != std::string::npos);
  CHECK(t->find("-2.50% since, +2.50% for the call") != std::string::npos);
  CHECK(content::utf8_length(*t) <= 280);
  in.entry = 0;
  CHECK_FALSE(community::followup_post(in, 280));
}
