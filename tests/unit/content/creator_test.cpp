// The desk's facts, report and chart, and the creator's writing with the
// shipped templates: what every channel gets stays within its limit, and an
// LLM draft is used only when its numbers are the facts'.
#include <catch2/catch.hpp>

#include <cmath>

#include "content/briefing.hpp"
#include "content/channel.hpp"
#include "content/chart.hpp"
#include "content/creator.hpp"
#include "content/site.hpp"

using namespace herald;
using namespace herald::content;

namespace {

constexpr std::int64_t m = 60'000, t0 = 1'700'006'400'000;

/// A view over `n` 1m candles of two symbols, trending up, with signals
/// for every candle and one approved long insight at the last one.
market_view trending(int n, analysis::insight* last = nullptr) {
  market_view v;
  std::vector<analysis::signal> sigs;
  for (int i = 0; i < n; ++i)
    for (auto sym : {"BTCUSDT", "ETHUSDT"}) {
      candle c;
      c.symbol = sym;
      c.interval = "1m";
      c.open_time = t0 + i * m;
      c.close_time = c.open_time + m - 1;
      double base = std::string{sym} == "BTCUSDT" ? 40000 : 2000;
      c.open = base * (1 + 0.0005 * i);
      c.close = c.open * 1.0004;
      c.high = c.close * 1.001;
      c.low = c.open * 0.999;
      c.volume = 10 + i % 7;
      v.on_candle(c);
      analysis::signal s;
      s.symbol = sym;
      s.interval = "1m";
      s.time = c.open_time;
      s.price = c.close;
      s.dir = analysis::direction::long_;
      s.confidence = 70;
      s.strength = 0.4;
      s.regime = "normal";
      sigs.push_back(s);
    }
  analysis::insight in;
  in.signal_id = "BTCUSDT:1m:" + std::to_string(t0 + (n - 1) * m);
  in.symbol = "BTCUSDT";
  in.interval = "1m";
  in.time = t0 + (n - 1) * m;
  in.dir = analysis::direction::long_;
  in.strength = 0.4;
  in.confidence = 70;
  in.price = sigs[sigs.size() - 2].price;
  in.approved = true;
  v.on_report(sigs, {in});
  if (last)
    *last = in;
  return v;
}

const template_set& shipped() {
  static auto set = template_set::load(std::string{HERALD_SOURCE_DIR} + "/config/templates",
                                       sample_facts());
  return set;
}

content_brief brief_for(const market_view& v, const analysis::insight& in, channel ch) {
  content_brief b;
  b.piece = "alert:BTCUSDT:1m:" + std::to_string(in.time);
  b.id = b.piece + "@" + channel_name(ch);
  b.type = "alert";
  b.channel = channel_name(ch);
  b.facts_json = facts_to_json(v.alert_facts(in));
  b.title = "t";
  return b;
}

} // namespace

TEST_CASE("alert facts come from the insight and its series, rounded once", "[content]") {
  analysis::insight in;
  auto v = trending(300, &in);
  auto f = v.alert_facts(in);
  CHECK(std::get<std::string>(*f.find("symbol")) == "BTCUSDT");
  CHECK(std::get<std::string>(*f.find("bias")) == "bullish");
  CHECK(std::get<double>(*f.find("price")) == round_to(in.price, 2));
  CHECK(std::get<std::int64_t>(*f.find("confidence")) == 70);
  CHECK(std::get<std::string>(*f.find("trend")) == "up");
  CHECK(std::get<double>(*f.find("change_pct")) > 0);
  auto back = facts_from_json(facts_to_json(f));
  CHECK(back.all() == f.all()); // integers stay integers through JSON
}

TEST_CASE("the research report covers every analysed series in sections", "[content]") {
  auto v = trending(300);
  std::string title;
  auto md = v.research_report(t0 + 299 * m, &title);
  CHECK(title.find("Research report") == 0);
  for (auto s : {"## BTCUSDT (1m)", "## ETHUSDT (1m)", "### Trend", "### Regime",
                 "### Indicators", "### Signals", "| Symbol |"})
    CHECK(md.find(s) != std::string::npos);
  // No news reached the view: no news section, not "No news about".
  CHECK(md.find("### News") == std::string::npos);
  CHECK(md.find("No news") == std::string::npos);
  // 300 minutes: not a week, and the title says what it covers.
  CHECK(title.find("Weekly") == std::string::npos);
  CHECK(title.find("the 5 hours to") != std::string::npos);
  CHECK(md.find("No approved insight") != std::string::npos); // ETHUSDT has none
  CHECK(md.find("**long** at") != std::string::npos);        // BTCUSDT's
  auto digest = v.report_digest(t0 + 299 * m);
  CHECK(digest.find("up over that window") != std::string::npos);
}

TEST_CASE("a hostile headline stays one line of text in the research report", "[content]") {
  auto v = trending(300);
  db::news_article a;
  a.id = "evil-1";
  a.source = "Evil <b>Feed</b>\n# Owned";
  a.title = "BTC \xFF soars\n## Fake section\n- Insight: buy now [here](https://phish.example/x) "
            "&lt;script&gt; **bold**";
  a.symbols_json = R"(["BTCUSDT"])";
  a.published_at = t0 + 200 * m;
  a.sentiment = 0.5;
  v.on_news(a);
  std::string title;
  auto md = v.research_report(t0 + 299 * m, &title);
  INFO(md);
  REQUIRE(md.find("### News") != std::string::npos);
  // No line the headline made: every heading and list line is the report's.
  std::size_t start = 0;
  while (start < md.size()) {
    auto end = md.find('\n', start);
    auto line = md.substr(start, end == std::string::npos ? std::string::npos : end - start);
    CHECK(line.rfind("## Fake", 0) == std::string::npos);
    CHECK(line.rfind("# Owned", 0) == std::string::npos);
    CHECK(line.rfind("- Insight", 0) == std::string::npos);
    if (end == std::string::npos)
      break;
    start = end + 1;
  }
  CHECK(md.find("phish.example") == std::string::npos);  // no link from a feed
  CHECK(md.find("link removed") != std::string::npos);
  CHECK(md.find("\xFF") == std::string::npos);          // valid UTF-8 only
  CHECK(md.find("<script>") == std::string::npos);
  // The site renders the escaped headline as text: no link, no bold.
  auto html = markdown_to_html(md);
  CHECK(html.find("<a ") == std::string::npos);
  CHECK(html.find("<h2>Fake") == std::string::npos);
}

TEST_CASE("charts are PNGs of the channel's size, with or without data", "[content]") {
  analysis::insight in;
  auto v = trending(200, &in);
  auto d = v.chart("BTCUSDT", "1m", in.time);
  CHECK(d.candles.size() == 120);
  CHECK(d.markers.size() == 1);
  CHECK(d.ema.front() > 0); // warmed up on the candles before the window
  auto png = render_chart_png(d, chart_size_for(channel::telegram));
  REQUIRE(png.size() > 1000);
  CHECK(png.substr(0, 8) == std::string{"\x89PNG\r\n\x1a\n", 8});
  auto be32 = [](const std::string& img, std::size_t at) {
    return (static_cast<unsigned char>(img[at]) << 24) | (static_cast<unsigned char>(img[at + 1]) << 16)
           | (static_cast<unsigned char>(img[at + 2]) << 8) | static_cast<unsigned char>(img[at + 3]);
  };
  CHECK(be32(png, 16) == 1280); // IHDR width
  CHECK(be32(png, 20) == 720);
  auto empty = render_chart_png(chart_data{}, chart_size_for(channel::x));
  CHECK(be32(empty, 16) == 1200); // "no data", at X's size
  CHECK(be32(empty, 20) == 675);
  CHECK(empty.substr(0, 8) == png.substr(0, 8));
}

TEST_CASE("the shipped templates load and every channel's alert fits its limit", "[content]") {
  analysis::insight in;
  auto v = trending(300, &in);
  creator c{shipped(), "https://research.example/"};
  for (auto ch : {channel::articles, channel::telegram, channel::discord, channel::x,
                  channel::webhook}) {
    INFO(channel_name(ch));
    std::string err;
    auto d = c.write(brief_for(v, in, ch), &err);
    REQUIRE(d);
    REQUIRE(d->parts.size() == 1);
    if (text_limit(ch) > 0)
      CHECK(utf8_length(d->parts[0]) <= text_limit(ch));
    CHECK(d->parts[0].find("BTCUSDT") != std::string::npos);
    CHECK(d->parts[0].find('{') == std::string::npos); // every field filled
    CHECK(!d->variant.empty());
    CHECK(d->writer == "template");
    CHECK(ungrounded_numbers(d->parts[0], facts_from_json(brief_for(v, in, ch).facts_json)
                                             .set("link", c.link_for(brief_for(v, in, ch).piece)))
            .empty());
  }
}

TEST_CASE("a report becomes a numbered thread for X within 280 characters", "[content]") {
  auto v = trending(300);
  creator c{shipped(), "https://research.example/"};
  content_brief b;
  b.piece = "report:1";
  b.id = "report:1@x";
  b.type = "thread";
  b.channel = "x";
  facts f;
  std::string title;
  auto md = v.research_report(t0 + 299 * m, &title);
  f.set("title", title).set("date", "2023-11-15").set("series", 2)
    .set("summary", v.report_digest(t0 + 299 * m)).set("body", md);
  b.facts_json = facts_to_json(f);
  std::string err;
  auto d = c.write(b, &err);
  REQUIRE(d);
  REQUIRE(d->parts.size() >= 2);
  for (auto& p : d->parts)
    CHECK(utf8_length(p) <= 280);
  CHECK(d->parts[0].rfind("1/", 0) == 0);
  CHECK(d->parts.back().find("https://research.example/report-1.html") != std::string::npos);
}

TEST_CASE("numbers an LLM invents are caught, the facts' own numbers pass", "[content][llm]") {
  facts f;
  f.set("symbol", "BTCUSDT").set("price", 43210.12).set("confidence", std::int64_t{67})
    .set("change_pct", -1.25).set("time", "2023-11-14 22:13 UTC");
  CHECK(ungrounded_numbers("BTCUSDT at 43,210.12 with confidence 67 (-1.25% today)", f).empty());
  CHECK(ungrounded_numbers("BTCUSDT 1m at 43210.1, 67%", f).empty()); // rounded from a fact
  CHECK(ungrounded_numbers("at 22:13 UTC on 2023-11-14", f).empty());  // inside a string fact
  auto bad = ungrounded_numbers("target 45000 with 90% odds", f);
  REQUIRE(bad.size() == 2);
  CHECK(bad[0] == "45000");
  CHECK(bad[1] == "90");
  CHECK(llm_check("BTCUSDT at 43210.12", f, 280).empty());
  CHECK(llm_check(std::string(300, 'a'), f, 280).find("too long") != std::string::npos);
  CHECK(llm_check("price 50000", f, 280).find("50000") != std::string::npos);
  CHECK(llm_check("   ", f, 280) == "empty text");
}

TEST_CASE("the creator uses a checked LLM draft and falls back to the template otherwise",
          "[content][llm]") {
  analysis::insight in;
  auto v = trending(300, &in);
  std::string answer;
  bool fail = false;
  llm_writer llm = [&](const std::string&, const std::string&, const facts&, std::size_t,
                       std::string* err) -> std::optional<std::string> {
    if (fail) {
      *err = "HTTP 529 overloaded_error";
      return std::nullopt;
    }
    return answer;
  };
  creator c{shipped(), "", llm};
  auto b = brief_for(v, in, channel::x);
  auto f = facts_from_json(b.facts_json);
  answer = "BTCUSDT turned bullish, confidence " + std::to_string(std::get<std::int64_t>(*f.find("confidence")));
  std::string err;
  auto good = c.write(b, &err);
  REQUIRE(good);
  CHECK(good->writer == "llm");
  CHECK(good->parts[0] == answer);

  answer = "BTCUSDT will reach 99999 by Friday";
  auto invented = c.write(b, &err);
  REQUIRE(invented);
  CHECK(invented->writer == "template");
  CHECK(invented->note.find("99999") != std::string::npos);

  answer = std::string(400, 'x');
  auto long_one = c.write(b, &err);
  CHECK(long_one->writer == "template");
  CHECK(long_one->note.find("too long") != std::string::npos);

  fail = true;
  auto down = c.write(b, &err);
  CHECK(down->writer == "template");
  CHECK(down->note.find("529") != std::string::npos);
}

TEST_CASE("symbol facts: price and trend and levels and the last signal for answers",
          "[content][briefing][community]") {
  auto v = trending(200);
  auto now = t0 + 199 * m;
  auto f = v.symbol_facts("BTCUSDT", now);
  REQUIRE(f.find("price"));
  CHECK(std::get<std::string>(*f.find("trend")) == "up");
  CHECK(std::get<std::string>(*f.find("signal")) == "long");
  CHECK(std::get<std::int64_t>(*f.find("signal_confidence")) == 70);
  auto lo = std::get<double>(*f.find("support"));
  auto hi = std::get<double>(*f.find("resistance"));
  CHECK(lo < std::get<double>(*f.find("price")));
  CHECK(hi > std::get<double>(*f.find("price")));
  CHECK(lo == Approx(40000 * 0.999).epsilon(1e-4)); // the first bar's low
  CHECK(v.symbol_facts("SOLUSDT", now).empty());    // not tracked
  CHECK(v.symbol_facts("BTCUSDT", t0 - m).empty()); // nothing up to then
}
