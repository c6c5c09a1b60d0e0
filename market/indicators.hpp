#pragma once
// Streaming technical indicators: each takes one value (or candle) at a time
// in O(1) and answers nullopt until it is warm. Pure code.
//
//   sma       simple moving average (rolling sum, compensated)
//   ema       exponential moving average, seeded with the SMA of its first N values
//   rsi       Wilder's RSI (first averages = means of the first N changes)
//   atr       Wilder's ATR (first ATR = mean of the first N true ranges; the
//             first true range is the second bar's, which has a previous close)
//   bollinger middle = SMA, bands = middle +- k * population standard deviation
//   macd      EMA(fast) - EMA(slow); signal = EMA(signal) of the MACD line
//   zscore    (x - mean) / population standard deviation over a window
//   obv       on-balance volume
//   rolling_percentile  share of the window below the newest value

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

namespace herald::market {

/// Sliding window mean and population variance, numerically stable
/// (Welford's update for a window).
class rolling_stats {
public:
  explicit rolling_stats(std::size_t n);
  void push(double x);
  bool full() const { return buf_.size() == n_; }
  double mean() const { return mean_ + shift_; }
  double variance() const; ///< population
  double stddev() const;
  std::size_t size() const { return buf_.size(); }
  std::size_t window() const { return n_; }

private:
  std::size_t n_;
  std::deque<double> buf_;
  double shift_ = 0; ///< values are accumulated relative to this
  double mean_ = 0;  ///< of the shifted values
  double m2_ = 0;
  std::uint64_t pushes_ = 0;
  void recompute();
};

class sma {
public:
  explicit sma(std::size_t n) : stats_(n) {}
  std::optional<double> push(double x);

private:
  rolling_stats stats_;
};

class ema {
public:
  explicit ema(std::size_t n);
  std::optional<double> push(double x);
  std::optional<double> value() const { return warm_ ? std::optional<double>{value_} : std::nullopt; }

private:
  std::size_t n_;
  double alpha_;
  double value_ = 0;
  double seed_sum_ = 0;
  std::size_t seen_ = 0;
  bool warm_ = false;
};

class rsi {
public:
  explicit rsi(std::size_t n = 14) : n_(n) {}
  std::optional<double> push(double close);

private:
  std::size_t n_;
  bool has_prev_ = false;
  double prev_ = 0;
  std::size_t changes_ = 0;
  double avg_gain_ = 0;
  double avg_loss_ = 0;
};

class atr {
public:
  explicit atr(std::size_t n = 14) : n_(n) {}
  std::optional<double> push(double high, double low, double close);

private:
  std::size_t n_;
  bool has_prev_ = false;
  double prev_close_ = 0;
  std::size_t count_ = 0;
  double value_ = 0;
};

struct bands {
  double lower, middle, upper;
};

class bollinger {
public:
  explicit bollinger(std::size_t n = 20, double k = 2) : stats_(n), k_(k) {}
  std::optional<bands> push(double x);

private:
  rolling_stats stats_;
  double k_;
};

struct macd_value {
  double macd, signal, histogram;
};

class macd {
public:
  macd(std::size_t fast = 12, std::size_t slow = 26, std::size_t signal = 9)
    : fast_(fast), slow_(slow), signal_(signal) {}
  /// The MACD line alone is warm after `slow` values; the full value (with
  /// signal and histogram) after `slow + signal - 1`.
  std::optional<macd_value> push(double x);
  std::optional<double> line() const { return line_; }

private:
  ema fast_, slow_, signal_;
  std::optional<double> line_;
};

class zscore {
public:
  explicit zscore(std::size_t n = 20) : stats_(n) {}
  std::optional<double> push(double x);

private:
  rolling_stats stats_;
};

class obv {
public:
  double push(double close, double volume);

private:
  bool has_prev_ = false;
  double prev_ = 0;
  double value_ = 0;
};

class rolling_percentile {
public:
  explicit rolling_percentile(std::size_t n) : n_(n == 0 ? 1 : n), buf_(n_) {}
  /// Share (0..1) of the window's values strictly below `x` plus half of the
  /// equal ones. O(n), but one branch-free pass over a contiguous array: for
  /// the windows used (~100) faster than keeping a sorted copy (measured:
  /// the sorted vector's binary searches and memmoves cost ~3x more).
  std::optional<double> push(double x);

private:
  std::size_t n_;
  std::vector<double> buf_; ///< circular, arrival order
  std::size_t pos_ = 0, size_ = 0;
};

} // namespace herald::market
