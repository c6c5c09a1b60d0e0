// libFuzzer target: the sanitizers every external text goes through
// (io/text/sanitize), with their output invariants.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "io/text/sanitize.hpp"
#include "tests/fuzz/invariants.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace herald;
  std::string_view text{reinterpret_cast<const char*>(data), size};
  fuzz::valid_utf8(io::text::valid_utf8(text), "valid_utf8");
  fuzz::valid_utf8(io::text::decode_entities(io::text::valid_utf8(text)), "decode_entities");
  auto line = io::text::plain_text(text, 300);
  fuzz::bounded_line(line, 300, "plain_text");
  fuzz::markdown_inert(io::text::markdown_text(line), "markdown_text");
  auto unlinked = io::text::strip_links(line, {});
  fuzz::one_line(unlinked, "strip_links");
  fuzz::no_links(unlinked, "strip_links");
  return 0;
}
