#include "community/repurpose.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "content/briefing.hpp"
#include "content/channel.hpp"
#include "market/interval.hpp"

namespace herald::community {

namespace {

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos)
    return "";
  auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

/// Whitespace runs to one space, ASCII lower case, markdown emphasis gone.
std::string fold(const std::string& s) {
  std::string out;
  bool space = false;
  for (unsigned char c : s) {
    if (c == '*' || c == '`' || c == '|' || c == '#')
      continue;
    if (std::isspace(c)) {
      space = !out.empty();
      continue;
    }
    if (space)
      out += ' ';
    space = false;
    out += static_cast<char>(std::tolower(c));
  }
  return out;
}

std::vector<std::string> sentences(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (std::size_t i = 0; i < s.size(); ++i) {
    cur += s[i];
    bool end = (s[i] == '.' || s[i] == '!' || s[i] == '?' || s[i] == '\n')
               && (i + 1 == s.size() || std::isspace(static_cast<unsigned char>(s[i + 1])));
    if (end) {
      out.push_back(cur);
      cur.clear();
    }
  }
  if (!cur.empty())
    out.push_back(cur);
  return out;
}

std::string pct(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.2f%%", 100 * x);
  return buf;
}

std::string price(double p) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", content::price_digits(p), p);
  return buf;
}

} // namespace

std::vector<summary_row> report_summary(const std::string& md) {
  std::vector<summary_row> out;
  std::istringstream in{md};
  std::string line;
  bool in_summary = false;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) {
      in_summary = trim(line.substr(3)) == "Summary";
      continue;
    }
    if (!in_summary || line.empty() || line[0] != '|')
      continue;
    std::vector<std::string> cells;
    std::size_t start = 1;
    while (start < line.size()) {
      auto bar = line.find('|', start);
      if (bar == std::string::npos)
        break;
      cells.push_back(trim(line.substr(start, bar - start)));
      start = bar + 1;
    }
    if (cells.size() < 8 || cells[0] == "Symbol" || cells[0].rfind("---", 0) == 0)
      continue;
    out.push_back({cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], cells[6], cells[7]});
  }
  return out;
}

std::vector<std::string> report_thread(const std::string& title, const std::vector<summary_row>& rows,
                                       const std::string& url, std::size_t max_chars) {
  std::vector<std::string> parts;
  if (rows.empty())
    return parts;
  parts.push_back(content::fit(title + ": the week in " + std::to_string(rows.size())
                                 + (rows.size() == 1 ? " market" : " markets")
                                 + ", one post each. Research, not investment advice.",
                               max_chars));
  for (auto& r : rows) {
    std::string p = r.symbol + " on the " + r.interval + " chart closed at " + r.last + " ("
                    + r.change + "). Trend " + r.trend + ", volatility " + r.regime + ", RSI "
                    + r.rsi + ".";
    if (!r.signal.empty() && r.signal != "-")
      p += " Herald's latest signal: " + r.signal + ".";
    parts.push_back(content::fit(p, max_chars));
  }
  if (!url.empty())
    parts.push_back(content::fit("Every figure, chart and signal behind this thread: " + url,
                                 max_chars));
  return parts;
}

std::string report_summary_post(const std::string& title, const std::vector<summary_row>& rows,
                                const std::string& url, std::size_t max_chars) {
  std::string s = "In short, " + title + ":";
  for (std::size_t i = 0; i < rows.size() && i < 4; ++i)
    s += std::string{i ? ";" : ""} + " " + rows[i].symbol + " " + rows[i].change + ", trend "
         + rows[i].trend;
  if (rows.size() > 4)
    s += "; and " + std::to_string(rows.size() - 4) + " more";
  s += ".";
  if (!url.empty()) {
    // the link is kept whole: the text before it is what gets cut
    auto tail = " Full report: " + url;
    auto room = max_chars > content::utf8_length(tail) ? max_chars - content::utf8_length(tail) : 0;
    return content::fit(s, room) + tail;
  }
  return content::fit(s, max_chars);
}

std::optional<std::string> followup_post(const followup_input& in, std::size_t max_chars) {
  if (in.entry <= 0 || in.now_price <= 0 || (in.dir != 1 && in.dir != -1))
    return std::nullopt;
  auto move = in.now_price / in.entry - 1;
  std::string s = "Follow-up: our " + std::string{in.dir > 0 ? "long" : "short"} + " call on "
                  + in.symbol + " (" + in.interval + ") at " + price(in.entry) + " on "
                  + market::format_utc(in.called_at).substr(0, 16)
                  + " UTC drew the most engagement of our alerts this week ("
                  + std::to_string(in.engagements) + "). Price now " + price(in.now_price) + " ("
                  + market::format_utc(in.now_ms).substr(0, 16) + " UTC): " + pct(move)
                  + " since, " + pct(in.dir * move) + " for the call. Research, not advice.";
  return content::fit(s, max_chars);
}

bool repeats_source(const std::vector<std::string>& variant, const std::string& source) {
  auto src = fold(source);
  std::vector<std::string> lines;
  {
    std::istringstream in{source};
    std::string l;
    while (std::getline(in, l))
      if (auto f = fold(l); !f.empty())
        lines.push_back(f);
  }
  for (auto& part : variant) {
    auto f = fold(part);
    if (f.empty())
      continue;
    if (std::find(lines.begin(), lines.end(), f) != lines.end() || f == src)
      return true;
    for (auto& s : sentences(part)) {
      auto fs = fold(s);
      if (fs.size() >= 40 && src.find(fs) != std::string::npos)
        return true;
    }
  }
  return false;
}

} // namespace herald::community
