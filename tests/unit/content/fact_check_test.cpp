// The fact checker and the facts it checks against: numbers must be facts,
// labels must agree with their numbers, unknown facts are left out.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "content/briefing.hpp"
#include "content/fact_check.hpp"
#include "content/templates.hpp"

using namespace herald;
using namespace herald::content;

namespace {

facts alert() {
  facts f;
  f.set("symbol", "BTCUSDT").set("price", 43210.12).set("confidence", 67)
    .set("confidence_max", 100).set("change_pct", -6.17).set("change_hours", 24)
    .set("time", "2023-11-14 22:13 UTC").set("direction", "long").set("bias", "bullish");
  return f;
}

candle bar(std::int64_t t, double close) {
  candle c;
  c.symbol = "BTCUSDT";
  c.interval = "1m";
  c.open_time = t;
  c.close_time = t + 59'999;
  c.open = c.high = c.low = c.close = close;
  c.high += 1;
  c.low -= 1;
  c.volume = 1;
  return c;
}

} // namespace

TEST_CASE("every number of a text must be a fact", "[content][factcheck]") {
  auto f = alert();
  CHECK(fact_check("BTCUSDT at 43210.12, confidence 67/100, -6.17% over 24 h", f).empty());
  CHECK(fact_check("BTCUSDT at 43210.1 (rounded as shown)", f).empty());
  CHECK(fact_check("at 2023-11-14 22:13 UTC", f).empty());
  auto bad = fact_check("BTCUSDT at 43210.12, RSI 50, ATR 0% of the price", f);
  INFO(bad);
  CHECK(bad.find("numbers not in the facts: 50") != std::string::npos);
  CHECK(bad.find(", 0") != std::string::npos);
  // A stand-in number in a template is caught too.
  CHECK(!fact_check("confidence 67/90", f).empty());
  // Composed texts are checked, not trusted: their numbers need facts.
  facts r;
  r.set("movers", "BTCUSDT -6.17% over 24 h");
  CHECK(!fact_check("Moves: BTCUSDT -6.17% over 24 h", r).empty());
  r.set("change_BTCUSDT", -6.17).set("hours_BTCUSDT", 24);
  CHECK(fact_check("Moves: BTCUSDT -6.17% over 24 h", r).empty());
}

TEST_CASE("direction words must agree with the change beside them", "[content][factcheck]") {
  facts f;
  f.set("a", -6.17).set("b", 1.25).set("c", 24).set("d", -5.23);
  CHECK(!contradictions("BTCUSDT -6.17% (up)", f).empty());
  CHECK(!contradictions("-5.23% over the last 24 hours: over that window the trend is **up**", f)
           .empty());
  CHECK(!contradictions("ETHUSDT +1.25% over 24 h (down)", f).empty());
  CHECK(contradictions("BTCUSDT -6.17% over 24 h (down)", f).empty());
  CHECK(contradictions("BTCUSDT -6.17% over 24 h (mixed)", f).empty());
  CHECK(contradictions("BTCUSDT +1.25% (up). The next sentence is down.", f).empty());
}

TEST_CASE("labels that their numbers or facts do not support are refused", "[content][factcheck]") {
  facts f;
  CHECK(!contradictions("RSI(14): 45.2 (overbought)", f).empty());
  CHECK(contradictions("RSI(14): 75.2 (overbought)", f).empty());
  CHECK(!contradictions("RSI 35 (oversold)", f).empty());
  CHECK(!contradictions("Strongest: **BTCUSDT** 1%; weakest: **BTCUSDT** 1%", f).empty());
  CHECK(contradictions("Strongest: **SOLUSDT** 1%; weakest: **BTCUSDT** -1%", f).empty());
  facts week;
  week.set("period_hours", 8.0);
  CHECK(!contradictions("Weekly research report", week).empty());
  CHECK(!contradictions("Herald research report, week to 2023-11-19", week).empty());
  CHECK(contradictions("BTCUSDT surges to a weekly high", week).empty());
  week.set("period_hours", 168.0);
  CHECK(contradictions("Weekly research report", week).empty());
  facts odd;
  odd.set("direction", "long").set("bias", "bearish");
  CHECK(!contradictions("x", odd).empty());
  facts movers;
  movers.set("top_change", -2.0).set("bottom_change", 1.0);
  CHECK(!contradictions("x", movers).empty());
}

TEST_CASE("optional template segments render only with their facts", "[content][templates]") {
  facts f;
  f.set("symbol", "BTCUSDT").set("price", 1.5);
  CHECK(resolve_optional("{symbol}[[, RSI {rsi}]] at {price}", f) == "{symbol} at {price}");
  f.set("rsi", 55.5);
  CHECK(resolve_optional("{symbol}[[, RSI {rsi}]] at {price}", f) == "{symbol}, RSI {rsi} at {price}");
  CHECK(*render("{symbol}[[, RSI {rsi:.0f}]]", f, nullptr) == "BTCUSDT, RSI 56");
  CHECK(resolve_optional("[[{{literal}} {missing}]]x", f) == "x");
  CHECK(resolve_optional("no [[ end", f) == "no [[ end");
}

TEST_CASE("a cold start states no stand-in values", "[content][factcheck]") {
  // Ten candles: no RSI, ATR, EMA or regime yet.
  market_view v;
  analysis::signal s;
  s.symbol = "BTCUSDT";
  s.interval = "1m";
  for (int i = 0; i < 10; ++i)
    v.on_candle(bar(1'700'000'000'000 + i * 60'000, 100 + i));
  s.time = 1'700'000'000'000 + 9 * 60'000;
  v.on_report({s}, {});
  analysis::insight in;
  in.symbol = "BTCUSDT";
  in.interval = "1m";
  in.time = s.time;
  in.dir = analysis::direction::long_;
  in.price = 109;
  in.confidence = 60;
  in.strength = 0.3;
  auto f = v.alert_facts(in);
  for (auto key : {"rsi", "atr_pct", "ema", "regime", "trend"}) {
    INFO(key);
    CHECK(f.find(key) == nullptr);
  }
  REQUIRE(f.find("change_pct"));
  // Every shipped alert template renders without them and passes the check.
  auto set = template_set::load(std::string{HERALD_SOURCE_DIR} + "/config/templates",
                                sample_facts(), optional_facts());
  f.set("link", "https://example.org/a.html");
  for (auto ch : {channel::articles, channel::telegram, channel::discord, channel::x,
                  channel::webhook})
    for (auto& var : set.variants(content_type::alert, ch)) {
      INFO(var.path);
      auto text = render(var.text, f, nullptr);
      REQUIRE(text);
      CHECK(fact_check(*text, f).empty());
      CHECK(text->find("RSI") == std::string::npos);
      CHECK(text->find("volatility") == std::string::npos);
    }
}

TEST_CASE("a template using an unknown-able fact outside a segment is refused at load",
          "[content][templates]") {
  auto dir = std::filesystem::temp_directory_path() / "herald-tpl-optional";
  std::filesystem::create_directories(dir);
  {
    std::ofstream{dir / "alert.x.a.txt"} << "{symbol} RSI {rsi}";
  }
  CHECK_THROWS_WITH(template_set::load(dir.string(), sample_facts(), optional_facts()),
                    Catch::Contains("uses {rsi} outside an optional [[ ... ]] segment"));
  {
    std::ofstream{dir / "alert.x.a.txt"} << "{symbol}[[ RSI {rsi}]]";
  }
  CHECK_NOTHROW(template_set::load(dir.string(), sample_facts(), optional_facts()));
  std::filesystem::remove_all(dir);
}

TEST_CASE("recaps count what they say and name no weakest of one series", "[content][factcheck]") {
  market_view v;
  for (int i = 0; i < 100; ++i)
    v.on_candle(bar(1'700'000'000'000 + i * 60'000, 100 - i * 0.1));
  analysis::signal s;
  s.symbol = "BTCUSDT";
  s.interval = "1m";
  s.time = 1'700'000'000'000 + 99 * 60'000;
  v.on_report({s}, {});
  auto f = v.recap_facts(s.time);
  CHECK(f.find("top_symbol"));
  CHECK(f.find("bottom_symbol") == nullptr);
  REQUIRE(f.find("movers"));
  auto movers = std::get<std::string>(*f.find("movers"));
  CHECK(movers.find("over 2 h (down)") != std::string::npos); // 100 minutes, falling
  f.set("heading", "Recap").set("link", "https://example.org/r.html");
  auto set = template_set::load(std::string{HERALD_SOURCE_DIR} + "/config/templates",
                                sample_facts(), optional_facts());
  for (auto& var : set.variants(content_type::recap, channel::articles)) {
    auto text = render(var.text, f, nullptr);
    REQUIRE(text);
    INFO(*text);
    CHECK(fact_check(*text, f).empty());
    CHECK(text->find("weakest") == std::string::npos);
  }
}
