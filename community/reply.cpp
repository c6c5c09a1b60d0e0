#include "community/reply.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "content/channel.hpp"
#include "io/news/feed.hpp"

namespace herald::community {
namespace {

namespace fs = std::filesystem;

const std::vector<intent>& intents() {
  static const std::vector<intent> all{intent::symbol_question, intent::post_question,
                                       intent::thanks, intent::other, intent::untracked_symbol};
  return all;
}

std::optional<intent> parse_intent(const std::string& s) {
  for (auto i : intents())
    if (s == intent_name(i))
      return i;
  return std::nullopt;
}

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// Words of ASCII letters and digits (other scripts separate words too).
std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::string w;
  for (unsigned char c : text) {
    if (std::isalnum(c)) {
      w += static_cast<char>(std::tolower(c));
    } else if (!w.empty()) {
      out.push_back(w);
      w.clear();
    }
  }
  if (!w.empty())
    out.push_back(w);
  return out;
}

/// The text without mentions (@name, <@id>) and links: they name people and
/// pages, not what is asked.
std::string strip(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '@' || (text[i] == '<' && i + 1 < text.size() && text[i + 1] == '@')) {
      while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i])))
        ++i;
      continue;
    }
    if (text.compare(i, 7, "http://") == 0 || text.compare(i, 8, "https://") == 0) {
      while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i])))
        ++i;
      continue;
    }
    out += text[i++];
  }
  return out;
}

bool is_question(const std::string& text, const std::vector<std::string>& ws) {
  // ASCII '?', full-width '？' (U+FF1F), Arabic '؟' (U+061F).
  if (text.find('?') != std::string::npos || text.find("\xEF\xBC\x9F") != std::string::npos
      || text.find("\xD8\x9F") != std::string::npos)
    return true;
  static const std::set<std::string> openers{"what", "how",  "why",   "when",   "where", "which",
                                             "who",  "is",   "are",   "will",   "should", "can",
                                             "could", "do",  "does",  "would",  "any",   "thoughts"};
  return !ws.empty() && openers.count(ws.front()) > 0;
}

bool is_thanks(const std::string& text, const std::vector<std::string>& ws) {
  static const std::set<std::string> thanks{"thanks", "thank", "thx",  "ty",     "tysm",
                                            "merci",  "danke", "gracias", "appreciate",
                                            "appreciated", "cheers"};
  for (auto& w : ws)
    if (thanks.count(w))
      return true;
  return text.find("\xF0\x9F\x99\x8F") != std::string::npos; // 🙏
}

std::string read_file(const fs::path& p) {
  std::ifstream in{p, std::ios::binary};
  if (!in)
    throw content::template_error{p.string() + ": cannot be read"};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

} // namespace

const char* intent_name(intent i) {
  switch (i) {
    case intent::symbol_question: return "symbol";
    case intent::post_question: return "post";
    case intent::thanks: return "thanks";
    case intent::other: return "other";
    case intent::untracked_symbol: return "untracked";
  }
  return "other";
}

classified classify(const std::string& text, bool summoned_reply,
                    const std::map<std::string, std::string>& aliases,
                    const std::vector<std::string>& tracked) {
  classified c;
  auto body = strip(text);
  auto ws = words(body);
  // A tracked symbol: its full name ("btcusdt"), an alias ("bitcoin",
  // "btc", "$btc"), first match in the text's order.
  std::set<std::string> tracked_set(tracked.begin(), tracked.end());
  for (auto& w : ws) {
    for (auto& sym : tracked)
      if (w == lower(sym))
        c.symbol = sym;
    if (c.symbol.empty())
      if (auto a = aliases.find(w); a != aliases.end() && tracked_set.count(a->second))
        c.symbol = a->second;
    if (!c.symbol.empty())
      break;
  }
  bool question = is_question(body, ws);
  if (!c.symbol.empty()) {
    c.kind = is_thanks(body, ws) && !question ? intent::thanks : intent::symbol_question;
    return c;
  }
  // "$ADA" or "ADAUSDT" that we do not track: say what we track.
  for (std::size_t i = 0; i + 1 < body.size(); ++i)
    if (body[i] == '$' && std::isalpha(static_cast<unsigned char>(body[i + 1]))) {
      std::string t;
      for (auto j = i + 1; j < body.size() && std::isalnum(static_cast<unsigned char>(body[j]))
                           && t.size() < 12;
           ++j)
        t += static_cast<char>(std::toupper(static_cast<unsigned char>(body[j])));
      c.named = t;
      break;
    }
  if (c.named.empty())
    for (auto& w : ws)
      if (w.size() > 4 && w.size() <= 14 && w.compare(w.size() - 4, 4, "usdt") == 0) {
        c.named = w;
        std::transform(c.named.begin(), c.named.end(), c.named.begin(),
                       [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
        break;
      }
  if (!c.named.empty() && question) {
    c.kind = intent::untracked_symbol;
    return c;
  }
  if (is_thanks(body, ws) && !question)
    c.kind = intent::thanks;
  else if (question && summoned_reply)
    c.kind = intent::post_question;
  else
    c.kind = intent::other;
  c.named.clear();
  return c;
}

content::facts sample_reply_facts(intent i) {
  content::facts f;
  f.set("tracked", "BTCUSDT, ETHUSDT");
  if (i == intent::untracked_symbol)
    f.set("named", "ADAUSDT");
  if (i == intent::symbol_question)
    f.set("symbol", "BTCUSDT")
      .set("interval", "1m")
      .set("price", 43000.5)
      .set("time", "2026-12-07 12:00 UTC")
      .set("rsi", 55.2)
      .set("atr_pct", 0.35)
      .set("change_pct", 1.2)
      .set("change_hours", std::int64_t{24})
      .set("trend", "up")
      .set("support", 42000.0)
      .set("resistance", 44000.0)
      .set("regime", "normal")
      .set("signal", "long")
      .set("signal_time", "2026-12-07 11:00 UTC")
      .set("signal_confidence", std::int64_t{70});
  return f;
}

reply_templates reply_templates::load(const std::string& dir) {
  reply_templates out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw content::template_error{dir + ": not a directory of reply templates"};
  std::vector<fs::path> files;
  for (auto& e : fs::directory_iterator{dir, ec})
    if (e.is_regular_file() && e.path().extension() == ".txt")
      files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (auto& p : files) {
    auto stem = p.stem().string(); // "<intent>.<variant>"
    auto dot = stem.find('.');
    auto i = parse_intent(stem.substr(0, dot));
    if (dot == std::string::npos || !i)
      throw content::template_error{p.string()
                                    + ": expected <intent>.<variant>.txt with intent symbol, post, "
                                      "thanks, other or untracked"};
    auto text = read_file(p);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
      text.pop_back();
    if (text.empty())
      throw content::template_error{p.string() + ": empty"};
    std::string err;
    if (!content::render(text, sample_reply_facts(*i), &err))
      throw content::template_error{p.string() + ": " + err};
    out.t_[*i].push_back({stem.substr(dot + 1), p.string(), text});
  }
  for (auto i : intents())
    if (out.t_[i].empty())
      throw content::template_error{dir + ": no template for the intent '" + intent_name(i)
                                    + "' (" + intent_name(i) + ".a.txt)"};
  return out;
}

reply_templates reply_templates::builtin() {
  reply_templates out;
  out.t_[intent::symbol_question] = {
    {"a", "", "{symbol} at {price}[[, {change_pct:+.2f}% in {change_hours} h]][[, trend {trend}]]"
              "[[, RSI {rsi}]][[; day range {support} - {resistance}]][[. Last signal: {signal} "
              "({signal_confidence}/100) at {signal_time}]]."}};
  out.t_[intent::post_question] = {
    {"a", "", "Thanks for asking. Each post states the signal, its confidence and the levels "
              "behind it; we track {tracked}. Ask about one of them by name for the latest "
              "numbers."}};
  out.t_[intent::thanks] = {{"a", "", "Thank you for reading!"}};
  out.t_[intent::other] = {
    {"a", "", "Thanks for the message. We post research on {tracked}: ask about one of them "
              "for its latest numbers."}};
  out.t_[intent::untracked_symbol] = {
    {"a", "", "We do not follow {named}; we track {tracked}."}};
  return out;
}

const std::vector<content::template_variant>& reply_templates::of(intent i) const {
  static const std::vector<content::template_variant> none;
  auto it = t_.find(i);
  return it == t_.end() ? none : it->second;
}

std::optional<reply_text> compose(const reply_templates& t, const reply_request& r,
                                  std::string& error) {
  auto use = r.what.kind;
  content::facts f = r.facts;
  f.set("tracked", r.tracked);
  if (use == intent::untracked_symbol)
    f.set("named", r.what.named);
  // A tracked symbol with no candle yet: say what we track instead.
  if (use == intent::symbol_question && !f.find("price"))
    use = intent::other;
  auto& vs = t.of(use);
  if (vs.empty()) {
    error = std::string{"no reply template for '"} + intent_name(use) + "'";
    return std::nullopt;
  }
  auto& v = vs[r.variant_seed % vs.size()];
  auto body = content::render(v.text, f, &error);
  if (!body)
    return std::nullopt;
  reply_text out;
  out.variant = v.name;
  out.used = use;
  std::string tail = r.footer.empty() ? "" : "\n\n" + r.footer;
  auto room = r.max_chars > content::utf8_length(tail) ? r.max_chars - content::utf8_length(tail) : 0;
  out.text = content::fit(*body, room) + tail;
  return out;
}

} // namespace herald::community
