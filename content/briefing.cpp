#include "content/briefing.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include <nlohmann/json.hpp>

#include "io/text/sanitize.hpp"
#include "market/indicators.hpp"
#include "market/interval.hpp"

namespace herald::content {

double round_to(double x, int digits);
std::string minute_utc(std::int64_t ms);

namespace {

/// The series a report covers: those analysed, or all when none is yet.
bool covered(const std::map<std::string, series_view>& all, const series_view& v) {
  if (v.signals > 0)
    return true;
  for (auto& [k, x] : all)
    if (x.signals > 0)
      return false;
  return true;
}

constexpr std::size_t hard_cap = 100'000; // candles per series, whatever the clock
constexpr std::size_t insights_kept = 200;
constexpr std::int64_t day_ms = 86'400'000;
const double nan = std::numeric_limits<double>::quiet_NaN();

std::string key_of(const std::string& symbol, const std::string& interval) {
  return symbol + ":" + interval;
}


std::string date_utc(std::int64_t ms) { return market::format_utc(ms).substr(0, 10); }

std::string fixed(double x, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, x);
  return buf;
}

std::string signed_pct(double x) { return (x >= 0 ? "+" : "") + fixed(x, 2) + "%"; }

/// How many candles of `v` opened at or before `until`.
std::size_t count_up_to(const series_view& v, std::int64_t until) {
  auto end = std::upper_bound(v.candles.begin(), v.candles.end(), until,
                              [](std::int64_t t, const candle& c) { return t < c.open_time; });
  return static_cast<std::size_t>(end - v.candles.begin());
}

/// Candles of `v` that opened at or before `until`, the last `n` of them.
std::vector<candle> up_to(const series_view& v, std::int64_t until, std::size_t n) {
  auto count = count_up_to(v, until);
  auto end = v.candles.begin() + static_cast<std::ptrdiff_t>(count);
  auto begin = end - static_cast<std::ptrdiff_t>(std::min(n, count));
  return {begin, end};
}

/// Indicator values at the last of `cs`.
struct snapshot {
  bool valid = false;
  double close = 0, ema_fast = nan, ema_slow = nan, rsi = nan, atr = nan, bb_low = nan,
         bb_high = nan, change_pct = 0;
  double hours = 0; ///< what change_pct spans
};

snapshot snap(const std::vector<candle>& cs, const view_options& o, std::int64_t span_ms) {
  snapshot s;
  if (cs.empty())
    return s;
  s.valid = true;
  market::ema fast{o.ema_period}, slow{o.ema_period * 5 / 2};
  market::rsi r{o.rsi_period};
  market::atr a{o.atr_period};
  market::bollinger bb{o.bb_period, o.bb_k};
  for (auto& c : cs) {
    if (auto v = fast.push(c.close))
      s.ema_fast = *v;
    if (auto v = slow.push(c.close))
      s.ema_slow = *v;
    if (auto v = r.push(c.close))
      s.rsi = *v;
    if (auto v = a.push(c.high, c.low, c.close))
      s.atr = *v;
    if (auto v = bb.push(c.close)) {
      s.bb_low = v->lower;
      s.bb_high = v->upper;
    }
  }
  auto& last = cs.back();
  s.close = last.close;
  auto from = last.open_time - span_ms;
  auto first = std::lower_bound(cs.begin(), cs.end(), from, [](const candle& c, std::int64_t t) {
    return c.open_time < t;
  });
  if (first == cs.end())
    first = cs.end() - 1;
  if (first->open < 0 || first->open > 0)
    s.change_pct = (last.close / first->open - 1) * 100;
  s.hours = static_cast<double>(last.close_time + 1 - first->open_time) / 3.6e6;
  return s;
}

/// The trend over the window of the change beside it: the EMAs and the
/// window's change must agree for "up" or "down"; when they disagree it is
/// "mixed", when both are flat "sideways". "" when the EMAs are not warm
/// (no trend is stated then).
std::string trend_of(const snapshot& s) {
  if (std::isnan(s.ema_fast) || std::isnan(s.ema_slow))
    return {};
  auto gap = (s.ema_fast - s.ema_slow) / s.ema_slow;
  bool ema_up = gap > 0.001 && s.close > s.ema_fast;
  bool ema_down = gap < -0.001 && s.close < s.ema_fast;
  auto change = round_to(s.change_pct, 2);
  if (ema_up)
    return change >= 0 ? "up" : "mixed";
  if (ema_down)
    return change <= 0 ? "down" : "mixed";
  return "sideways";
}

/// "24 h" or "6 h": the window a change covers, as the text names it.
std::int64_t window_hours(const snapshot& s) {
  return std::max<std::int64_t>(1, std::llround(s.hours));
}

const char* dir_name(analysis::direction d) {
  switch (d) {
    case analysis::direction::long_: return "long";
    case analysis::direction::short_: return "short";
    default: return "neutral";
  }
}

} // namespace

std::string minute_utc(std::int64_t ms) {
  auto s = market::format_utc(ms);
  if (s.size() >= 16)
    s = s.substr(0, 10) + " " + s.substr(11, 5);
  return s + " UTC";
}

double round_to(double x, int digits) {
  if (!std::isfinite(x))
    return 0;
  return std::stod(fixed(x, digits));
}

int price_digits(double price) {
  auto a = std::fabs(price);
  return a >= 100 ? 2 : a >= 1 ? 4 : 6;
}

market_view::market_view(view_options o) : o_(o) {}

const series_view* market_view::find(const std::string& symbol,
                                     const std::string& interval) const {
  auto i = series_.find(key_of(symbol, interval));
  return i == series_.end() ? nullptr : &i->second;
}

void market_view::on_candle(const candle& c) {
  auto& v = series_[key_of(c.symbol, c.interval)];
  if (v.symbol.empty()) {
    v.symbol = c.symbol;
    v.interval = c.interval;
  }
  if (v.first_time == 0 || c.open_time < v.first_time)
    v.first_time = c.open_time;
  if (!v.candles.empty() && c.open_time <= v.candles.back().open_time)
    return; // the hub has already dropped duplicates; never go back in time
  v.candles.push_back(c);
  if (v.candles.size() > hard_cap)
    v.candles.pop_front();
}

void market_view::on_news(const db::news_article& a) {
  auto syms = nlohmann::json::parse(a.symbols_json, nullptr, false);
  if (!syms.is_array())
    return;
  for (auto& s : syms)
    if (s.is_string()) {
      auto& q = news_[s.get<std::string>()];
      q.push_back(a);
      if (q.size() > o_.news_keep)
        q.pop_front();
    }
}

void market_view::on_report(const std::vector<analysis::signal>& sigs,
                            const std::vector<analysis::insight>& ins) {
  for (auto& s : sigs) {
    auto& v = series_[key_of(s.symbol, s.interval)];
    if (v.symbol.empty()) {
      v.symbol = s.symbol;
      v.interval = s.interval;
    }
    v.last_signal = s;
    if (!s.regime.empty()) {
      v.regimes.emplace_back(s.time, s.regime);
      if (v.regimes.size() > 4096)
        v.regimes.pop_front();
    }
    ++v.signals;
    v.longs += s.dir == analysis::direction::long_;
    v.shorts += s.dir == analysis::direction::short_;
    clock_ = std::max(clock_, s.time);
  }
  for (auto& i : ins) {
    if (!i.approved)
      continue;
    auto& v = series_[key_of(i.symbol, i.interval)];
    v.insights.push_back(i);
    if (v.insights.size() > insights_kept)
      v.insights.erase(v.insights.begin());
  }
  // Keep `keep` candles at or before the first signal of this report (and
  // everything after it): the report's own insights may still be charted.
  auto from = sigs.empty() ? clock_ : sigs.front().time;
  for (auto& s : sigs)
    from = std::min(from, s.time);
  for (auto& [k, v] : series_) {
    auto behind = count_up_to(v, from);
    if (behind > o_.keep)
      v.candles.erase(v.candles.begin(),
                      v.candles.begin() + static_cast<std::ptrdiff_t>(behind - o_.keep));
  }
}

facts market_view::alert_facts(const analysis::insight& in) const {
  facts f;
  auto digits = price_digits(in.price);
  f.set("symbol", in.symbol)
    .set("interval", in.interval)
    .set("direction", dir_name(in.dir))
    .set("bias", in.dir == analysis::direction::long_ ? "bullish" : "bearish")
    .set("price", round_to(in.price, digits))
    .set("strength", static_cast<std::int64_t>(std::lround(in.strength * 100)))
    .set("confidence", static_cast<std::int64_t>(std::lround(in.confidence)))
    .set("confidence_max", 100)
    .set("time", minute_utc(in.time));
  // What is not known is left out (templates render without it), never
  // replaced by a stand-in value.
  auto v = find(in.symbol, in.interval);
  if (!v)
    return f;
  auto r = std::find_if(v->regimes.rbegin(), v->regimes.rend(),
                        [&](const auto& x) { return x.first == in.time; });
  if (r != v->regimes.rend())
    f.set("regime", r->second);
  auto cs = up_to(*v, in.time, o_.keep);
  auto s = snap(cs, o_, day_ms);
  if (!std::isnan(s.rsi))
    f.set("rsi", round_to(s.rsi, 1));
  if (!std::isnan(s.atr) && in.price > 0)
    f.set("atr_pct", round_to(s.atr / in.price * 100, 2));
  if (!std::isnan(s.ema_fast))
    f.set("ema", round_to(s.ema_fast, digits));
  if (s.valid && cs.size() >= 2) {
    f.set("change_pct", round_to(s.change_pct, 2));
    f.set("change_hours", window_hours(s));
    auto t = trend_of(s);
    if (!t.empty())
      f.set("trend", t);
  }
  return f;
}

facts market_view::symbol_facts(const std::string& symbol, std::int64_t now_ms) const {
  facts f;
  const series_view* best = nullptr;
  std::int64_t best_ms = INT64_MAX;
  for (auto& [k, v] : series_) {
    auto ms = market::interval_ms(v.interval);
    if (v.symbol == symbol && !v.candles.empty() && ms && *ms < best_ms) {
      best = &v;
      best_ms = *ms;
    }
  }
  if (best == nullptr)
    return f;
  auto cs = up_to(*best, now_ms, o_.keep);
  if (cs.empty())
    return f;
  auto digits = price_digits(cs.back().close);
  f.set("symbol", symbol)
    .set("interval", best->interval)
    .set("price", round_to(cs.back().close, digits))
    .set("time", minute_utc(cs.back().open_time));
  auto s = snap(cs, o_, day_ms);
  if (!std::isnan(s.rsi))
    f.set("rsi", round_to(s.rsi, 1));
  if (!std::isnan(s.atr) && cs.back().close > 0)
    f.set("atr_pct", round_to(s.atr / cs.back().close * 100, 2));
  if (s.valid && cs.size() >= 2) {
    f.set("change_pct", round_to(s.change_pct, 2));
    f.set("change_hours", window_hours(s));
    auto t = trend_of(s);
    if (!t.empty())
      f.set("trend", t);
    // The day's range as levels: the lowest low and highest high of the
    // candles within 24 h of the last one.
    double lo = cs.back().low, hi = cs.back().high;
    for (auto it = cs.rbegin(); it != cs.rend() && it->open_time > cs.back().open_time - day_ms;
         ++it) {
      lo = std::min(lo, it->low);
      hi = std::max(hi, it->high);
    }
    f.set("support", round_to(lo, digits));
    f.set("resistance", round_to(hi, digits));
  }
  if (!best->regimes.empty())
    f.set("regime", best->regimes.back().second);
  if (best->last_signal.time != 0 && best->last_signal.time <= now_ms) {
    f.set("signal", dir_name(best->last_signal.dir));
    f.set("signal_time", minute_utc(best->last_signal.time));
    f.set("signal_confidence",
          static_cast<std::int64_t>(std::lround(best->last_signal.confidence)));
  }
  return f;
}

facts market_view::recap_facts(std::int64_t now_ms) const {
  facts f;
  struct mover {
    std::string symbol;
    double change;
  };
  std::vector<mover> movers;
  std::int64_t insights = 0, sigs = 0, hours = 0;
  std::string lines;
  for (auto& [k, v] : series_) {
    if (!covered(series_, v))
      continue;
    auto cs = up_to(v, now_ms, o_.keep);
    if (cs.size() < 2)
      continue;
    auto s = snap(cs, o_, day_ms);
    auto change = round_to(s.change_pct, 2);
    movers.push_back({v.symbol, change});
    sigs += static_cast<std::int64_t>(v.signals);
    for (auto& i : v.insights)
      insights += i.time > now_ms - day_ms && i.time <= now_ms;
    hours = std::max(hours, window_hours(s));
    f.set("change_" + v.symbol, change);
    f.set("hours_" + v.symbol, window_hours(s));
    if (!lines.empty())
      lines += ", ";
    auto t = trend_of(s);
    lines += v.symbol + " " + signed_pct(change) + " over " + std::to_string(window_hours(s))
             + " h" + (t.empty() ? std::string{} : " (" + t + ")");
  }
  std::sort(movers.begin(), movers.end(),
            [](const mover& a, const mover& b) { return a.change > b.change; });
  f.set("date", date_utc(now_ms))
    .set("until", minute_utc(now_ms))
    .set("insight_hours", 24)
    .set("series", static_cast<std::int64_t>(movers.size()))
    .set("insights", insights)
    .set("signals", sigs);
  if (!movers.empty()) {
    f.set("movers", lines).set("hours", hours);
    f.set("top_symbol", movers.front().symbol).set("top_change", movers.front().change);
  }
  if (movers.size() >= 2) // a strongest and a weakest need two series
    f.set("bottom_symbol", movers.back().symbol).set("bottom_change", movers.back().change);
  return f;
}

double market_view::report_hours(std::int64_t now_ms) const {
  std::int64_t from = now_ms - 7 * day_ms;
  std::int64_t first = now_ms;
  for (auto& [k, v] : series_)
    if (covered(series_, v) && v.first_time != 0)
      first = std::min(first, v.first_time);
  from = std::max(from, first);
  return static_cast<double>(std::max<std::int64_t>(0, now_ms - from)) / 3.6e6;
}

namespace {

/// Formats numbers and dates for a text and registers each as a fact of it,
/// so that every number the text prints is one the fact check accepts.
struct printer {
  facts* used;
  std::size_t n = used ? used->all().size() : 0; // keys never collide across texts
  std::string num(double x, int digits) {
    auto text = fixed(x, digits);
    if (used)
      used->set("n" + std::to_string(n++), std::stod(text));
    return text;
  }
  std::string pct(double x) { return (x >= 0 ? "+" : "") + num(x, 2) + "%"; }
  std::string count(std::uint64_t x) {
    if (used)
      used->set("n" + std::to_string(n++), static_cast<std::int64_t>(x));
    return std::to_string(x);
  }
  std::string words(std::string text) {
    if (used)
      used->set("t" + std::to_string(n++), text);
    return text;
  }
};

std::string period_words(double hours) {
  if (hours >= 7 * 24 - 0.5)
    return "week";
  if (hours >= 48)
    return fixed(hours / 24, 0) + " days";
  return fixed(std::max(1.0, std::round(hours)), 0) + " hours";
}

} // namespace

std::string market_view::research_report(std::int64_t now_ms, std::string* title,
                                         facts* used) const {
  printer pr{used};
  auto hours = report_hours(now_ms);
  auto period = period_words(hours);
  bool weekly = period == "week";
  auto until = minute_utc(now_ms);
  auto t = weekly ? "Weekly research report, week to " + date_utc(now_ms)
                  : "Research report, the " + period + " to " + until;
  pr.words(t);
  pr.words(until);
  if (title)
    *title = t;
  std::string md = "# " + t + "\n\n";
  std::size_t n = 0;
  for (auto& [k, v] : series_)
    n += covered(series_, v);
  md += "Herald's view of " + pr.count(n) + " analysed series over the " + period
        + " to " + until
        + ". Figures come from the candles and signals Herald analysed; this is research, "
          "not investment advice.\n\n";
  md += "## Summary\n\n| Symbol | Interval | Last | Change | Trend over the change's window | "
        "Regime | RSI | Latest signal |\n|---|---|---|---|---|---|---|---|\n";
  std::string sections;
  for (auto& [k, v] : series_) {
    if (!covered(series_, v))
      continue;
    auto cs = up_to(v, now_ms, o_.keep);
    if (cs.size() < 2)
      continue;
    auto s = snap(cs, o_, day_ms);
    auto d = price_digits(s.close);
    auto trend = trend_of(s);
    auto wh = window_hours(s);
    auto& regime = v.last_signal.regime;
    auto latest = v.last_signal.time == 0
                    ? std::string{"none"}
                    : std::string{dir_name(v.last_signal.dir)} + " ("
                        + pr.num(v.last_signal.confidence, 0) + ")";
    md += "| " + v.symbol + " | " + v.interval + " | " + pr.num(s.close, d) + " | "
          + pr.pct(s.change_pct) + " in " + pr.count(static_cast<std::uint64_t>(wh)) + " h | "
          + (trend.empty() ? "-" : trend) + " | " + (regime.empty() ? "-" : regime) + " | "
          + (std::isnan(s.rsi) ? std::string{"-"} : pr.num(s.rsi, 1)) + " | " + latest + " |\n";

    sections += "## " + v.symbol + " (" + v.interval + ")\n\n";
    sections += "### Trend\n\nLast close **" + pr.num(s.close, d) + "**, " + pr.pct(s.change_pct)
                + " over the last " + pr.count(static_cast<std::uint64_t>(wh)) + " hours";
    if (!trend.empty())
      sections += ": over that window the trend is **" + trend + "** (EMA("
                  + pr.count(o_.ema_period) + ") " + pr.num(s.ema_fast, d) + " against EMA("
                  + pr.count(o_.ema_period * 5 / 2) + ") " + pr.num(s.ema_slow, d) + ").\n\n";
    else
      sections += ". Not enough candles for a trend yet.\n\n";
    if (!regime.empty() || !std::isnan(s.atr)) {
      sections += "### Regime\n\n";
      if (!std::isnan(s.atr))
        sections += "ATR(" + pr.count(o_.atr_period) + ") " + pr.num(s.atr, d) + ", "
                    + pr.num(s.atr / s.close * 100, 2) + "% of the price"
                    + (regime.empty() ? std::string{"."} : "; volatility regime **" + regime + "**.")
                    + "\n\n";
      else
        sections += "Volatility regime **" + regime + "**.\n\n";
    }
    if (!std::isnan(s.rsi) || !std::isnan(s.bb_low)) {
      sections += "### Indicators\n\n";
      if (!std::isnan(s.rsi))
        sections += "- RSI(" + pr.count(o_.rsi_period) + "): " + pr.num(s.rsi, 1)
                    + (s.rsi >= 70 ? " (overbought)" : s.rsi <= 30 ? " (oversold)" : "") + "\n";
      if (!std::isnan(s.bb_low))
        sections += "- Bollinger(" + pr.count(o_.bb_period) + ", " + pr.num(o_.bb_k, 0)
                    + "): " + pr.num(s.bb_low, d) + " to " + pr.num(s.bb_high, d) + "\n";
      sections += "\n";
    }
    sections += "### Signals\n\n";
    sections += pr.count(v.signals) + " signals analysed (" + pr.count(v.longs) + " long, "
                + pr.count(v.shorts) + " short). ";
    std::size_t recent = 0;
    for (auto& i : v.insights)
      recent += i.time <= now_ms;
    if (recent == 0)
      sections += "No approved insight.\n\n";
    else {
      sections += "Latest approved insights:\n\n";
      std::size_t shown = 0;
      for (auto i = v.insights.rbegin(); i != v.insights.rend() && shown < 5; ++i) {
        if (i->time > now_ms)
          continue;
        sections += "- " + pr.words(minute_utc(i->time)) + ": **" + dir_name(i->dir) + "** at "
                    + pr.num(i->price, d) + ", strength " + pr.num(i->strength * 100, 0)
                    + "%, confidence " + pr.num(i->confidence, 0) + "\n";
        ++shown;
      }
      sections += "\n";
    }
    // News: the headlines the analysis had about this symbol in the period,
    // or no section at all.
    std::string news;
    std::size_t shown = 0;
    auto from = now_ms - static_cast<std::int64_t>(hours * 3.6e6);
    if (auto nw = news_.find(v.symbol); nw != news_.end())
      for (auto a = nw->second.rbegin(); a != nw->second.rend() && shown < 5; ++a) {
        if (a->published_at > now_ms || a->published_at < from)
          continue;
        // External text: one line, no links, no markdown structure.
        auto safe = [](const std::string& t) {
          return io::text::markdown_text(io::text::strip_links(io::text::plain_text(t, 300), {}));
        };
        news += "- " + pr.words(safe(a->title)) + " (" + pr.words(safe(a->source)) + ", "
                + pr.words(minute_utc(a->published_at)) + ", sentiment "
                + (a->sentiment >= 0 ? "+" : "") + pr.num(a->sentiment, 2) + ")\n";
        ++shown;
      }
    if (shown > 0)
      sections += "### News\n\n" + news + "\n";
  }
  return md + "\n" + sections;
}

std::string market_view::report_digest(std::int64_t now_ms, facts* used) const {
  printer pr{used};
  auto period = period_words(report_hours(now_ms));
  std::string out = period == "week" ? "Herald weekly research report, week to "
                                         + pr.words(date_utc(now_ms)) + "."
                                     : "Herald research report, the " + period + " to "
                                         + pr.words(minute_utc(now_ms)) + ".";
  for (auto& [k, v] : series_) {
    if (!covered(series_, v))
      continue;
    auto cs = up_to(v, now_ms, o_.keep);
    if (cs.size() < 2)
      continue;
    auto s = snap(cs, o_, day_ms);
    auto trend = trend_of(s);
    out += "\n\n" + v.symbol + " (" + v.interval + "): " + pr.pct(s.change_pct) + " over "
           + pr.count(static_cast<std::uint64_t>(window_hours(s))) + "h"
           + (trend.empty() ? std::string{} : ", " + trend + " over that window");
    if (!v.last_signal.regime.empty())
      out += ", " + v.last_signal.regime + " volatility";
    if (!std::isnan(s.rsi))
      out += ", RSI " + pr.num(s.rsi, 0);
    out += ".";
    if (v.last_signal.time != 0)
      out += " Latest signal " + std::string{dir_name(v.last_signal.dir)} + ", confidence "
             + pr.num(v.last_signal.confidence, 0) + ".";
  }
  return out;
}

chart_data market_view::chart(const std::string& symbol, const std::string& interval,
                              std::int64_t until_ms) const {
  chart_data out;
  const series_view* v = nullptr;
  if (symbol.empty()) {
    for (auto& [k, x] : series_)
      if (!v || (v->signals == 0 && x.signals > 0))
        v = &x;
  } else
    v = find(symbol, interval);
  if (!v)
    return out;
  out.title = v->symbol + " " + v->interval;
  auto all = up_to(*v, until_ms, o_.keep);
  market::ema e{o_.ema_period};
  market::bollinger bb{o_.bb_period, o_.bb_k};
  auto first = all.size() > o_.chart_bars ? all.size() - o_.chart_bars : 0;
  for (std::size_t i = 0; i < all.size(); ++i) {
    auto ev = e.push(all[i].close);
    auto bv = bb.push(all[i].close);
    if (i < first)
      continue;
    out.candles.push_back(all[i]);
    // 0 while warming up: NaN does not survive CAF 0.17's serializer, and
    // prices are positive
    out.ema.push_back(ev ? *ev : 0.0);
    out.bb_upper.push_back(bv ? bv->upper : 0.0);
    out.bb_lower.push_back(bv ? bv->lower : 0.0);
  }
  if (!out.candles.empty())
    for (auto& i : v->insights)
      if (i.time >= out.candles.front().open_time && i.time <= out.candles.back().open_time)
        out.markers.push_back({i.time, i.price, i.dir == analysis::direction::long_});
  return out;
}

} // namespace herald::content
