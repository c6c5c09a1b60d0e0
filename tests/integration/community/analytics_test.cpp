// The analytics core over a real (SQLite) database, reading from a local
// server that speaks X's and Discord's formats (tests/support/
// publish_double.hpp), on an injected clock: snapshots at their times,
// X ids in batches of at most 100, a deleted post, 429 with X's reset, 5xx
// then success, a late start (missed snapshots), Telegram reactions and
// article page views as stored.
#include <catch2/catch.hpp>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "community/analytics.hpp"
#include "io/community/metrics.hpp"
#include "io/community/listener.hpp"
#include "support/inbound_double.hpp"
#include "support/publish_double.hpp"
#include "support/sqlite_file.hpp"

using namespace herald;
using nlohmann::json;

namespace {

constexpr std::int64_t t0 = 1796644800000; // 2026-12-07 12:00 UTC
constexpr std::int64_t hour = 3'600'000;

/// Creates a tweet (or Discord message) on the double and records it as
/// published at `at`, with a plan row giving its type and variant.
std::string publish(db::storage& s, test::publish_double& remote, const std::string& channel,
                    const std::string& piece, std::int64_t at) {
  httplib::Client c{remote.url()};
  std::string id;
  if (channel == "x") {
    auto r = c.Post("/2/tweets", {{"Authorization", "Bearer XTOKEN"}},
                    json{{"text", piece}}.dump(), "application/json");
    REQUIRE(r);
    REQUIRE(r->status == 201);
    id = json::parse(r->body)["data"]["id"];
  } else {
    auto r = c.Post("/api/webhooks/1/abc?wait=true", json{{"content", piece}}.dump(),
                    "application/json");
    REQUIRE(r);
    REQUIRE(r->status == 200);
    id = json::parse(r->body)["id"];
  }
  db::write_batch b;
  b.plans.push_back({piece + "@" + channel, "", piece.substr(0, piece.find(':')), channel,
                     "published", at, json{{"variant", "b"}}.dump(), at});
  b.posts.push_back({piece, piece + "@" + channel, channel, id, "", piece, "{}", at});
  s.write(b);
  return id;
}

community::analytics_settings settings() {
  community::analytics_settings a;
  a.offsets_ms = {hour, 24 * hour};
  a.retry_min_ms = 30'000;
  return a;
}

std::vector<db::metric_snapshot> rows(db::storage& s) {
  return s.snapshots_between(0, INT64_MAX);
}

} // namespace

TEST_CASE("analytics: snapshots at +1 h and +24 h on an injected clock, X ids batched",
          "[community][analytics]") {
  test::sqlite_file db{"herald-analytics"};
  test::publish_double remote;
  auto now = t0;
  auto clock = [&now] { return now; };
  std::vector<std::string> ids;
  for (int i = 0; i < 150; ++i)
    ids.push_back(publish(*db.store, remote, "x", "alert:BTCUSDT:1m:" + std::to_string(i), t0));
  remote.set_x_metrics(ids[0], {{"retweet_count", 3}, {"reply_count", 2}, {"like_count", 10},
                                {"quote_count", 1}, {"bookmark_count", 4},
                                {"impression_count", 1000}});
  std::map<std::string, community::metrics_source> src{
    {"x", io::community::x_metrics(io::community::http_getter(remote.url()), "XTOKEN", 5000, clock)}};
  community::analytics_core core{settings(), src, *db.store};

  now = t0 + hour - 1;
  auto r = core.tick(now);
  CHECK(r.taken == 0);
  CHECK(remote.received("x-metrics").empty()); // nothing due: nothing asked

  now = t0 + hour;
  r = core.tick(now);
  CHECK(r.taken == 150);
  auto asked = remote.received("x-metrics");
  REQUIRE(asked.size() == 2); // 100 + 50
  CHECK(std::count(asked[0].body.begin(), asked[0].body.end(), ',') == 99);
  CHECK(std::count(asked[1].body.begin(), asked[1].body.end(), ',') == 49);
  auto all = rows(*db.store);
  REQUIRE(all.size() == 150);
  auto first = std::find_if(all.begin(), all.end(),
                            [](auto& m) { return m.post_id == "alert:BTCUSDT:1m:0"; });
  REQUIRE(first != all.end());
  CHECK(first->status == "ok");
  CHECK(first->offset_ms == hour);
  CHECK(first->due_at == t0 + hour);
  CHECK(first->taken_at == t0 + hour);
  CHECK(first->engagements == 20);
  CHECK(first->impressions == 1000);
  CHECK(first->rate == Approx(0.02));
  CHECK(first->formula.find("engagements / impressions") != std::string::npos);
  CHECK(json::parse(first->counts_json)["like_count"] == 10);
  CHECK(first->kind == "alert");
  CHECK(first->variant == "b");
  CHECK(first->symbol == "BTCUSDT");
  CHECK(first->hour == 12);

  // a second tick at the same time asks for nothing
  CHECK(core.tick(now).taken == 0);
  CHECK(remote.received("x-metrics").size() == 2);

  now = t0 + 24 * hour;
  CHECK(core.tick(now).taken == 150);
  CHECK(rows(*db.store).size() == 300);
}

TEST_CASE("analytics: a deleted post is recorded once and not read again",
          "[community][analytics]") {
  test::sqlite_file db{"herald-analytics"};
  test::publish_double remote;
  auto now = t0;
  auto clock = [&now] { return now; };
  auto kept = publish(*db.store, remote, "x", "recap:2026-12-07", t0);
  auto gone = publish(*db.store, remote, "x", "alert:ETHUSDT:1m:1", t0);
  auto dc_kept = publish(*db.store, remote, "discord", "recap:2026-12-07", t0);
  auto dc_gone = publish(*db.store, remote, "discord", "alert:ETHUSDT:1m:1", t0);
  remote.remove(gone);
  remote.remove(dc_gone);
  remote.set_discord_reactions(dc_kept, 7);
  auto get = io::community::http_getter(remote.url());
  std::map<std::string, community::metrics_source> src{
    {"x", io::community::x_metrics(get, "XTOKEN", 5000, clock)},
    {"discord", io::community::discord_metrics(get, "/api/webhooks/1/abc", 5000, clock)}};
  community::analytics_core core{settings(), src, *db.store};
  now = t0 + hour;
  auto r = core.tick(now);
  CHECK(r.taken == 2);
  CHECK(r.deleted == 2);
  std::map<std::string, db::metric_snapshot> by;
  for (auto& m : rows(*db.store))
    by[m.post_id + "@" + m.channel] = m;
  CHECK(by["alert:ETHUSDT:1m:1@x"].status == "deleted");
  CHECK(by["alert:ETHUSDT:1m:1@discord"].status == "deleted");
  CHECK(by["recap:2026-12-07@discord"].engagements == 7);
  CHECK(by["recap:2026-12-07@discord"].impressions == -1);
  CHECK(by["recap:2026-12-07@discord"].formula.find("reactions") != std::string::npos);

  now = t0 + 24 * hour;
  r = core.tick(now);
  CHECK(r.taken == 2);
  CHECK(r.deleted == 0);
  auto asked = remote.received("x-metrics");
  REQUIRE(asked.size() == 2);
  CHECK(asked[1].body == kept); // the deleted one is not asked for again
  CHECK(remote.received("discord-read").size() == 3);
}

TEST_CASE("analytics: 429 waits for X's reset, 5xx backs off, then the snapshot is taken",
          "[community][analytics]") {
  test::sqlite_file db{"herald-analytics"};
  test::publish_double remote;
  auto now = t0 + hour;
  auto clock = [&now] { return now; };
  publish(*db.store, remote, "x", "recap:2026-12-07", t0);
  auto reset_s = (t0 + hour) / 1000 + 900;
  remote.script("x-metrics",
                {{429, R"({"errors":[{"code":88,"message":"Rate limit exceeded"}]})",
                  {{"x-rate-limit-reset", std::to_string(reset_s)}, {"x-rate-limit-remaining", "0"}}},
                 {503, R"({"title":"Service Unavailable"})"},
                 {200, "{not json"}});
  std::map<std::string, community::metrics_source> src{
    {"x", io::community::x_metrics(io::community::http_getter(remote.url()), "XTOKEN", 5000, clock)}};
  community::analytics_core core{settings(), src, *db.store};
  auto r = core.tick(now);
  CHECK(r.taken == 0);
  CHECK(r.retrying == 1);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].find("429") != std::string::npos);
  CHECK(core.paused_until("x") == reset_s * 1000);
  now = reset_s * 1000 - 1;
  core.tick(now);
  CHECK(remote.received("x-metrics").size() == 1); // still waiting
  now = reset_s * 1000;
  r = core.tick(now); // 503: backoff
  CHECK(r.taken == 0);
  CHECK(core.paused_until("x") == now + 30'000);
  now += 30'000;
  r = core.tick(now); // malformed: a longer backoff
  CHECK(r.taken == 0);
  CHECK(r.errors.at(0).find("not a JSON object") != std::string::npos);
  CHECK(core.paused_until("x") == now + 60'000);
  now += 60'000;
  r = core.tick(now);
  CHECK(r.taken == 1);
  auto all = rows(*db.store);
  REQUIRE(all.size() == 1);
  CHECK(all[0].due_at == t0 + hour);
  CHECK(all[0].taken_at == now); // late, and says so
}

TEST_CASE("analytics: a late start records earlier snapshots as missed", "[community][analytics]") {
  test::sqlite_file db{"herald-analytics"};
  test::publish_double remote;
  auto now = t0 + 24 * hour + 5;
  auto clock = [&now] { return now; };
  publish(*db.store, remote, "x", "recap:2026-12-07", t0);
  publish(*db.store, remote, "x", "recap:2026-11-01", t0 - 30 * 24 * hour); // beyond grace
  std::map<std::string, community::metrics_source> src{
    {"x", io::community::x_metrics(io::community::http_getter(remote.url()), "XTOKEN", 5000, clock)}};
  community::analytics_core core{settings(), src, *db.store};
  auto r = core.tick(now);
  CHECK(r.taken == 1);
  CHECK(r.missed == 1);
  auto all = rows(*db.store);
  REQUIRE(all.size() == 2);
  CHECK(all[0].offset_ms == hour);
  CHECK(all[0].status == "missed");
  CHECK(all[0].engagements == 0);
  CHECK(all[1].offset_ms == 24 * hour);
  CHECK(all[1].status == "ok");
}

TEST_CASE("analytics: Telegram reactions and article page views as stored",
          "[community][analytics]") {
  test::sqlite_file db{"herald-analytics"};
  auto& s = *db.store;
  db::write_batch b;
  b.posts.push_back({"recap:2026-12-07", "", "telegram", "42", "", "text", "{}", t0});
  b.posts.push_back({"report:2026-W49", "", "articles", "report-2026-w49", "", "md", "{}", t0});
  s.write(b);
  s.store_reactions("telegram", "@herald", "42", 6, R"({"👍":6})", t0 + 10);
  s.store_reactions("telegram", "@herald", "42", 2, R"({"👍":2})", t0 + 5); // older: ignored
  s.add_page_views("report-2026-w49.html", t0, 3);
  s.add_page_views("report-2026-w49.html", t0, 2);
  s.add_page_views("report-2026-w49.html", t0 + hour, 1);
  std::map<std::string, community::metrics_source> src{
    {"telegram", io::community::telegram_metrics(s, "@herald")},
    {"articles", io::community::article_metrics(s)}};
  community::analytics_core core{settings(), src, s};
  CHECK(core.tick(t0 + hour).taken == 2);
  std::map<std::string, db::metric_snapshot> by;
  for (auto& m : rows(s))
    by[m.channel] = m;
  CHECK(by["telegram"].engagements == 6);
  CHECK(by["articles"].impressions == 6);
  CHECK(by["articles"].rate == -1);
  CHECK(s.page_views("report-2026-w49.html") == 6);
  CHECK(s.page_views("nothing.html") == 0);
}

TEST_CASE("analytics: the Telegram listener stores reaction counts for the snapshots",
          "[community][analytics]") {
  test::sqlite_file db{"herald-analytics"};
  herald::test::inbound_double d;
  d.tg_token = "77:T0KEN";
  herald::test::inbound_double::tg_message r;
  r.chat_id = -1001;
  r.message_id = 42;
  r.from_id = 5; // five reactions
  r.username = "herald";
  r.kind = "message_reaction_count";
  r.ts_ms = t0; // not "when added": the wall clock may be past t0 + 60 s
  d.add(r);
  io::community::listener_options o;
  o.platform = "telegram";
  o.token = "77:T0KEN";
  o.us = {"77", "heraldbot"};
  o.long_poll_s = 0;
  io::community::listener_core core{o, *db.store};
  auto res = core.poll(io::community::http_getter(d.url()), t0);
  CHECK(res.error.empty());
  auto got = db.store->reactions_of("telegram", "@herald", "42");
  REQUIRE(got);
  CHECK(got->first == 5);
  CHECK(db.store->reactions_of("telegram", "-1001", "42")->first == 5);
  CHECK(d.asked("telegram").front().find("message_reaction_count") != std::string::npos);
  r.from_id = 8; // more reactions later: the newer count replaces the older
  r.ts_ms = t0 + 60'000;
  d.add(r);
  core.poll(io::community::http_getter(d.url()), t0 + 60'000);
  CHECK(db.store->reactions_of("telegram", "@herald", "42")->first == 8);
}
