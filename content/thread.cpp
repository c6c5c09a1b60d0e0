#include "content/thread.hpp"

#include <algorithm>

#include "content/channel.hpp"

namespace herald::content {

namespace {

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos)
    return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return std::string{s.substr(b, e - b + 1)};
}

std::vector<std::string> split_paragraphs(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find("\n\n", start);
    auto p = trim(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (!p.empty())
      out.push_back(std::move(p));
    if (end == std::string_view::npos)
      break;
    start = end + 2;
  }
  return out;
}

/// Sentences end at ". ", "! ", "? " or a newline.
std::vector<std::string> split_sentences(std::string_view p) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    bool end = p[i] == '\n'
               || ((p[i] == '.' || p[i] == '!' || p[i] == '?') && i + 1 < p.size()
                   && p[i + 1] == ' ');
    if (end) {
      auto s = trim(p.substr(start, i + 1 - start));
      if (!s.empty())
        out.push_back(std::move(s));
      start = i + 1;
    }
  }
  auto s = trim(p.substr(start));
  if (!s.empty())
    out.push_back(std::move(s));
  return out;
}

std::vector<std::string> split_words(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < s.size()) {
    auto end = s.find_first_of(" \n", start);
    if (end == std::string_view::npos)
      end = s.size();
    if (end > start)
      out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

/// Hard cut of one over-long word into pieces of at most `room` code points.
std::vector<std::string> split_codepoints(std::string_view w, std::size_t room) {
  std::vector<std::string> out;
  std::string cur;
  std::size_t n = 0;
  for (std::size_t i = 0; i < w.size();) {
    std::size_t len = 1;
    while (i + len < w.size() && (static_cast<unsigned char>(w[i + len]) & 0xC0) == 0x80)
      ++len;
    if (n == room) {
      out.push_back(std::move(cur));
      cur.clear();
      n = 0;
    }
    cur.append(w.substr(i, len));
    ++n;
    i += len;
  }
  if (!cur.empty())
    out.push_back(std::move(cur));
  return out;
}

struct packer {
  std::size_t room;
  std::vector<std::string> parts;
  std::string cur;

  void flush() {
    if (!cur.empty())
      parts.push_back(std::move(cur));
    cur.clear();
  }
  /// Adds `unit` after separator `sep` if it fits, else starts a new part;
  /// false when the unit is longer than a whole part.
  bool add(const std::string& unit, std::string_view sep) {
    auto len = utf8_length(unit);
    if (len > room)
      return false;
    if (!cur.empty() && utf8_length(cur) + utf8_length(sep) + len <= room) {
      cur.append(sep);
      cur.append(unit);
      return true;
    }
    flush();
    cur = unit;
    return true;
  }
  void add_words(const std::string& s) {
    for (auto& w : split_words(s))
      if (!add(w, " "))
        for (auto& piece : split_codepoints(w, room))
          add(piece, " ");
  }
};

std::vector<std::string> pack(std::string_view text, std::size_t room) {
  packer p{room, {}, {}};
  for (auto& para : split_paragraphs(text)) {
    if (p.add(para, "\n\n"))
      continue;
    for (auto& s : split_sentences(para))
      if (!p.add(s, " "))
        p.add_words(s);
  }
  p.flush();
  return std::move(p.parts);
}

} // namespace

std::vector<std::string> cut_thread(std::string_view text, std::size_t limit) {
  limit = std::max<std::size_t>(limit, 11);
  auto whole = trim(text);
  if (utf8_length(whole) <= limit)
    return {whole};
  // Reserve room for "i/n " with as many digits as n turns out to need.
  for (std::size_t digits = 1;; ++digits) {
    auto room = limit - (2 * digits + 2);
    auto parts = pack(whole, room);
    if (std::to_string(parts.size()).size() > digits)
      continue;
    auto n = std::to_string(parts.size());
    for (std::size_t i = 0; i < parts.size(); ++i)
      parts[i] = std::to_string(i + 1) + "/" + n + " " + parts[i];
    return parts;
  }
}

} // namespace herald::content
