#include "content/site.hpp"

#include <cctype>
#include <ctime>

namespace herald::content {

std::string article::slug() const {
  std::string s;
  for (unsigned char c : id) {
    if (std::isalnum(c))
      s += static_cast<char>(std::tolower(c));
    else if (!s.empty() && s.back() != '-')
      s += '-';
  }
  while (!s.empty() && s.back() == '-')
    s.pop_back();
  return s.empty() ? "piece" : s;
}

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        // Control characters are not allowed in XML 1.0: dropped.
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\n' || c == '\t')
          out += c;
    }
  }
  return out;
}

std::string rfc822(std::int64_t unix_ms) {
  auto secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  static const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday],
                tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

namespace {

/// **bold** and `code` inside one escaped line; "\\*" is a literal "*".
std::string inline_md(std::string_view line) {
  std::string out;
  bool bold = false, code = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (!code && line[i] == '\\' && i + 1 < line.size()
        && std::ispunct(static_cast<unsigned char>(line[i + 1]))) {
      out += html_escape(line.substr(i + 1, 1)); // a backslash escape: the character itself
      ++i;
    } else if (!code && line.compare(i, 2, "**") == 0) {
      out += bold ? "</strong>" : "<strong>";
      bold = !bold;
      ++i;
    } else if (line[i] == '`') {
      out += code ? "</code>" : "<code>";
      code = !code;
    } else {
      out += html_escape(line.substr(i, 1));
    }
  }
  if (code)
    out += "</code>";
  if (bold)
    out += "</strong>";
  return out;
}

std::vector<std::string_view> lines_of(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto end = s.find('\n', start);
    if (end == std::string_view::npos)
      end = s.size();
    auto l = s.substr(start, end - start);
    if (!l.empty() && l.back() == '\r')
      l.remove_suffix(1);
    out.push_back(l);
    start = end + 1;
  }
  return out;
}

std::vector<std::string_view> cells(std::string_view row) {
  std::vector<std::string_view> out;
  if (!row.empty() && row.front() == '|')
    row.remove_prefix(1);
  if (!row.empty() && row.back() == '|')
    row.remove_suffix(1);
  std::size_t start = 0;
  while (start <= row.size()) {
    auto end = row.find('|', start);
    if (end == std::string_view::npos)
      end = row.size();
    auto c = row.substr(start, end - start);
    while (!c.empty() && c.front() == ' ')
      c.remove_prefix(1);
    while (!c.empty() && c.back() == ' ')
      c.remove_suffix(1);
    out.push_back(c);
    start = end + 1;
  }
  return out;
}

std::string page(const std::string& title, const site_options& o, const std::string& body) {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>"
         + html_escape(title) + "</title>\n<link rel=\"alternate\" type=\"application/rss+xml\" "
         "title=\"" + html_escape(o.title) + "\" href=\"feed.xml\">\n<style>body{font-family:"
         "system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.5}"
         "img{max-width:100%}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
         "padding:.2rem .5rem}.meta{color:#666}</style>\n</head>\n<body>\n"
         + body + "</body>\n</html>\n";
}

} // namespace

std::string markdown_to_html(std::string_view md) {
  std::string out;
  std::string para;
  bool in_list = false, in_table = false;
  auto close_para = [&] {
    if (!para.empty())
      out += "<p>" + para + "</p>\n";
    para.clear();
  };
  auto close_blocks = [&] {
    close_para();
    if (in_list)
      out += "</ul>\n";
    if (in_table)
      out += "</table>\n";
    in_list = in_table = false;
  };
  for (auto line : lines_of(md)) {
    if (line.empty()) {
      close_blocks();
      continue;
    }
    if (line.front() == '#') {
      close_blocks();
      std::size_t level = 0;
      while (level < line.size() && line[level] == '#')
        ++level;
      auto text = line.substr(level);
      while (!text.empty() && text.front() == ' ')
        text.remove_prefix(1);
      auto n = std::to_string(std::min<std::size_t>(level, 6));
      out += "<h" + n + ">" + inline_md(text) + "</h" + n + ">\n";
    } else if (line.rfind("- ", 0) == 0) {
      close_para();
      if (in_table)
        out += "</table>\n", in_table = false;
      if (!in_list)
        out += "<ul>\n", in_list = true;
      out += "<li>" + inline_md(line.substr(2)) + "</li>\n";
    } else if (line.front() == '|') {
      close_para();
      if (in_list)
        out += "</ul>\n", in_list = false;
      auto cs = cells(line);
      bool separator = true;
      for (auto c : cs)
        separator = separator && !c.empty() && c.find_first_not_of("-: ") == std::string_view::npos;
      if (separator)
        continue;
      bool head = !in_table;
      if (!in_table)
        out += "<table>\n", in_table = true;
      out += "<tr>";
      for (auto c : cs)
        out += (head ? "<th>" : "<td>") + inline_md(c) + (head ? "</th>" : "</td>");
      out += "</tr>\n";
    } else {
      if (in_list || in_table)
        close_blocks();
      if (!para.empty())
        para += "<br>\n";
      para += inline_md(line);
    }
  }
  close_blocks();
  return out;
}

std::string article_page(const article& a, const site_options& o) {
  std::string body = "<p class=\"meta\"><a href=\"index.html\">" + html_escape(o.title)
                     + "</a> &middot; " + html_escape(a.kind) + " &middot; "
                     + html_escape(rfc822(a.published_at)) + "</p>\n<h1>" + html_escape(a.title)
                     + "</h1>\n";
  if (!a.chart.empty())
    body += "<p><img src=\"" + html_escape(a.chart) + "\" alt=\"chart: "
            + html_escape(a.title) + "\"></p>\n";
  body += markdown_to_html(a.markdown);
  return page(a.title + " - " + o.title, o, body);
}

std::string index_page(const std::vector<article>& newest_first, const site_options& o) {
  std::string body = "<h1>" + html_escape(o.title) + "</h1>\n<p>" + html_escape(o.description)
                     + " <a href=\"feed.xml\">RSS</a></p>\n<ul>\n";
  for (auto& a : newest_first)
    body += "<li><a href=\"" + a.slug() + ".html\">" + html_escape(a.title)
            + "</a> <span class=\"meta\">" + html_escape(a.kind) + ", "
            + html_escape(rfc822(a.published_at)) + "</span></li>\n";
  body += "</ul>\n";
  return page(o.title, o, body);
}

std::string rss_feed(const std::vector<article>& newest_first, const site_options& o) {
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" "
                  "xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n<title>"
                  + html_escape(o.title) + "</title>\n<link>" + html_escape(o.base_url)
                  + "</link>\n<description>" + html_escape(o.description)
                  + "</description>\n<atom:link href=\"" + html_escape(o.base_url + "feed.xml")
                  + "\" rel=\"self\" type=\"application/rss+xml\"/>\n";
  if (!newest_first.empty())
    x += "<lastBuildDate>" + rfc822(newest_first.front().published_at) + "</lastBuildDate>\n";
  std::size_t n = 0;
  for (auto& a : newest_first) {
    if (n++ == o.feed_items)
      break;
    auto link = o.base_url + a.slug() + ".html";
    x += "<item>\n<title>" + html_escape(a.title) + "</title>\n<link>" + html_escape(link)
         + "</link>\n<guid isPermaLink=\"false\">" + html_escape(a.id) + "</guid>\n<pubDate>"
         + rfc822(a.published_at) + "</pubDate>\n<category>" + html_escape(a.kind)
         + "</category>\n<description>" + html_escape(markdown_to_html(a.markdown))
         + "</description>\n</item>\n";
  }
  x += "</channel>\n</rss>\n";
  return x;
}

} // namespace herald::content
