// Content as a user sees it: a bounded offline run publishes an articles
// site (alerts with charts, recaps, a research report, index, RSS feed) and
// says what went where; running it again publishes nothing twice; approval
// mode holds pieces until `herald content approve`.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <pugixml.hpp>

#include "support/backends.hpp"
#include "support/process.hpp"

using herald::test::process;
namespace fs = std::filesystem;

namespace {

const std::string herald_bin = HERALD_BINARY;
const std::string shipped_conf = std::string{HERALD_SOURCE_DIR} + "/config/caf-application.conf";

struct sandbox {
  fs::path dir;
  sandbox() {
    dir = fs::temp_directory_path() / ("herald-content-" + std::to_string(::getpid()) + "-"
                                       + std::to_string(std::rand()));
    fs::create_directories(dir);
  }
  ~sandbox() { fs::remove_all(dir); }
  std::vector<std::string> run(std::vector<std::string> extra) const {
    std::vector<std::string> argv{herald_bin,
                                  "run",
                                  "--config",
                                  shipped_conf,
                                  "--http.port=0",
                                  "--inspector.port=0",
                                  "--candles",
                                  "3000",
                                  "--scanner.start-time=1700000000000",
                                  "--db.url=sqlite://" + (dir / "h.db").string(),
                                  "--publish.articles.dir=" + (dir / "site").string(),
                                  "--content.chart-dir=" + (dir / "charts").string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }
  std::vector<std::string> content(std::vector<std::string> args) const {
    std::vector<std::string> argv{herald_bin, "content"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--config");
    argv.push_back(shipped_conf);
    argv.push_back("--db=sqlite://" + (dir / "h.db").string());
    return argv;
  }
  std::vector<std::string> files(const std::string& prefix, const std::string& ext) const {
    std::vector<std::string> out;
    if (fs::exists(dir / "site"))
      for (auto& e : fs::directory_iterator(dir / "site")) {
        auto name = e.path().filename().string();
        if (name.rfind(prefix, 0) == 0 && e.path().extension() == ext)
          out.push_back(name);
      }
    return out;
  }
};

std::string slurp(const fs::path& p) {
  std::ifstream in{p, std::ios::binary};
  return {std::istreambuf_iterator<char>{in}, {}};
}

} // namespace

TEST_CASE("a bounded offline run publishes an articles site with alerts, charts, recaps, a "
          "report, index and a valid feed, and says where",
          "[acceptance][content]") {
  sandbox box;
  auto [code, out] = process::run(box.run({}));
  INFO(out);
  REQUIRE(code == 0);
  CHECK(out.find("herald run: content published:") != std::string::npos);
  CHECK(out.find("articles  live     published ") != std::string::npos);

  auto alerts = box.files("alert-", ".html");
  REQUIRE(!alerts.empty());
  // at least one alert with its chart, embedded in its page
  bool charted = false;
  for (auto& a : alerts) {
    auto png = a.substr(0, a.size() - 5) + ".png";
    if (fs::exists(box.dir / "site" / png)) {
      charted = true;
      CHECK(slurp(box.dir / "site" / a).find("<img src=\"" + png + "\"") != std::string::npos);
      CHECK(slurp(box.dir / "site" / png).substr(1, 3) == "PNG");
    }
  }
  CHECK(charted);
  CHECK(!box.files("recap-", ".html").empty());
  auto reports = box.files("report-", ".html");
  REQUIRE(!reports.empty());
  auto report_md = slurp(box.dir / "site" / (reports[0].substr(0, reports[0].size() - 5) + ".md"));
  for (auto s : {"## Summary", "### Trend", "### Regime", "### Indicators", "### Signals",
                 "### News", "BTCUSDT", "ETHUSDT", "SOLUSDT"})
    CHECK(report_md.find(s) != std::string::npos);
  // every page is listed in the index and in the feed
  auto index = slurp(box.dir / "site" / "index.html");
  for (auto& a : alerts)
    CHECK(index.find("href=\"" + a + "\"") != std::string::npos);
  pugi::xml_document feed;
  REQUIRE(feed.load_file((box.dir / "site" / "feed.xml").c_str()));
  auto channel = feed.child("rss").child("channel");
  CHECK(std::string{feed.child("rss").attribute("version").value()} == "2.0");
  CHECK(!std::string{channel.child_value("title")}.empty());
  std::size_t items = 0;
  for (auto item : channel.children("item")) {
    ++items;
    CHECK(!std::string{item.child_value("title")}.empty());
    CHECK(std::string{item.child_value("link")}.rfind("http", 0) == 0);
    CHECK(!std::string{item.child_value("pubDate")}.empty());
    CHECK(!std::string{item.child_value("guid")}.empty());
  }
  CHECK(items >= 3);
  // the ledger agrees: everything published, nothing in doubt
  auto db = (box.dir / "h.db").string();
  auto published = herald::test::run_line("sqlite3 '" + db
                                          + "' \"SELECT COUNT(*) FROM content_plans WHERE "
                                            "state = 'published'\"");
  auto other = herald::test::run_line("sqlite3 '" + db
                                      + "' \"SELECT COUNT(*) FROM content_plans WHERE state <> "
                                        "'published'\"");
  CHECK(std::stoi(published) >= 3);
  CHECK(other == "0");

  SECTION("the same run again publishes nothing twice") {
    auto before = box.files("", ".html").size();
    auto [again, out2] = process::run(box.run({}));
    INFO(out2);
    CHECK(again == 0);
    CHECK(out2.find("articles  live     published 0,") != std::string::npos);
    CHECK(box.files("", ".html").size() == before);
    CHECK(herald::test::run_line("sqlite3 '" + db
                                 + "' \"SELECT COUNT(*) FROM content_plans WHERE state = "
                                   "'published'\"")
          == published);
  }
}

TEST_CASE("approval mode holds pieces until approved, dry-run records without posting",
          "[acceptance][content]") {
  sandbox box;
  auto [c1, o1] = process::run(
    box.run({"--publish.articles.mode=approval"}));
  INFO(o1);
  REQUIRE(c1 == 0);
  CHECK(o1.find("articles  approval published 0, failed 0, pending approval ") != std::string::npos);
  CHECK(box.files("", ".html").empty()); // nothing posted
  auto [lc, listing] = process::run(box.content({"list", "--state", "pending_approval"}));
  INFO(listing);
  REQUIRE(lc == 0);
  auto at = listing.find("recap:");
  REQUIRE(at != std::string::npos);
  auto id = listing.substr(at, listing.find('\n', at) - at);
  auto [ac, approved] = process::run(box.content({"approve", id}));
  INFO(approved);
  CHECK(ac == 0);
  CHECK(approved.find("approved") != std::string::npos);
  auto [again, twice] = process::run(box.content({"approve", id}));
  CHECK(again == 2);
  CHECK(twice.find("is planned") != std::string::npos);
  auto [bad, unknown] = process::run(box.content({"reject", "no-such-piece@x"}));
  CHECK(bad == 2);
  CHECK(unknown.find("no content plan 'no-such-piece@x'") != std::string::npos);
  // the next live start sends what was approved (and only that: the others are held)
  auto [c2, o2] = process::run(box.run({"--publish.articles.mode=live", "--candles", "1"}));
  INFO(o2);
  CHECK(c2 == 0);
  auto slug = id.substr(0, id.find('@'));
  for (auto& ch : slug)
    if (ch == ':')
      ch = '-';
  CHECK(fs::exists(box.dir / "site" / (slug + ".html")));

  sandbox dry;
  auto [c3, o3] = process::run(dry.run({"--publish.articles.mode=dry-run", "--candles", "600"}));
  INFO(o3);
  CHECK(c3 == 0);
  CHECK(o3.find("dry-run") != std::string::npos);
  CHECK(dry.files("", ".html").empty());
  CHECK(herald::test::run_line("sqlite3 '" + (dry.dir / "h.db").string()
                               + "' \"SELECT COUNT(*) FROM content_plans WHERE state = 'dry_run'\"")
        != "0");
}

TEST_CASE("a piece planned for later survives a stop and goes out after the restart",
          "[acceptance][content]") {
  sandbox box;
  // Almost the whole day is quiet: the daily recap (21:00) waits until 19:59
  // the next day, recorded as scheduled. 100 candles a second.
  auto argv = box.run({"--publish.articles.quiet-hours=20:00-19:59"});
  for (auto i = argv.begin(); i != argv.end(); ++i)
    if (*i == "--candles") { // unbounded: this run is stopped with SIGTERM
      argv.erase(i, i + 2);
      break;
    }
  argv.push_back("--scanner.speed=6000");
  {
    process first{argv};
    // the recap of 2023-11-15 (the market starts 2023-11-14 22:13)
    REQUIRE(first.wait_output("recap:1700006400000@articles is scheduled for",
                              std::chrono::seconds{120}));
    first.signal(SIGTERM);
    CHECK(first.wait_exit(std::chrono::seconds{30}) == 0);
  }
  auto db = (box.dir / "h.db").string();
  auto id = herald::test::run_line("sqlite3 '" + db
                                   + "' \"SELECT id FROM content_plans WHERE state = "
                                     "'scheduled' AND kind = 'recap' LIMIT 1\"");
  REQUIRE(!id.empty());
  // A later market (ten days on) passes the recap's time at once.
  auto [code, out] = process::run(box.run({"--candles", "30",
                                           "--scanner.start-time=1700864000000"}));
  INFO(out);
  REQUIRE(code == 0);
  CHECK(out.find(id + " was scheduled for") != std::string::npos);
  CHECK(herald::test::run_line("sqlite3 '" + db + "' \"SELECT state FROM content_plans WHERE id = '"
                               + id + "'\"")
        == "published");
  auto slug = id.substr(0, id.find('@'));
  for (auto& ch : slug)
    if (ch == ':')
      ch = '-';
  CHECK(fs::exists(box.dir / "site" / (slug + ".html")));
}

TEST_CASE("a posting-hour experiment moves each recap to its arm's hour, once per piece",
          "[acceptance][content][learning]") {
  sandbox box;
  auto file = box.dir / "experiments.json";
  {
    std::ofstream out{file};
    out << R"([{"id":"recap-hour","factor":"posting_hour","type":"recap","arms":["09","15"],
               "mode":"fixed","split":[1,1]}])";
  }
  // Six days from 2023-11-14 22:13 UTC: the recaps of the 15th to the 20th
  // (21:00); the shipped config publishes to the articles channel only.
  auto args = box.run({"--candles", "8640", "--learning.ab.experiments-file=" + file.string()});
  auto [code, out] = process::run(args, std::chrono::seconds{300});
  INFO(out.substr(out.size() > 4000 ? out.size() - 4000 : 0));
  REQUIRE(code == 0);
  auto db = (box.dir / "h.db").string();
  auto q = [&](const std::string& sql) {
    return herald::test::run_line("sqlite3 '" + db + "' \"" + sql + "\"");
  };
  // Every daily recap on every channel was asked about and assigned once;
  // the closing recap of the bounded run was not (the run ends).
  auto recaps = q("SELECT COUNT(*) FROM content_plans WHERE kind = 'recap' AND id NOT LIKE "
                  "'%:closing:%'");
  REQUIRE(std::stoi(recaps) == 6);
  CHECK(q("SELECT COUNT(*) FROM ab_assignments WHERE test_id = 'recap-hour'") == recaps);
  CHECK(q("SELECT COUNT(*) FROM ab_assignments WHERE unit LIKE '%closing%' OR unit LIKE "
          "'alert:%'")
        == "0");
  // Each went out at its arm's hour (quiet hours and budgets are off in
  // the shipped config), the first such hour after 21:00, and both arms
  // were used.
  // (id "recap:<that day's midnight>@<channel>": planned at 21:00, so within
  // 21 h and 45 h of that midnight)
  auto moved = "SELECT COUNT(*) FROM content_plans p JOIN ab_assignments a ON a.unit = p.id "
               "WHERE a.test_id = 'recap-hour' AND strftime('%H', p.scheduled_at / 1000, "
               "'unixepoch') = a.arm AND p.scheduled_at - CAST(substr(p.id, 7) AS INTEGER) "
               "BETWEEN 75600000 AND 162000000";
  CHECK(q(moved) == recaps);
  CHECK(q("SELECT COUNT(DISTINCT arm) FROM ab_assignments") == "2");
  CHECK(q("SELECT COUNT(*) FROM content_plans WHERE kind = 'recap' AND id NOT LIKE "
          "'%:closing:%' AND state <> 'published'")
        == "0");
  CHECK(out.find("posting hour ") != std::string::npos);

  // The same run again: no unit assigned twice, no time changed, nothing
  // published twice.
  auto recap_rows = "SELECT group_concat(id || '=' || scheduled_at || '=' || state, ',') FROM "
                    "(SELECT id, scheduled_at, state FROM content_plans WHERE kind = 'recap' AND "
                    "id NOT LIKE '%:closing:%' ORDER BY id)";
  auto before = q(recap_rows);
  auto [again, out2] = process::run(args, std::chrono::seconds{300});
  INFO(out2.substr(out2.size() > 4000 ? out2.size() - 4000 : 0));
  CHECK(again == 0);
  CHECK(q("SELECT COUNT(*) FROM ab_assignments WHERE test_id = 'recap-hour'") == recaps);
  CHECK(q(recap_rows) == before);
}

TEST_CASE("a run across a Monday noon publishes the weekly analysis scorecard with its "
          "reliability diagram, once",
          "[acceptance][content][scorecard]") {
  sandbox box;
  // From Sunday 2023-11-19 00:00 UTC for 40 h: the signals of that Sunday
  // (the week of Monday the 13th) have resolved by Monday noon.
  auto args = box.run({"--candles", "2400", "--scanner.start-time=1700352000000"});
  auto [code, out] = process::run(args, std::chrono::seconds{300});
  INFO(out.substr(out.size() > 4000 ? out.size() - 4000 : 0));
  REQUIRE(code == 0);
  auto pages = box.files("scorecard-", ".html");
  REQUIRE(pages.size() == 1);
  auto stem = pages[0].substr(0, pages[0].size() - 5);
  CHECK(stem == "scorecard-1699833600000");
  auto md = slurp(box.dir / "site" / (stem + ".md"));
  INFO(md);
  for (auto s : {"| combined | ", "| momentum | ", "Brier", "resolved by 2023-11-20 12:00 UTC"})
    CHECK(md.find(s) != std::string::npos);
  // Every signal of Sunday the 19th (1,440 bars of three symbols) is scored.
  CHECK(md.find("resolved by 2023-11-20 12:00 UTC: 4320.") != std::string::npos);
  CHECK(slurp(box.dir / "site" / (stem + ".png")).substr(1, 3) == "PNG");
  CHECK(slurp(box.dir / "site" / pages[0]).find("<img src=\"" + stem + ".png\"") != std::string::npos);
  CHECK(slurp(box.dir / "site" / "index.html").find("Weekly analysis scorecard, week of 2023-11-13")
        != std::string::npos);
  auto db = (box.dir / "h.db").string();
  auto state = [&] {
    return herald::test::run_line("sqlite3 '" + db
                                  + "' \"SELECT state FROM content_plans WHERE kind = 'scorecard'\"");
  };
  CHECK(state() == "published");
  // Run on: the same week is not scored twice.
  auto [again, out2] = process::run(box.run({"--candles", "2500", "--scanner.start-time=1700352000000"}),
                                    std::chrono::seconds{300});
  CHECK(again == 0);
  CHECK(box.files("scorecard-", ".html").size() == 1);
  CHECK(state() == "published");
}

TEST_CASE("every piece of a long simulated run and of a real replay passes the fact check",
          "[acceptance][content][factcheck]") {
  struct run_case {
    const char* name;
    std::vector<std::string> extra;
  };
  std::vector<run_case> cases{{"simulated, 6000 candles", {"--candles", "6000"}}};
  auto day1 = std::string{HERALD_TEST_DATA_DIR} + "/binance_spot_1m_datavision/BTCUSDT-1m-2021-01-01.csv";
  auto day2 = std::string{HERALD_TEST_DATA_DIR} + "/binance_spot_1m_datavision/BTCUSDT-1m-2021-01-02.csv";
  if (fs::exists(day1) && fs::exists(day2))
    cases.push_back({"replay of two real days",
                     {"--scanner.source=replay", "--scanner.symbols=[\"BTCUSDT\"]",
                      "--scanner.files=[\"" + day1 + "\", \"" + day2 + "\"]",
                      "--analysis.symbols=[\"BTCUSDT\"]", "--candles", "2880"}});
  else
    WARN("SKIPPED the replay half: ../shared/data/market is absent");
  for (auto& c : cases) {
    INFO(c.name);
    sandbox box;
    auto [rc, out] = process::run(box.run(c.extra), std::chrono::seconds{300});
    INFO(out.substr(out.size() > 4000 ? out.size() - 4000 : 0));
    REQUIRE(rc == 0);
    CHECK(out.find("refused by the fact check") == std::string::npos);
    auto db = (box.dir / "h.db").string();
    auto count = [&](const std::string& where) {
      return std::stoi(herald::test::run_line("sqlite3 '" + db
                                              + "' \"SELECT COUNT(*) FROM content_plans WHERE "
                                              + where + "\""));
    };
    CHECK(count("state = 'published'") >= 3);
    CHECK(count("payload LIKE '%fact check%'") == 0);
    // No stand-in values: an RSI of exactly 50 or an ATR of 0% is what the
    // old facts invented for indicators that were not warm.
    for (auto& page : box.files("alert-", ".md")) {
      auto text = slurp(box.dir / "site" / page);
      INFO(page << "\n" << text);
      CHECK(text.find("| RSI | 50 |") == std::string::npos);
      CHECK(text.find("| ATR | 0% of the price |") == std::string::npos);
      CHECK(text.find("unknown") == std::string::npos);
    }
  }
}

TEST_CASE("an experiment's arms decide the published pieces' templates, once per piece",
          "[acceptance][content][learning]") {
  sandbox box;
  auto file = box.dir / "experiments.json";
  {
    std::ofstream out{file};
    out << R"([{"id":"alert-wording","type":"alert","channel":"articles","arms":["a","b"],
               "mode":"fixed","split":[1,1]}])";
  }
  auto [code, out] = process::run(box.run({"--learning.ab.experiments-file=" + file.string()}));
  INFO(out);
  REQUIRE(code == 0);
  auto db = (box.dir / "h.db").string();
  auto q = [&](const std::string& sql) {
    return herald::test::run_line("sqlite3 '" + db + "' \"" + sql + "\"");
  };
  // Every published alert on the articles channel was assigned, and used
  // the template of its arm; both arms were used.
  auto alerts = q("SELECT COUNT(*) FROM content_plans WHERE kind = 'alert' AND channel = "
                  "'articles' AND state = 'published'");
  REQUIRE(std::stoi(alerts) >= 4);
  CHECK(q("SELECT COUNT(*) FROM ab_assignments a JOIN content_plans p ON p.id = a.unit WHERE "
          "p.state = 'published'")
        == alerts);
  CHECK(q("SELECT COUNT(*) FROM ab_assignments a JOIN content_plans p ON p.id = a.unit WHERE "
          "json_extract(p.payload, '$.variant') <> a.arm")
        == "0");
  CHECK(q("SELECT COUNT(DISTINCT arm) FROM ab_assignments") == "2");
  CHECK(q("SELECT COUNT(*) FROM ab_assignments WHERE unit NOT LIKE 'alert:%@articles'") == "0");

  // The same run again: no unit assigned twice, no arm changed.
  auto before = q("SELECT group_concat(unit || '=' || arm, ',') FROM (SELECT unit, arm FROM "
                  "ab_assignments ORDER BY unit)");
  auto [again, out2] = process::run(box.run({"--learning.ab.experiments-file=" + file.string()}));
  INFO(out2);
  CHECK(again == 0);
  CHECK(q("SELECT group_concat(unit || '=' || arm, ',') FROM (SELECT unit, arm FROM "
          "ab_assignments ORDER BY unit)")
        == before);

  // An arm without a template is refused before anything starts.
  {
    std::ofstream out{file};
    out << R"([{"id":"bad","type":"alert","channel":"discord","arms":["a","b"]}])";
  }
  auto [bad, out3] = process::run(box.run({"--learning.ab.experiments-file=" + file.string()}));
  CHECK(bad != 0);
  CHECK(out3.find("arm 'b' is not a template variant of alert on discord") != std::string::npos);
}
