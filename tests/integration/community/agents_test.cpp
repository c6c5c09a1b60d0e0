// The analytics, track-record and repurposing agents in an actor system on
// an injected clock (Monday 2026-12-07 10:00 UTC), with a stand-in
// publisher that records what it is handed in the ledger as the real one
// does: the week before's performance article (with its chart), its
// track-record article, the alert's outcome post, the report's thread and
// summary and the best alert's follow-up each arrive once, also after every
// agent is killed and started again.
#include <catch2/catch.hpp>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include "actors/community/analytics.hpp"
#include "actors/community/repurpose.hpp"
#include "actors/community/track_record.hpp"
#include "actors/content/content.hpp"
#include "config/loader.hpp"
#include "content/ledger.hpp"
#include "support/event_log.hpp"
#include "support/sqlite_file.hpp"

using namespace herald;
using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {

constexpr std::int64_t monday = 1796601600000;          // 2026-12-07 00:00 UTC
constexpr std::int64_t now = monday + 10 * 3'600'000;    // 10:00
constexpr std::int64_t call_at = monday - 5 * 86'400'000 + 12 * 3'600'000; // Wed 12:00 before
const std::string alert = "alert:BTCUSDT:1m:" + std::to_string(call_at);

struct pieces {
  test::event_log ids;
  std::mutex mtx;
  std::map<std::string, content_piece> by_id;
};

/// Records every piece in the ledger (published), as content.publisher would.
content_actors::publisher_actor::behavior_type
stand_in(content_actors::publisher_actor::pointer, std::shared_ptr<pieces> got,
         std::shared_ptr<db::storage> store) {
  return {
    [got, store](content_piece& p) {
      content::ledger l{store};
      if (!l.find(p.id)) {
        content::piece_record r;
        r.id = p.id;
        r.piece = p.piece;
        r.type = p.type;
        r.channel = p.channel;
        r.state = content::state::published;
        r.parts = p.parts;
        r.markdown = p.markdown;
        r.lineage = p.lineage;
        l.save(r);
        std::lock_guard<std::mutex> g{got->mtx};
        got->by_id[p.id] = p;
      }
      got->ids.add(p.id); // every arrival counts: the agents must not send twice
    },
    [](publish_result&) {},
    [](drain_atom) { return std::vector<channel_tally>{}; },
    [](stats_atom) { return std::vector<channel_tally>{}; },
    [](caf::tick_atom) {},
  };
}

void seed(db::storage& s) {
  db::write_batch b;
  for (int i = 0; i <= 30; ++i) {
    candle c;
    c.symbol = "BTCUSDT";
    c.interval = "1m";
    c.open_time = call_at + i * 60'000;
    c.open = c.high = c.low = c.close = 100 + i; // rises: a long call hits
    c.high += 1;
    c.close_time = c.open_time + 59'999;
    b.candles.push_back(c);
  }
  db::insight_record in;
  in.id = "insight:BTCUSDT:1m:" + std::to_string(call_at);
  // signal_id stays empty: no signals row here (its foreign key)
  in.symbol = "BTCUSDT";
  in.kind = "signal_approved";
  in.payload_json = R"({"direction":"long","price":100.0,"approved":true,"confidence":70})";
  in.created_at = call_at;
  b.insights.push_back(in);
  const std::string report_md =
    "# Weekly research report, week to 2026-12-06\n\n## Summary\n\n| Symbol | Interval | Last | "
    "Change | Trend over the change's window | Regime | RSI | Latest signal |\n|---|---|---|---|"
    "---|---|---|---|\n| BTCUSDT | 1m | 130.00 | +3.00% in 24 h | up | normal | 61.0 | long (70) |\n";
  auto plan = [&](const std::string& piece, const std::string& type, const std::string& ch,
                  const std::string& md) {
    content::piece_record r;
    r.id = piece + "@" + ch;
    r.piece = piece;
    r.type = type;
    r.channel = ch;
    r.state = content::state::published;
    r.scheduled_at = call_at;
    r.insight_id = type == "alert" ? in.id : "";
    r.title = type == "report" ? "Weekly research report, week to 2026-12-06" : "BTCUSDT signal";
    r.markdown = md;
    r.parts = {md.empty() ? "BTCUSDT long at 100" : md};
    r.url = "https://herald.example/site/" + piece + ".html";
    b.plans.push_back(r.to_row());
    b.posts.push_back({piece, r.id, ch, ch == "x" ? "1445880548472328200" : "slug", r.url,
                       r.parts.front(), "{}", call_at});
  };
  plan(alert, "alert", "x", "");
  plan(alert, "alert", "articles", "");
  plan("report:2026-12-06", "report", "articles", report_md);
  s.write(b);
  db::metric_snapshot m;
  m.post_id = alert;
  m.channel = "x";
  m.offset_ms = 3'600'000;
  m.due_at = m.taken_at = call_at + 3'600'000;
  m.status = "ok";
  m.impressions = 300;
  m.engagements = 9;
  m.rate = 0.03;
  m.formula = "engagements / impressions";
  m.kind = "alert";
  m.symbol = "BTCUSDT";
  m.published_at = call_at;
  REQUIRE(s.write_snapshot(m));
}

} // namespace

TEST_CASE("the analytics, track-record and repurposing agents hand each weekly piece over once",
          "[community][agents]") {
  test::sqlite_file db{"herald-agents"};
  seed(*db.store);
  auto clock = [] { return now; };
  community_actors::community_options o;
  o.storage = db.store;
  o.analytics.enabled = true;
  o.analytics.articles = true;
  o.analytics.report_weekday = 1;
  o.analytics.report_minute = 9 * 60;
  o.analytics.settings.offsets_ms = {3'600'000};
  o.analytics.clock = clock;
  o.track_record.enabled = true;
  o.track_record.articles = true;
  o.track_record.horizon = 10;
  o.track_record.report_weekday = 1;
  o.track_record.report_minute = 9 * 60;
  o.track_record.clock = clock;
  o.repurpose.enabled = true;
  o.repurpose.channels = {"x", "telegram"};
  o.repurpose.clock = clock;
  auto opts = std::make_shared<const community_actors::community_options>(o);

  config::herald_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  auto dir = std::make_shared<supervision::agent_directory>();
  auto got = std::make_shared<pieces>();
  auto pub = sys.spawn(stand_in, got, db.store);
  dir->started("content.publisher", pub.address(), false);
  auto start = [&] {
    return std::make_tuple(community_actors::spawn_analytics(self.ptr(), opts, dir),
                           community_actors::spawn_track_record(self.ptr(), opts, dir),
                           community_actors::spawn_repurpose(self.ptr(), opts, dir));
  };
  auto [an, tr, rp] = start();
  const std::vector<std::string> want{
    "performance:2026-11-30@articles",        "track_record:2026-11-30@articles",
    "outcome:" + alert + "@x",                "repurposed:thread:report:2026-12-06@x",
    "repurposed:summary:report:2026-12-06@x", "repurposed:thread:report:2026-12-06@telegram",
    "repurposed:summary:report:2026-12-06@telegram", "followup:2026-11-30@x"};
  CHECK(got->ids.wait_for(
    [&](const std::vector<std::string>& es) {
      return std::all_of(want.begin(), want.end(), [&](auto& w) {
        return std::find(es.begin(), es.end(), w) != es.end();
      });
    },
    30s));
  INFO([&] {
    std::string all;
    for (auto& e : got->ids.events())
      all += e + "\n";
    return all;
  }());
  {
    std::lock_guard<std::mutex> g{got->mtx};
    auto& perf = got->by_id["performance:2026-11-30@articles"];
    CHECK(perf.type == "performance");
    CHECK(perf.chart_png.substr(1, 3) == "PNG");
    CHECK(perf.markdown.find("| x | 1 | 300 | 9 | 3.00% |") != std::string::npos);
    auto& track = got->by_id["track_record:2026-11-30@articles"];
    CHECK(track.markdown.find("Hit rate: 1 of 1") != std::string::npos);
    CHECK(track.markdown.find("does not show skill") != std::string::npos); // 1 of 1 proves nothing
    auto& outcome = got->by_id["outcome:" + alert + "@x"];
    CHECK(outcome.lineage == alert);
    CHECK(outcome.parts.at(0).find("at 100.00") != std::string::npos);
    CHECK(outcome.parts.at(0).find("After 10 bars of 1m: 110.00, +10.00% for the market") != std::string::npos);
    CHECK(got->by_id.count("outcome:" + alert + "@articles") == 0);
    auto& follow = got->by_id["followup:2026-11-30@x"];
    CHECK(follow.lineage == alert);
    CHECK(follow.parts.at(0).find("(9)") != std::string::npos);
    CHECK(follow.parts.at(0).find("Price now 130.00") != std::string::npos);
    CHECK(got->by_id["repurposed:thread:report:2026-12-06@x"].lineage == "report:2026-12-06");
  }
  // Killed and started again, the agents hand over nothing twice.
  for (auto& a : {caf::actor_cast<caf::actor>(an), caf::actor_cast<caf::actor>(tr),
                  caf::actor_cast<caf::actor>(rp)})
    self->send_exit(a, caf::exit_reason::kill);
  auto [an2, tr2, rp2] = start();
  self->request(an2, 10s, drain_atom::value).receive([](std::uint64_t) {}, [](caf::error&) {});
  self->request(rp2, 10s, drain_atom::value).receive([](std::uint64_t) {}, [](caf::error&) {});
  self->request(tr2, 10s, drain_atom::value)
    .receive([](std::uint64_t, std::string&) {}, [](caf::error&) {});
  std::map<std::string, int> seen;
  for (auto& e : got->ids.events())
    ++seen[e];
  for (auto& [id, n] : seen) {
    INFO(id);
    CHECK(n == 1);
  }
  for (auto& a : {caf::actor_cast<caf::actor>(an2), caf::actor_cast<caf::actor>(tr2),
                  caf::actor_cast<caf::actor>(rp2), caf::actor_cast<caf::actor>(pub)})
    self->send_exit(a, caf::exit_reason::user_shutdown);
}
