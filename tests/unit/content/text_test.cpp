// Channel limits, fitting text to them, and cutting reports into threads.
#include <catch2/catch.hpp>

#include <string>

#include "content/channel.hpp"
#include "content/thread.hpp"

using namespace herald::content;

TEST_CASE("channels have their documented limits and names", "[content]") {
  CHECK(text_limit(channel::x) == 280);
  CHECK(text_limit(channel::telegram) == 4096);
  CHECK(text_limit(channel::discord) == 2000);
  CHECK(text_limit(channel::articles) == 0);
  CHECK(caption_limit(channel::telegram) == 1024);
  for (auto c : {channel::articles, channel::telegram, channel::discord, channel::x,
                 channel::webhook})
    CHECK(parse_channel(channel_name(c)) == c);
  CHECK_FALSE(parse_channel("myspace"));
}

TEST_CASE("fit cuts at a word boundary, counts code points and never splits UTF-8",
          "[content]") {
  CHECK(fit("short", 280) == "short");
  CHECK(fit("anything", 0) == "anything");
  auto cut = fit("the quick brown fox jumps over the lazy dog", 20);
  CHECK(utf8_length(cut) <= 20);
  CHECK(cut == "the quick brown fox\xE2\x80\xA6");
  std::string euros;
  for (int i = 0; i < 50; ++i)
    euros += "\xE2\x82\xAC"; // "€" is 3 bytes, one character
  CHECK(utf8_length(euros) == 50);
  auto e = fit(euros, 10);
  CHECK(utf8_length(e) == 10);
  CHECK(e.size() == 10 * 3); // 9 euros and the ellipsis, all whole sequences
}

TEST_CASE("a long report becomes a numbered thread within the limit", "[content]") {
  std::string text = "BTCUSDT trend is up. Momentum is strong.\n\n";
  for (int i = 0; i < 30; ++i)
    text += "Paragraph " + std::to_string(i) + " says something about the market structure. ";
  text += "\n\nLast words.";
  auto parts = cut_thread(text, 280);
  REQUIRE(parts.size() > 3);
  auto n = std::to_string(parts.size());
  std::string rejoined;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    CHECK(utf8_length(parts[i]) <= 280);
    auto prefix = std::to_string(i + 1) + "/" + n + " ";
    REQUIRE(parts[i].rfind(prefix, 0) == 0);
    rejoined += parts[i].substr(prefix.size()) + " ";
  }
  // Nothing lost: every word is there, in order.
  CHECK(rejoined.find("Paragraph 29 says") != std::string::npos);
  CHECK(rejoined.find("Last words.") != std::string::npos);
  CHECK(parts.front().find("BTCUSDT trend is up.") != std::string::npos);
}

TEST_CASE("threads: short text stays whole, a monster word is cut, ten or more parts fit",
          "[content]") {
  CHECK(cut_thread("  hello  ", 280) == std::vector<std::string>{"hello"});
  auto parts = cut_thread(std::string(1000, 'a'), 50);
  REQUIRE(parts.size() >= 20);
  std::size_t as = 0;
  for (auto& p : parts) {
    CHECK(utf8_length(p) <= 50);
    as += std::count(p.begin(), p.end(), 'a');
  }
  CHECK(as == 1000);
  CHECK(parts.back().rfind(std::to_string(parts.size()) + "/" + std::to_string(parts.size()) + " ", 0) == 0);
}
