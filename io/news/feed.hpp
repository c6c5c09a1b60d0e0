#pragma once
// RSS 2.0 and Atom feeds (pugixml), turned into Herald's news items, and the
// tagging of items with the symbols they mention. Pure code.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace herald::io::news {

struct feed_item {
  std::string id;        ///< guid / atom:id, else the link
  std::string link;
  std::string title;
  std::string summary;   ///< description / summary / content, tags stripped
  std::int64_t published = 0; ///< ms since the epoch (0 when the feed has no date)
};

struct feed {
  std::string title;
  std::vector<feed_item> items;
  std::size_t dropped = 0; ///< items beyond max_feed_items, refused
};

/// Bounds on what a feed may bring (the excess is refused and counted):
/// every text is one line of valid UTF-8 plain text (io/text/sanitize.hpp).
constexpr std::size_t max_feed_bytes = 5 * 1024 * 1024;
constexpr std::size_t max_feed_items = 500;
constexpr std::size_t max_title_chars = 300;
constexpr std::size_t max_summary_chars = 2000;

/// Parses an RSS 2.0 or Atom document. Returns an error message ("" on
/// success) naming what is wrong (too large, not XML, neither RSS nor
/// Atom). Titles, ids and summaries are sanitized plain text (entities
/// decoded before markup is stripped, one line, valid UTF-8, bounded).
std::string parse_feed(std::string_view xml, feed& out);

/// "Tue, 10 Jun 2003 04:00:00 GMT" (RFC 822, as RSS) -> ms; false if unreadable.
bool parse_rfc822(std::string_view s, std::int64_t& ms);
/// "2003-12-13T18:30:02Z" / "+01:00" (RFC 3339, as Atom) -> ms; false if unreadable.
bool parse_rfc3339(std::string_view s, std::int64_t& ms);

/// Finds the symbols a text mentions. `aliases` maps lower-case words or
/// phrases ("bitcoin", "btc") to symbols; matching is case-insensitive and on
/// word boundaries. Symbols are returned sorted, once each.
std::vector<std::string> tag_symbols(std::string_view text,
                                     const std::map<std::string, std::string>& aliases);

/// Parses config aliases "word=SYMBOL" (invalid entries are skipped).
/// Whether an article's symbols (a JSON array of strings, as tag_symbols
/// produces) name `symbol`; "*" matches every article.
bool mentions_symbol(const std::string& symbols_json, const std::string& symbol);

std::map<std::string, std::string> parse_aliases(const std::vector<std::string>& entries);

} // namespace herald::io::news
