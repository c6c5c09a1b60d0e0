#pragma once
// Market data messages. Pure structs with free inspect() overloads that need
// no CAF header, so that db/ and the parsers can use them without CAF.

#include <cstdint>
#include <string>
#include <vector>

namespace herald {

/// One OHLCV bar. Times are milliseconds since the epoch, UTC.
struct candle {
  std::string symbol;    ///< e.g. "BTCUSDT"
  std::string interval;  ///< "1m" .. "1w"
  std::int64_t open_time = 0;
  double open = 0;
  double high = 0;
  double low = 0;
  double close = 0;
  double volume = 0;
  std::int64_t close_time = 0;
  /// Whether the fields below are known (Binance klines have them; plain
  /// OHLCV sources do not).
  bool has_extras = false;
  double quote_volume = 0;
  std::int64_t trades = 0;
  double taker_buy_base = 0;
  double taker_buy_quote = 0;
};

inline bool operator==(const candle& a, const candle& b) {
  return a.symbol == b.symbol && a.interval == b.interval && a.open_time == b.open_time
         && a.open == b.open && a.high == b.high && a.low == b.low && a.close == b.close
         && a.volume == b.volume && a.close_time == b.close_time && a.has_extras == b.has_extras
         && a.quote_volume == b.quote_volume && a.trades == b.trades
         && a.taker_buy_base == b.taker_buy_base && a.taker_buy_quote == b.taker_buy_quote;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, candle& x) {
  return f(x.symbol, x.interval, x.open_time, x.open, x.high, x.low, x.close, x.volume,
           x.close_time, x.has_extras, x.quote_volume, x.trades, x.taker_buy_base,
           x.taker_buy_quote);
}

/// Counters of one series at the market-data hub.
struct series_stats {
  std::string symbol;
  std::string interval;
  std::uint64_t accepted = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t rejected = 0;
  std::uint64_t gaps = 0;
  std::int64_t last_open_time = 0;
};

inline bool operator==(const series_stats& a, const series_stats& b) {
  return a.symbol == b.symbol && a.interval == b.interval && a.accepted == b.accepted
         && a.duplicates == b.duplicates && a.rejected == b.rejected && a.gaps == b.gaps
         && a.last_open_time == b.last_open_time;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, series_stats& x) {
  return f(x.symbol, x.interval, x.accepted, x.duplicates, x.rejected, x.gaps, x.last_open_time);
}

} // namespace herald
