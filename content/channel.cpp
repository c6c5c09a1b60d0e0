#include "content/channel.hpp"

#include <array>

namespace herald::content {

namespace {

constexpr std::array<const char*, channel_count> names = {"articles", "telegram", "discord",
                                                          "x", "webhook"};

bool continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

/// Byte offset of the code point number `n` (or s.size()).
std::size_t offset_of(std::string_view s, std::size_t n) {
  std::size_t i = 0, seen = 0;
  while (i < s.size() && seen < n) {
    ++i;
    while (i < s.size() && continuation(static_cast<unsigned char>(s[i])))
      ++i;
    ++seen;
  }
  return i;
}

} // namespace

const char* channel_name(channel c) {
  return names[static_cast<std::size_t>(c)];
}

std::optional<channel> parse_channel(std::string_view name) {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (name == names[i])
      return static_cast<channel>(i);
  return std::nullopt;
}

std::size_t text_limit(channel c) {
  switch (c) {
    case channel::telegram:
      return 4096;
    case channel::discord:
      return 2000;
    case channel::x:
      return 280;
    default:
      return 0;
  }
}

std::size_t caption_limit(channel c) {
  return c == channel::telegram ? 1024 : text_limit(c);
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++i)
    n += !continuation(static_cast<unsigned char>(s[i]));
  return n;
}

std::string fit(std::string_view s, std::size_t limit) {
  if (limit == 0 || utf8_length(s) <= limit)
    return std::string{s};
  static constexpr std::string_view ellipsis = "\xE2\x80\xA6"; // "…", one code point
  if (limit == 1)
    return std::string{ellipsis};
  auto cut = offset_of(s, limit - 1);
  // Prefer a word boundary in the last fifth of what is kept.
  auto floor = offset_of(s, (limit - 1) * 4 / 5);
  bool at_boundary = s[cut] == ' ' || s[cut] == '\n';
  for (auto i = cut; !at_boundary && i > floor; --i)
    if (s[i - 1] == ' ' || s[i - 1] == '\n') {
      cut = i - 1;
      break;
    }
  while (cut > 0 && (s[cut - 1] == ' ' || s[cut - 1] == '\n'))
    --cut;
  std::string out{s.substr(0, cut)};
  out += ellipsis;
  return out;
}

} // namespace herald::content
