// The listeners' polls against a local server speaking each platform's
// format: paging, since_id / offset / after across a restart (a new
// listener on the same database reads nothing twice and skips nothing),
// 429 with each platform's reset, 5xx then success, malformed JSON, an
// empty result.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include "db/storage.hpp"
#include "support/sqlite_file.hpp"
#include "io/community/listener.hpp"
#include "support/inbound_double.hpp"

using namespace herald;
using namespace herald::io::community;
using herald::test::inbound_double;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t now = 1796644800000; // 2026-12-07 12:00 UTC

struct db_file : herald::test::sqlite_file {
  db_file() : sqlite_file("herald-listener") {}
};

listener_options x_opts() {
  listener_options o;
  o.platform = "x";
  o.us = {"1000", "heraldbot"};
  o.token = "XTOKEN";
  o.interval_ms = 60'000;
  return o;
}

listener_options tg_opts() {
  listener_options o;
  o.platform = "telegram";
  o.us = {"77", "heraldbot"};
  o.token = "T0KEN";
  o.long_poll_s = 0;
  return o;
}

listener_options dc_opts() {
  listener_options o;
  o.platform = "discord";
  o.us = {"555", "herald"};
  o.token = "BOTTOKEN";
  o.channel_id = "42";
  o.interval_ms = 5'000;
  o.page_size = 2; // Discord honours limit exactly: paging with 5 messages
  return o;
}

std::size_t stored(db::storage& s, const std::string& platform) {
  return s.interactions_since(platform, 0, 100000).size();
}

} // namespace

TEST_CASE("listener: X mentions page back to since_id and resume after a restart",
          "[community][listener]") {
  inbound_double d;
  db_file db;
  auto get = http_getter(d.url());
  for (int i = 1; i <= 3; ++i)
    d.add(inbound_double::mention{std::to_string(100 + i), "5", "alice", "@heraldbot q" + std::to_string(i)});
  {
    listener_core l{x_opts(), *db.store};
    auto r = l.poll(get, now); // first start: the newest page only
    CHECK(r.error.empty());
    CHECK(r.fresh == 2);
    CHECK(db.store->inbound_cursor(l.source()) == "103");
  }
  // Five new mentions arrive; a new listener (a restart) pages back to 103.
  for (int i = 4; i <= 8; ++i)
    d.add(inbound_double::mention{std::to_string(100 + i), "6", "bob", "@heraldbot q" + std::to_string(i)});
  listener_core l{x_opts(), *db.store};
  auto r = l.poll(get, now);
  INFO(r.error);
  CHECK(r.error.empty());
  CHECK(r.read == 5);
  CHECK(r.fresh == 5);
  CHECK(db.store->inbound_cursor(l.source()) == "108");
  auto asked = d.asked("x");
  REQUIRE(asked.size() == 4); // 1 + 3 pages of 2
  CHECK(asked[1].find("since_id=103") != std::string::npos);
  CHECK(asked[2].find("pagination_token=107") != std::string::npos);
  // Nothing read twice: 101 was never read (the first start reads one page);
  // every later mention exactly once.
  CHECK(stored(*db.store, "x") == 7);
  auto again = l.poll(get, now);
  CHECK(again.read == 0); // empty: no data, meta only
  CHECK(again.error.empty());
  CHECK(stored(*db.store, "x") == 7);
  auto u = db.store->find_user("x", "6");
  REQUIRE(u);
  CHECK(u->messages == 5);
  CHECK(u->handle == "bob");
}

TEST_CASE("listener: X 429 waits until x-rate-limit-reset, 5xx backs off, then it reads",
          "[community][listener]") {
  inbound_double d;
  db_file db;
  auto get = http_getter(d.url());
  d.add(inbound_double::mention{"200", "5", "alice", "@heraldbot hi"});
  d.script("x", {{429, R"({"errors":[{"code":88,"message":"Rate limit exceeded"}]})",
                  {{"x-rate-limit-reset", std::to_string(now / 1000 + 900)},
                   {"x-rate-limit-remaining", "0"}}},
                 {503, R"({"title":"Service Unavailable"})", {}},
                 {200, "{not json", {}}});
  listener_core l{x_opts(), *db.store};
  auto r1 = l.poll(get, now);
  CHECK(r1.rate_limited);
  CHECK(r1.wait_ms == 900'000);
  auto r2 = l.poll(get, now);
  CHECK(r2.error.find("HTTP 503") != std::string::npos);
  CHECK(r2.wait_ms == 1000);
  auto r3 = l.poll(get, now);
  CHECK(r3.error.find("not JSON") != std::string::npos);
  CHECK(r3.wait_ms == 2000); // doubling
  CHECK(db.store->inbound_cursor(l.source()).empty());
  auto r4 = l.poll(get, now);
  CHECK(r4.error.empty());
  CHECK(r4.fresh == 1);
  CHECK(db.store->inbound_cursor(l.source()) == "200");
}

TEST_CASE("listener: Telegram offsets confirm only stored updates, across a restart",
          "[community][listener]") {
  inbound_double d;
  db_file db;
  auto get = http_getter(d.url());
  d.add(inbound_double::tg_message{-100123, 7, 5, "a", "@heraldbot how is BTC?"});
  d.add(inbound_double::tg_message{-100123, 8, 6, "b", "hello all"});
  inbound_double::tg_message reaction;
  reaction.kind = "message_reaction_count";
  d.add(reaction);
  {
    listener_core l{tg_opts(), *db.store};
    auto r = l.poll(get, now);
    CHECK(r.error.empty());
    CHECK(r.fresh == 2);
    CHECK(db.store->inbound_cursor(l.source()) == "103");
    CHECK(d.unconfirmed() == 3); // confirmed by the next call only
  }
  // A storage failure must not confirm: simulate with a malformed answer.
  d.script("telegram", {{200, R"({"ok":true,"result":[{"message":{}}]})", {}}});
  listener_core l{tg_opts(), *db.store};
  auto bad = l.poll(get, now);
  CHECK(bad.error.find("update_id") != std::string::npos);
  CHECK(db.store->inbound_cursor(l.source()) == "103");
  d.add(inbound_double::tg_message{-100123, 9, 5, "a", "thanks!"});
  auto r = l.poll(get, now);
  CHECK(r.error.empty());
  CHECK(r.fresh == 1);
  CHECK(d.asked("telegram").back().find("offset=103") != std::string::npos);
  CHECK(d.unconfirmed() == 1);
  CHECK(stored(*db.store, "telegram") == 3);
  auto all = db.store->interactions_since("telegram", 0, 10);
  CHECK(all[0].rec.metadata_json.find("\"mentions_us\":true") != std::string::npos);
}

TEST_CASE("listener: Telegram 429 honours parameters.retry_after", "[community][listener]") {
  inbound_double d;
  db_file db;
  d.script("telegram", {{429,
                         R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 31","parameters":{"retry_after":31}})",
                         {}}});
  listener_core l{tg_opts(), *db.store};
  auto r = l.poll(http_getter(d.url()), now);
  CHECK(r.rate_limited);
  CHECK(r.wait_ms == 31'000);
  auto empty = l.poll(http_getter(d.url()), now);
  CHECK(empty.error.empty());
  CHECK(empty.read == 0);
  CHECK(empty.wait_ms > 0); // an empty answer that came back early waits a little
}

TEST_CASE("listener: Discord pages with after and resumes after a restart",
          "[community][listener]") {
  inbound_double d;
  db_file db;
  auto get = http_getter(d.url());
  auto msg = [](int i, bool mention = false) {
    inbound_double::dc_message m;
    m.id = std::to_string(1100000000000000000LL + i);
    m.author_id = "9";
    m.username = "carol";
    m.content = "message " + std::to_string(i);
    m.mentions_us = mention;
    return m;
  };
  d.add(msg(1));
  d.add(msg(2));
  d.add(msg(3));
  {
    listener_core l{dc_opts(), *db.store};
    auto r = l.poll(get, now); // first start: the newest page (2 of 3)
    CHECK(r.fresh == 2);
    CHECK(db.store->inbound_cursor(l.source()) == "1100000000000000003");
  }
  for (int i = 4; i <= 8; ++i)
    d.add(msg(i, i == 8));
  listener_core l{dc_opts(), *db.store};
  auto r = l.poll(get, now);
  CHECK(r.error.empty());
  CHECK(r.fresh == 5);
  CHECK(db.store->inbound_cursor(l.source()) == "1100000000000000008");
  CHECK(stored(*db.store, "discord") == 7);
  CHECK(r.wait_ms >= 5'000);
  auto all = db.store->interactions_since("discord", 0, 100);
  CHECK(all.back().rec.metadata_json.find("\"mentions_us\":true") != std::string::npos);
  // 429 with Retry-After, then an empty page.
  d.script("discord", {{429, R"({"message":"You are being rate limited.","retry_after":64.57,"global":false})",
                        {{"Retry-After", "65"}}}});
  auto limited = l.poll(get, now);
  CHECK(limited.rate_limited);
  CHECK(limited.wait_ms == 65'000);
  auto empty = l.poll(get, now);
  CHECK(empty.error.empty());
  CHECK(empty.read == 0);
}

TEST_CASE("listener: a refused token waits long and says so", "[community][listener]") {
  inbound_double d;
  db_file db;
  auto o = tg_opts();
  o.token = "WRONG";
  listener_core l{o, *db.store};
  auto r = l.poll(http_getter(d.url()), now);
  CHECK(r.error.find("HTTP 401") != std::string::npos);
  CHECK(r.error.find("WRONG") == std::string::npos); // the token is in the path, never in logs
  CHECK(r.wait_ms == o.backoff_max_ms);
}
