#include "market/indicators.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace herald::market {

// -- rolling_stats ------------------------------------------------------------------

rolling_stats::rolling_stats(std::size_t n) : n_(n == 0 ? 1 : n) {
}

void rolling_stats::recompute() {
  // Re-centre on the window's first value, then sum the shifted values.
  shift_ = buf_.front();
  double sum = 0;
  for (double v : buf_)
    sum += v - shift_;
  mean_ = sum / static_cast<double>(buf_.size());
  m2_ = 0;
  for (double v : buf_)
    m2_ += (v - shift_ - mean_) * (v - shift_ - mean_);
}

void rolling_stats::push(double raw) {
  ++pushes_;
  if (pushes_ == 1)
    shift_ = raw; // values are kept relative to a nearby shift: no cancellation
  double x = raw - shift_;
  if (buf_.size() < n_) {
    buf_.push_back(raw);
    double delta = x - mean_;
    mean_ += delta / static_cast<double>(buf_.size());
    m2_ += delta * (x - mean_);
    return;
  }
  double old = buf_.front() - shift_;
  buf_.pop_front();
  buf_.push_back(raw);
  double old_mean = mean_;
  mean_ += (x - old) / static_cast<double>(n_);
  m2_ += (x - old) * (x - mean_ + old - old_mean);
  // Bound the drift of the running sums: recompute exactly now and then.
  if (pushes_ % (64 * n_) == 0 || m2_ < 0)
    recompute();
}

double rolling_stats::variance() const {
  return buf_.empty() ? 0.0 : std::max(0.0, m2_ / static_cast<double>(buf_.size()));
}

double rolling_stats::stddev() const {
  return std::sqrt(variance());
}

// -- sma / ema ------------------------------------------------------------------------

std::optional<double> sma::push(double x) {
  stats_.push(x);
  if (!stats_.full())
    return std::nullopt;
  return stats_.mean();
}

ema::ema(std::size_t n) : n_(n == 0 ? 1 : n), alpha_(2.0 / (static_cast<double>(n_) + 1.0)) {
}

std::optional<double> ema::push(double x) {
  if (!warm_) {
    seed_sum_ += x;
    if (++seen_ < n_)
      return std::nullopt;
    value_ = seed_sum_ / static_cast<double>(n_);
    warm_ = true;
    return value_;
  }
  value_ = (x - value_) * alpha_ + value_;
  return value_;
}

// -- rsi / atr --------------------------------------------------------------------------

std::optional<double> rsi::push(double close) {
  if (!has_prev_) {
    has_prev_ = true;
    prev_ = close;
    return std::nullopt;
  }
  double change = close - prev_;
  prev_ = close;
  double gain = change > 0 ? change : 0;
  double loss = change < 0 ? -change : 0;
  ++changes_;
  auto n = static_cast<double>(n_);
  if (changes_ < n_) {
    avg_gain_ += gain;
    avg_loss_ += loss;
    return std::nullopt;
  }
  if (changes_ == n_) {
    avg_gain_ = (avg_gain_ + gain) / n;
    avg_loss_ = (avg_loss_ + loss) / n;
  } else {
    avg_gain_ = (avg_gain_ * (n - 1) + gain) / n;
    avg_loss_ = (avg_loss_ * (n - 1) + loss) / n;
  }
  if (avg_loss_ == 0)
    return avg_gain_ == 0 ? 50.0 : 100.0;
  double rs = avg_gain_ / avg_loss_;
  return 100.0 - 100.0 / (1.0 + rs);
}

std::optional<double> atr::push(double high, double low, double close) {
  // The true range needs the previous close: it starts at the second bar
  // (as TA-Lib and technicalindicators do).
  if (!has_prev_) {
    has_prev_ = true;
    prev_close_ = close;
    return std::nullopt;
  }
  double tr = std::max({high - low, std::abs(high - prev_close_), std::abs(low - prev_close_)});
  prev_close_ = close;
  ++count_;
  auto n = static_cast<double>(n_);
  if (count_ < n_) {
    value_ += tr;
    return std::nullopt;
  }
  if (count_ == n_)
    value_ = (value_ + tr) / n;
  else
    value_ = (value_ * (n - 1) + tr) / n;
  return value_;
}

// -- bollinger / macd / zscore ------------------------------------------------------------

std::optional<bands> bollinger::push(double x) {
  stats_.push(x);
  if (!stats_.full())
    return std::nullopt;
  double m = stats_.mean(), d = k_ * stats_.stddev();
  return bands{m - d, m, m + d};
}

std::optional<macd_value> macd::push(double x) {
  auto f = fast_.push(x);
  auto s = slow_.push(x);
  if (!f || !s)
    return std::nullopt;
  line_ = *f - *s;
  auto sig = signal_.push(*line_);
  if (!sig)
    return std::nullopt;
  return macd_value{*line_, *sig, *line_ - *sig};
}

std::optional<double> zscore::push(double x) {
  stats_.push(x);
  if (!stats_.full())
    return std::nullopt;
  double sd = stats_.stddev();
  if (sd == 0 || !std::isfinite(sd))
    return 0.0; // a flat window: nothing is unusual
  return (x - stats_.mean()) / sd;
}

double obv::push(double close, double volume) {
  if (has_prev_) {
    if (close > prev_)
      value_ += volume;
    else if (close < prev_)
      value_ -= volume;
  }
  has_prev_ = true;
  prev_ = close;
  return value_;
}

std::optional<double> rolling_percentile::push(double x) {
  if (std::isnan(x))
    return std::nullopt; // NaN has no rank: keep the window as it is
  buf_[pos_] = x;
  pos_ = pos_ + 1 == n_ ? 0 : pos_ + 1;
  if (size_ < n_)
    ++size_;
  if (size_ < n_)
    return std::nullopt;
  // Twice the rank: 2 per value below, 1 per equal value (x itself included).
  const double* v = buf_.data();
  std::int64_t below = 0, equal = 0;
  std::size_t i = 0;
#if defined(__SSE2__)
  // Two values per step (baseline x86-64): a comparison mask is -1 per lane.
  __m128i lt = _mm_setzero_si128(), eq = _mm_setzero_si128();
  const __m128d xx = _mm_set1_pd(x);
  for (; i + 2 <= n_; i += 2) {
    __m128d a = _mm_loadu_pd(v + i);
    lt = _mm_sub_epi64(lt, _mm_castpd_si128(_mm_cmplt_pd(a, xx)));
    eq = _mm_sub_epi64(eq, _mm_castpd_si128(_mm_cmpeq_pd(a, xx)));
  }
  std::int64_t lanes[2];
  _mm_storeu_si128(reinterpret_cast<__m128i*>(lanes), lt);
  below = lanes[0] + lanes[1];
  _mm_storeu_si128(reinterpret_cast<__m128i*>(lanes), eq);
  equal = lanes[0] + lanes[1];
#endif
  for (; i < n_; ++i) {
    below += v[i] < x;
    equal += v[i] == x;
  }
  return 0.5 * static_cast<double>(2 * below + equal) / static_cast<double>(n_);
}

} // namespace herald::market
