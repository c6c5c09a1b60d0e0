#pragma once
// Which candles of a hub batch become console events (pure code; the
// inspector sends them to the journal): the newest candle of each series in
// the batch, found in one pass with a hash set keyed by (symbol, interval)
// views, so the cost is linear in the batch whatever the number of series
// (a scan of the series found so far made it quadratic: 10,000 series
// closing together cost 10^8 comparisons a batch).

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "messages/market.hpp"

namespace herald::ops {

/// Counts the work newest_per_series does (for the linearity test).
struct series_probe_count {
  std::uint64_t hashes = 0, compares = 0;
};

/// The newest candle of each series in `candles` (the last one of its
/// series in the batch), newest series first. Pointers into `candles`.
std::vector<const candle*> newest_per_series(const std::vector<candle>& candles,
                                             series_probe_count* count = nullptr);

} // namespace herald::ops
