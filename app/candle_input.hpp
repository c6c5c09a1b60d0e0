#pragma once
// The candles a command reads (herald backtest, herald tune): candle files
// of any supported format, or the database, in time order; and the time
// and symbol list arguments they share.

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "app/prepare.hpp"
#include "messages/market.hpp"

namespace herald::app {

/// "1700000000000" (ms), "2024-01-31" or "2024-01-31T12:00:00Z" -> ms.
std::optional<std::int64_t> parse_time(const std::string& s);

/// "BTCUSDT,ETHUSDT" -> its symbols (empty items dropped).
std::vector<std::string> split_symbols(const std::string& list);

struct candle_request {
  std::vector<std::string> files; ///< empty: read db_url
  std::string db_url;
  std::string symbol;   ///< "" = from each file's name; with the database: A[,B...]
  std::string interval; ///< "" = from the files (set to what they hold)
  std::int64_t from = std::numeric_limits<std::int64_t>::min();
  std::int64_t to = std::numeric_limits<std::int64_t>::max();
  bool strict = false;  ///< a file named for another symbol is an error
  bool ranged = false;  ///< --from or --to was given (for the message)
};

/// Reads --from and --to into `req` (and sets `ranged`); false after
/// printing "<me>: --from '...' is not a time ..." to stderr.
bool parse_range(const invocation& inv, const char* me, candle_request& req);

/// --json PATH, when given, can be written (checked before hours of work);
/// false after printing why not. A probe file it created is removed.
bool json_writable(const invocation& inv, const char* me);

/// Reads the candles, sorted by open time (stable), each with its symbol and
/// interval. On a problem it prints "<me>: ..." naming the file, line or
/// setting to stderr, sets `exit_code` and returns nullopt.
std::optional<std::vector<candle>> gather_candles(const char* me, const prepared_config& p,
                                                  candle_request& req, int& exit_code);

} // namespace herald::app
