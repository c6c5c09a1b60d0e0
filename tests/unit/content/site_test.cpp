// The static site's text: article pages, index and a well-formed RSS 2.0
// feed, with hostile strings escaped.
#include <catch2/catch.hpp>

#include <regex>

#include <pugixml.hpp>

#include "content/site.hpp"

using namespace herald::content;

namespace {

article piece(int i, const std::string& title) {
  article a;
  a.id = "alert:BTCUSDT:1m:" + std::to_string(1'700'000'000'000 + i * 60'000);
  a.kind = "alert";
  a.title = title;
  a.markdown = "# Heading\n\nBTC is **up** `1.5%`.\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |";
  a.published_at = 1'700'000'000'000 + i * 60'000;
  a.chart = "chart-" + std::to_string(i) + ".png";
  return a;
}

} // namespace

TEST_CASE("markdown becomes the expected HTML, with text escaped", "[content]") {
  auto html = markdown_to_html("## Trend <up>\n\nA & B **bold** `x<y`\nnext line\n\n- item *\n"
                               "| h1 | h2 |\n|---|:-:|\n| c1 | c2 |\n");
  CHECK(html.find("<h2>Trend &lt;up&gt;</h2>") != std::string::npos);
  CHECK(html.find("<p>A &amp; B <strong>bold</strong> <code>x&lt;y</code><br>\nnext line</p>")
        != std::string::npos);
  CHECK(html.find("<ul>\n<li>item *</li>\n</ul>") != std::string::npos);
  CHECK(html.find("<tr><th>h1</th><th>h2</th></tr>\n<tr><td>c1</td><td>c2</td></tr>")
        != std::string::npos);
}

TEST_CASE("slugs and dates are what the site and the feed need", "[content]") {
  CHECK(piece(0, "t").slug() == "alert-btcusdt-1m-1700000000000");
  CHECK(rfc822(1'700'000'000'000) == "Tue, 14 Nov 2023 22:13:20 GMT");
}

TEST_CASE("the feed is well-formed RSS 2.0 even with hostile titles", "[content]") {
  std::string hostile = "<script>alert('x')</script> & \"quotes\" \x01\x02 ]]>";
  std::vector<article> items{piece(2, hostile), piece(1, "BTC long"), piece(0, "first")};
  site_options o;
  o.base_url = "https://example.org/herald/";
  o.feed_items = 2;
  auto xml = rss_feed(items, o);
  pugi::xml_document doc;
  auto ok = doc.load_string(xml.c_str());
  INFO(ok.description());
  REQUIRE(ok);
  auto rss = doc.child("rss");
  CHECK(std::string{rss.attribute("version").value()} == "2.0");
  auto ch = rss.child("channel");
  CHECK(std::string{ch.child_value("title")} == o.title);
  CHECK(std::string{ch.child_value("link")} == o.base_url);
  CHECK(!std::string{ch.child_value("description")}.empty());
  std::vector<pugi::xml_node> its;
  for (auto it : ch.children("item"))
    its.push_back(it);
  REQUIRE(its.size() == 2); // feed-items caps it
  CHECK(std::string{its[0].child_value("title")}
        == "<script>alert('x')</script> & \"quotes\"  ]]>"); // control characters dropped
  CHECK(std::string{its[0].child_value("link")}
        == "https://example.org/herald/" + items[0].slug() + ".html");
  CHECK(std::string{its[0].child_value("guid")} == items[0].id);
  std::regex date{R"(^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$)"};
  for (auto& it : its)
    CHECK(std::regex_match(std::string{it.child_value("pubDate")}, date));
  CHECK(std::string{its[0].child_value("description")}.find("<strong>up</strong>")
        != std::string::npos);
}

TEST_CASE("pages escape what they show and link the chart, the index lists newest first",
          "[content]") {
  auto a = piece(1, "<b>BTC</b>");
  auto html = article_page(a, {});
  CHECK(html.find("<h1>&lt;b&gt;BTC&lt;/b&gt;</h1>") != std::string::npos);
  CHECK(html.find("<img src=\"chart-1.png\"") != std::string::npos);
  CHECK(html.find("href=\"feed.xml\"") != std::string::npos);
  auto index = index_page({piece(2, "newer"), piece(1, "older")}, {});
  CHECK(index.find("newer") < index.find("older"));
  CHECK(index.find("href=\"" + piece(2, "x").slug() + ".html\"") != std::string::npos);
}
