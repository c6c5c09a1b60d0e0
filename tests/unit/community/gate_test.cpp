#include <catch2/catch.hpp>

#include "community/gate.hpp"

using namespace herald;
using community::gate_rule;

namespace {

constexpr std::int64_t minute = 60'000;
constexpr std::int64_t hour = 60 * minute;
// 2026-12-07 12:00 UTC
constexpr std::int64_t noon = 1796644800000;

community::inbound msg(std::string platform, std::string author, std::string conversation = "c1") {
  community::inbound m;
  m.platform = std::move(platform);
  m.message_id = "m-" + author + "-" + conversation;
  m.conversation_id = std::move(conversation);
  m.author_id = author;
  m.author_handle = "user" + author;
  m.mentions_us = true;
  m.ts_ms = noon;
  return m;
}

community::engagement_gate gate(community::gate_settings s = {}) {
  return community::engagement_gate{std::move(s), {{"x", {"1000", "@heraldbot"}},
                                                   {"telegram", {"77"}}}};
}

std::optional<gate_rule> rule(const community::engagement_gate& g, const community::inbound& m,
                              std::int64_t now = noon) {
  return g.decide(m, now).rule;
}

} // namespace

TEST_CASE("gate: a summoned human gets a reply", "[community][gate]") {
  auto g = gate();
  auto d = g.decide(msg("x", "5"), noon);
  CHECK(d.reply);
  CHECK_FALSE(d.rule);
}

TEST_CASE("gate: never our own account, by id or handle", "[community][gate]") {
  auto g = gate();
  CHECK(rule(g, msg("x", "1000")) == gate_rule::own_account);
  auto m = msg("x", "9");
  m.author_handle = "HeraldBot";
  CHECK(rule(g, m) == gate_rule::own_account);
  CHECK(rule(g, msg("telegram", "77")) == gate_rule::own_account);
  CHECK_FALSE(rule(g, msg("discord", "77"))); // another platform's id
}

TEST_CASE("gate: bots only when allowed or allowlisted", "[community][gate]") {
  auto m = msg("discord", "42");
  m.author_is_bot = true;
  CHECK(rule(gate(), m) == gate_rule::bot);
  community::gate_settings s;
  s.allow_bots = true;
  CHECK_FALSE(rule(gate(s), m));
  community::gate_settings a;
  a.allowlist = {"discord:42"};
  CHECK_FALSE(rule(gate(a), m));
}

TEST_CASE("gate: blocklist wins over allowlist, handles are case-insensitive",
          "[community][gate]") {
  community::gate_settings s;
  s.allowlist = {"x:@Friend"};
  s.blocklist = {"X:@friend"};
  auto m = msg("x", "5");
  m.author_handle = "FRIEND";
  CHECK(rule(gate(s), m) == gate_rule::blocklist);
}

TEST_CASE("gate: only-allowlisted refuses everyone not listed", "[community][gate]") {
  community::gate_settings s;
  s.only_allowlisted = true;
  s.allowlist = {"telegram:5"};
  auto g = gate(s);
  CHECK_FALSE(rule(g, msg("telegram", "5")));
  CHECK(rule(g, msg("telegram", "6")) == gate_rule::allowlist);
  // Lists change at run time (API/console).
  g.set_lists({"telegram:6"}, {});
  CHECK(rule(g, msg("telegram", "5")) == gate_rule::allowlist);
  CHECK_FALSE(rule(g, msg("telegram", "6")));
}

TEST_CASE("gate: X only where we were summoned", "[community][gate]") {
  auto g = gate();
  auto m = msg("x", "5");
  m.mentions_us = false;
  CHECK(rule(g, m) == gate_rule::not_summoned);
  m.replies_to_us = true;
  CHECK_FALSE(rule(g, m));
  auto t = msg("telegram", "5");
  t.mentions_us = false;
  CHECK_FALSE(rule(g, t)); // a group message: allowed unless require-summons
  community::gate_settings s;
  s.require_summons = true;
  CHECK(rule(gate(s), t) == gate_rule::not_summoned);
}

TEST_CASE("gate: at most max-turns replies per conversation", "[community][gate]") {
  community::gate_settings s;
  s.max_turns = 3;
  s.cooldown_ms = 0;
  auto g = gate(s);
  auto m = msg("discord", "5");
  for (int i = 0; i < 3; ++i) {
    REQUIRE_FALSE(rule(g, m, noon + i * minute));
    g.record(m, "reply " + std::to_string(i), noon + i * minute);
  }
  CHECK(g.turns("discord", "c1") == 3);
  auto d = g.decide(m, noon + 10 * minute);
  CHECK(d.rule == gate_rule::turn_cap);
  CHECK(d.detail.find("3 times") != std::string::npos);
  CHECK_FALSE(rule(g, msg("discord", "5", "c2"), noon + 10 * minute)); // another conversation
}

TEST_CASE("gate: a per-author cooldown", "[community][gate]") {
  community::gate_settings s;
  s.cooldown_ms = 10 * minute;
  auto g = gate(s);
  auto m = msg("telegram", "5");
  g.record(m, "hi", noon);
  CHECK(rule(g, msg("telegram", "5", "c2"), noon + 9 * minute) == gate_rule::cooldown);
  CHECK_FALSE(rule(g, msg("telegram", "5", "c2"), noon + 10 * minute));
  CHECK_FALSE(rule(g, msg("telegram", "6", "c2"), noon + minute)); // another author
}

TEST_CASE("gate: hourly and daily budgets per channel", "[community][gate]") {
  community::gate_settings s;
  s.per_hour = 2;
  s.per_day = 3;
  s.cooldown_ms = 0;
  auto g = gate(s);
  g.record(msg("discord", "1", "a"), "1", noon);
  g.record(msg("discord", "2", "b"), "2", noon + minute);
  CHECK(rule(g, msg("discord", "3", "c"), noon + 2 * minute) == gate_rule::hourly_budget);
  CHECK_FALSE(rule(g, msg("telegram", "3", "c"), noon + 2 * minute)); // another channel
  CHECK_FALSE(rule(g, msg("discord", "3", "c"), noon + hour + minute));
  g.record(msg("discord", "3", "c"), "3", noon + hour + minute);
  CHECK(rule(g, msg("discord", "4", "d"), noon + 3 * hour) == gate_rule::daily_budget);
  CHECK_FALSE(rule(g, msg("discord", "4", "d"), noon + 24 * hour + 2 * minute));
}

TEST_CASE("gate: quiet hours", "[community][gate]") {
  community::gate_settings s;
  s.quiet = {11 * 60, 13 * 60}; // 11:00-13:00 UTC
  auto g = gate(s);
  CHECK(rule(g, msg("x", "5"), noon) == gate_rule::quiet_hours);
  CHECK_FALSE(rule(g, msg("x", "5"), noon + 2 * hour));
}

TEST_CASE("gate: the same text is never sent twice to a conversation", "[community][gate]") {
  auto g = gate();
  auto m = msg("x", "5");
  CHECK(g.fresh_text(m, "BTC is trending up"));
  g.record(m, "BTC is trending up", noon);
  CHECK_FALSE(g.fresh_text(m, "BTC is trending up"));
  CHECK(g.fresh_text(msg("x", "5", "other"), "BTC is trending up"));
}

TEST_CASE("gate: list entries are checked", "[community][gate]") {
  CHECK(community::normalise_list_entry("X:@Alice") == "x:@alice");
  CHECK(community::normalise_list_entry("discord:123") == "discord:123");
  CHECK(community::normalise_list_entry("mastodon:1").empty());
  CHECK(community::normalise_list_entry("x:").empty());
  CHECK(community::normalise_list_entry("x:@").empty());
  CHECK(community::normalise_list_entry("x:a b").empty());
  CHECK(community::all_gate_rules().size() == 11);
}
