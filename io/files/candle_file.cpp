#include "io/files/candle_file.hpp"

#include <algorithm>
#include <map>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "market/interval.hpp"
#include "io/text/sanitize.hpp"

namespace herald::io {

const char* to_string(candle_format f) {
  switch (f) {
    case candle_format::datavision_csv: return "data.vision CSV";
    case candle_format::header_csv: return "CSV with header";
    case candle_format::json_rows: return "JSON rows";
    case candle_format::json_columns: return "JSON columns";
  }
  return "?";
}

std::string file_error::to_string() const {
  std::string out = path;
  if (line > 0)
    out += ":" + std::to_string(line);
  // One line of valid UTF-8 whatever the file (or its name) holds.
  return io::text::one_line(out + ": " + reason, 1000);
}

// -- numbers and times ------------------------------------------------------------

namespace {

constexpr double pow10_table[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                  1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                  1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

} // namespace

bool parse_number(const char* p, const char* end, double& out) {
  // Fast path (Clinger): at most 19 significant digits in a mantissa below
  // 2^53 and a power of ten up to 22 make one correctly rounded division or
  // multiplication exact; everything else goes to from_chars.
  const char* s = p;
  bool neg = false;
  if (p < end && (*p == '-' || *p == '+')) {
    neg = *p == '-';
    ++p;
  }
  std::uint64_t mant = 0;
  int digits = 0;
  int frac = 0;
  const char* q = p;
  while (q < end && *q >= '0' && *q <= '9') {
    if (digits < 19) {
      mant = mant * 10 + static_cast<unsigned>(*q - '0');
      if (mant != 0)
        ++digits;
    } else {
      digits = 99;
    }
    ++q;
  }
  bool any = q > p;
  if (q < end && *q == '.') {
    ++q;
    const char* f = q;
    while (q < end && *q >= '0' && *q <= '9') {
      if (digits < 19) {
        mant = mant * 10 + static_cast<unsigned>(*q - '0');
        if (mant != 0)
          ++digits;
        ++frac;
      } else {
        digits = 99;
      }
      ++q;
    }
    any = any || q > f;
  }
  if (!any)
    return false;
  if (q == end && digits <= 15 && frac <= 22 && mant < (std::uint64_t{1} << 53)) {
    double v = static_cast<double>(mant) / pow10_table[frac];
    out = neg ? -v : v;
    return true;
  }
  // Exponents, long mantissas, trailing garbage: the general parser decides.
  if (*s == '+')
    ++s;
  auto res = std::from_chars(s, end, out);
  return res.ec == std::errc{} && res.ptr == end;
}

namespace {

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool digits_at(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size())
    return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '"'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '"'))
    s.remove_suffix(1);
  return s;
}

} // namespace

bool parse_time_ms(std::string_view field, std::int64_t& out, bool& micro) {
  field = trim(field);
  if (field.empty())
    return false;
  micro = false;
  // A date: YYYY-MM-DD HH:MM:SS with an optional zone of +0000 / Z (UTC only).
  if (field.size() >= 19 && field[4] == '-' && field[7] == '-') {
    int y, mo, d, h, mi, sec;
    if (!digits_at(field, 0, 4, y) || !digits_at(field, 5, 2, mo) || !digits_at(field, 8, 2, d)
        || (field[10] != ' ' && field[10] != 'T') || !digits_at(field, 11, 2, h)
        || field[13] != ':' || !digits_at(field, 14, 2, mi) || field[16] != ':'
        || !digits_at(field, 17, 2, sec))
      return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
      return false;
    auto rest = field.substr(19);
    if (!rest.empty() && rest.front() == '.') { // fractional seconds: ignored if zero
      std::size_t i = 1;
      while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9')
        ++i;
      rest = rest.substr(i);
    }
    if (!(rest.empty() || rest == "Z" || rest == "+0000" || rest == "+00:00" || rest == "UTC"))
      return false; // other time zones are not guessed
    auto days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
    out = ((days * 24 + h) * 60 + mi) * 60'000 + std::int64_t{sec} * 1000;
    return true;
  }
  double v;
  if (!parse_number(field.data(), field.data() + field.size(), v) || !std::isfinite(v) || v < 0)
    return false;
  if (v >= 1e17 || v != std::floor(v))
    return false;
  auto n = static_cast<std::int64_t>(v);
  if (n >= 100'000'000'000'000) { // 1e14: microseconds (data.vision from 2025 on)
    micro = true;
    n /= 1000;
  } else if (n < 100'000'000'000) { // 1e11: seconds
    n *= 1000;
  }
  out = n;
  return true;
}

// -- CSV ------------------------------------------------------------------------

namespace {

enum col : std::size_t {
  c_time,
  c_open,
  c_high,
  c_low,
  c_close,
  c_volume,
  c_close_time,
  c_quote,
  c_trades,
  c_taker_base,
  c_taker_quote,
  c_count
};

constexpr const char* col_names[] = {"open time", "open", "high", "low", "close", "volume",
                                     "close time", "quote volume", "trades",
                                     "taker buy base volume", "taker buy quote volume"};

std::string lower(std::string_view s) {
  std::string out;
  for (char c : trim(s))
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// Maps a header name to a column, or c_count when unknown.
col header_column(const std::string& h) {
  if (h == "timestamp" || h == "open time" || h == "open_time" || h == "date" || h == "time"
      || h == "datetime")
    return c_time;
  if (h == "open")
    return c_open;
  if (h == "high")
    return c_high;
  if (h == "low")
    return c_low;
  if (h == "close")
    return c_close;
  if (h == "volume")
    return c_volume;
  if (h == "close time" || h == "close_time")
    return c_close_time;
  if (h == "quote asset volume" || h == "quote_asset_volume" || h == "quote volume")
    return c_quote;
  if (h == "number of trades" || h == "number_of_trades" || h == "trades")
    return c_trades;
  if (h == "taker buy base asset volume" || h == "taker_buy_base_asset_volume")
    return c_taker_base;
  if (h == "taker buy quote asset volume" || h == "taker_buy_quote_asset_volume")
    return c_taker_quote;
  return c_count;
}

struct csv_layout {
  std::array<int, c_count> index; ///< column index per field, -1 when absent
  bool header = false;
};

/// Splits a line into at most `max` fields (views into the line).
std::size_t split(std::string_view line, std::array<std::string_view, 32>& out) {
  std::size_t n = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || line[i] == ',') {
      if (n < out.size())
        out[n] = line.substr(start, i - start);
      ++n;
      start = i + 1;
    }
  }
  return n;
}

/// Reads one data row; returns "" or the reason it is unreadable.
std::string read_row(const std::array<std::string_view, 32>& f, std::size_t n,
                     const csv_layout& layout, candle& c, bool& micro) {
  auto field = [&](col k) -> std::string_view {
    auto i = layout.index[k];
    if (i < 0 || static_cast<std::size_t>(i) >= n)
      return {};
    return trim(f[static_cast<std::size_t>(i)]);
  };
  auto number = [&](col k, double& out) -> std::string {
    auto s = field(k);
    if (s.empty())
      return std::string{"missing field '"} + col_names[k] + "'";
    if (!parse_number(s.data(), s.data() + s.size(), out))
      return std::string{"field '"} + col_names[k] + "' is not a number: '"
             + std::string{s.substr(0, 40)} + (s.size() > 40 ? "...'" : "'");
    return {};
  };
  if (n < 6)
    return "expected at least 6 fields, found " + std::to_string(n);
  auto t = field(c_time);
  if (!parse_time_ms(t, c.open_time, micro))
    return "field 'open time' is not a time: '" + std::string{t.substr(0, 40)}
           + (t.size() > 40 ? "...'" : "'");
  for (auto [k, dst] : {std::pair{c_open, &c.open}, std::pair{c_high, &c.high},
                        std::pair{c_low, &c.low}, std::pair{c_close, &c.close},
                        std::pair{c_volume, &c.volume}})
    if (auto err = number(k, *dst); !err.empty())
      return err;
  c.close_time = 0;
  c.has_extras = false;
  double v;
  auto ct = field(c_close_time);
  if (!ct.empty()) {
    std::int64_t ms;
    bool m2;
    if (!parse_time_ms(ct, ms, m2))
      return "field 'close time' is not a time: '" + std::string{ct.substr(0, 40)} + "'";
    c.close_time = ms; // ...999999 us arrives here as ...999 ms
  }
  if (!field(c_quote).empty() && !field(c_trades).empty() && !field(c_taker_base).empty()
      && !field(c_taker_quote).empty()) {
    if (auto err = number(c_quote, c.quote_volume); !err.empty())
      return err;
    if (auto err = number(c_trades, v); !err.empty())
      return err;
    if (!(v >= 0 && v < 9e15))
      return "field 'trades' out of range";
    c.trades = static_cast<std::int64_t>(v);
    if (auto err = number(c_taker_base, c.taker_buy_base); !err.empty())
      return err;
    if (auto err = number(c_taker_quote, c.taker_buy_quote); !err.empty())
      return err;
    c.has_extras = true;
  }
  return {};
}

bool looks_numeric(std::string_view s) {
  s = trim(s);
  return !s.empty() && (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-');
}

/// Scans one unsigned decimal field up to the next ',' (or the end) and
/// steps past the comma. Exact under the same conditions as parse_number's
/// fast path; anything else returns false (the general path takes the row).
inline bool scan_decimal(const char*& p, const char* end, double& out) {
  std::uint64_t mant = 0;
  int digits = 0, frac = 0;
  while (p < end && static_cast<unsigned>(*p - '0') < 10) {
    mant = mant * 10 + static_cast<unsigned>(*p - '0');
    ++digits;
    ++p;
  }
  if (p < end && *p == '.') {
    ++p;
    while (p < end && static_cast<unsigned>(*p - '0') < 10) {
      mant = mant * 10 + static_cast<unsigned>(*p - '0');
      ++digits;
      ++frac;
      ++p;
    }
  }
  if (digits == 0 || digits > 19 || frac > 22 || mant >= (std::uint64_t{1} << 53)
      || (p < end && *p != ','))
    return false;
  out = static_cast<double>(mant) / pow10_table[frac];
  if (p < end)
    ++p;
  return true;
}

inline bool scan_integer(const char*& p, const char* end, std::int64_t& out) {
  std::int64_t v = 0;
  const char* b = p;
  while (p < end && static_cast<unsigned>(*p - '0') < 10 && p - b < 18) {
    v = v * 10 + (*p - '0');
    ++p;
  }
  if (p == b || (p < end && *p != ','))
    return false;
  out = v;
  if (p < end)
    ++p;
  return true;
}

/// The data.vision fast path: 12 plain numeric fields, no quotes, no spaces.
/// Returns false when the row is anything else (the general path then reads
/// it and explains what is wrong).
bool fast_datavision_row(const char* p, const char* end, candle& c, bool& micro) {
  std::int64_t t, ct, trades;
  if (!scan_integer(p, end, t) || !scan_decimal(p, end, c.open) || !scan_decimal(p, end, c.high)
      || !scan_decimal(p, end, c.low) || !scan_decimal(p, end, c.close)
      || !scan_decimal(p, end, c.volume) || !scan_integer(p, end, ct)
      || !scan_decimal(p, end, c.quote_volume) || !scan_integer(p, end, trades)
      || !scan_decimal(p, end, c.taker_buy_base) || !scan_decimal(p, end, c.taker_buy_quote))
    return false;
  if (t >= 100'000'000'000'000) {
    micro = true;
    t /= 1000;
    ct /= 1000;
  } else if (t < 100'000'000'000) {
    return false; // seconds: the general path
  }
  c.open_time = t;
  c.close_time = ct;
  c.trades = trades;
  c.has_extras = true;
  return true;
}

void parse_csv(std::string_view text, parse_result& r, const std::string& symbol,
               const std::string& interval) {
  auto& file = r.file;
  // One candle per line: reserve once, from the length of the first line
  // (counting every newline would cost a full pass over the text).
  auto first_nl = text.find('\n');
  auto line_len = first_nl == std::string_view::npos ? text.size() : first_nl + 1;
  file.candles.reserve(text.size() / std::max<std::size_t>(line_len, 16) + 16);
  std::array<std::string_view, 32> f;
  csv_layout layout;
  layout.index.fill(-1);
  std::size_t pos = 0, line_no = 0;
  bool first = true;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    auto line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    if (trim(line).empty())
      continue;
    if (!first && file.format == candle_format::datavision_csv) {
      ++file.rows;
      candle& c = file.candles.emplace_back();
      c.symbol = symbol;
      c.interval = interval;
      bool micro = false;
      if (fast_datavision_row(line.data(), line.data() + line.size(), c, micro)) {
        file.microseconds = file.microseconds || micro;
        continue;
      }
      file.candles.pop_back();
      --file.rows; // read again below, with the reason when it fails
    }
    auto n = split(line, f);
    if (first) {
      first = false;
      if (!looks_numeric(f[0])) {
        // A header: map the columns by name.
        layout.header = true;
        file.format = candle_format::header_csv;
        for (std::size_t i = 0; i < std::min<std::size_t>(n, f.size()); ++i) {
          auto k = header_column(lower(f[i]));
          if (k != c_count && layout.index[k] < 0)
            layout.index[k] = static_cast<int>(i);
        }
        for (auto k : {c_time, c_open, c_high, c_low, c_close, c_volume})
          if (layout.index[k] < 0) {
            r.error = file_error{file.path, line_no,
                                 std::string{"header has no '"} + col_names[k]
                                   + "' column (expected e.g. timestamp,open,high,low,close,"
                                     "volume or the 12 Binance kline fields)"};
            return;
          }
        continue;
      }
      file.format = candle_format::datavision_csv;
      for (std::size_t k = 0; k < c_count; ++k)
        layout.index[k] = static_cast<int>(k);
    }
    ++file.rows;
    candle c;
    c.symbol = symbol;
    bool micro = false;
    auto err = read_row(f, n, layout, c, micro);
    if (!err.empty()) {
      file.problems.push_back({line_no, err});
      continue;
    }
    file.microseconds = file.microseconds || micro;
    file.candles.push_back(std::move(c));
  }
}

// -- JSON -----------------------------------------------------------------------

std::size_t line_of(std::string_view text, std::size_t byte) {
  byte = std::min(byte, text.size());
  return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(byte), '\n'));
}

bool json_number(const nlohmann::json& j, double& out) {
  if (j.is_number()) {
    out = j.get<double>();
    return true;
  }
  if (j.is_string()) {
    auto& s = j.get_ref<const std::string&>();
    return parse_number(s.data(), s.data() + s.size(), out);
  }
  return false;
}

void parse_json(std::string_view text, parse_result& r, const std::string& symbol) {
  auto& file = r.file;
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    r.error = file_error{file.path, line_of(text, e.byte),
                         "invalid JSON: " + io::text::one_line(e.what(), 300)};
    return;
  } catch (const nlohmann::json::exception& e) {
    // e.g. out_of_range on a number too large for any type (found by fuzzing)
    r.error = file_error{file.path, 0, "invalid JSON: " + io::text::one_line(e.what(), 300)};
    return;
  }
  auto add = [&](std::size_t row, const std::array<const nlohmann::json*, 6>& v) {
    ++file.rows;
    candle c;
    c.symbol = symbol;
    double t;
    if (!v[0] || !json_number(*v[0], t) || !(t >= 0 && t < 9e17) || t != std::floor(t)) {
      file.problems.push_back({row, "row " + std::to_string(row) + ": time is not a number"});
      return;
    }
    bool micro = false;
    if (!parse_time_ms(std::to_string(static_cast<std::int64_t>(t)), c.open_time, micro)) {
      file.problems.push_back({row, "row " + std::to_string(row) + ": time out of range"});
      return;
    }
    double* dst[] = {&c.open, &c.high, &c.low, &c.close, &c.volume};
    static const char* names[] = {"open", "high", "low", "close", "volume"};
    for (int k = 0; k < 5; ++k)
      if (!v[static_cast<std::size_t>(k) + 1] || !json_number(*v[static_cast<std::size_t>(k) + 1], *dst[k])) {
        file.problems.push_back({row, "row " + std::to_string(row) + ": field '" + names[k]
                                        + "' is not a number"});
        return;
      }
    file.microseconds = file.microseconds || micro;
    file.candles.push_back(std::move(c));
  };
  if (doc.is_array()) {
    file.format = candle_format::json_rows;
    std::size_t i = 0;
    for (auto& row : doc) {
      ++i;
      if (!row.is_array() || row.size() < 6) {
        ++file.rows;
        file.problems.push_back({i, "row " + std::to_string(i) + ": expected [time, open, high, "
                                                               "low, close, volume]"});
        continue;
      }
      add(i, {&row[0], &row[1], &row[2], &row[3], &row[4], &row[5]});
    }
    return;
  }
  if (doc.is_object()) {
    file.format = candle_format::json_columns;
    const char* keys[] = {"date", "open", "high", "low", "close", "volume"};
    for (auto k : keys)
      if (!doc.contains(k) || !doc[k].is_object()) {
        r.error = file_error{file.path, 0,
                             std::string{"JSON object without a '"} + k
                               + "' column (expected pandas \"columns\" orientation)"};
        return;
      }
    // Rows are keyed "0", "1", ...: visit them in numeric order.
    std::vector<std::pair<long long, std::string>> idx;
    for (auto& [key, _] : doc["date"].items()) {
      char* endp = nullptr;
      auto n = std::strtoll(key.c_str(), &endp, 10);
      idx.emplace_back(*endp ? -1 : n, key);
    }
    std::sort(idx.begin(), idx.end());
    for (auto& [n, key] : idx) {
      std::array<const nlohmann::json*, 6> v{};
      for (std::size_t k = 0; k < 6; ++k) {
        auto& colv = doc[keys[k]];
        auto it = colv.find(key);
        v[k] = it == colv.end() ? nullptr : &*it;
      }
      add(static_cast<std::size_t>(n < 0 ? 0 : n + 1), v);
    }
    return;
  }
  r.error = file_error{file.path, 1, "JSON is neither an array of rows nor an object of columns"};
}

} // namespace

namespace {
parse_result parse_unchecked(std::string_view text, const std::string& path,
                             const std::string& symbol, const std::string& interval);
} // namespace

parse_result parse_candles(std::string_view text, const std::string& path,
                           const std::string& symbol, const std::string& interval) {
  auto r = parse_unchecked(text, path, symbol, interval);
  // A reason quotes the file's bytes: one line of valid UTF-8.
  if (r.error)
    r.error->reason = io::text::one_line(r.error->reason, 500);
  return r;
}

namespace {
parse_result parse_unchecked(std::string_view text, const std::string& path,
                             const std::string& symbol, const std::string& interval) {
  parse_result r;
  r.file.path = path;
  // UTF-8 byte order mark and leading blanks
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF")
    text.remove_prefix(3);
  auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    r.error = file_error{path, 0, "empty file: no candles"};
    return r;
  }
  if (text[first] == '[' || text[first] == '{')
    parse_json(text, r, symbol);
  else
    parse_csv(text, r, symbol, interval);
  if (r.error)
    return r;
  auto& file = r.file;
  if (file.candles.empty()) {
    auto line = file.problems.empty() ? std::size_t{0} : file.problems.front().line;
    auto why = file.problems.empty() ? std::string{"no candles in the file"}
                                     : "no readable row; first problem: "
                                         + file.problems.front().reason;
    r.error = file_error{path, line, why};
    return r;
  }
  // The interval: given, or inferred from the smallest spacing of the times.
  std::int64_t ms = 0;
  if (!interval.empty()) {
    auto known = market::interval_ms(interval);
    if (!known) {
      r.error = file_error{path, 0, "unknown interval '" + interval + "'"};
      return r;
    }
    ms = *known;
    file.interval = interval;
    // The given interval must be the file's: 1h candles read as 1m would
    // pass every check and be analysed as the wrong market.
    // Two candles closer than the interval refute it; so does a most common
    // spacing that is not the interval, seen over enough pairs (skipped rows
    // and gaps only make single spacings longer).
    std::map<std::int64_t, std::size_t> spacings;
    std::int64_t smallest = 0;
    for (std::size_t i = 1; i < std::min<std::size_t>(file.candles.size(), 1000); ++i) {
      auto d = file.candles[i].open_time - file.candles[i - 1].open_time;
      if (d <= 0)
        continue;
      ++spacings[d];
      if (smallest == 0 || d < smallest)
        smallest = d;
    }
    std::int64_t spacing = 0;
    std::size_t pairs = 0, most = 0;
    for (auto& [d, n] : spacings) {
      pairs += n;
      if (n > most) {
        most = n;
        spacing = d;
      }
    }
    if (smallest != 0 && smallest < ms)
      spacing = smallest;
    else if (pairs < 10)
      spacing = 0; // too few candles to say
    if (spacing != 0 && spacing != ms) {
      auto name = market::interval_name(spacing);
      r.error = file_error{path, 0,
                           "the interval given is " + interval + ", but the file holds "
                             + (name.empty() ? std::to_string(spacing) + " ms" : name)
                             + " candles (the spacing of its open times); pass --interval "
                             + (name.empty() ? std::string{"matching the file"} : name)
                             + " or leave it out"};
      return r;
    }
  } else {
    std::int64_t best = 0;
    for (std::size_t i = 1; i < std::min<std::size_t>(file.candles.size(), 1000); ++i) {
      auto d = file.candles[i].open_time - file.candles[i - 1].open_time;
      if (d > 0 && (best == 0 || d < best))
        best = d;
    }
    file.interval = market::interval_name(best);
    if (file.interval.empty()) {
      r.error = file_error{path, 0,
                           "cannot infer the interval from the spacing of the times ("
                             + std::to_string(best) + " ms); pass --interval"};
      return r;
    }
    ms = best;
  }
  for (auto& c : file.candles) {
    if (c.interval.size() != file.interval.size() || c.interval != file.interval)
      c.interval = file.interval;
    if (c.close_time == 0)
      c.close_time = c.open_time + ms - 1;
  }
  return r;
}
} // namespace

std::string symbol_from_path(const std::string& path) {
  auto slash = path.find_last_of('/');
  auto base = slash == std::string::npos ? path : path.substr(slash + 1);
  auto end = base.find_first_of("-_.");
  auto word = base.substr(0, end);
  if (word.size() < 5)
    return {};
  for (char c : word)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
      return {};
  return word;
}

parse_result read_candle_file(const std::string& path, const std::string& symbol,
                              const std::string& interval) {
  std::ifstream in{path, std::ios::binary};
  if (!in) {
    parse_result r;
    r.file.path = path;
    r.error = file_error{path, 0, "cannot read the file"};
    return r;
  }
  std::string text;
  in.seekg(0, std::ios::end);
  auto size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (size > 0)
    text.resize(static_cast<std::size_t>(size));
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  return parse_candles(text, path, symbol, interval);
}

} // namespace herald::io
