#include <catch2/catch.hpp>

#include "io/news/feed.hpp"

using namespace herald::io::news;

namespace {

const char* rss = R"(<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Crypto Wire</title>
<item><title>Bitcoin's rally stalls near $70k</title><link>https://x.test/a</link>
<guid isPermaLink="false">wire-1</guid>
<description><![CDATA[<p>Traders in <b>BTC</b> &amp; ETH wait.</p>]]></description>
<pubDate>Tue, 10 Jun 2003 04:00:00 GMT</pubDate></item>
<item><title>No id, only a link</title><link>https://x.test/b</link>
<pubDate>Tue, 10 Jun 2003 06:30:00 +0200</pubDate></item>
</channel></rss>)";

const char* atom = R"(<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Chain Notes</title>
<entry><title>Solana outage resolved</title><id>urn:uuid:1225c695</id>
<link rel="alternate" href="https://y.test/sol"/><updated>2003-12-13T18:30:02Z</updated>
<summary>Validators restarted the network.</summary></entry>
</feed>)";

} // namespace

TEST_CASE("RSS 2.0 items are read with ids, links, text and dates", "[news][feed]") {
  feed f;
  REQUIRE(parse_feed(rss, f).empty());
  CHECK(f.title == "Crypto Wire");
  REQUIRE(f.items.size() == 2);
  CHECK(f.items[0].id == "wire-1");
  CHECK(f.items[0].link == "https://x.test/a");
  CHECK(f.items[0].summary == "Traders in BTC & ETH wait.");
  CHECK(f.items[0].published == 1055217600000);
  CHECK(f.items[1].id == "https://x.test/b"); // no guid: the link identifies it
  CHECK(f.items[1].published == 1055217600000 + 30 * 60'000);
}

TEST_CASE("Atom entries are read with ids, links, summaries and dates", "[news][feed]") {
  feed f;
  REQUIRE(parse_feed(atom, f).empty());
  REQUIRE(f.items.size() == 1);
  CHECK(f.items[0].id == "urn:uuid:1225c695");
  CHECK(f.items[0].link == "https://y.test/sol");
  CHECK(f.items[0].published == 1071340202000);
}

TEST_CASE("absurd dates are refused, not overflowed (found by fuzzing)", "[news][feed]") {
  std::int64_t ms = 0;
  CHECK_FALSE(parse_rfc822("Tue, 11 Jun 23585146 04:00:00 GMT", ms));
  CHECK_FALSE(parse_rfc3339("0000-01-01T00:00:99999999999Z", ms));
  CHECK(parse_rfc822("Tue, 10 Jun 2003 04:00:00 GMT", ms));
}

TEST_CASE("what is not a feed is named", "[news][feed]") {
  feed f;
  CHECK(parse_feed("<html><body>hi</body></html>", f).find("neither an RSS") != std::string::npos);
  CHECK(parse_feed("not xml <<<", f).find("not a valid XML document") != std::string::npos);
  CHECK(parse_feed(std::string(1 << 20, '\x01'), f).find("not a valid XML") != std::string::npos);
}

TEST_CASE("symbols are tagged by whole-word, case-insensitive aliases", "[news][tags]") {
  auto aliases = parse_aliases({"bitcoin=BTCUSDT", "btc=BTCUSDT", "eth=ETHUSDT", "sol=SOLUSDT",
                                "broken", "=X"});
  CHECK(aliases.size() == 4);
  CHECK(tag_symbols("Bitcoin's rally and ETH", aliases)
        == std::vector<std::string>{"BTCUSDT", "ETHUSDT"});
  CHECK(tag_symbols("solar power, ethics, btcusdt", aliases).empty());
  CHECK(tag_symbols("SOL/USD jumps", aliases) == std::vector<std::string>{"SOLUSDT"});
}
