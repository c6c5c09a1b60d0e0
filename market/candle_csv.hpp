#pragma once
// Writing candles as CSV (herald resample, herald indicators, exports).

#include <ostream>
#include <string>
#include <vector>

#include "messages/market.hpp"

namespace herald::market {

/// The header line of write_csv.
const char* csv_header();

/// One line per candle: open_time (ms),open,high,low,close,volume,close_time,
/// quote_volume,trades,taker_buy_base,taker_buy_quote (the last four empty
/// when the source lacks them). Numbers in their shortest exact form.
void write_csv(std::ostream& out, const candle& c);

/// Shortest text that reads back as exactly `x`.
std::string format_number(double x);

} // namespace herald::market
