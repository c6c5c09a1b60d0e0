#include <catch2/catch.hpp>

#include "community/reply.hpp"
#include "content/channel.hpp"

using namespace herald;
using community::intent;

namespace {

const std::map<std::string, std::string> aliases{
  {"bitcoin", "BTCUSDT"}, {"btc", "BTCUSDT"}, {"eth", "ETHUSDT"}, {"sol", "SOLUSDT"}};
const std::vector<std::string> tracked{"BTCUSDT", "ETHUSDT"};

community::classified cls(const std::string& text, bool reply = false) {
  return community::classify(text, reply, aliases, tracked);
}

} // namespace

TEST_CASE("reply: intents and symbols", "[community][reply]") {
  CHECK(cls("@heraldbot what about BTC?").kind == intent::symbol_question);
  CHECK(cls("@heraldbot what about BTC?").symbol == "BTCUSDT");
  CHECK(cls("<@555> levels for ethusdt").symbol == "ETHUSDT");
  CHECK(cls("bitcoin thoughts").kind == intent::symbol_question);
  CHECK(cls("thanks for the BTC call!").kind == intent::thanks);
  CHECK(cls("thank you \xF0\x9F\x99\x8F").kind == intent::thanks);
  CHECK(cls("why did you say short?", true).kind == intent::post_question);
  CHECK(cls("why did you say short?", false).kind == intent::other);
  CHECK(cls("gm").kind == intent::other);
  // SOL has an alias but is not tracked: the untracked answer.
  auto sol = cls("what about $SOL?");
  CHECK(sol.kind == intent::untracked_symbol);
  CHECK(sol.named == "SOL");
  CHECK(cls("is ADAUSDT going up?").named == "ADAUSDT");
  // The handle and links do not count: "@btc_fan" is not a question about BTC.
  CHECK(cls("@btc_fan https://x.com/btc hello").symbol.empty());
  // Other scripts: the Arabic question mark.
  CHECK(cls("\xd9\x85\xd8\xa7 \xd8\xb1\xd8\xa3\xd9\x8a\xd9\x83 \xd8\xa8\xd9\x80 btc\xd8\x9f").kind
        == intent::symbol_question);
}

TEST_CASE("reply: compose uses only facts and fits the platform", "[community][reply]") {
  auto t = community::reply_templates::builtin();
  community::reply_request r;
  r.what = cls("what about BTC?");
  r.facts.set("symbol", "BTCUSDT").set("price", 43000.5).set("trend", "up").set("rsi", 61.5);
  r.tracked = "BTCUSDT, ETHUSDT";
  r.footer = "Research, not investment advice.";
  std::string err;
  auto out = community::compose(t, r, err);
  INFO(err);
  REQUIRE(out);
  CHECK(out->text == "BTCUSDT at 43000.5, trend up, RSI 61.5.\n\nResearch, not investment advice.");
  CHECK(out->used == intent::symbol_question);
  // A symbol without candles yet: the general answer, never made-up numbers.
  r.facts = {};
  out = community::compose(t, r, err);
  REQUIRE(out);
  CHECK(out->used == intent::other);
  CHECK(out->text.find("BTCUSDT, ETHUSDT") != std::string::npos);
  // A long footer and a small limit: the body is cut, the footer kept whole.
  r.max_chars = 60;
  out = community::compose(t, r, err);
  REQUIRE(out);
  CHECK(content::utf8_length(out->text) <= 60);
  CHECK(out->text.substr(out->text.size() - r.footer.size()) == r.footer);
}

TEST_CASE("reply: hostile text never reaches the reply", "[community][reply]") {
  std::string hostile = "<script>alert(1)</script> **bold** [x](http://evil) \x01\x02 "
                        + std::string(10000, 'A') + " \xe4\xbd\xa0\xe5\xa5\xbd btc?";
  auto c = cls(hostile);
  CHECK(c.kind == intent::symbol_question);
  community::reply_request r;
  r.what = c;
  r.tracked = "BTCUSDT";
  std::string err;
  auto out = community::compose(community::reply_templates::builtin(), r, err);
  REQUIRE(out);
  CHECK(out->text.find("script") == std::string::npos);
  CHECK(out->text.find("evil") == std::string::npos);
  CHECK(out->text.find('\x01') == std::string::npos);
}

TEST_CASE("reply: the shipped templates load and render", "[community][reply]") {
  auto t = community::reply_templates::load(std::string{HERALD_SOURCE_DIR}
                                            + "/config/templates/replies");
  for (auto i : {intent::symbol_question, intent::post_question, intent::thanks, intent::other,
                 intent::untracked_symbol})
    CHECK_FALSE(t.of(i).empty());
  CHECK_THROWS_WITH(community::reply_templates::load("/nonexistent"),
                    Catch::Contains("not a directory of reply templates"));
}
