#pragma once
// Statistics of a candle series that say whether a market looks real: the
// standard deviation of daily log returns, the mean daily log return (the
// drift), the excess kurtosis of hourly log returns (fat tails), and the
// correlation of hourly volume with the size of the hourly move. Used to hold
// the simulated market to the real files in ../shared/data/market/. Pure code.

#include <cstdint>
#include <vector>

#include "messages/market.hpp"

namespace herald::market {

struct return_stats {
  std::size_t hours = 0, days = 0;
  double daily_sd = 0;        ///< of daily log returns
  double daily_mean = 0;      ///< mean daily log return (drift)
  double hourly_kurtosis = 0; ///< excess kurtosis of hourly log returns
  double volume_abs_corr = 0; ///< Pearson correlation of hourly volume and |hourly return|
};

/// Statistics of `hourly` (consecutive 1h candles, oldest first; resample
/// finer series first). Days are 24 consecutive hours from the first bar.
return_stats hourly_return_stats(const std::vector<candle>& hourly);

} // namespace herald::market
