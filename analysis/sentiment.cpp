#include "analysis/sentiment.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

namespace herald::embedded {
std::string_view finance_lexicon();
} // namespace herald::embedded

namespace herald::analysis {

namespace {

std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t from = 0;
  for (;;) {
    auto tab = line.find('\t', from);
    out.push_back(line.substr(from, tab == std::string_view::npos ? tab : tab - from));
    if (tab == std::string_view::npos)
      return out;
    from = tab + 1;
  }
}

/// Lower-cased words: letters, digits, apostrophes and hyphens inside words.
std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    while (!cur.empty() && (cur.back() == '\'' || cur.back() == '-'))
      cur.pop_back();
    if (!cur.empty())
      out.push_back(std::move(cur));
    cur.clear();
  };
  for (unsigned char ch : text) {
    if (std::isalnum(ch))
      cur.push_back(static_cast<char>(std::tolower(ch)));
    else if ((ch == '\'' || ch == '-') && !cur.empty())
      cur.push_back(static_cast<char>(ch));
    else if (ch >= 0x80)
      cur.push_back(static_cast<char>(ch)); // UTF-8 bytes stay inside a word
    else
      flush();
  }
  flush();
  return out;
}

} // namespace

lexicon lexicon::parse(std::string_view text, const std::string& source) {
  lexicon lex;
  std::size_t line_no = 0, from = 0;
  while (from <= text.size()) {
    auto nl = text.find('\n', from);
    auto line = text.substr(from, nl == std::string_view::npos ? std::string_view::npos : nl - from);
    from = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    if (line.empty() || line.front() == '#')
      continue;
    auto where = source + ":" + std::to_string(line_no) + ": ";
    auto cols = split_tabs(line);
    if (cols.size() < 2 || cols.size() > 3)
      throw lexicon_error(where + "expected 'term<TAB>value[<TAB>kind]', got '"
                          + std::string(line.substr(0, 80)) + "'");
    auto ws = words(cols[0]);
    if (ws.empty())
      throw lexicon_error(where + "empty term");
    std::string term;
    for (auto& w : ws)
      term += (term.empty() ? "" : " ") + w;
    std::string num(cols[1]);
    char* end = nullptr;
    double v = std::strtod(num.c_str(), &end);
    if (num.empty() || end != num.c_str() + num.size() || !std::isfinite(v))
      throw lexicon_error(where + "value '" + num + "' of '" + term + "' is not a number");
    entry e{v, kind::sentiment};
    if (cols.size() == 3) {
      if (cols[2] == "sentiment")
        e.k = kind::sentiment;
      else if (cols[2] == "negation")
        e.k = kind::negation;
      else if (cols[2] == "booster")
        e.k = kind::booster;
      else
        throw lexicon_error(where + "kind '" + std::string(cols[2])
                            + "' is not one of sentiment, negation, booster");
    }
    if (e.k == kind::sentiment && (v < -3 || v > 3))
      throw lexicon_error(where + "sentiment of '" + term + "' is " + num
                          + ", outside [-3, 3]");
    if (e.k == kind::booster && (v <= 0 || v > 5))
      throw lexicon_error(where + "booster factor of '" + term + "' is " + num
                          + ", outside (0, 5]");
    if (e.k != kind::sentiment && ws.size() > 1)
      throw lexicon_error(where + "negators and boosters are single words, got '" + term + "'");
    if (ws.size() > 4)
      throw lexicon_error(where + "phrases have at most 4 words, got '" + term + "'");
    if (!lex.terms_.emplace(term, e).second)
      throw lexicon_error(where + "'" + term + "' is listed twice");
    lex.max_words_ = std::max(lex.max_words_, ws.size());
  }
  if (lex.count(kind::sentiment) == 0)
    throw lexicon_error(source + ": no sentiment terms");
  return lex;
}

lexicon lexicon::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw lexicon_error(path + ": cannot open the lexicon file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse(ss.str(), path);
}

const lexicon& lexicon::builtin() {
  static const lexicon lex = parse(embedded::finance_lexicon(), "config/lexicon/finance.tsv");
  return lex;
}

const lexicon::entry* lexicon::find(const std::string& term) const {
  auto it = terms_.find(term);
  return it == terms_.end() ? nullptr : &it->second;
}

std::size_t lexicon::count(kind k) const {
  std::size_t n = 0;
  for (auto& [t, e] : terms_)
    n += e.k == k;
  return n;
}

text_sentiment score_text(const lexicon& lex, std::string_view text) {
  auto ws = words(text);
  text_sentiment out;
  double sum = 0;
  std::ptrdiff_t negated_until = -1; // last word index a negator reaches
  std::ptrdiff_t boosted_until = -1;
  double boost = 1;
  std::ptrdiff_t last_hit = -10; // index and value of the last sentiment term,
  double last_value = 0;         // which a booster right after it scales
  for (std::size_t i = 0; i < ws.size();) {
    // Longest phrase first.
    const lexicon::entry* hit = nullptr;
    std::size_t len = 0;
    std::string phrase;
    for (std::size_t n = std::min(lex.max_words(), ws.size() - i); n >= 1 && !hit; --n) {
      phrase.clear();
      for (std::size_t k = 0; k < n; ++k)
        phrase += (k ? " " : "") + ws[i + k];
      if (auto e = lex.find(phrase)) {
        hit = e;
        len = n;
      }
    }
    auto at = static_cast<std::ptrdiff_t>(i);
    if (!hit) {
      ++i;
      continue;
    }
    switch (hit->k) {
      case lexicon::kind::negation:
        negated_until = at + 3;
        break;
      case lexicon::kind::booster:
        if (last_hit >= at - 1) { // "fell sharply"
          sum += last_value * (hit->value - 1);
          last_hit = -10;
        } else { // "sharply lower"
          boost = hit->value;
          boosted_until = at + 2;
        }
        break;
      case lexicon::kind::sentiment: {
        double v = hit->value;
        if (at <= boosted_until) {
          v *= boost;
          boosted_until = -1;
        }
        if (at <= negated_until)
          v *= -0.75; // "not bullish" is bearish, a little less than "bearish"
        sum += v;
        ++out.hits;
        last_hit = at + static_cast<std::ptrdiff_t>(len) - 1;
        last_value = v;
        break;
      }
    }
    i += len;
  }
  out.score = sum / std::sqrt(sum * sum + 15.0);
  return out;
}

} // namespace herald::analysis
