// Crash-only, as a user would check it: a run whose agents are killed at
// random stores exactly what an undisturbed run stores, row for row; a
// process killed with SIGKILL again and again and restarted loses nothing
// and publishes nothing twice.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <pugixml.hpp>

#include "support/backends.hpp"
#include "support/market_data.hpp"
#include "support/process.hpp"

using herald::test::process;
namespace fs = std::filesystem;

namespace {

const std::string herald_bin = HERALD_BINARY;
const std::string shipped_conf = std::string{HERALD_SOURCE_DIR} + "/config/caf-application.conf";

struct box {
  fs::path dir;
  explicit box(const std::string& name) {
    dir = fs::temp_directory_path()
          / ("herald-chaos-" + name + "-" + std::to_string(::getpid()) + "-"
             + std::to_string(std::rand()));
    fs::create_directories(dir);
  }
  ~box() { fs::remove_all(dir); }
  std::string db() const { return (dir / "h.db").string(); }
  std::vector<std::string> run(std::vector<std::string> extra) const {
    std::vector<std::string> argv{herald_bin,
                                  "run",
                                  "--config",
                                  shipped_conf,
                                  "--http.port=0",
                                  "--inspector.port=0",
                                  "--db.url=sqlite://" + db(),
                                  "--publish.articles.dir=" + (dir / "site").string(),
                                  "--content.chart-dir=" + (dir / "charts").string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }
};

/// Every line `sqlite3` prints for a query.
std::vector<std::string> rows(const std::string& db, const std::string& sql) {
  return herald::test::output_lines("sqlite3 '" + db + "' \"" + sql + "\"");
}

/// What a run stored, per table, without the columns that record when a
/// row was written or how long a computation took (wall-clock facts).
std::map<std::string, std::vector<std::string>> stored(const std::string& db,
                                                       const fs::path& dir) {
  std::map<std::string, std::vector<std::string>> t;
  t["market_data"] = rows(db, "SELECT symbol, interval, open_time, open, high, low, close, "
                              "volume, trades FROM market_data ORDER BY 1, 2, 3");
  t["analysis_results"] = rows(db, "SELECT symbol, interval, open_time, analyzer, score, "
                                   "confidence, payload FROM analysis_results ORDER BY 1, 2, 3, 4");
  t["signals"] = rows(db, "SELECT id, open_time, direction, score, confidence, payload, "
                          "created_at_ms FROM signals ORDER BY id");
  t["insights"] = rows(db, "SELECT id, signal_id, kind, title, body, importance, payload, "
                           "created_at_ms FROM insights ORDER BY id");
  // Published pieces: the text and where they went (the run's own directory
  // is named differently in each run).
  auto plans = rows(db, "SELECT id, kind, channel, state, scheduled_at, "
                        "json_extract(payload, '$.title'), json_extract(payload, '$.markdown'), "
                        "json_extract(payload, '$.variant') FROM content_plans ORDER BY id");
  for (auto& p : plans) {
    auto at = p.find(dir.string());
    if (at != std::string::npos)
      p.replace(at, dir.string().size(), "<dir>");
  }
  t["content_plans"] = plans;
  return t;
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++n;
  return n;
}

void same_rows(const std::vector<std::string>& want, const std::vector<std::string>& got,
               const std::string& table) {
  INFO(table << ": " << want.size() << " rows undisturbed, " << got.size() << " under chaos");
  CHECK(want.size() == got.size());
  for (std::size_t i = 0; i < std::min(want.size(), got.size()); ++i)
    if (want[i] != got[i]) {
      INFO("first difference at row " << i << "\nundisturbed: " << want[i].substr(0, 600)
                                      << "\nunder chaos: " << got[i].substr(0, 600));
      CHECK(want[i] == got[i]);
      return;
    }
}

} // namespace

TEST_CASE("chaos on every worker changes no stored row of candles analysis signals "
          "insights or published pieces",
          "[acceptance][chaos]") {
  HERALD_REQUIRE_MARKET_DATA();
  auto d1 = herald::test::market_data("binance_spot_1m_datavision/BTCUSDT-1m-2021-01-01.csv");
  auto d2 = herald::test::market_data("binance_spot_1m_datavision/BTCUSDT-1m-2021-01-02.csv");
  // Two real days, paced at 60,000x (about 3 s of input) so that the chaos
  // agent has time to kill; the hub keeps the whole history so that a
  // restarted analyzer rebuilds exactly (docs/architecture.md, determinism).
  std::vector<std::string> input{"--scanner.source=replay",
                                 "--scanner.symbols=[\"BTCUSDT\"]",
                                 "--scanner.files=[\"" + d1 + "\", \"" + d2 + "\"]",
                                 "--scanner.speed=60000",
                                 "--analysis.symbols=[\"BTCUSDT\"]",
                                 "--hub.depth=5000",
                                 "--candles",
                                 "2880"};
  box calm{"calm"}, wild{"wild"};
  auto [rc1, out1] = process::run(calm.run(input), std::chrono::seconds{300});
  INFO(out1.substr(out1.size() > 3000 ? out1.size() - 3000 : 0));
  REQUIRE(rc1 == 0);
  // The default supervision settings; every agent but the supervisors and
  // the chaos agent itself may be chosen.
  auto chaos = input;
  chaos.insert(chaos.end(), {"--chaos.kill-rate=50", "--chaos.kill-pattern=*", "--chaos.seed=7"});
  auto [rc2, out2] = process::run(wild.run(chaos), std::chrono::seconds{300});
  auto kills = count(out2, "chaos: killing");
  INFO(out2.substr(out2.size() > 3000 ? out2.size() - 3000 : 0));
  REQUIRE(rc2 == 0);
  WARN("chaos: " << kills << " agents killed at 50 kills/s, "
                 << count(out2, "chaos: killing 'data.") << " of them data agents, "
                 << count(out2, "chaos: killing 'analysis.") << " analysis, "
                 << count(out2, "chaos: killing 'content.") << " content");
  CHECK(kills >= 50);
  CHECK(count(out2, "chaos: killing 'data.") > 0);
  CHECK(count(out2, "chaos: killing 'analysis.risk'") + count(out2, "chaos: killing 'analysis.pipeline'") > 0);
  CHECK(count(out2, "chaos: killing 'content.") > 0);
  auto want = stored(calm.db(), calm.dir);
  auto got = stored(wild.db(), wild.dir);
  REQUIRE(want["signals"].size() == 2880);
  REQUIRE(!want["content_plans"].empty());
  for (auto& [table, rs] : want)
    same_rows(rs, got[table], table);
}

TEST_CASE("killing the hub scanner and persistence again and again stores what an "
          "undisturbed run stores",
          "[acceptance][chaos][hub]") {
  // A restarted hub rebuilds from the database and the scanner resumes after
  // its position: nothing is replayed from the first candle, nothing lost.
  std::vector<std::string> input{"--scanner.start-time=1700000000000", "--scanner.speed=30000",
                                 "--candles", "2000", "--content.enabled=false"};
  box calm{"calm"}, hit{"hubkill"};
  auto [rc1, out1] = process::run(calm.run(input), std::chrono::seconds{300});
  INFO(out1.substr(out1.size() > 3000 ? out1.size() - 3000 : 0));
  REQUIRE(rc1 == 0);
  auto chaos = input;
  chaos.insert(chaos.end(),
               {"--chaos.kill-rate=10", "--chaos.kill-pattern=data.*", "--chaos.seed=11"});
  auto [rc2, out2] = process::run(hit.run(chaos), std::chrono::seconds{300});
  INFO(out2.substr(out2.size() > 3000 ? out2.size() - 3000 : 0));
  REQUIRE(rc2 == 0);
  auto hub_kills = count(out2, "chaos: killing 'data.hub'");
  WARN("data agents killed: " << count(out2, "chaos: killing") << ", the hub " << hub_kills
                              << " times");
  CHECK(hub_kills >= 3);
  auto want = stored(calm.db(), calm.dir);
  auto got = stored(hit.db(), hit.dir);
  REQUIRE(want["signals"].size() == 6000);
  for (auto& table : {"market_data", "analysis_results", "signals", "insights"})
    same_rows(want[table], got[table], table);
}

TEST_CASE("SIGKILL at ten points of a bounded run and a restart each time lose nothing "
          "and publish nothing twice",
          "[acceptance][chaos][sigkill]") {
  // The simulated market (fixed start): deterministic, with headlines.
  std::vector<std::string> input{"--scanner.start-time=1700000000000", "--scanner.speed=20000",
                                 "--candles", "3000"};
  box calm{"calm"}, hit{"hit"};
  auto [rc0, out0] = process::run(calm.run(input), std::chrono::seconds{300});
  INFO(out0.substr(out0.size() > 3000 ? out0.size() - 3000 : 0));
  REQUIRE(rc0 == 0);
  // Ten kills: as soon as the tree is up (while the pipeline rewinds and the
  // strategist catches up), and right after an incarnation published a piece.
  int killed = 0;
  for (int i = 0; i < 10; ++i) {
    process p{hit.run(input)};
    bool reached = p.wait_output(i % 2 == 0 ? "herald running" : "published ",
                                 std::chrono::seconds{60});
    if (!reached && p.wait_exit(std::chrono::milliseconds{1}) == 0)
      break; // this incarnation had nothing left to do
    p.signal(SIGKILL);
    p.wait_exit(std::chrono::seconds{30});
    ++killed;
  }
  CHECK(killed >= 5);
  auto [rc, out] = process::run(hit.run(input), std::chrono::seconds{300});
  INFO(out.substr(out.size() > 3000 ? out.size() - 3000 : 0));
  REQUIRE(rc == 0);
  WARN("SIGKILL: " << killed << " kills, then a run to the end");
  auto want = stored(calm.db(), calm.dir);
  auto got = stored(hit.db(), hit.dir);
  REQUIRE(want["signals"].size() == 9000);
  for (auto& table : {"market_data", "signals", "insights", "content_plans"})
    same_rows(want[table], got[table], table);
  // The site: one page per published piece, the feed lists each once.
  auto published = rows(hit.db(), "SELECT json_extract(payload, '$.url') FROM content_plans "
                                  "WHERE state = 'published' AND channel = 'articles'");
  std::set<std::string> links;
  pugi::xml_document feed;
  REQUIRE(feed.load_file((hit.dir / "site" / "feed.xml").c_str()));
  std::size_t items = 0;
  for (auto& item : feed.child("rss").child("channel").children("item")) {
    ++items;
    links.insert(item.child_value("link"));
  }
  CHECK(items == links.size()); // no item twice
  for (auto& url : published) {
    auto name = url.substr(url.rfind('/') + 1);
    CHECK(fs::exists(hit.dir / "site" / name));
  }
}

TEST_CASE("a full-speed run stores every signal result and insight even through a small "
          "persistence queue",
          "[acceptance][chaos][persistence]") {
  // As fast as the machine goes, the risk agent's ordered write stream runs
  // far ahead of the database; with a queue of 3000 records most writes are
  // refused at first and sent again in smaller pieces. Nothing may be lost.
  for (auto capacity : {"100000", "3000"}) {
    INFO("db.queue-capacity=" << capacity);
    box b{"fast"};
    auto [rc, out] = process::run(b.run({"--scanner.start-time=1700000000000", "--candles", "4000",
                                         "--content.enabled=false",
                                         std::string{"--db.queue-capacity="} + capacity}),
                                  std::chrono::seconds{300});
    INFO(out.substr(out.size() > 3000 ? out.size() - 3000 : 0));
    REQUIRE(rc == 0);
    auto n = [&](const char* table) {
      return std::stoul(rows(b.db(), std::string{"SELECT COUNT(*) FROM "} + table).at(0));
    };
    CHECK(n("signals") == 12000);          // 3 series x 4000 candles
    CHECK(n("analysis_results") == 96000); // x 8 analyzers
    CHECK(n("insights") > 0);
    CHECK(rows(b.db(), "SELECT COUNT(*) FROM insights WHERE signal_id NOT IN "
                       "(SELECT id FROM signals)")
            .at(0)
          == "0");
  }
}

TEST_CASE("a stop during a database outage spills what it could not write and the next "
          "start writes it",
          "[acceptance][chaos][outage]") {
  if (!herald::test::pg_available()) {
    WARN("SKIPPED: PostgreSQL is not running (start the tests through ctest)");
    return;
  }
  auto url = herald::test::run_line(herald::test::pg_script() + " newdb " HERALD_TEST_PG_DIR);
  REQUIRE(!url.empty());
  std::string admin;
  {
    std::ifstream in{std::string{HERALD_TEST_PG_DIR} + "/url"};
    std::getline(in, admin);
  }
  auto dbname = url.substr(url.rfind('/') + 1);
  auto psql = [&](const std::string& sql) {
    return std::system(("psql -q '" + admin + "' -c \"" + sql + "\" >/dev/null 2>&1").c_str());
  };
  box b{"outage"};
  auto spill = (b.dir / "unwritten.spill").string();
  std::vector<std::string> argv{herald_bin, "run", "--config", shipped_conf, "--http.port=0",
                                "--inspector.port=0", "--db.url=" + url,
                                "--db.spill-file=" + spill, "--db.shutdown-flush-timeout=2s",
                                "--db.retry-max=500ms", "--scanner.speed=600",
                                "--publish.articles.dir=" + (b.dir / "site").string(),
                                "--content.chart-dir=" + (b.dir / "charts").string()};
  {
    process p{argv};
    REQUIRE(p.wait_output("analysing SOLUSDT 1m", std::chrono::seconds{60}));
    // The database goes away: no new connections, the open ones cut.
    REQUIRE(psql("ALTER DATABASE " + dbname + " ALLOW_CONNECTIONS false") == 0);
    REQUIRE(psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"
                 + dbname + "'")
            == 0);
    REQUIRE(p.wait_output("database unavailable", std::chrono::seconds{60}));
    p.signal(SIGTERM);
    auto code = p.wait_exit(std::chrono::seconds{60});
    auto out = p.output();
    INFO(out.substr(out.size() > 4000 ? out.size() - 4000 : 0));
    CHECK(code == 1); // not a clean stop: records are waiting in the spill file
    auto at = out.find(" accepted records were saved to " + spill);
    REQUIRE(at != std::string::npos);
    auto from = out.rfind(' ', at - 1) + 1;
    auto spilled = std::stol(out.substr(from, at - from));
    WARN("spilled at the stop: " << spilled << " records");
    CHECK(spilled > 0);
    CHECK(out.find("exit code 1") != std::string::npos);
    CHECK(fs::exists(spill));
  }
  REQUIRE(psql("ALTER DATABASE " + dbname + " ALLOW_CONNECTIONS true") == 0);
  // The next start writes the spilled records first and removes the file.
  auto again = argv;
  again.insert(again.end(), {"--candles", "1", "--analysis.enabled=false",
                             "--content.enabled=false"});
  auto [rc, out] = process::run(again, std::chrono::seconds{120});
  INFO(out.substr(out.size() > 4000 ? out.size() - 4000 : 0));
  CHECK(rc == 0);
  CHECK(out.find("an earlier run could not write are written first") != std::string::npos);
  CHECK(out.find("the file is removed") != std::string::npos);
  CHECK_FALSE(fs::exists(spill));
  // Nothing lost: every simulated series is contiguous from its first bar
  // to its last (a record lost at the stop would leave a hole).
  for (auto sym : {"BTCUSDT", "ETHUSDT", "SOLUSDT"}) {
    INFO(sym);
    auto line = herald::test::run_line(
      "psql -tA '" + url + "' -c \"SELECT COUNT(*), (MAX(open_time) - MIN(open_time)) / 60000 + 1 "
      "FROM market_data WHERE symbol = '" + sym + "' AND interval = '1m'\"");
    auto bar = line.find('|');
    REQUIRE(bar != std::string::npos);
    CHECK(std::stol(line.substr(0, bar)) > 0);
    CHECK(line.substr(0, bar) == line.substr(bar + 1));
  }
}
