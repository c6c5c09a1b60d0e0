#pragma once
// Aggregation of analyzer results into a signal: a confidence-weighted
// average of the directional analyzers' scores with per-analyzer weights
// (from config; a later issue tunes them). The volatility regime gives no
// direction: it scales the signal's confidence. Analyzers that were late or
// failed are absent: they are left out of the average and lower the
// confidence (their weight counts in the denominator). Pure code.

#include <array>
#include <cstdint>
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
  std::vector<contribution> contributions;
  /// Stable id: "SYMBOL:interval:time".
  std::string id() const;
  /// {"score":..,"regime":..,"missing":..,"contributions":[...]}.
  std::string payload_json() const;
};

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
signal aggregate(const aggregate_options& opts, std::string symbol, std::string interval,
                 std::int64_t time, double price, std::vector<contribution> parts,
                 const std::string& regime);

} // namespace herald::analysis
