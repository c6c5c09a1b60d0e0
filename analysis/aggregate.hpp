#pragma once
// Aggregation of analyzer results into a signal: a confidence-weighted
// average of the directional analyzers' scores with per-analyzer weights
// (from config; a later issue tunes them). The volatility regime gives no
// direction: it scales the signal's confidence. Analyzers that were late or
// failed are absent: they are left out of the average and lower the
// confidence (their weight counts in the denominator). Pure code.

#include <array>
#include <climits>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "analysis/kinds.hpp"

namespace herald::analysis {

enum class direction : std::uint8_t { neutral, long_, short_ };
const char* to_string(direction d);

/// One analyzer's part in a signal.
struct contribution {
  std::uint8_t analyzer = 0; ///< a kind (kinds.hpp)
  bool present = false; ///< answered within its deadline
  double score = 0;
  double confidence = 0;
  double weight = 0;
};
inline bool operator==(const contribution& a, const contribution& b) {
  return a.analyzer == b.analyzer && a.present == b.present && a.score == b.score
         && a.confidence == b.confidence && a.weight == b.weight;
}

/// The contributions of one signal: at most one per analyzer kind, stored in
/// place (a signal per candle allocates nothing for them).
class contribution_set {
public:
  contribution_set() = default;
  contribution_set(std::initializer_list<contribution> xs) {
    for (auto& x : xs)
      push_back(x);
  }
  /// Ignores a contribution beyond one per kind.
  void push_back(const contribution& c) {
    if (n_ < items_.size())
      items_[n_++] = c;
  }
  std::size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  contribution& operator[](std::size_t i) { return items_[i]; }
  const contribution& operator[](std::size_t i) const { return items_[i]; }
  contribution* begin() { return items_.data(); }
  contribution* end() { return items_.data() + n_; }
  const contribution* begin() const { return items_.data(); }
  const contribution* end() const { return items_.data() + n_; }
  friend bool operator==(const contribution_set& a, const contribution_set& b) {
    if (a.n_ != b.n_)
      return false;
    for (std::size_t i = 0; i < a.n_; ++i)
      if (!(a.items_[i] == b.items_[i]))
        return false;
    return true;
  }
  template <class Inspector>
  friend typename Inspector::result_type inspect(Inspector& f, contribution_set& x) {
    return f(x.n_, x.items_);
  }

private:
  std::array<contribution, kind_count> items_{};
  std::uint8_t n_ = 0;
};

struct signal {
  std::string symbol;
  std::string interval;
  std::int64_t time = 0; ///< open time of the candle, ms
  double price = 0;      ///< its close
  direction dir = direction::neutral;
  double score = 0;      ///< [-1, 1], the weighted average
  double strength = 0;   ///< |score|
  double confidence = 0; ///< [0, 100]
  std::string regime;    ///< low / normal / high / unknown
  int missing = 0;       ///< analyzers that did not answer
  contribution_set contributions;
  /// Stable id: "SYMBOL:interval:time".
  std::string id() const;
  /// {"score":..,"regime":..,"missing":..,"contributions":[...]}.
  std::string payload_json() const;
};

/// "SYMBOL_interval": the series id the pipeline orders series by.
std::string series_id(const std::string& symbol, const std::string& interval);

/// Where a signal stands in the order the risk manager sees signals in:
/// candle time, then series id. A default key is "before every signal".
struct signal_key {
  std::int64_t time = INT64_MIN;
  std::string series;
  bool none() const { return time == INT64_MIN && series.empty(); }
  static signal_key of(const signal& s) { return {s.time, series_id(s.symbol, s.interval)}; }
};
inline bool operator<(const signal_key& a, const signal_key& b) {
  return a.time != b.time ? a.time < b.time : a.series < b.series;
}
inline bool operator==(const signal_key& a, const signal_key& b) {
  return a.time == b.time && a.series == b.series;
}
inline bool operator<=(const signal_key& a, const signal_key& b) { return !(b < a); }

/// A signal rebuilt from what was stored of it (signals table: symbol,
/// interval, open time, direction, confidence, payload_json()). Exact: every double of
/// the payload is written with round-trip precision. Throws
/// std::invalid_argument naming what is wrong with a malformed payload.
signal parse_signal(const std::string& symbol, const std::string& interval, std::int64_t time,
                    const std::string& direction_name, double confidence,
                    const std::string& payload_json);

struct aggregate_options {
  /// Weight per analyzer kind.
  std::array<double, kind_count> weights{1, 1, 1, 1, 1, 1, 1, 1};
  double threshold = 0.15;  ///< |score| from which a signal is long / short
  double scale_low = 0.9;   ///< confidence factor in the low-volatility regime
  double scale_high = 0.75; ///< ... in the high-volatility regime
  /// Rounding of score, strength and confidence (decimal places): what is
  /// published and compared; 1e-9 noise never flips a published signal.
  int decimals = 6;
};

/// Builds the signal of one candle from its contributions (present or not;
/// disabled analyzers are simply not passed) and the regime label of the
/// volatility analyzer ("" when absent).
signal aggregate(const aggregate_options& opts, const std::string& symbol,
                 const std::string& interval, std::int64_t time, double price,
                 const contribution_set& parts, const std::string& regime);

} // namespace herald::analysis
