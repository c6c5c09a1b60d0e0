// libFuzzer target: RSS / Atom feeds and symbol tagging.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "io/news/feed.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  herald::io::news::feed f;
  herald::io::news::parse_feed(text, f);
  static const auto aliases = herald::io::news::parse_aliases({"bitcoin=BTCUSDT", "eth=ETHUSDT"});
  herald::io::news::tag_symbols(text, aliases);
  for (auto& item : f.items)
    herald::io::news::tag_symbols(item.title, aliases);
  return 0;
}
