#pragma once
// Resampling candles from a lower interval to a higher one, as the exchange
// builds its own bars: open = first real trade, high/low over real trades,
// close = last close, volumes and trade counts summed. Binance fills a minute
// without trades with O=H=L=C=previous close and V=0; such filler bars do not
// set open/high/low (a bar made only of fillers keeps their flat price).
// Pure code, streaming: O(1) per input bar.

#include <cstdint>
#include <optional>
#include <vector>

#include "messages/market.hpp"

namespace herald::market {

class resampler {
public:
  /// `to_ms` must be a multiple of `from_ms` (checked by make()).
  resampler(std::int64_t from_ms, std::int64_t to_ms, std::string interval_name);

  /// Adds the next input bar (in time order). Returns the previous output bar
  /// when this input starts a new one.
  std::optional<candle> push(const candle& c);

  /// The bar in progress (nullopt when none), e.g. at the end of a file.
  std::optional<candle> flush();

  /// True when the bar in progress has had its last input bar (the one
  /// ending where the output bar ends): flush() gives the complete bar.
  bool complete() const { return active_ && last_in_ + from_ms_ == cur_.open_time + to_ms_; }

  /// Input bars in the bar in progress.
  std::int64_t bars_in_progress() const { return count_; }
  /// Input bars a full output bar holds.
  std::int64_t bars_per_output() const { return to_ms_ / from_ms_; }

private:
  std::int64_t from_ms_;
  std::int64_t to_ms_;
  std::string name_;
  /// Neumaier-compensated sum, so that summing exchange decimals gives the
  /// exchange's own total (e.g. 405.71832, not 405.71832000000006).
  struct sum {
    double s = 0, c = 0;
    void add(double x);
    double value() const { return s + c; }
  };
  candle cur_;
  sum volume_, quote_, taker_base_, taker_quote_;
  bool active_ = false;
  bool has_trades_ = false;
  std::int64_t count_ = 0;
  std::int64_t last_in_ = 0; ///< open time of the last input bar
};

/// Resamples a whole series (the last, possibly partial, bar included when
/// `include_partial`).
std::vector<candle> resample(const std::vector<candle>& in, std::int64_t from_ms,
                             std::int64_t to_ms, const std::string& to_name,
                             bool include_partial);

} // namespace herald::market
