#pragma once
// The articles channel's static site, as text: one HTML page per piece (from
// its markdown), index.html (newest first) and an RSS 2.0 feed.xml. Writing
// the files is io/'s job; this is pure code.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace herald::content {

struct site_options {
  std::string title = "Herald research";
  std::string base_url = "http://localhost:8080/"; ///< absolute links in the feed, ends in '/'
  std::string description = "Signals, recaps and research reports from Herald.";
  std::size_t feed_items = 50;
};

struct article {
  std::string id;      ///< the piece id
  std::string kind;    ///< alert / recap / report
  std::string title;
  std::string markdown;
  std::int64_t published_at = 0; ///< unix ms
  std::string chart;   ///< image file name in the site directory, "" if none
  /// "alert-btcusdt-1m-1700000000000": file-safe, from the id.
  std::string slug() const;
};

std::string html_escape(std::string_view s);
/// "Tue, 14 Nov 2023 22:13:20 GMT" (RFC 822, as RSS 2.0 wants).
std::string rfc822(std::int64_t unix_ms);

/// The markdown Herald writes (headings, paragraphs, "- " lists, **bold**,
/// `code`, | tables |) as HTML; everything else is escaped text.
std::string markdown_to_html(std::string_view md);

std::string article_page(const article& a, const site_options& o);
/// `newest_first` as given.
std::string index_page(const std::vector<article>& newest_first, const site_options& o);
std::string rss_feed(const std::vector<article>& newest_first, const site_options& o);

} // namespace herald::content
