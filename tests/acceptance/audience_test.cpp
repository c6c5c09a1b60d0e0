// The audience agents in a bounded `herald run` (issue 18) on a replay of
// real candles, with local servers speaking X, Telegram and Discord (both
// the publishing calls and what the listeners and the analytics read):
// replies are sent or skipped by rule, every piece gets its metrics
// snapshot, the weekly report is repurposed into a thread and a summary,
// every resolved alert gets an outcome post whose numbers are the candles',
// and the closing track record equals what `herald backtest` reports for
// the same alerts.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/backends.hpp"
#include "support/herald_node.hpp"
#include "support/inbound_double.hpp"
#include "support/process.hpp"
#include "support/publish_double.hpp"

using herald::test::inbound_double;
using herald::test::process;
using herald::test::publish_double;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

std::vector<std::string> week_files() {
  std::vector<std::string> out;
  for (int d = 1; d <= 7; ++d)
    out.push_back(std::string{HERALD_TEST_DATA_DIR} + "/binance_spot_1m_datavision/BTCUSDT-1m-2021-01-0"
                  + std::to_string(d) + ".csv");
  return out;
}

/// open time -> close, from data.vision CSV files.
std::map<std::int64_t, double> closes(const std::vector<std::string>& files) {
  std::map<std::int64_t, double> out;
  for (auto& f : files) {
    std::ifstream in{f};
    std::string line;
    while (std::getline(in, line)) {
      std::vector<std::string> cells;
      std::stringstream ss{line};
      std::string c;
      while (std::getline(ss, c, ','))
        cells.push_back(c);
      if (cells.size() >= 5 && std::isdigit(static_cast<unsigned char>(cells[0][0])))
        out[std::stoll(cells[0])] = std::stod(cells[4]);
    }
  }
  return out;
}

std::int64_t utc_ms(const std::string& ymd_hm) { // "2021-01-02 03:04"
  std::tm tm{};
  std::istringstream in{ymd_hm};
  in >> std::get_time(&tm, "%Y-%m-%d %H:%M");
  return static_cast<std::int64_t>(timegm(&tm)) * 1000;
}

std::string sql(const fs::path& db, const std::string& q) {
  return herald::test::run_line("sqlite3 '" + db.string() + "' \"" + q + "\"");
}

} // namespace

TEST_CASE("a bounded run answers, measures, repurposes and keeps an honest track record",
          "[acceptance][community][audience]") {
  auto files = week_files();
  for (auto& f : files)
    if (!fs::exists(f)) {
      WARN("SKIPPED: ../shared/data/market is absent (" << f << ")");
      return;
    }
  publish_double pub{"77:T0KEN", "XTOKEN"};
  inbound_double in;
  in.tg_token = "77:T0KEN";
  in.add(inbound_double::mention{"101", "5", "alice", "@heraldbot what is your view on BTC?"});
  in.add(inbound_double::mention{"102", "6", "mallory", "@heraldbot BTC?"});
  inbound_double::tg_message bot{-100123, 7, 9, "otherbot", "@heraldbot BTC now?"};
  bot.is_bot = true;
  in.add(bot);
  inbound_double::dc_message thanks;
  thanks.id = "1100000000000000001";
  thanks.author_id = "8";
  thanks.username = "carol";
  thanks.content = "<@555> thanks for the BTC levels!";
  thanks.mentions_us = true;
  in.add(thanks);

  auto dir = fs::temp_directory_path() / ("herald-audience-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream{dir / "secrets.env"} << "HERALD_TELEGRAM_TOKEN=77:T0KEN\nHERALD_X_TOKEN=XTOKEN\n"
                                        "HERALD_DISCORD_WEBHOOK=/api/webhooks/1/abc\n"
                                        "HERALD_DISCORD_BOT_TOKEN=BOTTOKEN\n";
  std::string list;
  for (auto& f : files)
    list += (list.empty() ? "" : ",") + ("\"" + f + "\"");
  // what the strategist decides with: the same for the run and the backtest
  std::vector<std::string> market{"--config", herald::test::shipped_conf,
                                  "--secrets.env-file=" + (dir / "secrets.env").string(),
                                  "--hub.resample-to=[]", "--analysis.symbols=[\"BTCUSDT\"]"};
  for (std::string ch : {"articles", "telegram", "discord", "x"}) {
    auto p = "--publish." + ch + ".";
    market.insert(market.end(), {p + "enabled=true", p + "per-hour=0", p + "per-day=0",
                                 p + "rate-per-minute=100000", p + "burst=1000"});
    if (ch != "articles")
      market.push_back(p + "url=" + pub.url());
  }
  market.push_back("--publish.telegram.chat-id=@herald");
  std::vector<std::string> run{herald::test::herald_bin, "run"};
  run.insert(run.end(), market.begin(), market.end());
  run.insert(run.end(),
             {"--candles", "10080", "--scanner.source=replay", "--scanner.symbols=[\"BTCUSDT\"]",
              "--scanner.files=[" + list + "]", "--http.port=0", "--inspector.port=0",
              "--db.url=sqlite://" + (dir / "h.db").string(),
              "--publish.articles.dir=" + (dir / "site").string(),
              "--content.chart-dir=" + (dir / "charts").string(),
              "--http.token-file=" + (dir / "token").string(),
              "--community.x.enabled=true", "--community.x.url=" + in.url(),
              "--community.x.user-id=1000", "--community.telegram.enabled=true",
              "--community.telegram.url=" + in.url(), "--community.telegram.username=heraldbot",
              "--community.telegram.long-poll=0s", "--community.discord.enabled=true",
              "--community.discord.url=" + in.url(), "--community.discord.bot-id=555",
              "--community.discord.channels=[\"42\"]", "--engagement.blocklist=[\"x:@mallory\"]",
              "--analytics.snapshots=[\"1ms\"]", "--track-record.horizon=10"});
  auto [rc, out] = process::run(run, std::chrono::seconds{600});
  INFO(out.substr(out.size() > 6000 ? out.size() - 6000 : 0));
  REQUIRE(rc == 0);
  auto db = dir / "h.db";

  // -- the summary says what was answered, skipped (by rule) and published
  auto summary = out.substr(out.find("herald run: community:"));
  CHECK(summary.find("replies   answered: sent 2") != std::string::npos);
  CHECK(summary.find("blocklist 1") != std::string::npos);
  CHECK(summary.find("bot 1") != std::string::npos);
  CHECK(out.find("herald run: content published with the community pieces:") != std::string::npos);
  CHECK(out.find("failed 1") == std::string::npos); // X refused no duplicate
  auto replies = in.replies();
  REQUIRE(replies.size() == 2);
  std::map<std::string, std::string> by_platform;
  for (auto& r : replies)
    by_platform[r.platform] = r.text;
  CHECK(by_platform["x"].find("BTCUSDT") != std::string::npos); // facts of the tracked symbol
  CHECK(by_platform.count("discord") == 1);

  // -- every piece published before the last snapshot pass has its snapshot
  // (one published in that pass's millisecond is not due yet), with the
  // formula stored
  CHECK(sql(db, "SELECT COUNT(*) FROM published_content p WHERE p.published_at < (SELECT "
                "MAX(taken_at) FROM post_metrics) AND NOT EXISTS (SELECT 1 FROM post_metrics m "
                "WHERE m.post_id = p.id AND m.channel = p.channel)")
        == "0");
  CHECK(std::stoi(sql(db, "SELECT COUNT(*) FROM post_metrics")) > 100);
  CHECK(std::stoi(sql(db, "SELECT COUNT(*) FROM post_metrics WHERE channel='x' AND status='ok' "
                          "AND impressions = 100 AND engagements = 5")) > 10);
  CHECK(sql(db, "SELECT DISTINCT formula FROM post_metrics WHERE channel='x'")
        == "engagements = likes + replies + reposts + quotes + bookmarks; rate = engagements / "
           "impressions");
  CHECK(std::stoi(sql(db, "SELECT COUNT(*) FROM post_metrics WHERE channel='discord' AND "
                          "engagements = 2")) > 10);

  // -- the report repurposed into a thread and a summary, with its lineage
  CHECK(sql(db, "SELECT COUNT(*) FROM content_plans WHERE id LIKE 'repurposed:thread:report:%@x' "
                "AND state='published' AND json_extract(payload, '$.lineage') LIKE 'report:%'")
        != "0");
  CHECK(sql(db, "SELECT COUNT(*) FROM content_plans WHERE id LIKE 'repurposed:summary:%@discord' "
                "AND state='published'")
        != "0");
  CHECK(sql(db, "SELECT COUNT(*) FROM content_plans WHERE kind='followup' AND state='published' "
                "AND json_extract(payload, '$.lineage') LIKE 'alert:%'")
        != "0");
  bool thread_seen = false;
  for (auto& r : pub.received("x"))
    if (herald::test::text_of(r).find("one post each") != std::string::npos)
      thread_seen = true;
  CHECK(thread_seen);

  // -- outcome posts: every number is the candles'
  auto bars = closes(files);
  std::regex outcome{R"(called (LONG|SHORT) BTCUSDT \(1m\) at ([0-9.]+) on ([0-9-]+ [0-9:]+) UTC\. )"
                     R"(After 10 bars of 1m: ([0-9.]+), ([-+0-9.]+)% for the market, ([-+0-9.]+)% )"
                     R"(for the call: (hit|miss)\.)"};
  int outcomes = 0;
  for (auto& r : pub.received("x")) {
    auto text = herald::test::text_of(r);
    std::smatch m;
    if (!std::regex_search(text, m, outcome))
      continue;
    ++outcomes;
    INFO(text);
    auto t = utc_ms(m[3]);
    REQUIRE(bars.count(t));
    auto it = bars.find(t);
    CHECK(std::stod(m[2]) == Approx(it->second).epsilon(1e-6));
    std::advance(it, 10);
    REQUIRE(it != bars.end());
    CHECK(std::stod(m[4]) == Approx(it->second).epsilon(1e-6));
    auto ret = it->second / bars.at(t) - 1;
    CHECK(std::stod(m[5]) == Approx(100 * ret).margin(0.006));
    int dir = m[1] == "LONG" ? 1 : -1;
    CHECK((m[7] == "hit") == (dir * ret > 0));
  }
  CHECK(outcomes > 5);
  CHECK(std::to_string(outcomes)
        == sql(db, "SELECT COUNT(*) FROM content_plans WHERE kind='outcome' AND channel='x' AND "
                   "state='published'"));

  // -- the closing track record equals herald backtest on the same candles
  std::vector<std::string> bt{herald::test::herald_bin, "backtest"};
  bt.insert(bt.end(), market.begin(), market.end());
  bt.insert(bt.end(), {"--horizon", "10", "--json", (dir / "bt.json").string()});
  bt.insert(bt.end(), files.begin(), files.end());
  auto [brc, bout] = process::run(bt, std::chrono::seconds{600});
  INFO(bout.substr(bout.size() > 3000 ? bout.size() - 3000 : 0));
  REQUIRE(brc == 0);
  auto report = json::parse(std::ifstream{dir / "bt.json"});
  auto& hr = report["alerts"]["hit_rate"];
  CHECK(hr["n"].get<int>() == outcomes);
  fs::path article;
  for (auto& e : fs::directory_iterator(dir / "site"))
    if (e.path().filename().string().rfind("track-record-closing-", 0) == 0
        && e.path().extension() == ".md")
      article = e.path();
  REQUIRE(!article.empty());
  std::ifstream a{article};
  std::string md{std::istreambuf_iterator<char>{a}, {}};
  char want[160];
  std::snprintf(want, sizeof want, "Hit rate: %d of %d = %.2f%%, 95%% interval [%.2f%%, %.2f%%]",
                hr["hits"].get<int>(), hr["n"].get<int>(), 100 * hr["rate"].get<double>(),
                100 * hr["ci95"][0].get<double>(), 100 * hr["ci95"][1].get<double>());
  INFO(md);
  CHECK(md.find(want) != std::string::npos);
  if (hr["chance_like"].get<bool>())
    CHECK(md.find("does not show skill") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("the site server counts article page views for the analytics", "[acceptance][community][audience]") {
  herald::test::node n{};
  fs::create_directories(n.dir / "site");
  std::ofstream{n.dir / "site" / "report-2026-w49.html"} << "<html><body>report</body></html>";
  std::ofstream{n.dir / "site" / "index.html"} << "<html><body>index</body></html>";
  auto c = n.client();
  for (int i = 0; i < 3; ++i) {
    auto r = c.Get("/site/report-2026-w49.html");
    REQUIRE(r);
    CHECK(r->status == 200);
  }
  CHECK(c.Get("/site/index.html")->status == 200);        // the index is not an article
  CHECK(c.Get("/site/missing.html")->status == 404);      // nothing served, nothing counted
  CHECK(c.Head("/site/report-2026-w49.html")->status == 200); // HEAD is not a view
  CHECK(sql(n.dir / "h.db", "SELECT COALESCE(SUM(views), 0) FROM page_views WHERE "
                            "page='report-2026-w49.html'")
        == "3");
  CHECK(sql(n.dir / "h.db", "SELECT COUNT(*) FROM page_views WHERE page <> "
                            "'report-2026-w49.html'")
        == "0");
}
