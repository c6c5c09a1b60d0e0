// The channel adapters against a local server speaking each service's wire
// format: success, 429 with the service's retry hint, 5xx, timeouts and
// permanent 4xx, classified for the channel agent's retry policy.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "io/publish/publisher.hpp"
#include "support/publish_double.hpp"
#include "support/trickle_server.hpp"

#include <future>

using namespace herald;
using namespace herald::io::publish;
using json = nlohmann::json;
using status = delivery::status;
namespace fs = std::filesystem;

namespace {

outbound piece(std::vector<std::string> parts, std::string chart = "") {
  outbound o;
  o.id = "alert:BTCUSDT:1m:1700000000000@x";
  o.piece = "alert:BTCUSDT:1m:1700000000000";
  o.type = "alert";
  o.title = "BTCUSDT 1m: bullish signal";
  o.parts = std::move(parts);
  o.chart_png = std::move(chart);
  o.at = 1'700'000'000'000;
  return o;
}

http_options local(const test::publish_double& d, int timeout_ms = 2000) {
  return {d.url(), timeout_ms};
}

const std::string fake_png = std::string{"\x89PNG\r\n\x1a\n", 8} + "rest-of-image";

} // namespace

TEST_CASE("telegram: sendMessage JSON, sendPhoto multipart, the message id back", "[publish]") {
  test::publish_double d;
  auto tg = make_telegram({local(d), "T0KEN", "123456789"});
  auto r = tg->publish(piece({"BTCUSDT turned bullish"}));
  REQUIRE(r.st == status::ok);
  CHECK(r.remote_id == "42");
  auto got = d.received("telegram");
  REQUIRE(got.size() == 1);
  CHECK(got[0].path == "/botT0KEN/sendMessage");
  auto j = json::parse(got[0].body);
  CHECK(j["chat_id"] == 123456789); // numeric ids go as numbers
  CHECK(j["text"] == "BTCUSDT turned bullish");

  auto p = tg->publish(piece({"with a chart"}, fake_png));
  REQUIRE(p.st == status::ok);
  got = d.received("telegram");
  REQUIRE(got.size() == 2);
  CHECK(got[1].path == "/botT0KEN/sendPhoto");
  CHECK(got[1].fields["photo"] == fake_png);
  CHECK(got[1].fields["caption"] == "with a chart");
  CHECK(got[1].fields["chat_id"] == "123456789");
}

TEST_CASE("telegram: 429 carries retry_after, 5xx and timeouts retry, 4xx is permanent",
          "[publish]") {
  test::publish_double d;
  auto tg = make_telegram({local(d, 300), "T0KEN", "@herald"});
  d.script("telegram",
           {{429, R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}})"}});
  auto r = tg->publish(piece({"x"}));
  CHECK(r.st == status::retry);
  CHECK(r.retry_after_ms == 7000);
  CHECK(r.error.find("Too Many Requests") != std::string::npos);

  d.script("telegram", {{502, "Bad Gateway"}});
  r = tg->publish(piece({"x"}));
  CHECK(r.st == status::retry);
  CHECK(r.retry_after_ms == -1);
  CHECK(r.error.find("502") != std::string::npos);

  d.script("telegram", {{0, "", {}, 1000}}); // answers after the client gave up
  r = tg->publish(piece({"x"}));
  CHECK(r.st == status::retry);
  CHECK(r.error.find("no reply") != std::string::npos);

  auto bad = make_telegram({local(d), "WRONG", "@herald"});
  r = bad->publish(piece({"x"}));
  CHECK(r.st == status::failed);
  CHECK(r.error.find("401") != std::string::npos);
  CHECK(r.error.find("Unauthorized") != std::string::npos);

  r = tg->publish(piece({"fine now"}));
  CHECK(r.st == status::ok);
  CHECK(r.url == "https://t.me/herald/" + r.remote_id);
}

TEST_CASE("discord: webhook with an embed, chart attached, ?wait=true for the id, 429 "
          "retry_after in seconds",
          "[publish]") {
  test::publish_double d;
  auto dc = make_discord({local(d), "/api/webhooks/123/tok"});
  auto r = dc->publish(piece({"**BTCUSDT** turned bullish"}, fake_png));
  REQUIRE(r.st == status::ok);
  CHECK(!r.remote_id.empty());
  auto got = d.received("discord");
  REQUIRE(got.size() == 1);
  CHECK(got[0].path == "/api/webhooks/123/tok");
  auto payload = json::parse(got[0].fields["payload_json"]);
  CHECK(payload["embeds"][0]["description"] == "**BTCUSDT** turned bullish");
  CHECK(payload["embeds"][0]["image"]["url"] == "attachment://chart.png");
  CHECK(got[0].fields["files[0]"] == fake_png);

  d.script("discord", {{429, R"({"message":"You are being rate limited.","retry_after":1.5,"global":false})",
                        {{"Retry-After", "2"}, {"X-RateLimit-Remaining", "0"}}},
                       {503, "upstream"}});
  r = dc->publish(piece({"again"}));
  CHECK(r.st == status::retry);
  CHECK(r.retry_after_ms == 1500); // the body's precise value wins over the header
  r = dc->publish(piece({"again"}));
  CHECK(r.st == status::retry);
  r = dc->publish(piece({"again"}));
  CHECK(r.st == status::ok); // 5xx then success
  auto plain = json::parse(d.received("discord").back().body);
  CHECK(plain["embeds"][0]["description"] == "again");

  d.script("discord", {{404, R"({"message": "Unknown Webhook", "code": 10015})"}});
  r = dc->publish(piece({"gone"}));
  CHECK(r.st == status::failed);
  CHECK(r.error.find("Unknown Webhook") != std::string::npos);
}

TEST_CASE("x: bearer token, threads as reply chains, resumable, duplicates count as delivered",
          "[publish]") {
  test::publish_double d;
  auto x = make_x({local(d), "XTOKEN"});
  auto r = x->publish(piece({"1/3 first", "2/3 second", "3/3 third"}));
  REQUIRE(r.st == status::ok);
  CHECK(r.parts_done == 3);
  auto got = d.received("x");
  REQUIRE(got.size() == 3);
  CHECK(got[0].headers.find("Authorization")->second == "Bearer XTOKEN");
  auto first = json::parse(got[0].body), second = json::parse(got[1].body),
       third = json::parse(got[2].body);
  CHECK_FALSE(first.contains("reply"));
  CHECK(second["reply"]["in_reply_to_tweet_id"] != "");
  CHECK(second["reply"]["in_reply_to_tweet_id"] != third["reply"]["in_reply_to_tweet_id"]);

  // a thread interrupted by a 429 resumes at the part that failed
  auto t = piece({"1/2 alpha", "2/2 beta"});
  d.script("x", {{0}, {429, R"({"title":"Too Many Requests"})", {{"x-rate-limit-reset", "0"}}}});
  r = x->publish(t);
  CHECK(r.st == status::retry);
  CHECK(r.parts_done == 1);
  CHECK(r.retry_after_ms == 0); // the reset time is in the past
  t.first_part = r.parts_done;
  t.reply_to = r.last_id;
  r = x->publish(t);
  REQUIRE(r.st == status::ok);
  auto last = json::parse(d.received("x").back().body);
  CHECK(last["text"] == "2/2 beta");
  CHECK(last["reply"]["in_reply_to_tweet_id"] == t.reply_to);

  // sent again after a crash: X refuses the duplicate, which means delivered
  r = x->publish(piece({"1/3 first", "2/3 second", "3/3 third"}));
  CHECK(r.st == status::ok);
  CHECK(r.duplicate);

  auto wrong = make_x({local(d), "nope"});
  CHECK(wrong->publish(piece({"new text"})).st == status::failed);
}

TEST_CASE("webhook: JSON body signed with HMAC-SHA256, delivery id header", "[publish]") {
  // RFC 4231 test case 2
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?")
        == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  test::publish_double d;
  webhook_options o;
  o.http = local(d);
  o.path = "/hook";
  o.secret = "s3cret";
  auto w = make_webhook(o);
  auto p = piece({"text"}, fake_png);
  auto r = w->publish(p);
  REQUIRE(r.st == status::ok);
  auto got = d.received("webhook");
  REQUIRE(got.size() == 1);
  CHECK(got[0].headers.find("X-Herald-Delivery")->second == p.id);
  CHECK(got[0].headers.find("X-Herald-Signature")->second
        == "sha256=" + hmac_sha256_hex("s3cret", got[0].body));
  auto j = json::parse(got[0].body);
  CHECK(j["piece"] == p.piece);
  CHECK(j["parts"][0] == "text");
  CHECK(j.contains("chart_png_base64"));
  CHECK(w->resend_is_safe());

  d.script("webhook", {{500, "boom"}, {410, "gone"}});
  CHECK(w->publish(p).st == status::retry);
  CHECK(w->publish(p).st == status::failed);
  CHECK_THROWS_AS(split_url("ftp://x"), std::invalid_argument);
  CHECK(split_url("https://h:8443/a/b") == std::make_pair(std::string{"https://h:8443"}, std::string{"/a/b"}));
}

TEST_CASE("articles: pages, markdown, chart, index newest first and a valid feed, "
          "publishing again rewrites, never duplicates",
          "[publish]") {
  auto dir = fs::temp_directory_path() / ("herald-site-" + std::to_string(std::rand()));
  articles_options o;
  o.dir = dir.string();
  o.site.base_url = "https://research.example/";
  auto a = make_articles(o);
  auto older = piece({"older <b>text</b> & more"});
  older.piece = "alert:ETHUSDT:1m:1699990000000";
  older.at = 1'699'990'000'000;
  older.markdown = "older <b>text</b> & more";
  REQUIRE(a->publish(older).st == status::ok);
  auto newer = piece({"newer"}, fake_png);
  newer.markdown = "**newer** text";
  auto r = a->publish(newer);
  REQUIRE(r.st == status::ok);
  CHECK(r.url == "https://research.example/alert-btcusdt-1m-1700000000000.html");
  REQUIRE(a->publish(newer).st == status::ok); // again: same files

  CHECK(fs::exists(dir / "alert-btcusdt-1m-1700000000000.html"));
  CHECK(fs::exists(dir / "alert-btcusdt-1m-1700000000000.md"));
  CHECK(fs::exists(dir / "alert-btcusdt-1m-1700000000000.png"));
  std::ifstream idx{dir / "index.html"};
  std::string index{std::istreambuf_iterator<char>{idx}, {}};
  auto pn = index.find("alert-btcusdt"), po = index.find("alert-ethusdt");
  REQUIRE(pn != std::string::npos);
  REQUIRE(po != std::string::npos);
  CHECK(pn < po); // newest first
  std::size_t listed = 0;
  for (auto at = index.find("alert-btcusdt-1m-1700000000000.html"); at != std::string::npos;
       at = index.find("alert-btcusdt-1m-1700000000000.html", at + 1))
    ++listed;
  CHECK(listed == 1); // published twice, listed once
  pugi::xml_document feed;
  REQUIRE(feed.load_file((dir / "feed.xml").c_str()));
  auto items = feed.child("rss").child("channel").children("item");
  CHECK(std::distance(items.begin(), items.end()) == 2);
  std::ifstream page{dir / "alert-ethusdt-1m-1699990000000.html"};
  std::string html{std::istreambuf_iterator<char>{page}, {}};
  CHECK(html.find("<b>text</b>") == std::string::npos); // escaped
  fs::remove_all(dir);
}

TEST_CASE("a publisher gives up on a trickling server at its timeout for the whole request",
          "[publish][deadline]") {
  // Every read succeeds (a byte each 100 ms), so per-read timeouts never fire.
  test::trickle_server slow;
  webhook_options o;
  o.http = {"http://127.0.0.1:" + std::to_string(slow.port()), 500};
  o.path = "/hook";
  o.secret = "s3cret";
  auto w = make_webhook(o);
  auto p = piece({"text"}, fake_png);
  auto done = std::async(std::launch::async, [&] { return w->publish(p); });
  // Without the deadline this takes the trickle's two minutes.
  REQUIRE(done.wait_for(std::chrono::seconds{30}) == std::future_status::ready);
  auto r = done.get();
  CHECK(r.st != status::ok);
}
