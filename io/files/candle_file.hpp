#pragma once
// Candle files: detection and parsing of the formats Herald replays and
// ingests. Pure code (no CAF).
//
//   datavision_csv      Binance data.vision klines: 12 columns, no header,
//                       open time in milliseconds or microseconds
//   header_csv          a CSV with a header: `timestamp,open,high,low,close,volume`
//                       or the 12 Binance field names (`Open time,Open,...`);
//                       times as epoch numbers or dates ("2024-01-01 00:00:00+0000")
//   json_rows           freqtrade: `[[ms, o, h, l, c, v], ...]`
//   json_columns        pandas "columns" orientation: `{"date":{"0":ms,...},"open":{...},...}`
//
// A row that cannot be read is skipped and reported with its line and reason;
// a file that cannot be read at all is an error naming the file, line and
// reason. Rows missing the extra Binance fields are candles with
// has_extras = false.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "messages/market.hpp"

namespace herald::io {

enum class candle_format { datavision_csv, header_csv, json_rows, json_columns };

const char* to_string(candle_format f);

struct row_problem {
  std::size_t line = 0;
  std::string reason;
};

struct file_error {
  std::string path;
  std::size_t line = 0; ///< 0 when not about a line
  std::string reason;
  /// "path:line: reason"
  std::string to_string() const;
};

struct candle_file {
  std::string path;
  candle_format format = candle_format::datavision_csv;
  std::string interval;          ///< given or inferred
  std::size_t rows = 0;          ///< data rows seen
  bool microseconds = false;     ///< times were in microseconds
  std::vector<candle> candles;   ///< in file order, not yet validated
  std::vector<row_problem> problems;
};

struct parse_result {
  std::optional<file_error> error;
  candle_file file;
  bool ok() const { return !error.has_value(); }
};

/// Parses file contents. `interval` may be empty: it is then inferred from
/// the spacing of the open times.
parse_result parse_candles(std::string_view text, const std::string& path,
                           const std::string& symbol, const std::string& interval);

/// The symbol a file's name states ("BTCUSDT" of ".../BTCUSDT-1m-2021-01-01.csv"
/// or "BTCUSDT_1h.csv"): the upper-case word before the first '-', '_' or
/// '.', or "" when the name states none.
std::string symbol_from_path(const std::string& path);

/// Reads and parses a file.
parse_result read_candle_file(const std::string& path, const std::string& symbol,
                              const std::string& interval);

/// Parses a decimal number at [p, end) (digits, optional sign, fraction and
/// exponent). Exact (correctly rounded) like strtod. Returns false when the
/// field is not a number.
bool parse_number(const char* p, const char* end, double& out);

/// Parses a time field: epoch seconds / milliseconds / microseconds
/// (integers or float-formatted), or "YYYY-MM-DD[ T]HH:MM:SS[+0000|Z]" (UTC).
/// Sets `micro` when the value was in microseconds.
bool parse_time_ms(std::string_view field, std::int64_t& out, bool& micro);

} // namespace herald::io
