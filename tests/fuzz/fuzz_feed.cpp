// libFuzzer target: RSS / Atom feeds and symbol tagging. Every text a feed
// yields is one bounded line of valid UTF-8 (it goes into reports, posts
// and logs).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "io/news/feed.hpp"
#include "tests/fuzz/invariants.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace herald;
  std::string_view text{reinterpret_cast<const char*>(data), size};
  io::news::feed f;
  auto error = io::news::parse_feed(text, f);
  fuzz::one_line(error, "parse_feed error");
  static const auto aliases = io::news::parse_aliases({"bitcoin=BTCUSDT", "eth=ETHUSDT"});
  io::news::tag_symbols(text, aliases);
  fuzz::bounded_line(f.title, io::news::max_title_chars, "feed title");
  if (f.items.size() > io::news::max_feed_items)
    fuzz::violated("item count", "");
  for (auto& item : f.items) {
    fuzz::bounded_line(item.title, io::news::max_title_chars, "item title");
    fuzz::bounded_line(item.summary, io::news::max_summary_chars, "item summary");
    fuzz::one_line(item.id, "item id");
    fuzz::one_line(item.link, "item link");
    fuzz::markdown_inert(io::text::markdown_text(item.title), "title as markdown");
    io::news::tag_symbols(item.title, aliases);
  }
  return 0;
}
