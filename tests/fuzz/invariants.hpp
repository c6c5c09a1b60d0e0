#pragma once
// What the fuzz targets check about the outputs of what they fuzz (not only
// "no crash"): external text that Herald passes on is valid UTF-8, one line,
// free of control characters, bounded, and cannot change the structure of
// a published piece. A violation aborts (libFuzzer saves the input).

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "io/text/sanitize.hpp"

namespace herald::fuzz {

[[noreturn]] inline void violated(const char* what, std::string_view s) {
  std::fprintf(stderr, "invariant violated: %s: [%.*s]\n", what, static_cast<int>(s.size()),
               s.data());
  std::abort();
}

inline void valid_utf8(std::string_view s, const char* what) {
  if (io::text::valid_utf8(s) != s)
    violated(what, s);
}

/// Valid UTF-8, one line: no C0/C1 control characters, no U+2028/U+2029.
inline void one_line(std::string_view s, const char* what) {
  valid_utf8(s, what);
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f)
      violated(what, s);
    if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80
        && static_cast<unsigned char>(s[i + 1]) <= 0x9f)
      violated(what, s); // C1 controls (U+0080..U+009F), NEL among them
    if (c == 0xe2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80
        && (static_cast<unsigned char>(s[i + 2]) == 0xa8
            || static_cast<unsigned char>(s[i + 2]) == 0xa9))
      violated(what, s); // line / paragraph separator
  }
}

/// one_line() and at most `max` code points.
inline void bounded_line(std::string_view s, std::size_t max, const char* what) {
  one_line(s, what);
  if (io::text::code_points(s) > max)
    violated(what, s);
}

/// Every markdown structure character escaped (markdown_text's output).
inline void markdown_inert(std::string_view s, const char* what) {
  static constexpr std::string_view special = "\\`*_{}[]()#+-!|<>~";
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\') {
      if (i + 1 >= s.size() || special.find(s[i + 1]) == std::string_view::npos)
        violated(what, s);
      ++i;
      continue;
    }
    if (special.find(s[i]) != std::string_view::npos)
      violated(what, s);
  }
}

/// No URL-like token left (strip_links with no allowed host): no
/// space-separated token with "scheme://" or "www.".
inline void no_links(std::string_view s, const char* what) {
  std::size_t i = 0;
  while (i <= s.size()) {
    auto end = s.find(' ', i);
    if (end == std::string_view::npos)
      end = s.size();
    auto token = s.substr(i, end - i);
    auto scheme = token.find("://");
    if ((scheme != std::string_view::npos && scheme > 0) || token.find("www.") != std::string_view::npos)
      violated(what, s);
    i = end + 1;
  }
}

} // namespace herald::fuzz
