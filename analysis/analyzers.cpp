#include "analysis/analyzers.hpp"

#include <algorithm>
#include <cmath>

#include "market/interval.hpp"
#include "market/resample.hpp"

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
    macd_part = std::tanh(m->histogram / *a);
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
    trend = std::tanh((*f - *s) / *s * 100); // % distance, saturating
  if (slow_hist_.size() >= 2 && slow_hist_.front() > 0)
    slope = std::tanh((slow_hist_.back() - slow_hist_.front()) / slow_hist_.front() * 200);
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
    obv_slope = std::tanh((obv_hist_.back() - obv_hist_.front()) / scale);
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

/// Index of the first maximum (or minimum) of xs[0..n).
template <class Better>
std::size_t extreme(const double* xs, std::size_t n, Better better) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < n; ++i)
    if (better(xs[i], xs[best]))
      best = i;
  return best;
}

/// The structure of a double top (over highs, pullback over lows) or bottom
/// (over lows, pullback over highs) in a window: the most extreme bar i1 (the
/// first of equals), the most extreme bar i2 more than 5 bars away from it,
/// and the pullback extreme between them. nullopt when there is no second bar.
struct double_shape {
  std::size_t i1, i2;
  double pull;
};

std::optional<double_shape> find_double(const double* top, const double* other, std::size_t n,
                                        bool tops) {
  auto better = [tops](double a, double b) { return tops ? a > b : a < b; };
  auto i1 = extreme(top, n, better);
  std::size_t i2 = n;
  for (std::size_t i = 0; i < n; ++i)
    if ((i + 5 < i1 || i > i1 + 5) && (i2 == n || better(top[i], top[i2])))
      i2 = i;
  if (i2 == n)
    return std::nullopt;
  auto a = std::min(i1, i2), b = std::max(i1, i2);
  double pull = other[a];
  for (auto i = a; i <= b; ++i)
    pull = tops ? std::min(pull, other[i]) : std::max(pull, other[i]);
  return double_shape{i1, i2, pull};
}

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
  if (highs_.full()) {
    if (double_fires(tops_, highs_, lows_, c.close, true))
      add(double_top, -0.5);
    if (double_fires(bottoms_, lows_, highs_, c.close, false))
      add(double_bottom, 0.5);
  }
  out.score = score;
  out.confidence = found == 0 ? 0 : std::min(100.0, 40 + 60 * std::abs(score));
  out.list_key = "patterns";
  out.list_names = pattern_names;
  out.list_bits = found;
}

bool pattern_recognition::double_fires(shape_cache& k, const market::ring<double>& top,
                                       const market::ring<double>& other, double close,
                                       bool tops) {
  // Sequence numbers: the window holds bars seq_ - n .. seq_ - 1 (the newest).
  auto n = top.size();
  auto first = seq_ - n, newest = seq_ - 1;
  double x = top.back();
  auto better = [tops](double a, double b) { return tops ? a > b : a < b; };
  // The shape is kept by sequence number and updated with the new bar; the
  // window is scanned again (O(n)) only when one of its bars left the window
  // or the new extreme has no second bar outside its 5-bar zone.
  auto at = [&](std::uint64_t seq) { return top[seq - first]; };
  auto scan = [&] {
    auto s = find_double(top.data(), other.data(), n, tops);
    k.valid = true;
    k.has_i2 = s.has_value();
    if (s) {
      k.i1 = first + s->i1;
      k.i2 = first + s->i2;
      k.pull = s->pull;
    } else {
      k.i1 = first + extreme(top.data(), n, better);
    }
  };
  bool changed = false;
  if (!k.valid || k.i1 < first || !k.has_i2 || k.i2 < first) {
    scan();
  } else if (better(x, at(k.i1))) {
    // A new extreme: the old one (the best of all older bars) is the second,
    // if it lies outside the new one's zone.
    if (k.i1 + 5 < newest) {
      k.i2 = k.i1;
      k.i1 = newest;
      changed = true;
    } else {
      scan();
    }
  } else if (newest > k.i1 + 5 && better(x, at(k.i2))) {
    k.i2 = newest;
    changed = true;
  }
  if (changed) {
    auto lo = std::min(k.i1, k.i2), hi = std::max(k.i1, k.i2);
    double pull = other[lo - first];
    for (auto i = lo; i <= hi; ++i)
      pull = tops ? std::min(pull, other[i - first]) : std::max(pull, other[i - first]);
    k.pull = pull;
  }
  if (!k.has_i2)
    return false;
  double t1 = top[k.i1 - first], t2 = top[k.i2 - first];
  if (t2 <= 0 || std::abs(t2 - t1) > opts_.double_tolerance * std::abs(t1))
    return false;
  if (std::max(k.i1, k.i2) >= newest)
    return false; // the pattern needs a bar after its second extreme
  return tops ? close < k.pull : close > k.pull;
}

// -- multi timeframe ------------------------------------------------------------------------

struct multi_timeframe::frame {
  frame(std::int64_t from, std::int64_t to, std::size_t fast, std::size_t slow)
    : up(from, to, ""), fast_ema(fast), slow_ema(slow) {}
  market::resampler up;
  market::ema fast_ema, slow_ema;
  std::optional<double> trend; ///< (fast - slow) / slow of the last closed bar
  std::int64_t ms = 0;
};

multi_timeframe::multi_timeframe(options o) : opts_(std::move(o)) {
}

void multi_timeframe::analyse(const candle& c, result& out) {
  if (frames_.empty()) {
    auto base = market::interval_ms(c.interval).value_or(60'000);
    for (auto ms : opts_.higher_ms)
      if (ms > base && ms % base == 0 && frames_.size() < result::max_facts - 2) {
        frames_.push_back(std::make_shared<frame>(base, ms, opts_.fast, opts_.slow));
        frames_.back()->ms = ms;
        keys_.push_back("trend." + market::interval_name(ms));
      }
  }
  int votes = 0, up = 0, down = 0;
  for (std::size_t i = 0; i < frames_.size(); ++i) {
    auto& f = *frames_[i];
    if (auto bar = f.up.push(c)) {
      auto fe = f.fast_ema.push(bar->close);
      auto se = f.slow_ema.push(bar->close);
      if (fe && se && *se > 0)
        f.trend = (*fe - *se) / *se;
    }
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
