// The reply senders against a local server speaking each platform's reply
// format: the reply's id back, a duplicate on X counted as sent, 429 and
// 5xx to retry, no answer in doubt, other 4xx failed.
#include <catch2/catch.hpp>

#include "io/community/reply_sender.hpp"
#include "support/inbound_double.hpp"

using namespace herald;
using herald::test::inbound_double;
using status = community::send_result::status;

namespace {

db::reply_row row(const std::string& platform, const std::string& to, const std::string& conv,
                  const std::string& text) {
  db::reply_row r;
  r.id = platform + ":" + to;
  r.platform = platform;
  r.in_reply_to = to;
  r.conversation_id = conv;
  r.text = text;
  return r;
}

} // namespace

TEST_CASE("reply sender: X replies with in_reply_to_tweet_id and refuses duplicates",
          "[community][sender]") {
  inbound_double d;
  auto send = io::community::reply_sender("x", {d.url(), "XTOKEN", 2000});
  auto r = send(row("x", "101", "101", "BTCUSDT at 43000.5."));
  CHECK(r.st == status::sent);
  CHECK(r.remote_id == "1900000000000000000");
  // The same text again (a resend after a crash): X refuses it, it is there.
  auto again = send(row("x", "101", "101", "BTCUSDT at 43000.5."));
  CHECK(again.st == status::sent);
  CHECK(again.remote_id == "duplicate");
  REQUIRE(d.replies().size() == 1);
  CHECK(d.replies()[0].in_reply_to == "101");
  d.script("x-reply", {{429, R"({"errors":[{"code":88,"message":"Rate limit exceeded"}]})",
                        {{"Retry-After", "15"}}},
                       {503, "{}", {}},
                       {400, R"({"title":"Invalid Request"})", {}}});
  auto limited = send(row("x", "102", "102", "t2"));
  CHECK(limited.st == status::retry);
  CHECK(limited.retry_after_ms == 15'000);
  CHECK(send(row("x", "102", "102", "t2")).st == status::retry);
  CHECK(send(row("x", "102", "102", "t2")).st == status::failed);
}

TEST_CASE("reply sender: Telegram replies in the chat to the message", "[community][sender]") {
  inbound_double d;
  auto send = io::community::reply_sender("telegram", {d.url(), "77:T0KEN", 2000});
  auto r = send(row("telegram", "-100123:7", "-100123", "Thank you for reading!"));
  CHECK(r.st == status::sent);
  CHECK(r.remote_id == "5000");
  REQUIRE(d.replies().size() == 1);
  CHECK(d.replies()[0].conversation == "-100123");
  CHECK(d.replies()[0].in_reply_to == "7");
  d.script("telegram-reply", {{429, R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}})", {}}});
  auto limited = send(row("telegram", "-100123:8", "-100123", "x"));
  CHECK(limited.st == status::retry);
  CHECK(limited.retry_after_ms == 7000);
  CHECK(limited.error.find("T0KEN") == std::string::npos);
}

TEST_CASE("reply sender: Discord replies with message_reference and no pings",
          "[community][sender]") {
  inbound_double d;
  auto send = io::community::reply_sender("discord", {d.url(), "BOTTOKEN", 2000});
  auto r = send(row("discord", "1100000000000000001", "42", "hi"));
  CHECK(r.st == status::sent);
  REQUIRE(d.replies().size() == 1);
  CHECK(d.replies()[0].conversation == "42");
  CHECK(d.replies()[0].in_reply_to == "1100000000000000001");
  // A server that answers 200 without an id: the reply may exist.
  d.script("discord-reply", {{200, "{}", {}}});
  CHECK(send(row("discord", "2", "42", "x")).st == status::unknown);
  // Nobody listening: the connection was refused, nothing was sent: retry.
  auto dead = io::community::reply_sender("discord", {"http://127.0.0.1:1", "BOTTOKEN", 500});
  CHECK(dead(row("discord", "3", "42", "x")).st == status::retry);
}
