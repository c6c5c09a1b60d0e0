#pragma once
// The analyzer contract: one instance per series, fed closed candles in time
// order, each answer a score in [-1, 1] (bearish .. bullish), a confidence in
// [0, 100], a JSON payload of the values it used, and meta (name, duration,
// candle time). Pure code: analyzers know nothing of actors.

#include <cstdint>
#include <memory>
#include <string>

#include "messages/market.hpp"

namespace herald::analysis {

struct result {
  double score = 0;       ///< [-1, 1]
  double confidence = 0;  ///< [0, 100]; 0 while warming up
  std::string payload;    ///< JSON object
  std::string agent;      ///< analyzer name
  std::int64_t duration_ns = 0;
  std::int64_t candle_time = 0;
};

class analyzer {
public:
  virtual ~analyzer() = default;
  virtual const char* name() const = 0;
  /// Analyses the next closed candle of the series.
  result on_candle(const candle& c);

protected:
  /// Fills score, confidence and payload.
  virtual void analyse(const candle& c, result& out) = 0;
};

/// Clamps to [lo, hi] and maps NaN to 0: no analyzer ever answers NaN.
double safe(double x, double lo, double hi);

} // namespace herald::analysis
