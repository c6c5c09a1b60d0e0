// The lexicon, text scoring (negation, boosters, phrases, hostile text), and
// the news-sentiment analyzer's decay.

#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "analysis/news_sentiment.hpp"
#include "analysis/sentiment.hpp"

using namespace herald;
using namespace herald::analysis;

TEST_CASE("the built-in finance lexicon loads and has several hundred terms", "[sentiment]") {
  auto& lex = lexicon::builtin();
  CHECK(lex.count(lexicon::kind::sentiment) >= 400);
  CHECK(lex.count(lexicon::kind::negation) >= 10);
  CHECK(lex.count(lexicon::kind::booster) >= 10);
  REQUIRE(lex.find("all time high"));
  CHECK(lex.find("all time high")->value > 0);
  CHECK(lex.find("crash")->value < 0);
}

TEST_CASE("text sentiment: direction, negation, boosters, phrases", "[sentiment]") {
  auto& lex = lexicon::builtin();
  auto s = [&](const char* t) { return score_text(lex, t).score; };
  CHECK(s("Bitcoin surges to a new all-time high as ETF inflows soar") > 0.5);
  CHECK(s("Exchange hacked, withdrawals halted; prices crash") < -0.5);
  CHECK(s("The committee met on Tuesday.") == 0);
  CHECK(score_text(lex, "The committee met on Tuesday.").hits == 0);
  // negation flips, a little weaker than the opposite word
  CHECK(s("analysts are not bullish") < 0);
  CHECK(s("Bitcoin failed to rally") < 0); // "failed" negates what follows
  CHECK(s("ETH does not crash") > 0);
  // boosters scale
  CHECK(std::abs(s("prices fell sharply")) > std::abs(s("prices fell")));
  CHECK(std::abs(s("prices fell slightly")) < std::abs(s("prices fell")));
  // phrases beat their words: "rate hike" is bearish though "hike" is not listed
  CHECK(s("Fed announces a rate hike") < 0);
  CHECK(s("Fed announces a rate cut") > 0);
  // case and punctuation do not matter
  CHECK(s("BULLISH!!!") == s("bullish"));
}

TEST_CASE("text sentiment survives hostile text", "[sentiment][bad-input]") {
  auto& lex = lexicon::builtin();
  std::string nasty = "'; DROP TABLE news; --\x01\x02 \xF0\x9F\x9A\x80 moon \xff\xfe";
  nasty += std::string(1 << 20, 'a');
  auto r = score_text(lex, nasty);
  CHECK(std::isfinite(r.score));
  CHECK(r.score > 0); // "moon"
  CHECK(score_text(lex, "").score == 0);
  CHECK(score_text(lex, "----'''").score == 0);
}

TEST_CASE("a malformed lexicon is refused with the line and the reason", "[sentiment][bad-input]") {
  auto err = [](const char* text) {
    try {
      lexicon::parse(text, "my.tsv");
    } catch (const lexicon_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(err("good\t1\nbad line\n") == "my.tsv:2: expected 'term<TAB>value[<TAB>kind]', got 'bad line'");
  CHECK_THAT(err("good\tx\n"), Catch::Contains("my.tsv:1: value 'x' of 'good' is not a number"));
  CHECK_THAT(err("good\t9\n"), Catch::Contains("outside [-3, 3]"));
  CHECK_THAT(err("good\t1\nnot\t-1\tnegate\n"), Catch::Contains("my.tsv:2: kind 'negate'"));
  CHECK_THAT(err("good\t1\ngood\t2\n"), Catch::Contains("listed twice"));
  CHECK_THAT(err("# only a comment\n"), Catch::Contains("no sentiment terms"));
  CHECK_THAT(err("a b c d e\t1\n"), Catch::Contains("at most 4 words"));
  CHECK_THROWS_WITH(lexicon::load("/nonexistent/lex.tsv"),
                    Catch::Contains("/nonexistent/lex.tsv: cannot open"));
  auto lex = lexicon::parse("# c\r\nup\t2\r\n\r\nnot\t-1\tnegation\r\n", "crlf.tsv");
  CHECK(lex.size() == 2);
  CHECK(score_text(lex, "not up").score < 0);
}

namespace {

candle at(std::int64_t minute) {
  candle c;
  c.symbol = "BTCUSDT";
  c.interval = "1m";
  c.open_time = minute * 60'000;
  c.close_time = c.open_time + 59'999;
  c.open = c.high = c.low = c.close = 100;
  return c;
}

} // namespace

TEST_CASE("news sentiment decays with its half-life and never sees future news",
          "[analysis][sentiment]") {
  news_sentiment::options o;
  o.half_life_ms = 60 * 60'000; // one hour
  news_sentiment a{o};
  auto r0 = a.on_candle(at(0));
  CHECK(r0.score == 0);
  CHECK(r0.confidence == 0);
  a.on_news(10 * 60'000 + 30'000, 0.8); // published during minute 10
  CHECK(a.on_candle(at(9)).score == 0);  // not yet
  auto r10 = a.on_candle(at(10));
  CHECK(r10.score > 0.35);
  CHECK(r10.score < 0.41); // 0.8 * w / (w + 1), w ~ 1
  auto r70 = a.on_candle(at(70)); // one hour later: weight halved
  CHECK(r70.get("decayed_articles") == Approx(0.5 * r10.get("decayed_articles")).epsilon(1e-9));
  CHECK(r70.score < r10.score);
  CHECK(r70.confidence < r10.confidence);
  // a late article (published before the last candle) counts with its age
  a.on_news(69 * 60'000, -0.9);
  auto r71 = a.on_candle(at(71));
  CHECK(r71.score < r70.score);
  CHECK(r71.get("articles_seen") == 2);
  auto later = a.on_candle(at(60 * 24 * 30)); // a month later: gone
  CHECK(later.score == 0);
  CHECK(later.confidence == 0);
}

TEST_CASE("news sentiment: the order articles arrive in does not matter", "[analysis][sentiment]") {
  news_sentiment a, b;
  a.on_news(1000, 0.5);
  a.on_news(1000, -0.2);
  a.on_news(500, 0.9);
  b.on_news(500, 0.9);
  b.on_news(1000, -0.2);
  b.on_news(1000, 0.5);
  for (int i = 1; i < 50; ++i) {
    auto ra = a.on_candle(at(i)), rb = b.on_candle(at(i));
    REQUIRE(ra.score == rb.score);
    REQUIRE(ra.confidence == rb.confidence);
  }
  a.on_news(100, std::nan(""));
  CHECK(std::isfinite(a.on_candle(at(60)).score));
}
