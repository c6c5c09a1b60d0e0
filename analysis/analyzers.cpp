#include "analysis/analyzers.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

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
