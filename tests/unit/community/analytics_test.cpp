#include <catch2/catch.hpp>

#include <cairo.h>
#include <nlohmann/json.hpp>

#include "community/analytics.hpp"
#include "content/chart.hpp"
#include "io/community/inbound.hpp"
#include "io/community/metrics.hpp"

using namespace herald;
using community::fetched;

namespace {

db::metric_snapshot snap(const std::string& post, const std::string& channel, std::int64_t offset,
                         std::int64_t eng, std::int64_t impressions, const std::string& kind,
                         std::int64_t published_at = 1796644800000) {
  db::metric_snapshot m;
  m.post_id = post;
  m.channel = channel;
  m.offset_ms = offset;
  m.status = "ok";
  m.engagements = eng;
  m.impressions = impressions;
  m.rate = impressions > 0 ? static_cast<double>(eng) / static_cast<double>(impressions) : -1;
  m.kind = kind;
  m.variant = "a";
  m.symbol = kind == "alert" ? "BTCUSDT" : "";
  m.hour = 12;
  m.published_at = published_at;
  return m;
}

cairo_status_t read_png(void* closure, unsigned char* data, unsigned int length) {
  auto* s = static_cast<std::pair<const std::string*, std::size_t>*>(closure);
  if (s->second + length > s->first->size())
    return CAIRO_STATUS_READ_ERROR;
  std::copy_n(s->first->data() + s->second, length, data);
  s->second += length;
  return CAIRO_STATUS_SUCCESS;
}

} // namespace

TEST_CASE("analytics: the engagement formula per channel", "[community][analytics]") {
  community::post_counts c;
  c.likes = 3;
  c.replies = 2;
  c.reposts = 1;
  c.quotes = 1;
  c.bookmarks = 1;
  c.impressions = 400;
  c.reactions = 9;
  db::metric_snapshot m;
  community::derive("x", c, m);
  CHECK(m.engagements == 8);
  CHECK(m.impressions == 400);
  CHECK(m.rate == Approx(0.02));
  CHECK(m.formula.find("likes + replies + reposts + quotes + bookmarks") != std::string::npos);
  community::derive("discord", c, m);
  CHECK(m.engagements == 9);
  CHECK(m.impressions == -1);
  CHECK(m.rate == -1);
  c.impressions = 0; // X without impressions: no rate, never a division by zero
  community::derive("x", c, m);
  CHECK(m.rate == -1);
  c.impressions = 57;
  community::derive("articles", c, m);
  CHECK(m.impressions == 57);
  CHECK(m.engagements == 0);
  CHECK(m.formula.find("page views") != std::string::npos);
}

TEST_CASE("analytics: X public_metrics, deleted ids and malformed bodies", "[community][analytics]") {
  std::map<std::string, fetched> out;
  auto body = R"({"data":[{"id":"11","created_at":"2026-12-07T10:00:00.000Z","public_metrics":
    {"retweet_count":2,"reply_count":1,"like_count":7,"quote_count":0,"bookmark_count":1,"impression_count":350}}],
    "errors":[{"value":"12","detail":"Could not find tweet with ids: [12].","title":"Not Found Error",
    "resource_type":"tweet","parameter":"ids","resource_id":"12",
    "type":"https://api.twitter.com/2/problems/resource-not-found"}]})";
  REQUIRE(io::community::parse_x_metrics(body, out).empty());
  REQUIRE(out.size() == 2);
  CHECK(out["11"].st == fetched::status::ok);
  CHECK(out["11"].counts.likes == 7);
  CHECK(out["11"].counts.reposts == 2);
  CHECK(out["11"].counts.impressions == 350);
  CHECK(out["12"].st == fetched::status::deleted);
  out.clear();
  CHECK_FALSE(io::community::parse_x_metrics("{not json", out).empty());
  CHECK_FALSE(io::community::parse_x_metrics(R"({"data":{"id":"1"}})", out).empty());
  CHECK_FALSE(io::community::parse_x_metrics(R"({"data":[{"id":"1"}]})", out).empty());
  CHECK(io::community::parse_x_metrics(R"({})", out).empty()); // nothing known: retried later
  CHECK(out.empty());
}

TEST_CASE("analytics: Discord reactions and Telegram reaction counts", "[community][analytics]") {
  fetched f;
  REQUIRE(io::community::parse_discord_reactions(
            R"({"id":"5","reactions":[{"count":3,"emoji":{"id":null,"name":"🔥"}},
                {"count":2,"emoji":{"id":"9","name":"herald"}}]})",
            f)
            .empty());
  CHECK(f.st == fetched::status::ok);
  CHECK(f.counts.reactions == 5);
  // invalid UTF-8 (a broken proxy, a hostile server) is refused with a
  // message, never an exception that would block the channel
  fetched odd;
  CHECK(io::community::parse_discord_reactions(
          std::string{R"({"id":"7","reactions":[{"count":1,"emoji":{"name":")"} + "\xff\xfe"
            + R"("}}]})",
          odd)
        == "Discord message: not a message object");
  fetched none;
  REQUIRE(io::community::parse_discord_reactions(R"({"id":"6"})", none).empty());
  CHECK(none.counts.reactions == 0);
  CHECK_FALSE(io::community::parse_discord_reactions("[]", none).empty());

  io::community::reaction_count rc;
  REQUIRE(io::community::parse_telegram_reactions(
            R"({"chat":{"id":-1001,"type":"channel","username":"herald"},"message_id":42,
                "date":1796644800,"reactions":[{"type":{"type":"emoji","emoji":"👍"},"total_count":4},
                {"type":{"type":"custom_emoji","custom_emoji_id":"77"},"total_count":1}]})",
            rc)
            .empty());
  CHECK(rc.chats == std::vector<std::string>{"-1001", "@herald"});
  CHECK(rc.message_id == "42");
  CHECK(rc.total == 5);
  CHECK_FALSE(io::community::parse_telegram_reactions(R"({"message_id":1})", rc).empty());

  // getUpdates hands reaction updates over, consumed with the others
  io::community::page p;
  REQUIRE(io::community::parse_telegram_updates(
            R"({"ok":true,"result":[{"update_id":30,"message_reaction_count":{"chat":{"id":-1001,
              "type":"channel"},"message_id":42,"date":1796644800,"reactions":[]}}]})",
            {"99", "heraldbot"}, p)
            .empty());
  CHECK(p.messages.empty());
  CHECK(p.reactions.size() == 1);
  CHECK(p.cursor == "31");
}

TEST_CASE("analytics: reports use the latest snapshot of each piece", "[community][analytics]") {
  std::vector<db::metric_snapshot> s{
    snap("alert:BTCUSDT:1m:1", "x", 3'600'000, 2, 100, "alert"),
    snap("alert:BTCUSDT:1m:1", "x", 86'400'000, 10, 400, "alert"), // the latest counts
    snap("recap:2026-12-07", "x", 3'600'000, 5, 100, "recap"),
    snap("recap:2026-12-07", "discord", 3'600'000, 4, -1, "recap"),
  };
  auto missed = snap("recap:2026-12-07", "discord", 86'400'000, 0, -1, "recap");
  missed.status = "missed"; // not a reading: ignored
  s.push_back(missed);
  auto rows = community::analytics_report(s, "channel");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].key == "discord");
  CHECK(rows[0].posts == 1);
  CHECK(rows[0].rate() == -1);
  CHECK(rows[1].key == "x");
  CHECK(rows[1].posts == 2);
  CHECK(rows[1].engagements == 15);
  CHECK(rows[1].impressions == 500);
  CHECK(rows[1].rate() == Approx(0.03));
  auto types = community::analytics_report(s, "type");
  REQUIRE(types.size() == 2);
  CHECK(types[1].key == "recap");
  CHECK(types[1].engagements_per_post() == Approx(4.5));
  CHECK(community::analytics_report(s, "symbol")[0].key == "(market)");
  CHECK(community::analytics_report(s, "hour")[0].key == "12");
  CHECK_THROWS_WITH(community::analytics_report(s, "colour"),
                    Catch::Contains("channel, type, variant, symbol, hour"));
}

TEST_CASE("analytics: the weekly performance article and its chart", "[community][analytics]") {
  // 2026-12-07 is a Monday
  constexpr std::int64_t monday = 1796601600000;
  CHECK(community::week_start(monday) == monday);
  CHECK(community::week_start(monday + 6 * 86'400'000LL + 1) == monday);
  CHECK(community::week_start(monday - 1) == monday - 7 * 86'400'000LL);
  std::vector<db::metric_snapshot> s{
    snap("alert:BTCUSDT:1m:1", "x", 3'600'000, 8, 400, "alert", monday + 1000),
    snap("recap:2026-12-08", "discord", 3'600'000, 3, -1, "recap", monday + 86'400'000),
    snap("recap:2026-11-30", "x", 3'600'000, 99, 100, "recap", monday - 1000), // week before
  };
  auto a = community::weekly_performance(s, monday);
  CHECK(a.id == "performance:2026-12-07");
  CHECK(a.markdown.find("2 pieces with metrics") != std::string::npos);
  CHECK(a.markdown.find("| x | 1 | 400 | 8 | 2.00% |") != std::string::npos);
  CHECK(a.markdown.find("| discord | 1 | n/a | 3 | n/a |") != std::string::npos);
  CHECK(a.markdown.find("engagements / impressions") != std::string::npos);
  CHECK(a.markdown.find("recap:2026-11-30") == std::string::npos);
  REQUIRE(a.bars.size() == 2);
  CHECK(a.bars[0] == std::make_pair(std::string{"alert"}, 8.0));
  auto png = content::render_bar_chart_png(a.bar_label, a.bars, {800, 450});
  REQUIRE(png.substr(1, 3) == "PNG");
  std::pair<const std::string*, std::size_t> in{&png, 0};
  auto* img = cairo_image_surface_create_from_png_stream(read_png, &in);
  CHECK(cairo_surface_status(img) == CAIRO_STATUS_SUCCESS);
  CHECK(cairo_image_surface_get_width(img) == 800);
  cairo_surface_destroy(img);
  auto empty = community::weekly_performance({}, monday);
  CHECK(empty.bars.empty());
  CHECK(empty.markdown.find("No piece") != std::string::npos);
}
