// The community listeners in a running `herald run` (issue 18): local
// servers speak X, Telegram and Discord; every message is stored once with
// its author, and a listener killed mid-run reads nothing twice.
#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <map>
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

namespace {

std::vector<std::string> community_args(const inbound_double& d, std::vector<std::string> more = {}) {
  std::vector<std::string> a{
    "--community.x.enabled=true", "--community.x.url=" + d.url(), "--community.x.user-id=1000",
    "--community.x.poll-interval=1s", "--community.telegram.enabled=true",
    "--community.telegram.url=" + d.url(), "--community.telegram.username=heraldbot",
    "--community.telegram.long-poll=0s", "--community.discord.enabled=true",
    "--community.discord.url=" + d.url(), "--community.discord.bot-id=555",
    "--community.discord.channels=[\"42\"]", "--community.discord.poll-interval=1s",
    "--engagement.interval=200ms"};
  a.insert(a.end(), more.begin(), more.end());
  return a;
}

const std::vector<std::string> community_secrets{
  "HERALD_X_TOKEN=XTOKEN", "HERALD_TELEGRAM_TOKEN=77:T0KEN", "HERALD_DISCORD_BOT_TOKEN=BOTTOKEN"};

bool wait_for(const std::function<bool()>& f, std::chrono::seconds limit = 60s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (f())
      return true;
    std::this_thread::sleep_for(100ms);
  }
  return f();
}

} // namespace

TEST_CASE("people get one reply each and the gate skips what it must",
          "[acceptance][community][engagement]") {
  inbound_double d;
  d.tg_token = "77:T0KEN";
  d.add(inbound_double::mention{"202", "1000", "heraldbot", "@heraldbot our own post"});
  d.add(inbound_double::tg_message{-100123, 7, 5, "a", "@heraldbot thanks for the call!"});
  inbound_double::dc_message q;
  q.id = "1100000000000000001";
  q.author_id = "9";
  q.username = "carol";
  // Hostile text: markup, control characters, 10 KB, other scripts.
  q.content = "<@555> <script>alert(1)</script> **x** \x01\x02 " + std::string(10000, 'A')
              + " \xe4\xbd\xa0\xe5\xa5\xbd levels for ETH?";
  q.mentions_us = true;
  inbound_double::dc_message bot;
  bot.id = "1100000000000000002";
  bot.author_id = "8";
  bot.username = "otherbot";
  bot.content = "beep ETH?";
  bot.bot = true;
  d.add(bot);
  node n{community_args(d), false, community_secrets};
  // The questions about symbols come once there are candles: the answers
  // state the symbols' facts.
  CHECK(wait_count(n, "SELECT COUNT(*) > 0 FROM market_data WHERE symbol='ETHUSDT'", "1"));
  // Ids grow with time on every platform: these come after the first poll.
  d.add(inbound_double::mention{"203", "5", "alice", "@heraldbot how is BTC?"});
  q.id = "1100000000000000003";
  d.add(q);
  CHECK(wait_for([&] { return d.replies().size() == 3; }));
  auto rs = d.replies();
  std::map<std::string, std::string> by_platform;
  for (auto& r : rs)
    by_platform[r.platform] = r.text;
  CHECK(by_platform["x"].find("BTCUSDT at ") != std::string::npos);
  CHECK(by_platform["discord"].find("ETHUSDT at ") != std::string::npos);
  CHECK(by_platform["telegram"].find("Thank you") != std::string::npos);
  for (auto& [p, text] : by_platform) {
    CHECK(text.find("Research, not investment advice.") != std::string::npos);
    CHECK(text.find("script") == std::string::npos);
  }
  auto c = n.client();
  auto list = c.Get("/api/v1/replies?limit=50", node::auth(herald::test::viewer_token));
  REQUIRE(list);
  REQUIRE(list->status == 200);
  auto j = nlohmann::json::parse(list->body);
  std::map<std::string, std::string> rule;
  for (auto& r : j["items"])
    rule[r["id"].get<std::string>()] = r["state"].get<std::string>() + "/" + r["rule"].get<std::string>();
  CHECK(rule["x:202"] == "skipped/own_account");
  CHECK(rule["discord:1100000000000000002"] == "skipped/bot");
  CHECK(rule["x:203"] == "sent/");
  CHECK(n.p->wait_output("community.engagement", 5s));
  // Nothing more is sent on later ticks.
  CHECK(n.p->wait_output("decided", 5s));
  CHECK(d.replies().size() == 3);
}

TEST_CASE("replies held for approval go out once approved", "[acceptance][community][engagement]") {
  inbound_double d;
  d.tg_token = "77:T0KEN";
  d.add(inbound_double::tg_message{-100123, 7, 5, "a", "@heraldbot how is ETH?"});
  d.add(inbound_double::tg_message{-100123, 8, 6, "b", "@heraldbot and BTC?"});
  node n{community_args(d, {"--engagement.mode=approval"}), false, community_secrets};
  auto c = n.client();
  nlohmann::json held;
  CHECK(wait_for([&] {
    auto r = c.Get("/api/v1/replies?state=pending_approval", node::auth(herald::test::viewer_token));
    if (!r || r->status != 200)
      return false;
    held = nlohmann::json::parse(r->body);
    return held["items"].size() == 2;
  }));
  CHECK(d.replies().empty());
  auto viewer = c.Post("/api/v1/replies/telegram:-100123:7/approve",
                       node::auth(herald::test::viewer_token), "", "application/json");
  REQUIRE(viewer);
  CHECK(viewer->status == 403);
  auto ok = c.Post("/api/v1/replies/telegram:-100123:7/approve", node::auth(operator_token), "",
                   "application/json");
  REQUIRE(ok);
  CHECK(ok->status == 200);
  auto no = c.Post("/api/v1/replies/telegram:-100123:8/reject", node::auth(operator_token), "",
                   "application/json");
  REQUIRE(no);
  CHECK(no->status == 200);
  CHECK(wait_for([&] { return d.replies().size() == 1; }));
  CHECK(d.replies()[0].in_reply_to == "7");
  auto twice = c.Post("/api/v1/replies/telegram:-100123:7/approve", node::auth(operator_token), "",
                      "application/json");
  REQUIRE(twice);
  CHECK(twice->status == 409);
  CHECK(wait_for([&] {
    return count(n, "SELECT state FROM community_replies WHERE id='telegram:-100123:7'") == "sent";
  }));
  CHECK(count(n, "SELECT state FROM community_replies WHERE id='telegram:-100123:8'") == "rejected");
  CHECK(d.replies().size() == 1);
}

TEST_CASE("a SIGKILL during a reply call never sends the reply twice",
          "[acceptance][community][engagement]") {
  inbound_double d;
  d.tg_token = "77:T0KEN";
  d.reply_delay_ms = 4000;
  d.add(inbound_double::tg_message{-100123, 7, 5, "a", "@heraldbot how is BTC?"});
  auto args = community_args(d);
  node n{args, false, community_secrets};
  // The reply call is in flight: kill the whole process in it.
  REQUIRE(wait_for([&] { return d.in_flight.load() >= 1; }));
  n.p->signal(SIGKILL);
  n.p->wait_exit(30s);
  d.reply_delay_ms = 0;
  // The platform got it (the handler completes after the sender died).
  REQUIRE(wait_for([&] { return d.replies().size() == 1; }, 30s));
  auto again = std::make_unique<herald::test::process>(n.args(args));
  CHECK(again->wait_output("herald running", 60s));
  CHECK(again->wait_output("replies were being sent when the agent stopped: in doubt", 30s));
  CHECK(count(n, "SELECT state FROM community_replies WHERE id='telegram:-100123:7'") == "in_doubt");
  // A later message is answered; the one in doubt is not sent again.
  d.add(inbound_double::tg_message{-100123, 8, 6, "b", "@heraldbot and ETH?"});
  CHECK(wait_for([&] { return d.replies().size() == 2; }));
  CHECK(d.in_flight.load() == 2);
  again->signal(SIGTERM);
  again->wait_exit(30s);
}
