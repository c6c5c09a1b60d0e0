// The community listeners in a running `herald run` (issue 18): local
// servers speak X, Telegram and Discord; every message is stored once with
// its author, and a listener killed mid-run reads nothing twice.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "support/backends.hpp"
#include "support/herald_node.hpp"
#include "support/inbound_double.hpp"

using herald::test::inbound_double;
using herald::test::node;
using herald::test::operator_token;
using namespace std::chrono_literals;

namespace {

std::string count(const node& n, const std::string& sql) {
  return herald::test::run_line("sqlite3 '" + n.db() + "' \"" + sql + "\"");
}

bool wait_count(const node& n, const std::string& sql, const std::string& want,
                std::chrono::seconds limit = 30s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (count(n, sql) == want)
      return true;
    std::this_thread::sleep_for(100ms);
  }
  return count(n, sql) == want;
}

} // namespace

TEST_CASE("the listeners store what people send once, also when a listener is killed",
          "[acceptance][community]") {
  inbound_double d;
  d.tg_token = "77:T0KEN";
  d.add(inbound_double::mention{"101", "5", "alice", "@heraldbot BTC?"});
  d.add(inbound_double::tg_message{-100123, 7, 5, "a", "@heraldbot how is ETH?"});
  inbound_double::dc_message m;
  m.id = "1100000000000000001";
  m.author_id = "9";
  m.username = "carol";
  m.content = "<@555> levels for SOL?";
  m.mentions_us = true;
  d.add(m);
  node n{{"--community.x.enabled=true", "--community.x.url=" + d.url(),
          "--community.x.user-id=1000", "--community.x.poll-interval=1s",
          "--community.telegram.enabled=true", "--community.telegram.url=" + d.url(),
          "--community.telegram.username=heraldbot", "--community.telegram.long-poll=0s",
          "--community.discord.enabled=true", "--community.discord.url=" + d.url(),
          "--community.discord.bot-id=555", "--community.discord.channels=[\"42\"]",
          "--community.discord.poll-interval=1s"},
         false,
         {"HERALD_X_TOKEN=XTOKEN", "HERALD_TELEGRAM_TOKEN=77:T0KEN",
          "HERALD_DISCORD_BOT_TOKEN=BOTTOKEN"}};
  const std::string per_platform =
    "SELECT group_concat(channel || '=' || n, ' ') FROM (SELECT channel, COUNT(*) AS n FROM "
    "user_interactions GROUP BY channel ORDER BY channel)";
  CHECK(wait_count(n, per_platform, "discord=1 telegram=1 x=1"));
  CHECK(n.p->wait_output("community.listener.x", 10s));
  // Kill the X listener; mentions that arrive meanwhile are read by its
  // restarted incarnation from the stored since_id, once each.
  auto c = n.client();
  auto kill = c.Post("/api/v1/agents/community.listener.x/kill", node::auth(operator_token), "",
                     "application/json");
  REQUIRE(kill);
  CHECK(kill->status == 200);
  for (int i = 2; i <= 6; ++i)
    d.add(inbound_double::mention{std::to_string(100 + i), "6", "bob", "@heraldbot hi " + std::to_string(i)});
  d.add(inbound_double::tg_message{-100123, 8, 6, "b", "thanks"});
  CHECK(wait_count(n, per_platform, "discord=1 telegram=2 x=6"));
  CHECK(count(n, "SELECT COUNT(*) FROM user_interactions") == "9"); // 6 + 2 + 1, none twice
  CHECK(count(n, "SELECT messages FROM community_users WHERE platform='x' AND external_id='6'")
        == "5");
  CHECK(count(n, "SELECT cursor FROM community_cursors WHERE source='x:mentions:1000'") == "106");
  CHECK(count(n, "SELECT cursor FROM community_cursors WHERE source='telegram:updates:77'") == "102");
  CHECK(d.unconfirmed() <= 1);
}

TEST_CASE("a listener enabled without its secret stops the start with a clear error",
          "[acceptance][community]") {
  auto dir = std::filesystem::temp_directory_path() / ("herald-community-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto [rc, out] = herald::test::process::run(
    {herald::test::herald_bin, "run", "--config", herald::test::shipped_conf, "--http.port=0",
     "--inspector.port=0", "--db.url=sqlite://" + (dir / "h.db").string(),
     "--http.token-file=" + (dir / "t").string(), "--community.discord.enabled=true",
     "--community.discord.bot-id=555", "--community.discord.channels=[\"42\"]"},
    60s);
  CHECK(rc == 2);
  CHECK(out.find("community.discord is enabled but the secret HERALD_DISCORD_BOT_TOKEN is not set")
        != std::string::npos);
  std::filesystem::remove_all(dir);
}
