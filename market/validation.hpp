#pragma once
// Validation of one candle series: bad values are rejected with a counted
// reason (never a crash), duplicates dropped, gaps detected. Binance's
// zero-volume filler minutes (O=H=L=C, V=0) are valid candles. Pure code.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "messages/market.hpp"

namespace herald::market {

enum class reject_reason : std::uint8_t {
  non_finite,      ///< NaN or infinity in a price or volume
  negative,        ///< a negative price or volume
  high_below_low,  ///< high < low
  open_outside,    ///< open outside [low, high]
  close_outside,   ///< close outside [low, high]
  misaligned,      ///< open time not at the start of its interval
  out_of_order,    ///< older than the last accepted candle
  count_           ///< number of reasons
};

const char* to_string(reject_reason r);

/// A stretch of missing bars: [from, to) in open times.
struct gap {
  std::int64_t from = 0;
  std::int64_t to = 0;
  std::int64_t missing(std::int64_t interval_ms) const { return (to - from) / interval_ms; }
};

/// Checks a candle's values alone (no series context); returns true when it
/// is acceptable, else sets `why`.
bool check_values(const candle& c, reject_reason& why);

class series_validator {
public:
  enum class verdict { accepted, duplicate, rejected };

  explicit series_validator(std::int64_t interval_ms) : interval_ms_(interval_ms) {}

  /// Classifies the next candle of the series (in arrival order).
  verdict check(const candle& c);

  /// The reason of the last rejection.
  reject_reason last_reason() const { return last_reason_; }

  std::uint64_t accepted() const { return accepted_; }
  std::uint64_t duplicates() const { return duplicates_; }
  std::uint64_t rejected() const;
  std::uint64_t rejected(reject_reason r) const { return rejected_[static_cast<size_t>(r)]; }
  const std::vector<gap>& gaps() const { return gaps_; }
  std::int64_t last_open_time() const { return last_; }
  bool empty() const { return accepted_ == 0; }

private:
  std::int64_t interval_ms_;
  std::int64_t last_ = 0;
  std::uint64_t accepted_ = 0;
  std::uint64_t duplicates_ = 0;
  std::array<std::uint64_t, static_cast<size_t>(reject_reason::count_)> rejected_{};
  reject_reason last_reason_ = reject_reason::non_finite;
  std::vector<gap> gaps_;
};

} // namespace herald::market
