#include "analysis/analyzers.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "market/interval.hpp"

namespace herald::analysis {

// -- momentum ---------------------------------------------------------------------------

void momentum::analyse(const candle& c, result& out) {
  auto r = rsi_.push(c.close);
  auto m = macd_.push(c.close);
  auto a = atr_.push(c.high, c.low, c.close);
  double rsi_part = 0;
  if (r) {
    // Overbought leans bearish, oversold bullish; in between a mild trend read.
    if (*r >= opts_.overbought)
      rsi_part = -(*r - opts_.overbought) / (100 - opts_.overbought);
    else if (*r <= opts_.oversold)
      rsi_part = (opts_.oversold - *r) / opts_.oversold;
    else
      rsi_part = (*r - 50) / 100;
  }
  double macd_part = 0;
  if (m && a && *a > 0) {
    macd_part = squash(m->histogram / *a);
    if (prev_hist_ && m->histogram > *prev_hist_)
      macd_part = std::max(macd_part, macd_part * 0.5 + 0.1);
  }
  if (m)
    prev_hist_ = m->histogram;
  out.score = 0.5 * rsi_part + 0.5 * macd_part;
  out.confidence = r && m ? 40 + 60 * std::min(1.0, std::abs(out.score)) : 0;
  out.fact("rsi", r);
  out.fact("macd_hist", m ? std::optional<double>{m->histogram} : std::nullopt);
  out.fact("atr", a);
}

// -- volatility regime ------------------------------------------------------------------

void volatility_regime::analyse(const candle& c, result& out) {
  auto a = atr_.push(c.high, c.low, c.close);
  std::optional<double> p;
  double rel = 0;
  if (a && c.close > 0) {
    rel = *a / c.close;
    p = pct_.push(rel);
  }
  const char* regime = "unknown";
  out.score = 0; // not a direction
  if (p) {
    regime = *p < opts_.low ? "low" : (*p > opts_.high ? "high" : "normal");
    // Certain at the extremes of the distribution, less so in the middle.
    out.confidence = 50 + 100 * std::abs(*p - 0.5);
  }
  out.fact("atr_over_close", rel);
  out.fact("percentile", p);
  out.label("regime", regime);
}

// -- statistical edge -------------------------------------------------------------------

void statistical_edge::analyse(const candle& c, result& out) {
  auto z = z_.push(c.close);
  if (z) {
    out.score = -std::clamp(*z / opts_.full_scale, -1.0, 1.0);
    out.confidence = 100 * std::min(1.0, std::abs(*z) / opts_.full_scale);
  }
  out.fact("zscore", z);
}

// -- market structure -------------------------------------------------------------------

void market_structure::analyse(const candle& c, result& out) {
  auto f = fast_.push(c.close);
  auto s = slow_.push(c.close);
  if (s)
    slow_hist_.push(*s);
  // Swing points: the middle bar of a 2*swing+1 window is the extreme. A bar
  // opens at the previous close, so equal highs/lows on consecutive bars are
  // common: the swing is the first of equals (strict on the left, not on the
  // right).
  recent_.push({c.high, c.low});
  auto w = 2 * opts_.swing + 1;
  if (recent_.size() == w) {
    const auto* bars = recent_.data();
    auto& mid = bars[opts_.swing];
    bool high = true, low = true;
    for (std::size_t i = 0; i < w; ++i) {
      if (i == opts_.swing)
        continue;
      bool left = i < opts_.swing;
      high = high && (left ? mid.high > bars[i].high : mid.high >= bars[i].high);
      low = low && (left ? mid.low < bars[i].low : mid.low <= bars[i].low);
    }
    if (high)
      swing_highs_.push(mid.high);
    if (low)
      swing_lows_.push(mid.low);
  }
  double trend = 0, slope = 0, structure = 0;
  if (f && s && *s > 0)
    trend = squash((*f - *s) / *s * 100); // % distance, saturating
  if (slow_hist_.size() >= 2 && slow_hist_.front() > 0)
    slope = squash((slow_hist_.back() - slow_hist_.front()) / slow_hist_.front() * 200);
  if (swing_highs_.size() == 2 && swing_lows_.size() == 2) {
    bool hh = swing_highs_[1] > swing_highs_[0], hl = swing_lows_[1] > swing_lows_[0];
    bool lh = swing_highs_[1] < swing_highs_[0], ll = swing_lows_[1] < swing_lows_[0];
    structure = (hh && hl) ? 1 : (lh && ll) ? -1 : 0;
  }
  out.score = 0.4 * trend + 0.3 * slope + 0.3 * structure;
  bool agree = (trend > 0) == (slope > 0) && (structure == 0 || (structure > 0) == (trend > 0));
  out.confidence = s ? (agree ? 50 + 50 * std::abs(out.score) : 25 + 25 * std::abs(out.score)) : 0;
  out.fact("fast", f);
  out.fact("slow", s);
  out.fact("slope", slope);
  out.label("structure", structure > 0   ? "higher highs and lows"
                         : structure < 0 ? "lower highs and lows"
                                         : "mixed");
}

// -- order flow -------------------------------------------------------------------------

void order_flow::analyse(const candle& c, result& out) {
  double imbalance = 0;
  if (c.has_extras && c.volume > 0)
    imbalance = std::clamp(2 * c.taker_buy_base / c.volume - 1, -1.0, 1.0);
  auto vz = vol_z_.push(c.volume);
  auto o = obv_.push(c.close, c.volume);
  obv_hist_.push(o);
  vol_scale_.push(c.volume);
  double obv_slope = 0;
  double scale = vol_scale_.mean() * static_cast<double>(opts_.obv_slope);
  if (obv_hist_.size() == opts_.obv_slope && scale > 0)
    obv_slope = squash((obv_hist_.back() - obv_hist_.front()) / scale);
  // Heavy volume amplifies whatever the flow says.
  double weight = vz ? 1 + std::clamp(*vz, 0.0, 3.0) / 3 : 1;
  out.score = (0.6 * imbalance + 0.4 * obv_slope) * weight / 2 * (c.has_extras ? 2 : 1);
  if (!c.has_extras)
    out.score = 0.4 * obv_slope * weight / 2;
  out.confidence = vz ? (c.has_extras ? 60 : 30) * std::min(1.0, 0.5 + std::abs(out.score)) : 0;
  out.fact("taker_imbalance", c.has_extras ? std::optional<double>{imbalance} : std::nullopt);
  out.fact("volume_z", vz);
  out.fact("obv_slope", obv_slope);
}

} // namespace herald::analysis

// -- pattern recognition ----------------------------------------------------------------

namespace herald::analysis {

namespace {

template <class Bar>
double body(const Bar& c) {
  return std::abs(c.close - c.open);
}
template <class Bar>
bool bullish(const Bar& c) {
  return c.close > c.open;
}
template <class Bar>
bool bearish(const Bar& c) {
  return c.close < c.open;
}

enum pattern : std::uint32_t {
  doji,
  hammer,
  shooting_star,
  bullish_engulfing,
  bearish_engulfing,
  morning_star,
  evening_star,
  three_white_soldiers,
  three_black_crows,
  breakout_up,
  breakout_down,
  double_top,
  double_bottom,
};

const char* const pattern_names[] = {
  "doji",          "hammer",          "shooting star",        "bullish engulfing",
  "bearish engulfing", "morning star", "evening star",        "three white soldiers",
  "three black crows", "range breakout up", "range breakout down", "double top",
  "double bottom"};

} // namespace

void pattern_recognition::analyse(const candle& c, result& out) {
  double b = body(c);
  body_.push(b);
  double avg_body = std::max(body_.mean(), 1e-12);
  bars_.push({c.open, c.high, c.low, c.close});
  highs_.push(c.high);
  lows_.push(c.low);
  auto n = bars_.size();
  const auto* bars = bars_.data();
  std::uint32_t found = 0;
  double score = 0;
  auto add = [&](pattern p, double s) {
    found |= 1u << p;
    score += s;
  };
  double r = c.high - c.low;
  if (r > 0) {
    double upper = c.high - std::max(c.open, c.close), lower = std::min(c.open, c.close) - c.low;
    if (b <= 0.1 * r)
      add(doji, 0);
    else if (lower >= 2 * b && upper <= 0.3 * b + 0.1 * r)
      add(hammer, 0.4);
    else if (upper >= 2 * b && lower <= 0.3 * b + 0.1 * r)
      add(shooting_star, -0.4);
  }
  if (n >= 2) {
    auto& p = bars[n - 2];
    if (bearish(p) && bullish(c) && c.open <= p.close && c.close >= p.open && b > body(p))
      add(bullish_engulfing, 0.6);
    if (bullish(p) && bearish(c) && c.open >= p.close && c.close <= p.open && b > body(p))
      add(bearish_engulfing, -0.6);
  }
  if (n >= 3) {
    auto &x = bars[n - 3], &y = bars[n - 2];
    bool small_middle = body(y) < 0.5 * avg_body;
    if (bearish(x) && body(x) > avg_body && small_middle && bullish(c)
        && c.close > (x.open + x.close) / 2)
      add(morning_star, 0.7);
    if (bullish(x) && body(x) > avg_body && small_middle && bearish(c)
        && c.close < (x.open + x.close) / 2)
      add(evening_star, -0.7);
    bool big = body(x) > 0.5 * avg_body && body(y) > 0.5 * avg_body && b > 0.5 * avg_body;
    if (big && bullish(x) && bullish(y) && bullish(c) && y.close > x.close && c.close > y.close)
      add(three_white_soldiers, 0.6);
    if (big && bearish(x) && bearish(y) && bearish(c) && y.close < x.close && c.close < y.close)
      add(three_black_crows, -0.6);
  }
  if (n == opts_.breakout_bars + 1) {
    double hi = bars[0].high, lo = bars[0].low;
    for (std::size_t i = 1; i + 1 < n; ++i) {
      hi = std::max(hi, bars[i].high);
      lo = std::min(lo, bars[i].low);
    }
    if (c.close > hi)
      add(breakout_up, 0.5);
    else if (c.close < lo)
      add(breakout_down, -0.5);
  }
  ++seq_;
  // Called on every bar (their deques follow the window); false until it is full.
  if (double_fires(tops_, highs_, lows_, c.close, true))
    add(double_top, -0.5);
  if (double_fires(bottoms_, lows_, highs_, c.close, false))
    add(double_bottom, 0.5);
  out.score = score;
  out.confidence = found == 0 ? 0 : std::min(100.0, 40 + 60 * std::abs(score));
  out.list_key = "patterns";
  out.list_names = pattern_names;
  out.list_bits = found;
}

bool pattern_recognition::double_fires(shape_search& k, const market::ring<double>& top,
                                       const market::ring<double>& other, double close,
                                       bool tops) {
  // The window holds bars with sequence numbers first .. newest. The shape:
  // i1 the most extreme bar (the first of equals), i2 the most extreme bar
  // more than 5 bars away from it (the first of equals), the pullback the
  // opposite extreme between them; it fires once a later bar closes beyond
  // the pullback and the two extremes are within the tolerance.
  auto n = top.size();
  auto first = seq_ - n, newest = seq_ - 1;
  auto at = [&](std::uint64_t s) { return top[s - first]; };
  auto better = [tops](double a, double b) { return tops ? a > b : a < b; };
  auto push = [&](seq_deque& d, std::uint64_t s) {
    while (!d.empty() && better(at(s), at(d.back())))
      d.pop_back(); // equals stay: the front is the first of equals
    d.push_back(s);
  };
  auto expire = [&](seq_deque& d) {
    while (!d.empty() && d.front() < first)
      d.pop_front();
  };
  push(k.best, newest);
  expire(k.best);
  auto i1 = k.best.front();
  // The prefix window [first, i1 - 6] only grows to the right (i1 never
  // moves back) and loses bars on the left as the window slides.
  if (k.prefix_end < first)
    k.prefix_end = first;
  expire(k.prefix);
  for (; k.prefix_end + 6 <= i1; ++k.prefix_end)
    push(k.prefix, k.prefix_end);
  // The best bar after the zone: the first entry of `best` past i1 + 5.
  std::uint64_t i2 = UINT64_MAX;
  for (std::size_t j = 1; j < k.best.size(); ++j)
    if (k.best[j] > i1 + 5) {
      i2 = k.best[j];
      break;
    }
  if (!k.prefix.empty() && (i2 == UINT64_MAX || !better(at(i2), at(k.prefix.front()))))
    i2 = k.prefix.front(); // on equal values the earlier bar
  if (i2 == UINT64_MAX || !top.full())
    return false;
  double t1 = at(i1), t2 = at(i2);
  if (t2 <= 0 || std::abs(t2 - t1) > opts_.double_tolerance * std::abs(t1))
    return false;
  auto lo = std::min(i1, i2), hi = std::max(i1, i2);
  if (hi >= newest)
    return false; // the pattern needs a bar after its second extreme
  if (k.pull_i1 != i1 || k.pull_i2 != i2) {
    double pull = other[lo - first];
    for (auto s = lo; s <= hi; ++s)
      pull = tops ? std::min(pull, other[s - first]) : std::max(pull, other[s - first]);
    k.pull = pull;
    k.pull_i1 = i1;
    k.pull_i2 = i2;
  }
  return tops ? close < k.pull : close > k.pull;
}

// -- multi timeframe ------------------------------------------------------------------------

multi_timeframe::multi_timeframe(options o) : opts_(std::move(o)) {
}

void multi_timeframe::analyse(const candle& c, result& out) {
  if (frames_.empty()) {
    auto base = market::interval_ms(c.interval).value_or(60'000);
    for (auto ms : opts_.higher_ms)
      if (ms > base && ms % base == 0 && frames_.size() < result::max_facts - 2) {
        frames_.emplace_back(ms, opts_.fast, opts_.slow);
        keys_.push_back("trend." + market::interval_name(ms));
      }
  }
  int votes = 0, up = 0, down = 0;
  for (std::size_t i = 0; i < frames_.size(); ++i) {
    auto& f = frames_[i];
    auto bucket = market::bar_start(c.open_time, f.ms);
    if (bucket != f.bucket) {
      if (f.bucket != INT64_MIN) {
        auto fe = f.fast_ema.push(f.last_close);
        auto se = f.slow_ema.push(f.last_close);
        if (fe && se && *se > 0)
          f.trend = (*fe - *se) / *se;
      }
      f.bucket = bucket;
    }
    f.last_close = c.close;
    out.fact(keys_[i].c_str(), f.trend);
    if (f.trend) {
      ++votes;
      up += *f.trend > 0;
      down += *f.trend < 0;
    }
  }
  if (votes > 0) {
    out.score = static_cast<double>(up - down) / static_cast<double>(frames_.size());
    out.confidence = 100.0 * std::max(up, down) / static_cast<double>(frames_.size())
                     * static_cast<double>(votes) / static_cast<double>(frames_.size());
  }
  out.fact("agree_up", up);
  out.fact("agree_down", down);
}

} // namespace herald::analysis
