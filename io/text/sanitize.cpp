#include "io/text/sanitize.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>

namespace herald::io::text {

namespace {

constexpr const char* replacement = "\xEF\xBF\xBD"; // U+FFFD

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool valid_code_point(std::uint32_t cp) {
  return cp > 0 && cp < 0x110000 && !(cp >= 0xD800 && cp <= 0xDFFF);
}

/// Decodes one UTF-8 sequence at s[i] (valid input); returns its length.
std::size_t decode_at(std::string_view s, std::size_t i, std::uint32_t& cp) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  std::size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
  cp = c & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
  for (std::size_t k = 1; k < n && i + k < s.size(); ++k)
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return n;
}

bool is_space_like(std::uint32_t cp) {
  // C0/C1 controls, whitespace, line and paragraph separators, zero widths
  // that could hide text, bidi controls that could reorder it.
  return cp <= 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0xA0
         || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200F) || cp == 0x2028 || cp == 0x2029
         || (cp >= 0x202A && cp <= 0x202F) || cp == 0x205F || (cp >= 0x2066 && cp <= 0x2069)
         || cp == 0x3000 || cp == 0xFEFF;
}

} // namespace

std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    std::size_t n = 0;
    std::uint32_t min = 0;
    if (c >= 0xC2 && c <= 0xDF)
      n = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
      n = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
      n = 4, min = 0x10000;
    bool ok = n > 0 && i + n <= s.size();
    for (std::size_t k = 1; ok && k < n; ++k)
      ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    std::uint32_t cp = 0;
    if (ok) {
      decode_at(s, i, cp);
      ok = cp >= min && cp < 0x110000 && !(cp >= 0xD800 && cp <= 0xDFFF);
    }
    if (!ok) {
      out += replacement;
      ++i; // resynchronise on the next byte
      while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80)
        ++i;
      continue;
    }
    out.append(s.substr(i, n));
    i += n;
  }
  return out;
}

std::string decode_entities(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    auto semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 12) {
      out += s[i];
      continue;
    }
    auto name = s.substr(i + 1, semi - i - 1);
    static const std::pair<std::string_view, std::string_view> named[] = {
      {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}, {"nbsp", " "}};
    bool done = false;
    for (auto& [n, v] : named)
      if (name == n) {
        out += v;
        done = true;
      }
    if (!done && name.size() > 1 && name[0] == '#') {
      bool hex = name[1] == 'x' || name[1] == 'X';
      auto digits = name.substr(hex ? 2 : 1);
      bool well_formed = !digits.empty() && digits.size() <= 8
                         && std::all_of(digits.begin(), digits.end(), [hex](char c) {
                              return hex ? std::isxdigit(static_cast<unsigned char>(c)) != 0
                                         : std::isdigit(static_cast<unsigned char>(c)) != 0;
                            });
      if (well_formed) {
        auto cp = std::strtoul(std::string{digits}.c_str(), nullptr, hex ? 16 : 10);
        if (valid_code_point(static_cast<std::uint32_t>(cp)))
          append_utf8(out, static_cast<std::uint32_t>(cp));
        else
          out += replacement; // a surrogate, 0, or beyond Unicode
        done = true;
      }
    }
    if (!done) {
      out += s[i];
      continue;
    }
    i = semi;
  }
  return out;
}

std::string plain_text(std::string_view html, std::size_t max_chars) {
  auto decoded = valid_utf8(decode_entities(html));
  // Tags: "<" followed by a letter, "/", "!" or "?" opens one; another "<"
  // ("a < b") is text.
  std::string untagged;
  untagged.reserve(decoded.size());
  for (std::size_t i = 0; i < decoded.size(); ++i) {
    char c = decoded[i];
    if (c == '<' && i + 1 < decoded.size()
        && (std::isalpha(static_cast<unsigned char>(decoded[i + 1])) || decoded[i + 1] == '/'
            || decoded[i + 1] == '!' || decoded[i + 1] == '?')) {
      auto end = decoded.find('>', i);
      if (end == std::string::npos)
        break; // an unclosed tag swallows the rest
      untagged += ' ';
      i = end;
      continue;
    }
    untagged += c;
  }
  // One line: every space-like code point becomes one space.
  std::string out;
  out.reserve(untagged.size());
  bool space = false;
  for (std::size_t i = 0; i < untagged.size();) {
    std::uint32_t cp = 0;
    auto n = decode_at(untagged, i, cp);
    if (is_space_like(cp)) {
      space = true;
      i += n;
      continue;
    }
    if (space && !out.empty())
      out += ' ';
    space = false;
    out.append(untagged, i, n);
    i += n;
  }
  if (max_chars == 0)
    return {};
  if (code_points(out) <= max_chars)
    return out;
  // Cut to max_chars - 1 code points (at a word boundary when one is near),
  // then the ellipsis.
  std::size_t cut = 0, seen = 0;
  while (cut < out.size() && seen < max_chars - 1) {
    std::uint32_t cp = 0;
    cut += decode_at(out, cut, cp);
    ++seen;
  }
  out.erase(cut);
  auto word = out.rfind(' ');
  if (word != std::string::npos && out.size() - word < 40)
    out.erase(word);
  return out + "\xE2\x80\xA6"; // …
}

std::string strip_links(std::string_view text, const std::vector<std::string>& allowed_hosts) {
  std::string out;
  std::size_t i = 0;
  auto lower = [](std::string s) {
    for (auto& c : s)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  while (i < text.size()) {
    // A token starts after a space or at the start.
    auto end = text.find(' ', i);
    if (end == std::string_view::npos)
      end = text.size();
    auto token = text.substr(i, end - i);
    auto l = lower(std::string{token});
    auto scheme = l.find("://");
    auto www = l.find("www.");
    std::string host;
    bool urlish = (scheme != std::string::npos && scheme > 0) || www != std::string::npos;
    if (scheme != std::string::npos && scheme > 0) {
      host = l.substr(scheme + 3);
    } else if (www != std::string::npos) {
      host = l.substr(www);
    }
    if (urlish) {
      // An empty host is no exception: browsers read "http:///evil.com" as
      // http://evil.com.
      host = host.substr(0, host.find_first_of("/?#:)]>\"'"));
      bool allowed = !host.empty() && std::any_of(allowed_hosts.begin(), allowed_hosts.end(),
                                 [&](const std::string& a) {
                                   auto h = lower(a);
                                   return host == h
                                          || (host.size() > h.size()
                                              && host.compare(host.size() - h.size(), h.size(), h)
                                                   == 0
                                              && host[host.size() - h.size() - 1] == '.');
                                 });
      out += allowed ? std::string{token} : std::string{"(link removed)"};
    } else {
      out.append(token);
    }
    if (end < text.size())
      out += ' ';
    i = end + 1;
  }
  return out;
}

std::string markdown_text(std::string_view text) {
  static constexpr std::string_view special = "\\`*_{}[]()#+-!|<>~";
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    if (special.find(c) != std::string_view::npos)
      out += '\\';
    out += c;
  }
  return out;
}

std::string one_line(std::string_view s, std::size_t max_chars) {
  auto v = valid_utf8(s);
  std::string out;
  out.reserve(v.size());
  std::size_t n = 0;
  for (std::size_t i = 0; i < v.size();) {
    auto c = static_cast<unsigned char>(v[i]);
    std::size_t len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    auto cp = v.substr(i, len);
    if (n == max_chars) {
      out += "\xE2\x80\xA6"; // …
      break;
    }
    bool control = c < 0x20 || c == 0x7f
                   || (c == 0xc2 && len == 2 && static_cast<unsigned char>(cp[1]) <= 0x9f)
                   || (c == 0xe2 && len == 3 && static_cast<unsigned char>(cp[1]) == 0x80
                       && (static_cast<unsigned char>(cp[2]) == 0xa8
                           || static_cast<unsigned char>(cp[2]) == 0xa9));
    if (control)
      out += ' ';
    else
      out += cp;
    ++n;
    i += len;
  }
  return out;
}

std::size_t code_points(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

} // namespace herald::io::text
