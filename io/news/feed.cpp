#include "io/news/feed.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <set>

#include <pugixml.hpp>

#include "io/text/sanitize.hpp"

namespace herald::io::news {

namespace {

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::string lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// A feed's text field as one line of plain text, valid UTF-8, bounded.
std::string text_of(const pugi::xml_node& n, std::size_t max_chars) {
  return text::plain_text(n.text().as_string(), max_chars);
}

/// A link: valid UTF-8 without spaces or controls, at most 2,048 bytes
/// (else dropped).
std::string link_of(std::string_view raw) {
  auto s = text::plain_text(raw, 2048);
  if (s.size() > 2048 || s.find(' ') != std::string::npos)
    return {};
  return s;
}

} // namespace

bool parse_rfc822(std::string_view s, std::int64_t& ms) {
  // [Day, ]DD Mon YYYY HH:MM[:SS] (GMT|UT|Z|+hhmm|-hhmm|EST...)
  std::string str{s};
  auto comma = str.find(',');
  if (comma != std::string::npos)
    str = str.substr(comma + 1);
  char mon[4] = {0}, zone[16] = {0};
  int d = 0, y = 0, h = 0, mi = 0, sec = 0;
  int n = std::sscanf(str.c_str(), " %d %3s %d %d:%d:%d %15s", &d, mon, &y, &h, &mi, &sec, zone);
  if (n < 6) {
    sec = 0;
    n = std::sscanf(str.c_str(), " %d %3s %d %d:%d %15s", &d, mon, &y, &h, &mi, zone);
    if (n < 5)
      return false;
  }
  static const char* months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  int m = 0;
  auto lm = lower(mon);
  for (int i = 0; i < 12; ++i)
    if (lm == months[i])
      m = i + 1;
  if (m == 0 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
    return false;
  if (y < 100)
    y += y < 50 ? 2000 : 1900;
  if (y < 1900 || y > 9999) // found by fuzzing: absurd years overflow the arithmetic
    return false;
  std::int64_t offset_min = 0;
  std::string z = zone;
  if (!z.empty() && (z[0] == '+' || z[0] == '-') && z.size() >= 5) {
    int hh = (z[1] - '0') * 10 + (z[2] - '0'), mm = (z[3] - '0') * 10 + (z[4] - '0');
    offset_min = (z[0] == '-' ? -1 : 1) * (hh * 60 + mm);
  } else if (z == "EST") {
    offset_min = -5 * 60;
  } else if (z == "EDT") {
    offset_min = -4 * 60;
  } else if (z == "PST") {
    offset_min = -8 * 60;
  } else if (z == "PDT") {
    offset_min = -7 * 60;
  }
  auto days = days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  ms = (((days * 24 + h) * 60 + mi - offset_min) * 60 + sec) * 1000;
  return true;
}

bool parse_rfc3339(std::string_view s, std::int64_t& ms) {
  int y, mo, d, h, mi;
  double sec;
  char rest[16] = {0};
  std::string str{s};
  int n = std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%lf%15s", &y, &mo, &d, &h, &mi, &sec, rest);
  if (n < 6 || y < 1900 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23
      || mi > 59 || !(sec >= 0 && sec < 61))
    return false;
  std::int64_t offset_min = 0;
  std::string z = rest;
  if (!z.empty() && (z[0] == '+' || z[0] == '-') && z.size() >= 6)
    offset_min = (z[0] == '-' ? -1 : 1)
                 * (((z[1] - '0') * 10 + (z[2] - '0')) * 60 + (z[4] - '0') * 10 + (z[5] - '0'));
  auto days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  ms = ((days * 24 + h) * 60 + mi - offset_min) * 60'000 + static_cast<std::int64_t>(sec * 1000);
  return true;
}

std::string parse_feed(std::string_view xml, feed& out) {
  if (xml.size() > max_feed_bytes)
    return "feed of " + std::to_string(xml.size()) + " bytes refused (at most "
           + std::to_string(max_feed_bytes) + ")";
  pugi::xml_document doc;
  auto res = doc.load_buffer(xml.data(), xml.size(), pugi::parse_default | pugi::parse_cdata);
  if (!res)
    return std::string{"not a valid XML document: "} + res.description() + " at byte "
           + std::to_string(res.offset);
  out = feed{};
  if (auto rss = doc.child("rss")) {
    auto channel = rss.child("channel");
    if (!channel)
      return "RSS document without a <channel>";
    out.title = text_of(channel.child("title"), max_title_chars);
    for (auto item : channel.children("item")) {
      if (out.items.size() >= max_feed_items) {
        ++out.dropped;
        continue;
      }
      feed_item it;
      it.title = text_of(item.child("title"), max_title_chars);
      it.link = link_of(item.child("link").text().as_string());
      it.id = text_of(item.child("guid"), max_title_chars);
      if (it.id.empty())
        it.id = it.link;
      it.summary = text_of(item.child("description"), max_summary_chars);
      if (auto date = item.child("pubDate"))
        parse_rfc822(date.text().as_string(), it.published);
      if (it.id.empty() && it.title.empty())
        continue; // nothing to identify it by
      if (it.id.empty())
        it.id = it.title;
      out.items.push_back(std::move(it));
    }
    return {};
  }
  if (auto atom = doc.child("feed")) {
    out.title = text_of(atom.child("title"), max_title_chars);
    for (auto entry : atom.children("entry")) {
      if (out.items.size() >= max_feed_items) {
        ++out.dropped;
        continue;
      }
      feed_item it;
      it.title = text_of(entry.child("title"), max_title_chars);
      for (auto link : entry.children("link")) {
        std::string rel = link.attribute("rel").as_string("alternate");
        if (rel == "alternate" || it.link.empty())
          it.link = link_of(link.attribute("href").as_string());
      }
      it.id = text_of(entry.child("id"), max_title_chars);
      if (it.id.empty())
        it.id = it.link;
      it.summary = text_of(entry.child("summary"), max_summary_chars);
      if (it.summary.empty())
        it.summary = text_of(entry.child("content"), max_summary_chars);
      auto date = entry.child("published") ? entry.child("published") : entry.child("updated");
      if (date)
        parse_rfc3339(date.text().as_string(), it.published);
      if (it.id.empty() && it.title.empty())
        continue;
      if (it.id.empty())
        it.id = it.title;
      out.items.push_back(std::move(it));
    }
    return {};
  }
  return "neither an RSS 2.0 (<rss>) nor an Atom (<feed>) document";
}

std::vector<std::string> tag_symbols(std::string_view text,
                                     const std::map<std::string, std::string>& aliases) {
  auto t = lower(text);
  std::set<std::string> found;
  auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  for (auto& [alias, symbol] : aliases) {
    std::size_t pos = 0;
    while ((pos = t.find(alias, pos)) != std::string::npos) {
      bool left = pos == 0 || !is_word(t[pos - 1]);
      auto end = pos + alias.size();
      bool right = end >= t.size() || !is_word(t[end]);
      if (left && right) {
        found.insert(symbol);
        break;
      }
      pos = end;
    }
  }
  return {found.begin(), found.end()};
}

std::map<std::string, std::string> parse_aliases(const std::vector<std::string>& entries) {
  std::map<std::string, std::string> out;
  for (auto& e : entries) {
    auto eq = e.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 >= e.size())
      continue;
    out[lower(e.substr(0, eq))] = e.substr(eq + 1);
  }
  return out;
}

bool mentions_symbol(const std::string& symbols_json, const std::string& symbol) {
  return symbol == "*" || symbols_json.find("\"" + symbol + "\"") != std::string::npos;
}

} // namespace herald::io::news
