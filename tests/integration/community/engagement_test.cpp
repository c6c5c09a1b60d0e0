// The engagement logic over a real (SQLite) database: every gate rule is
// recorded, a bot that answers every reply of ours stops at the turn cap,
// a crash between the ledger row and the call never sends twice, approval
// and dry-run modes, and the reply window.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include "community/engagement.hpp"
#include "support/sqlite_file.hpp"
#include "io/community/listener.hpp"

using namespace herald;
using community::send_result;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t now = 1796644800000; // 2026-12-07 12:00 UTC
constexpr std::int64_t minute = 60'000;

struct db_file : herald::test::sqlite_file {
  db_file() : sqlite_file("herald-engage") {}
};

io::community::message msg(const std::string& platform, const std::string& id,
                           const std::string& author, const std::string& text,
                           std::int64_t ts = now) {
  io::community::message m;
  m.platform = platform;
  m.message_id = id;
  m.conversation_id = "conv";
  m.author_id = author;
  m.author_handle = "user" + author;
  m.text = text;
  m.ts_ms = ts;
  m.mentions_us = true;
  m.kind = "mention";
  return m;
}

void store(db::storage& s, std::vector<io::community::message> ms) {
  std::vector<db::interaction_record> recs;
  for (auto& m : ms)
    recs.push_back(io::community::to_record(m));
  s.store_inbound("test", recs, "");
}

struct fake_sender {
  std::vector<db::reply_row> sent;
  send_result::status next = send_result::status::sent;
  community::send_fn fn() {
    return [this](const db::reply_row& r) {
      send_result res;
      res.st = next;
      if (next == send_result::status::sent) {
        sent.push_back(r);
        res.remote_id = "r" + std::to_string(sent.size());
      } else {
        res.error = "no answer";
      }
      return res;
    };
  }
};

community::engagement_core core(db::storage& s, community::engagement_settings set = {}) {
  return community::engagement_core{set,
                                    {{"x", {"1000"}}, {"discord", {"555"}}, {"telegram", {"77"}}},
                                    community::reply_templates::builtin(),
                                    {{"btc", "BTCUSDT"}},
                                    {"BTCUSDT", "ETHUSDT"},
                                    s};
}

community::facts_fn btc_facts() {
  return [](const std::string& sym) {
    content::facts f;
    if (sym == "BTCUSDT")
      f.set("symbol", sym).set("price", 43000.5).set("trend", "up");
    return f;
  };
}

} // namespace

TEST_CASE("engagement: answers a summoned question once with facts and the footer",
          "[community][engagement]") {
  db_file db;
  store(*db.store, {msg("x", "101", "5", "@heraldbot how is BTC?")});
  auto c = core(*db.store);
  c.start(now);
  fake_sender s;
  auto rep = c.process(btc_facts(), s.fn(), now);
  CHECK(rep.sent == 1);
  REQUIRE(s.sent.size() == 1);
  CHECK(s.sent[0].in_reply_to == "101");
  CHECK(s.sent[0].text == "BTCUSDT at 43000.5, trend up.\n\nResearch, not investment advice.");
  auto row = db.store->find_reply("x:101");
  REQUIRE(row);
  CHECK(row->state == "sent");
  CHECK(row->remote_id == "r1");
  // Processing again (or a restarted agent) sends nothing more.
  CHECK(c.process(btc_facts(), s.fn(), now + 1).decided == 0);
  auto restarted = core(*db.store);
  restarted.start(now + 2);
  CHECK(restarted.process(btc_facts(), s.fn(), now + 2).decided == 0);
  CHECK(s.sent.size() == 1);
}

TEST_CASE("engagement: every gate rule is recorded with the skipped message",
          "[community][engagement]") {
  db_file db;
  auto bot = msg("discord", "2", "8", "beep");
  bot.author_is_bot = true;
  auto unsummoned = msg("x", "3", "9", "btc?");
  unsummoned.mentions_us = false;
  community::engagement_settings set;
  set.gate.blocklist = {"telegram:@user6"};
  store(*db.store, {msg("x", "1", "1000", "my own post"), bot, unsummoned,
                    msg("telegram", "4", "6", "hello?")});
  auto c = core(*db.store, set);
  c.start(now);
  fake_sender s;
  auto rep = c.process(btc_facts(), s.fn(), now);
  CHECK(s.sent.empty());
  CHECK(rep.skipped["own_account"] == 1);
  CHECK(rep.skipped["bot"] == 1);
  CHECK(rep.skipped["not_summoned"] == 1);
  CHECK(rep.skipped["blocklist"] == 1);
  CHECK(db.store->find_reply("x:3")->rule == "not_summoned");
  CHECK(db.store->replies("skipped", 0, 10).size() == 4);
}

TEST_CASE("engagement: a bot that answers every reply stops at the turn cap",
          "[community][engagement]") {
  db_file db;
  community::engagement_settings set;
  set.gate.allow_bots = true; // the worst case: bots allowed
  set.gate.cooldown_ms = 0;
  set.gate.max_turns = 3;
  auto c = core(*db.store, set);
  c.start(now);
  fake_sender s;
  // The price moves between rounds, so each reply's text differs (identical
  // texts would already stop at the first: duplicate_text).
  double price = 43000;
  auto moving = [&price](const std::string& sym) {
    content::facts f;
    f.set("symbol", sym).set("price", price += 10);
    return f;
  };
  // The other bot answers each of our replies at once, in the same conversation.
  for (int round = 0; round < 10; ++round) {
    auto m = msg("discord", std::to_string(500 + round), "8", "btc? round " + std::to_string(round),
                 now + round * minute);
    m.author_is_bot = true;
    m.replies_to_us = round > 0;
    store(*db.store, {m});
    c.process(moving, s.fn(), now + round * minute);
  }
  CHECK(s.sent.size() == 3);
  CHECK(c.totals().skipped.at("turn_cap") == 7);
  CHECK(c.gate().turns("discord", "conv") == 3);
}

TEST_CASE("engagement: a crash between the ledger row and the call never sends twice",
          "[community][engagement]") {
  db_file db;
  store(*db.store, {msg("telegram", "-1:7", "5", "btc?")});
  {
    auto c = core(*db.store);
    c.start(now);
    // The call never returns an answer (the process dies in it): the row
    // stays `sending`.
    auto dies = [](const db::reply_row&) -> send_result { throw std::runtime_error{"killed"}; };
    CHECK_THROWS(c.process(btc_facts(), dies, now));
    CHECK(db.store->find_reply("telegram:-1:7")->state == "sending");
  }
  auto c = core(*db.store);
  CHECK(c.start(now + minute) == 1);
  CHECK(db.store->find_reply("telegram:-1:7")->state == "in_doubt");
  fake_sender s;
  CHECK(c.process(btc_facts(), s.fn(), now + minute).decided == 0);
  CHECK(s.sent.empty());
  // The operator checked the chat and sends it.
  CHECK(c.approve("telegram:-1:7", s.fn(), now + 2 * minute).empty());
  CHECK(s.sent.size() == 1);
  CHECK(db.store->find_reply("telegram:-1:7")->state == "sent");
  CHECK_FALSE(c.approve("telegram:-1:7", s.fn(), now + 3 * minute).empty());
}

TEST_CASE("engagement: the same text is never sent twice to a conversation",
          "[community][engagement]") {
  db_file db;
  community::engagement_settings set;
  set.gate.cooldown_ms = 0;
  store(*db.store, {msg("x", "41", "5", "btc?"), msg("x", "42", "6", "btc?")});
  auto c = core(*db.store, set);
  c.start(now);
  fake_sender s;
  auto rep = c.process(btc_facts(), s.fn(), now);
  CHECK(s.sent.size() == 1);
  CHECK(rep.skipped["duplicate_text"] == 1);
}

TEST_CASE("engagement: approval holds replies and dry-run never sends",
          "[community][engagement]") {
  db_file db;
  store(*db.store, {msg("x", "11", "5", "btc?"), msg("x", "12", "6", "btc?")});
  community::engagement_settings set;
  set.mode = "approval";
  auto c = core(*db.store, set);
  c.start(now);
  fake_sender s;
  auto rep = c.process(btc_facts(), s.fn(), now);
  CHECK(rep.held == 2);
  CHECK(s.sent.empty());
  CHECK(c.approve("x:11", s.fn(), now).empty());
  CHECK(c.reject("x:12", now).empty());
  CHECK(s.sent.size() == 1);
  CHECK(db.store->find_reply("x:12")->state == "rejected");
  CHECK_FALSE(c.reject("x:12", now).empty());

  db_file db2;
  store(*db2.store, {msg("x", "21", "5", "btc?")});
  set.mode = "dry-run";
  auto d = core(*db2.store, set);
  d.start(now);
  CHECK(d.process(btc_facts(), s.fn(), now).dry_run == 1);
  CHECK(s.sent.size() == 1);
  CHECK(db2.store->find_reply("x:21")->text.find("BTCUSDT at 43000.5") != std::string::npos);
}

TEST_CASE("engagement: messages older than the reply window are not answered",
          "[community][engagement]") {
  db_file db;
  store(*db.store, {msg("x", "31", "5", "btc?", now - 2 * 3'600'000), msg("x", "32", "6", "btc?")});
  auto c = core(*db.store);
  c.start(now);
  fake_sender s;
  c.process(btc_facts(), s.fn(), now);
  REQUIRE(s.sent.size() == 1);
  CHECK(s.sent[0].in_reply_to == "32");
  CHECK_FALSE(db.store->find_reply("x:31"));
}

TEST_CASE("engagement: a reply the platform refuses for now is retried later and then given up",
          "[community][engagement]") {
  db_file db;
  auto second = msg("discord", "52", "6", "eth?", now + 1);
  second.conversation_id = "second";
  store(*db.store, {msg("discord", "51", "5", "btc?"), second});
  community::engagement_settings set;
  set.gate.cooldown_ms = 0;
  set.max_attempts = 3;
  set.retry_min_ms = 5'000;
  auto c = core(*db.store, set);
  c.start(now);
  fake_sender s;
  // 429 with Retry-After 30 s for the first attempts.
  int refusals = 0;
  auto limited = [&](const db::reply_row& r) {
    if (refusals > 0) {
      --refusals;
      send_result res;
      res.st = send_result::status::retry;
      res.error = "discord: HTTP 429";
      res.retry_after_ms = 30'000;
      return res;
    }
    return s.fn()(r);
  };
  refusals = 1;
  auto rep = c.process(btc_facts(), limited, now);
  CHECK(rep.retrying == 1);
  auto q = db.store->find_reply("discord:51");
  CHECK(q->state == "queued");
  CHECK(q->retry_at == now + 30'000);
  CHECK(q->attempts == 1);
  c.process(btc_facts(), limited, now + 10'000); // not yet
  CHECK(s.sent.size() == 1);                      // only the other message (52) went out
  c.process(btc_facts(), limited, now + 30'000);
  CHECK(db.store->find_reply("discord:51")->state == "sent");
  CHECK(s.sent.size() == 2);
  // A platform that keeps refusing: failed after max_attempts, never lost.
  auto other = msg("discord", "53", "7", "btc levels?", now + 40'000);
  other.conversation_id = "another"; // the same text may go to another conversation
  store(*db.store, {other});
  refusals = 100;
  std::int64_t t = now + 40'000;
  for (int i = 0; i < 5; ++i, t += 700'000)
    c.process(btc_facts(), limited, t);
  auto f = db.store->find_reply("discord:53");
  CHECK(f->state == "failed");
  CHECK(f->attempts == 3);
  CHECK(f->error.find("after 3 attempts") != std::string::npos);
}
