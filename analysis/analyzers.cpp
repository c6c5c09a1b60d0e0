#include "analysis/analyzers.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "market/interval.hpp"
#include "market/resample.hpp"

namespace herald::analysis {

namespace {

std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json opt(std::optional<double> x) {
  if (!x || !std::isfinite(*x))
    return nullptr;
  return *x;
}

} // namespace

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
  out.payload = dump({{"rsi", opt(r)},
                      {"macd_hist", m ? nlohmann::json(m->histogram) : nlohmann::json(nullptr)},
                      {"atr", opt(a)}});
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
  out.payload = dump({{"atr_over_close", rel}, {"percentile", opt(p)}, {"regime", regime}});
}

// -- statistical edge -------------------------------------------------------------------

void statistical_edge::analyse(const candle& c, result& out) {
  auto z = z_.push(c.close);
  if (z) {
    out.score = -std::clamp(*z / opts_.full_scale, -1.0, 1.0);
    out.confidence = 100 * std::min(1.0, std::abs(*z) / opts_.full_scale);
  }
  out.payload = dump({{"zscore", opt(z)}});
}

// -- market structure -------------------------------------------------------------------

void market_structure::analyse(const candle& c, result& out) {
  auto f = fast_.push(c.close);
  auto s = slow_.push(c.close);
  if (s) {
    slow_hist_.push_back(*s);
    if (slow_hist_.size() > 10)
      slow_hist_.pop_front();
  }
  // Swing points: the middle bar of a 2*swing+1 window is the extreme. A bar
  // opens at the previous close, so equal highs/lows on consecutive bars are
  // common: the swing is the first of equals (strict on the left, not on the
  // right).
  recent_.push_back(c);
  auto w = 2 * opts_.swing + 1;
  if (recent_.size() > w)
    recent_.pop_front();
  if (recent_.size() == w) {
    auto& mid = recent_[opts_.swing];
    bool high = true, low = true;
    for (std::size_t i = 0; i < w; ++i) {
      if (i == opts_.swing)
        continue;
      bool left = i < opts_.swing;
      high = high && (left ? mid.high > recent_[i].high : mid.high >= recent_[i].high);
      low = low && (left ? mid.low < recent_[i].low : mid.low <= recent_[i].low);
    }
    if (high) {
      swing_highs_.push_back(mid.high);
      if (swing_highs_.size() > 2)
        swing_highs_.pop_front();
    }
    if (low) {
      swing_lows_.push_back(mid.low);
      if (swing_lows_.size() > 2)
        swing_lows_.pop_front();
    }
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
  out.payload = dump({{"fast", opt(f)},
                      {"slow", opt(s)},
                      {"slope", slope},
                      {"structure", structure > 0   ? "higher highs and lows"
                                    : structure < 0 ? "lower highs and lows"
                                                    : "mixed"}});
}

// -- order flow -------------------------------------------------------------------------

void order_flow::analyse(const candle& c, result& out) {
  double imbalance = 0;
  if (c.has_extras && c.volume > 0)
    imbalance = std::clamp(2 * c.taker_buy_base / c.volume - 1, -1.0, 1.0);
  auto vz = vol_z_.push(c.volume);
  auto o = obv_.push(c.close, c.volume);
  obv_hist_.push_back(o);
  if (obv_hist_.size() > opts_.obv_slope)
    obv_hist_.pop_front();
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
  out.payload = dump({{"taker_imbalance", c.has_extras ? nlohmann::json(imbalance) : nullptr},
                      {"volume_z", opt(vz)},
                      {"obv_slope", obv_slope}});
}

} // namespace herald::analysis

// -- pattern recognition ----------------------------------------------------------------

namespace herald::analysis {

namespace {

double body(const candle& c) {
  return std::abs(c.close - c.open);
}
bool bullish(const candle& c) {
  return c.close > c.open;
}
bool bearish(const candle& c) {
  return c.close < c.open;
}
double range(const candle& c) {
  return c.high - c.low;
}

} // namespace

void pattern_recognition::analyse(const candle& c, result& out) {
  body_.push(body(c));
  double avg_body = std::max(body_.mean(), 1e-12);
  bars_.push_back(c);
  if (bars_.size() > opts_.breakout_bars + 1)
    bars_.pop_front();
  window_.push_back(c);
  if (window_.size() > opts_.double_window)
    window_.pop_front();
  auto n = bars_.size();
  nlohmann::json found = nlohmann::json::array();
  double score = 0;
  auto add = [&](const char* name, double s) {
    found.push_back(name);
    score += s;
  };
  double r = range(c);
  if (r > 0) {
    double upper = c.high - std::max(c.open, c.close), lower = std::min(c.open, c.close) - c.low;
    if (body(c) <= 0.1 * r)
      add("doji", 0);
    else if (lower >= 2 * body(c) && upper <= 0.3 * body(c) + 0.1 * r)
      add("hammer", 0.4);
    else if (upper >= 2 * body(c) && lower <= 0.3 * body(c) + 0.1 * r)
      add("shooting star", -0.4);
  }
  if (n >= 2) {
    auto& p = bars_[n - 2];
    if (bearish(p) && bullish(c) && c.open <= p.close && c.close >= p.open && body(c) > body(p))
      add("bullish engulfing", 0.6);
    if (bullish(p) && bearish(c) && c.open >= p.close && c.close <= p.open && body(c) > body(p))
      add("bearish engulfing", -0.6);
  }
  if (n >= 3) {
    auto &a = bars_[n - 3], &b = bars_[n - 2];
    bool small_middle = body(b) < 0.5 * avg_body;
    if (bearish(a) && body(a) > avg_body && small_middle && bullish(c)
        && c.close > (a.open + a.close) / 2)
      add("morning star", 0.7);
    if (bullish(a) && body(a) > avg_body && small_middle && bearish(c)
        && c.close < (a.open + a.close) / 2)
      add("evening star", -0.7);
    if (bullish(a) && bullish(b) && bullish(c) && b.close > a.close && c.close > b.close
        && body(a) > 0.5 * avg_body && body(b) > 0.5 * avg_body && body(c) > 0.5 * avg_body)
      add("three white soldiers", 0.6);
    if (bearish(a) && bearish(b) && bearish(c) && b.close < a.close && c.close < b.close
        && body(a) > 0.5 * avg_body && body(b) > 0.5 * avg_body && body(c) > 0.5 * avg_body)
      add("three black crows", -0.6);
  }
  if (n == opts_.breakout_bars + 1) {
    double hi = bars_[0].high, lo = bars_[0].low;
    for (std::size_t i = 0; i + 1 < n; ++i) {
      hi = std::max(hi, bars_[i].high);
      lo = std::min(lo, bars_[i].low);
    }
    if (c.close > hi)
      add("range breakout up", 0.5);
    else if (c.close < lo)
      add("range breakout down", -0.5);
  }
  // Double top / bottom: the two highest (lowest) closes of the window are
  // within tolerance, separated by a pullback, and price is back below (above)
  // the pullback's extreme.
  if (window_.size() == opts_.double_window) {
    std::size_t i1 = 0, i2 = 0;
    for (std::size_t i = 0; i < window_.size(); ++i)
      if (window_[i].high > window_[i1].high)
        i1 = i;
    double best = -1;
    for (std::size_t i = 0; i < window_.size(); ++i)
      if ((i + 5 < i1 || i > i1 + 5) && window_[i].high > best) {
        best = window_[i].high;
        i2 = i;
      }
    if (best > 0 && std::abs(best - window_[i1].high) <= opts_.double_tolerance * window_[i1].high) {
      auto a = std::min(i1, i2), b = std::max(i1, i2);
      double trough = window_[a].low;
      for (auto i = a; i <= b; ++i)
        trough = std::min(trough, window_[i].low);
      if (b + 1 < window_.size() && c.close < trough)
        add("double top", -0.5);
    }
    std::size_t j1 = 0, j2 = 0;
    for (std::size_t i = 0; i < window_.size(); ++i)
      if (window_[i].low < window_[j1].low)
        j1 = i;
    double worst = -1;
    for (std::size_t i = 0; i < window_.size(); ++i)
      if ((i + 5 < j1 || i > j1 + 5) && (worst < 0 || window_[i].low < worst)) {
        worst = window_[i].low;
        j2 = i;
      }
    if (worst > 0 && std::abs(worst - window_[j1].low) <= opts_.double_tolerance * window_[j1].low) {
      auto a = std::min(j1, j2), b = std::max(j1, j2);
      double peak = window_[a].high;
      for (auto i = a; i <= b; ++i)
        peak = std::max(peak, window_[i].high);
      if (b + 1 < window_.size() && c.close > peak)
        add("double bottom", 0.5);
    }
  }
  out.score = score;
  out.confidence = found.empty() ? 0 : std::min(100.0, 40 + 60 * std::abs(score));
  out.payload = dump({{"patterns", found}});
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
      if (ms > base && ms % base == 0) {
        frames_.push_back(std::make_shared<frame>(base, ms, opts_.fast, opts_.slow));
        frames_.back()->ms = ms;
      }
  }
  nlohmann::json per = nlohmann::json::object();
  int votes = 0, up = 0, down = 0;
  for (auto& f : frames_) {
    if (auto bar = f->up.push(c)) {
      auto fe = f->fast_ema.push(bar->close);
      auto se = f->slow_ema.push(bar->close);
      if (fe && se && *se > 0)
        f->trend = (*fe - *se) / *se;
    }
    per[market::interval_name(f->ms)] = f->trend ? nlohmann::json(*f->trend) : nlohmann::json(nullptr);
    if (f->trend) {
      ++votes;
      up += *f->trend > 0;
      down += *f->trend < 0;
    }
  }
  if (votes > 0) {
    out.score = static_cast<double>(up - down) / static_cast<double>(frames_.size());
    out.confidence = 100.0 * std::max(up, down) / static_cast<double>(frames_.size())
                     * static_cast<double>(votes) / static_cast<double>(frames_.size());
  }
  out.payload = dump({{"trend", per}, {"agree_up", up}, {"agree_down", down}});
}

} // namespace herald::analysis
