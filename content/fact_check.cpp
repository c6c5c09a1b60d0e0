#include "content/fact_check.hpp"

#include <cmath>
#include <regex>

#include "content/creator.hpp"

namespace herald::content {

namespace {

const std::string* text_fact(const facts& f, const char* key) {
  auto v = f.find(key);
  return v ? std::get_if<std::string>(v) : nullptr;
}

std::optional<double> number_fact(const facts& f, const char* key) {
  auto v = f.find(key);
  if (!v)
    return std::nullopt;
  if (auto d = std::get_if<double>(v))
    return *d;
  if (auto i = std::get_if<std::int64_t>(v))
    return static_cast<double>(*i);
  return std::nullopt;
}

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

} // namespace

std::vector<std::string> contradictions(const std::string& text, const facts& f) {
  std::vector<std::string> out;
  // Markdown emphasis is decoration: "**up**" reads as "up".
  std::string plain;
  plain.reserve(text.size());
  for (char c : text)
    if (c != '*' && c != '_')
      plain += c;
  auto low = lower(plain);

  // A change and the direction word of the same clause must agree.
  static const std::regex change_word(
    R"(([+-]?\d+(?:\.\d+)?)\s?%([^.;|\n]{0,80}?)\b(up|down|higher|lower)\b)");
  for (std::sregex_iterator it(low.begin(), low.end(), change_word), end; it != end; ++it) {
    auto value = std::stod((*it)[1].str());
    auto word = (*it)[3].str();
    bool up = word == "up" || word == "higher";
    if ((up && value < 0) || (!up && value > 0))
      out.push_back("'" + it->str() + "': a " + (value < 0 ? "fall" : "rise") + " called "
                    + word);
  }
  // RSI labels need the value behind them.
  static const std::regex rsi_label(R"(rsi(?:\(\d+\))?:?\s+(\d+(?:\.\d+)?)\s*\((overbought|oversold)\))");
  for (std::sregex_iterator it(low.begin(), low.end(), rsi_label), end; it != end; ++it) {
    auto value = std::stod((*it)[1].str());
    auto label = (*it)[2].str();
    if ((label == "overbought" && value < 70) || (label == "oversold" && value > 30))
      out.push_back("'" + it->str() + "': " + label + " needs RSI "
                    + (label == "overbought" ? ">= 70" : "<= 30"));
  }
  // Strongest and weakest must be two different series.
  static const std::regex extremes(R"(strongest:?\s+([a-z0-9]+)[\s\S]{0,200}?weakest:?\s+([a-z0-9]+))");
  std::smatch m;
  if (std::regex_search(low, m, extremes) && m[1].str() == m[2].str())
    out.push_back("'" + m[1].str() + "' is both the strongest and the weakest");
  // "Weekly" only for a week.
  // (the report's own words; a headline's "weekly high" is not a period)
  static const std::regex weekly(R"(weekly (research )?report|\bweek to\b)");
  if (auto hours = number_fact(f, "period_hours"); hours && *hours < 7 * 24 - 0.5
                                                   && std::regex_search(low, weekly))
    out.push_back("called weekly but covers " + std::to_string(std::lround(*hours)) + " hours");
  // Facts that contradict each other.
  auto dir = text_fact(f, "direction");
  auto bias = text_fact(f, "bias");
  if (dir && bias
      && ((*dir == "long" && *bias == "bearish") || (*dir == "short" && *bias == "bullish")))
    out.push_back("direction " + *dir + " with a " + *bias + " bias");
  auto top = number_fact(f, "top_change");
  auto bottom = number_fact(f, "bottom_change");
  if (top && bottom && *top < *bottom)
    out.push_back("the strongest move is below the weakest");
  return out;
}

std::string fact_check(const std::string& text, const facts& f) {
  std::string out;
  auto add = [&](const std::string& x) { out += (out.empty() ? "" : "; ") + x; };
  auto bad = ungrounded_numbers(text, f);
  if (!bad.empty()) {
    std::string list;
    for (auto& b : bad)
      list += (list.empty() ? "" : ", ") + b;
    add("numbers not in the facts: " + list);
  }
  for (auto& c : contradictions(text, f))
    add("contradiction: " + c);
  return out;
}

} // namespace herald::content
