#include <catch2/catch.hpp>

#include "io/community/inbound.hpp"

using namespace herald::io::community;

TEST_CASE("inbound: X mentions with authors, replies to us and meta", "[community][inbound]") {
  const char* body = R"({"data":[
    {"id":"1800000000000000002","text":"@heraldbot what about BTC?","author_id":"55",
     "conversation_id":"1800000000000000001","created_at":"2026-12-07T10:00:00.000Z",
     "in_reply_to_user_id":"1000","referenced_tweets":[{"type":"replied_to","id":"1800000000000000001"}]},
    {"id":"999999999999999999","text":"hi @heraldbot","author_id":"56",
     "conversation_id":"999999999999999999","created_at":"2026-12-07T09:00:00Z"}],
    "includes":{"users":[{"id":"55","username":"alice","name":"Alice"},{"id":"56","username":"bob","name":"Bob"}]},
    "meta":{"result_count":2,"newest_id":"1800000000000000002","oldest_id":"999999999999999999","next_token":"p2"}})";
  page p;
  REQUIRE(parse_x_mentions(body, {"1000", "heraldbot"}, p).empty());
  REQUIRE(p.messages.size() == 2);
  CHECK(p.messages[0].message_id == "999999999999999999"); // oldest first, numeric order
  CHECK(p.messages[1].author_handle == "alice");
  CHECK(p.messages[1].replies_to_us);
  CHECK(p.messages[1].reply_to_id == "1800000000000000001");
  CHECK(p.messages[1].mentions_us);
  CHECK_FALSE(p.messages[0].replies_to_us);
  CHECK(p.messages[1].ts_ms == 1796637600000);
  CHECK(p.cursor == "1800000000000000002");
  CHECK(p.next_token == "p2");
}

TEST_CASE("inbound: an empty X answer has no data", "[community][inbound]") {
  page p;
  CHECK(parse_x_mentions(R"({"meta":{"result_count":0}})", {"1000", ""}, p).empty());
  CHECK(p.messages.empty());
  CHECK(p.cursor.empty());
}

TEST_CASE("inbound: Telegram updates, offsets, mentions and skipped kinds", "[community][inbound]") {
  const char* body = R"({"ok":true,"result":[
    {"update_id":10,"message":{"message_id":7,"from":{"id":5,"is_bot":false,"first_name":"A","username":"a"},
      "chat":{"id":-100123,"type":"supergroup","title":"t"},"date":1796637600,
      "text":"@HeraldBot how is ETH?","entities":[{"type":"mention","offset":0,"length":10}]}},
    {"update_id":11,"message_reaction_count":{"chat":{"id":-100123}}},
    {"update_id":12,"message":{"message_id":8,"from":{"id":6,"is_bot":true,"first_name":"B"},
      "chat":{"id":-100123,"type":"supergroup"},"date":1796637601,"text":"thanks",
      "reply_to_message":{"message_id":3,"from":{"id":77,"is_bot":true}}}}]})";
  page p;
  REQUIRE(parse_telegram_updates(body, {"77", "heraldbot"}, p).empty());
  REQUIRE(p.messages.size() == 2);
  CHECK(p.cursor == "13");
  CHECK(p.skipped == 1);
  CHECK(p.messages[0].message_id == "-100123:7");
  CHECK(p.messages[0].mentions_us);
  CHECK_FALSE(p.messages[0].replies_to_us);
  CHECK(p.messages[1].author_is_bot);
  CHECK(p.messages[1].replies_to_us);
  CHECK(p.messages[1].reply_to_id == "-100123:3");
  CHECK(p.messages[1].ts_ms == 1796637601000);
}

TEST_CASE("inbound: Discord messages sorted by snowflake", "[community][inbound]") {
  const char* body = R"([
    {"id":"1100000000000000010","channel_id":"42","author":{"id":"9","username":"carol","bot":false},
     "content":"<@555> levels for SOL?","timestamp":"2026-12-07T10:00:00.000000+00:00",
     "mentions":[{"id":"555","username":"herald"}]},
    {"id":"1100000000000000009","channel_id":"42","author":{"id":"8","username":"otherbot","bot":true},
     "content":"reply","timestamp":"2026-12-07T09:59:00+00:00","mentions":[],
     "message_reference":{"message_id":"1100000000000000001"},
     "referenced_message":{"id":"1100000000000000001","author":{"id":"555","bot":true}}}])";
  page p;
  REQUIRE(parse_discord_messages(body, {"555", ""}, p).empty());
  REQUIRE(p.messages.size() == 2);
  CHECK(p.messages[0].message_id == "1100000000000000009");
  CHECK(p.messages[0].replies_to_us);
  CHECK(p.messages[0].author_is_bot);
  CHECK(p.messages[1].mentions_us);
  CHECK(p.cursor == "1100000000000000010");
  CHECK(id_less("9", "10"));
}

TEST_CASE("inbound: malformed answers name what and where", "[community][inbound]") {
  page p;
  CHECK(parse_x_mentions("{", {}, p) == "X mentions: the answer is not JSON");
  CHECK(parse_x_mentions(R"({"data":[{"id":"x1","author_id":"5"}]})", {}, p)
        == "X mentions: data[0].id: missing or not a numeric id");
  CHECK(parse_x_mentions(R"({"data":[{"id":"1","author_id":"5","created_at":"yesterday"}]})", {}, p)
          .find("created_at") != std::string::npos);
  CHECK(parse_telegram_updates(R"({"ok":false,"description":"Unauthorized"})", {}, p)
        == "Telegram getUpdates: ok=false: Unauthorized");
  CHECK(parse_telegram_updates(R"({"ok":true,"result":[{"message":{}}]})", {}, p)
        == "Telegram getUpdates: result[0].update_id: missing or not an integer");
  CHECK(parse_discord_messages(R"({"message":"401: Unauthorized"})", {}, p)
        == "Discord messages: the answer is not a JSON array");
  CHECK(parse_discord_messages(R"([{"id":"1","channel_id":"2","content":"x"}])", {}, p)
        == "Discord messages: [0].author: missing");
}

TEST_CASE("inbound: hostile text is kept as bounded valid UTF-8", "[community][inbound]") {
  std::string big(20000, 'A');
  std::string body = R"([{"id":"1","channel_id":"2","author":{"id":"3","username":"u\u0007\nx"},"content":")"
                     + big + R"(\u0000<script>alert(1)</script> \u0645\u0631\u062d\u0628\u0627"}])";
  page p;
  REQUIRE(parse_discord_messages(body, {"555", ""}, p).empty());
  REQUIRE(p.messages.size() == 1);
  CHECK(p.messages[0].text.size() <= max_text_bytes);
  CHECK(p.messages[0].author_handle == "u  x");
  std::string s = R"([{"id":"1","channel_id":"2","author":{"id":"3"},"content":"<b>hi</b> \u0645\u0631\u062d\u0628\u0627 \ud83d\ude00"}])";
  REQUIRE(parse_discord_messages(s, {"555", ""}, p).empty());
  CHECK(p.messages[0].text == "<b>hi</b> \xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7 \xf0\x9f\x98\x80");
}
