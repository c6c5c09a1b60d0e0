#pragma once
// Candle intervals as Binance names them, and time alignment. Pure code.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::market {

constexpr std::int64_t minute_ms = 60'000;
constexpr std::int64_t hour_ms = 60 * minute_ms;
constexpr std::int64_t day_ms = 24 * hour_ms;
constexpr std::int64_t week_ms = 7 * day_ms;

/// Length of an interval ("1m" .. "1w") in ms; nullopt for unknown names.
std::optional<std::int64_t> interval_ms(std::string_view name);

/// The name of an interval length ("" when it is not one of Herald's).
std::string interval_name(std::int64_t ms);

/// Every supported interval name, shortest first.
const std::vector<std::string>& interval_names();

/// Start of the bar of length `ms` that contains `t`. Weeks start on Monday
/// 00:00 UTC (as Binance's 1w klines); everything else is aligned to the epoch.
std::int64_t bar_start(std::int64_t t, std::int64_t ms);

/// Whether `t` is the start of a bar of length `ms`.
inline bool aligned(std::int64_t t, std::int64_t ms) {
  return bar_start(t, ms) == t;
}

/// "2025-11-28 00:00:00" (UTC) for logs and CSV output.
std::string format_utc(std::int64_t ms);

} // namespace herald::market
