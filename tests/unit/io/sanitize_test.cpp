// External text is data: invalid UTF-8, encoded markup, line breaks,
// surrogate entities, links and oversized fields from a feed cannot reach a
// published piece as structure.
#include <catch2/catch.hpp>

#include "io/news/feed.hpp"
#include "io/text/sanitize.hpp"

using namespace herald::io;

namespace {

bool is_valid_utf8(const std::string& s) { return text::valid_utf8(s) == s; }

} // namespace

TEST_CASE("invalid UTF-8 is replaced, valid UTF-8 kept", "[io][text]") {
  CHECK(text::valid_utf8("plain ascii") == "plain ascii");
  CHECK(text::valid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80") == "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
  const std::string fffd = "\xEF\xBF\xBD";
  CHECK(text::valid_utf8("a\xFFz") == "a" + fffd + "z");             // never valid
  CHECK(text::valid_utf8("a\x80z") == "a" + fffd + "z");             // stray continuation
  CHECK(text::valid_utf8("a\xC3") == "a" + fffd);                    // truncated
  CHECK(text::valid_utf8("\xC0\xAF") == fffd);                       // overlong "/"
  CHECK(text::valid_utf8("\xED\xA0\x80") == fffd);                   // a surrogate
  CHECK(text::valid_utf8("\xF4\x90\x80\x80") == fffd);               // beyond U+10FFFF
}

TEST_CASE("entities are decoded before markup is stripped, to one line", "[io][text]") {
  CHECK(text::plain_text("Bitcoin &amp; Ether", 100) == "Bitcoin & Ether");
  // Encoded markup is markup: it is removed, not left as text.
  CHECK(text::plain_text("&lt;script&gt;alert(1)&lt;/script&gt; BTC up", 100) == "alert(1) BTC up");
  CHECK(text::plain_text("<b>bold</b> and <a href='x'>link</a>", 100) == "bold and link");
  // Line breaks, encoded or not, and separators cannot start a new line.
  CHECK(text::plain_text("line one\n## Fake heading&#10;- fake insight&#x2028;end", 200)
        == "line one ## Fake heading - fake insight end");
  CHECK(text::plain_text("a < b and c > d", 100) == "a < b and c > d");
  // A surrogate or an out-of-range reference is not passed on.
  auto s = text::plain_text("x&#xD800;y&#1114112;z&#0;", 100);
  CHECK(is_valid_utf8(s));
  CHECK(s == "x\xEF\xBF\xBDy\xEF\xBF\xBDz\xEF\xBF\xBD");
  // Bidi and zero-width controls cannot hide or reorder text.
  CHECK(text::plain_text("a\xE2\x80\xAE" "b\xE2\x80\x8B" "c", 100) == "a b c");
}

TEST_CASE("plain text is bounded in code points", "[io][text]") {
  std::string long_title(1000, 'x');
  auto t = text::plain_text(long_title, 300);
  CHECK(text::code_points(t) == 300); // 299 + the ellipsis
  std::string words;
  for (int i = 0; i < 200; ++i)
    words += "word ";
  auto w = text::plain_text(words, 50);
  CHECK(text::code_points(w) <= 50);
  CHECK(w.substr(w.size() - 3) == "\xE2\x80\xA6");
}

TEST_CASE("links are removed unless their host is allowed", "[io][text]") {
  CHECK(text::strip_links("see https://evil.example/login now", {}) == "see (link removed) now");
  CHECK(text::strip_links("www.phish.io/x", {}) == "(link removed)");
  // No host is no exception: browsers read these as links to evil.com.
  CHECK(text::strip_links("go http:///evil.com", {"coindesk.com"}) == "go (link removed)");
  CHECK(text::strip_links("https://", {"coindesk.com"}) == "(link removed)");
  CHECK(text::strip_links("via https://news.coindesk.com/a", {"coindesk.com"})
        == "via https://news.coindesk.com/a");
  CHECK(text::strip_links("via https://coindesk.com.evil.io/a", {"coindesk.com"})
        == "via (link removed)");
  CHECK(text::strip_links("no links here", {}) == "no links here");
}

TEST_CASE("error messages quoting external bytes are one line of valid UTF-8", "[io][text]") {
  CHECK(text::one_line("bad \xff byte\nnext line\r\x01", 100) == "bad \xEF\xBF\xBD byte next line  ");
  CHECK(text::one_line("a\xE2\x80\xA8" "b\xC2\x85" "c", 100) == "a b c"); // U+2028, NEL
  CHECK(text::one_line("\xC3\xA9t\xC3\xA9", 100) == "\xC3\xA9t\xC3\xA9"); // text is kept as it is
  CHECK(text::one_line("abcdef", 3) == "abc\xE2\x80\xA6");
  CHECK(text::one_line("&lt;b&gt;", 100) == "&lt;b&gt;"); // no decoding
}

TEST_CASE("markdown structure in a text is escaped", "[io][text]") {
  CHECK(text::markdown_text("[click](x) **b** # h | c") == "\\[click\\]\\(x\\) \\*\\*b\\*\\* \\# h \\| c");
  CHECK(text::markdown_text("plain words 42") == "plain words 42");
}

TEST_CASE("a hostile feed parses into bounded one-line valid texts", "[io][news]") {
  std::string xml = R"(<?xml version="1.0"?><rss version="2.0"><channel><title>Evil&#10;## Feed</title>)";
  xml += "<item><title>BTC \xFF\xFE rallies &lt;b&gt;now&lt;/b&gt;&#10;## Insight: buy&#xD800;</title>"
         "<link>https://example.com/a b</link><guid>g1</guid>"
         "<description><![CDATA[<p>line</p>\n<script>x</script>]]></description></item>";
  for (int i = 0; i < 600; ++i)
    xml += "<item><title>t" + std::to_string(i) + "</title><guid>id" + std::to_string(i)
           + "</guid></item>";
  xml += "</channel></rss>";
  news::feed f;
  REQUIRE(news::parse_feed(xml, f).empty());
  CHECK(f.items.size() == news::max_feed_items);
  CHECK(f.dropped == 601 - news::max_feed_items);
  auto& it = f.items.front();
  CHECK(is_valid_utf8(it.title));
  CHECK(it.title.find('\n') == std::string::npos);
  CHECK(it.title.find('<') == std::string::npos);
  CHECK(it.title.find("## Insight") != std::string::npos); // text, on the same line
  CHECK(it.link.empty()); // a link with a space is not a link
  CHECK(it.summary == "line x");
  CHECK(f.title == "Evil ## Feed");
  std::string huge(news::max_feed_bytes + 1, ' ');
  news::feed g;
  CHECK(news::parse_feed(huge, g).find("refused") != std::string::npos);
}
