// The community tables on both backends: interactions stored once with
// their authors, cursors moved with them in one transaction.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "db/storage.hpp"
#include "support/storage.hpp"

using namespace herald;
using herald::test::backend_target;
using herald::test::for_each_backend;

namespace {

db::interaction_record rec(const std::string& id, const std::string& author, std::int64_t ts) {
  db::interaction_record r;
  r.id = "discord:" + id;
  r.platform = "discord";
  r.author_id = author;
  r.author_handle = "user" + author;
  r.author_name = "User " + author;
  r.kind = "message";
  r.text = "hi '; DROP TABLE user_interactions; -- \xF0\x9F\x93\x88";
  r.ts = ts;
  r.metadata_json = R"({"conversation":"42"})";
  return r;
}

} // namespace

TEST_CASE("community: interactions are stored once and move the cursor with them",
          "[community][storage]") {
  for_each_backend([](const backend_target& t) {
    auto s = herald::test::open_migrated(t);
    CHECK(s->inbound_cursor("discord:42").empty());
    CHECK(s->store_inbound("discord:42", {rec("1", "7", 1000), rec("2", "7", 2000)}, "2") == 2);
    CHECK(s->inbound_cursor("discord:42") == "2");
    // The same page again (a crash before the cursor moved elsewhere): nothing new.
    CHECK(s->store_inbound("discord:42", {rec("2", "7", 2000), rec("3", "8", 3000)}, "3") == 1);
    CHECK(s->inbound_cursor("discord:42") == "3");
    auto all = s->interactions_since("discord", 0, 100);
    REQUIRE(all.size() == 3);
    CHECK(all[0].rec.id == "discord:1");
    CHECK(all[2].rec.author_id == "8");
    CHECK(all[0].rec.text == rec("1", "7", 0).text);
    CHECK(all[0].rec.metadata_json.find("42") != std::string::npos);
    auto u = s->find_user("discord", "7");
    REQUIRE(u);
    CHECK(u->messages == 2); // the repeated message is not counted again
    CHECK(u->first_seen == 1000);
    CHECK(u->last_seen == 2000);
    CHECK(u->handle == "user7");
    CHECK_FALSE(s->find_user("x", "7"));
    CHECK(s->interactions_since("x", 0, 10).empty());
    // An empty page may still move the cursor (Telegram confirms skipped kinds).
    CHECK(s->store_inbound("telegram:updates", {}, "15") == 0);
    CHECK(s->inbound_cursor("telegram:updates") == "15");
  });
}

TEST_CASE("community: a bad record stores nothing and keeps the cursor", "[community][storage]") {
  for_each_backend([](const backend_target& t) {
    auto s = herald::test::open_migrated(t);
    REQUIRE(s->store_inbound("x:mentions", {rec("1", "7", 1)}, "1") == 1);
    auto bad = rec("2", "7", 2);
    bad.metadata_json = "{not json";
    CHECK_THROWS_AS(s->store_inbound("x:mentions", {rec("3", "7", 3), bad}, "3"), db::storage_error);
    CHECK(s->inbound_cursor("x:mentions") == "1");
    CHECK(s->interactions_since("", 0, 10).size() == 1);
    auto no_author = rec("4", "", 4);
    CHECK_THROWS_AS(s->store_inbound("x:mentions", {no_author}, "4"), db::storage_error);
  });
}

TEST_CASE("community: a reply is decided once and moves through its states",
          "[community][storage]") {
  for_each_backend([](const backend_target& t) {
    auto s = herald::test::open_migrated(t);
    REQUIRE(s->store_inbound("x:mentions", {rec("1", "7", 1)}, "1") == 1);
    db::reply_row r;
    r.id = "discord:1";
    r.platform = "discord";
    r.conversation_id = "42";
    r.in_reply_to = "1";
    r.author_id = "7";
    r.intent = "symbol";
    r.state = "sending";
    r.text = "BTCUSDT at 43000.5 \xF0\x9F\x93\x88 '; --";
    r.created_at = r.updated_at = 100;
    CHECK(s->insert_reply(r));
    auto again = r;
    again.state = "skipped";
    CHECK_FALSE(s->insert_reply(again)); // decided already: nothing changes
    CHECK(s->find_reply("discord:1")->state == "sending");
    r.state = "sent";
    r.remote_id = "999";
    r.updated_at = 200;
    CHECK(s->update_reply(r, "sending"));
    CHECK_FALSE(s->update_reply(r, "sending")); // no longer sending
    auto back = s->find_reply("discord:1");
    REQUIRE(back);
    CHECK(back->state == "sent");
    CHECK(back->remote_id == "999");
    CHECK(back->text == r.text);
    CHECK(s->find_user("discord", "7")->replies_sent == 1);
    CHECK(s->replies("sent", 0, 10).size() == 1);
    CHECK(s->replies("", 101, 10).empty());
    CHECK_FALSE(s->find_reply("x:nope"));
  });
}

TEST_CASE("analytics: snapshots are written once, page views add up, newer reactions win",
          "[community][analytics][storage]") {
  for_each_backend([](const backend_target& t) {
    auto s = herald::test::open_migrated(t);
    db::write_batch b;
    b.posts.push_back({"alert:BTCUSDT:1m:1", "", "x", "111", "https://x.com/i/web/status/111",
                       "text", "{}", 5000});
    b.posts.push_back({"recap:old", "", "x", "110", "", "text", "{}", 1000});
    s->write(b);
    auto since = s->published_since(2000, 10);
    REQUIRE(since.size() == 1);
    CHECK(since[0].channel_message_id == "111");

    db::metric_snapshot m;
    m.post_id = "alert:BTCUSDT:1m:1";
    m.channel = "x";
    m.offset_ms = 3'600'000;
    m.due_at = 3'605'000;
    m.taken_at = 3'606'000;
    m.status = "ok";
    m.impressions = 200;
    m.engagements = 5;
    m.rate = 0.025;
    m.formula = "engagements / impressions";
    m.counts_json = R"({"like_count":5,"note":"'; DROP TABLE post_metrics; --"})";
    m.kind = "alert";
    m.variant = "b";
    m.symbol = "BTCUSDT";
    m.hour = 13;
    m.published_at = 5000;
    CHECK(s->write_snapshot(m));
    auto again = m;
    again.engagements = 99;
    CHECK_FALSE(s->write_snapshot(again)); // the first reading stays
    auto none = m;
    none.offset_ms = 86'400'000;
    none.status = "missed";
    none.impressions = -1; // stored as NULL, read back as -1
    none.rate = -1;
    none.engagements = 0;
    CHECK(s->write_snapshot(none));
    auto rows = s->snapshots_between(0, 10'000);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].engagements == 5);
    CHECK(rows[0].impressions == 200);
    CHECK(rows[0].rate == Approx(0.025));
    CHECK(rows[0].variant == "b");
    CHECK(rows[0].hour == 13);
    CHECK(nlohmann::json::parse(rows[0].counts_json)["like_count"] == 5);
    CHECK(rows[1].impressions == -1);
    CHECK(rows[1].rate == -1);
    CHECK(s->snapshots_between(6000, 10'000).empty());
    auto bad = m;
    bad.offset_ms = 1;
    bad.counts_json = "{oops";
    CHECK_THROWS_AS(s->write_snapshot(bad), db::storage_error);

    s->add_page_views("a.html", 0, 2);
    s->add_page_views("a.html", 0, 3);
    s->add_page_views("a.html", 3'600'000, 1);
    CHECK(s->page_views("a.html") == 6);
    CHECK(s->page_views("b.html") == 0);

    CHECK_FALSE(s->reactions_of("telegram", "@c", "9"));
    s->store_reactions("telegram", "@c", "9", 4, R"({"👍":4})", 2000);
    s->store_reactions("telegram", "@c", "9", 1, R"({"👍":1})", 1000); // older update: kept out
    auto r = s->reactions_of("telegram", "@c", "9");
    REQUIRE(r);
    CHECK(r->first == 4);
    s->store_reactions("telegram", "@c", "9", 7, R"({"👍":7})", 3000);
    CHECK(s->reactions_of("telegram", "@c", "9")->first == 7);
  });
}
