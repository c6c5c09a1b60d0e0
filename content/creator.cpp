#include "content/creator.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "content/channel.hpp"
#include "content/fact_check.hpp"
#include "content/site.hpp"
#include "content/thread.hpp"

namespace herald::content {

namespace {

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t\r\n");
  auto e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string{} : s.substr(b, e - b + 1);
}

bool word_char(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}

/// Decimal places written in a number token.
int decimals(const std::string& tok) {
  auto dot = tok.find('.');
  return dot == std::string::npos ? 0 : static_cast<int>(tok.size() - dot - 1);
}

} // namespace

bool composed_fact(const std::string& key) {
  return key == "body" || key == "summary" || key == "movers" || key == "markdown";
}

std::vector<std::string> ungrounded_numbers(const std::string& text, const facts& f) {
  std::vector<double> known;
  for (auto& [k, v] : f.all()) {
    if (auto d = std::get_if<double>(&v))
      known.push_back(*d);
    else if (auto i = std::get_if<std::int64_t>(&v))
      known.push_back(static_cast<double>(*i));
    else if (!composed_fact(k)) {
      // numbers inside string facts (dates, "BTCUSDT +1.25%") are facts too
      auto nested = ungrounded_numbers(std::get<std::string>(v), facts{});
      for (auto& n : nested)
        known.push_back(std::atof(n.c_str()));
    }
  }
  std::vector<std::string> out;
  std::size_t i = 0, n = text.size();
  while (i < n) {
    char c = text[i];
    bool starts = std::isdigit(static_cast<unsigned char>(c))
                  || ((c == '-' || c == '+') && i + 1 < n
                      && std::isdigit(static_cast<unsigned char>(text[i + 1])));
    if (!starts || (i > 0 && (word_char(text[i - 1]) || std::isdigit(static_cast<unsigned char>(text[i - 1]))))) {
      ++i;
      continue;
    }
    auto b = i;
    if (c == '-' || c == '+')
      ++i;
    std::string tok = c == '-' ? "-" : "";
    while (i < n && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == ','
                     || (text[i] == '.' && i + 1 < n
                         && std::isdigit(static_cast<unsigned char>(text[i + 1]))))) {
      if (text[i] != ',')
        tok += text[i];
      ++i;
    }
    // a number glued to letters is part of a name (1m, 4h, BTC2)
    if (i < n && word_char(text[i]) && !(text[i] == 'x' || text[i] == 'X')) {
      while (i < n && (word_char(text[i]) || std::isdigit(static_cast<unsigned char>(text[i]))))
        ++i;
      continue;
    }
    auto value = std::atof(tok.c_str());
    auto scale = std::pow(10.0, decimals(tok));
    bool found = false;
    for (auto k : known)
      if (std::fabs(std::round(k * scale) / scale - value) < 0.5 / scale + 1e-12
          || std::fabs(std::fabs(k) - std::fabs(value)) < 1e-12) {
        found = true;
        break;
      }
    if (!found)
      out.push_back(text.substr(b, i - b));
  }
  return out;
}

std::string llm_check(const std::string& text, const facts& f, std::size_t limit) {
  if (trim(text).empty())
    return "empty text";
  if (limit > 0 && utf8_length(text) > limit)
    return "too long: " + std::to_string(utf8_length(text)) + " characters, the limit is "
           + std::to_string(limit);
  return fact_check(text, f);
}

creator::creator(const template_set& templates, std::string site_url, llm_writer llm)
  : templates_(templates), site_url_(std::move(site_url)), llm_(std::move(llm)) {}

std::string creator::link_for(const std::string& piece) const {
  if (site_url_.empty())
    return {};
  article a;
  a.id = piece;
  return site_url_ + a.slug() + ".html";
}

std::optional<draft> creator::write(const content_brief& b, std::string* error) const {
  auto type = parse_content_type(b.type);
  auto ch = parse_channel(b.channel);
  if (!type || !ch) {
    if (error)
      *error = "unknown content type or channel in brief '" + b.id + "'";
    return std::nullopt;
  }
  auto f = facts_from_json(b.facts_json);
  f.set("link", link_for(b.piece));
  draft d;
  d.title = b.title;
  auto limit = text_limit(*ch);
  if (*type == content_type::thread) {
    auto r = templates_.render(*type, *ch, f, b.piece, error, b.variant);
    if (!r)
      return std::nullopt;
    d.variant = r->variant;
    d.refused = fact_check(r->text, f); // before the "1/4" numbering is added
    d.parts = cut_thread(trim(r->text), limit);
    return d;
  }
  if ((*type == content_type::report || *type == content_type::scorecard)
      && *ch == channel::articles) {
    d.markdown = b.markdown;
    d.variant = content_type_name(*type);
    d.refused = fact_check(b.markdown, f);
    d.parts = {b.markdown};
    return d;
  }
  std::string text;
  // A piece in a template experiment gets its arm's template, never an LLM
  // draft (that would measure the LLM, not the arm).
  if (llm_ && b.variant.empty()) {
    std::string why;
    auto t = llm_(b.type, b.channel, f, limit, &why);
    if (t) {
      auto problem = llm_check(*t, f, limit);
      if (problem.empty()) {
        text = trim(*t);
        d.writer = "llm";
        d.variant = "llm";
      } else
        d.note = "LLM draft refused: " + problem;
    } else
      d.note = "LLM writer failed: " + why;
  }
  if (text.empty()) {
    auto r = templates_.render(*type, *ch, f, b.piece, error, b.variant);
    if (!r)
      return std::nullopt;
    d.variant = r->variant;
    text = trim(r->text);
  }
  d.refused = fact_check(text, f);
  if (*ch == channel::articles)
    d.markdown = text;
  d.parts = {limit > 0 ? fit(text, limit) : text};
  return d;
}

} // namespace herald::content
