// Candle file parsing: every real file, and malformed input.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <random>

#include "io/files/candle_file.hpp"
#include "market/interval.hpp"
#include "market/validation.hpp"
#include "support/market_data.hpp"

using namespace herald;
using namespace herald::io;
using herald::market::format_utc;

namespace {

struct expect {
  const char* file;
  candle_format format;
  std::size_t rows;
  const char* first;
  const char* last;
  const char* interval;
  bool micro;
  std::size_t gaps;
};

parse_result load(const std::string& rel) {
  return read_candle_file(test::market_data(rel), "X", "");
}

} // namespace

TEST_CASE("every shared market data file parses with its row count, times and gaps",
          "[io][files][data]") {
  HERALD_REQUIRE_MARKET_DATA();
  const expect files[] = {
    {"binance_spot_1m_datavision/BTCUSDT-1m-2021-01-01.csv", candle_format::datavision_csv, 1440,
     "2021-01-01 00:00:00", "2021-01-01 23:59:00", "1m", false, 0},
    {"binance_spot_1m_datavision/BTCUSDT-1m-2021-01-07.csv", candle_format::datavision_csv, 1440,
     "2021-01-07 00:00:00", "2021-01-07 23:59:00", "1m", false, 0},
    {"binance_spot_1m_datavision/BTCUSDT-1m-2025-11-28.csv", candle_format::datavision_csv, 1440,
     "2025-11-28 00:00:00", "2025-11-28 23:59:00", "1m", true, 0},
    {"binance_spot_1m_datavision/BTCUSDT-1m-2025-11-30.csv", candle_format::datavision_csv, 1440,
     "2025-11-30 00:00:00", "2025-11-30 23:59:00", "1m", true, 0},
    {"binance_spot_1h_4h/BTCUSDT_1h.csv", candle_format::header_csv, 19704,
     "2024-01-01 00:00:00", "2026-03-31 23:00:00", "1h", false, 0},
    {"binance_spot_1h_4h/ETHUSDT_1h.csv", candle_format::header_csv, 19704,
     "2024-01-01 00:00:00", "2026-03-31 23:00:00", "1h", false, 0},
    {"binance_spot_1h_4h/BTCUSDT_4h.csv", candle_format::header_csv, 4926,
     "2024-01-01 00:00:00", "2026-03-31 20:00:00", "4h", false, 0},
    {"binance_spot_5m/BTCUSDT_5m.csv", candle_format::header_csv, 9118, "2025-08-19 15:10:00",
     "2025-09-21 01:30:00", "5m", false, 1},
    {"binance_spot_5m/ETHUSDT_5m.csv", candle_format::header_csv, 9118, "2025-08-19 15:10:00",
     "2025-09-21 01:30:00", "5m", false, 1},
    {"freqtrade_testdata/XRP_ETH-1m.json", candle_format::json_rows, 3560, nullptr, nullptr,
     "1m", false, 0},
    {"freqtrade_testdata/XRP_ETH-5m.json", candle_format::json_rows, 712, nullptr, nullptr, "5m",
     false, 0},
    {"freqtrade_testdata/XRP_USDT_USDT-1h-futures.json", candle_format::json_rows, 100, nullptr,
     nullptr, "1h", false, 0},
    {"freqtrade_testdata/XRP_USDT_USDT-5m-futures.json", candle_format::json_rows, 1999, nullptr,
     nullptr, "5m", false, 0},
    {"freqtrade_testdata/UNITTEST_BTC-1m.json", candle_format::json_rows, 13681, nullptr, nullptr,
     "1m", false, 999},
    {"freqtrade_testdata/orderflow_candles_BTCUSDT_5m.json", candle_format::json_columns, 10999,
     nullptr, nullptr, "5m", false, 0},
  };
  for (auto& e : files) {
    INFO(e.file);
    auto r = load(e.file);
    REQUIRE(r.ok());
    auto& f = r.file;
    CHECK(f.format == e.format);
    CHECK(f.rows == e.rows);
    CHECK(f.candles.size() == e.rows);
    CHECK(f.problems.empty());
    CHECK(f.interval == e.interval);
    CHECK(f.microseconds == e.micro);
    if (e.first) {
      CHECK(format_utc(f.candles.front().open_time) == e.first);
      CHECK(format_utc(f.candles.back().open_time) == e.last);
    }
    market::series_validator v{*market::interval_ms(f.interval)};
    for (auto& c : f.candles)
      v.check(c);
    CHECK(v.accepted() == e.rows);
    CHECK(v.rejected() == 0);
    if (e.gaps != 999)
      CHECK(v.gaps().size() == e.gaps);
    else
      CHECK_FALSE(v.gaps().empty()); // UNITTEST_BTC has gaps on purpose
  }
}

TEST_CASE("the 5m files report their 18h40m gap and read the truncated rows as OHLCV only",
          "[io][files][data]") {
  HERALD_REQUIRE_MARKET_DATA();
  auto r = load("binance_spot_5m/BTCUSDT_5m.csv");
  REQUIRE(r.ok());
  market::series_validator v{5 * market::minute_ms};
  for (auto& c : r.file.candles)
    v.check(c);
  REQUIRE(v.gaps().size() == 1);
  auto& g = v.gaps()[0];
  // the last bar before the gap opened 05:25, the next one 00:05 the day after
  CHECK(format_utc(g.from - 5 * market::minute_ms) == "2025-09-20 05:25:00");
  CHECK(format_utc(g.to) == "2025-09-21 00:05:00");
  CHECK(g.to - (g.from - 5 * market::minute_ms) == (18 * 60 + 40) * market::minute_ms);
  auto& cs = r.file.candles;
  for (std::size_t i = cs.size() - 9; i < cs.size(); ++i) {
    CHECK_FALSE(cs[i].has_extras);
    CHECK(cs[i].close_time == cs[i].open_time + 5 * market::minute_ms - 1);
  }
  CHECK(cs[cs.size() - 10].has_extras);
  CHECK(cs.front().trades == 26760); // float-formatted integer "26760.0"
  CHECK(cs.front().close_time == 1755616499999);
}

TEST_CASE("microsecond data.vision times become milliseconds, close times included",
          "[io][files]") {
  auto r = parse_candles("1764288000000000,1,2,0.5,1.5,10,1764288059999999,15,3,4,6,0\n", "t.csv",
                         "BTCUSDT", "1m");
  REQUIRE(r.ok());
  REQUIRE(r.file.candles.size() == 1);
  CHECK(r.file.microseconds);
  CHECK(r.file.candles[0].open_time == 1764288000000);
  CHECK(r.file.candles[0].close_time == 1764288059999);
  CHECK(r.file.candles[0].has_extras);
  CHECK(r.file.candles[0].trades == 3);
}

TEST_CASE("malformed rows are skipped with their line and reason", "[io][files][malformed]") {
  std::string text = "1609459200000,1,2,0.5,1.5,10,1609459259999,15,3,4,6,0\n"
                     "1609459260000,1,2,0.5\n"                               // truncated
                     "1609459320000,abc,2,0.5,1.5,10,1609459379999,15,3,4,6,0\n" // text
                     "1609459380000,1,2,0.5,1.5,10,1609459439999,15,3,4,6,0\n";
  auto r = parse_candles(text, "t.csv", "BTCUSDT", "1m");
  REQUIRE(r.ok());
  CHECK(r.file.candles.size() == 2);
  REQUIRE(r.file.problems.size() == 2);
  CHECK(r.file.problems[0].line == 2);
  CHECK(r.file.problems[0].reason.find("at least 6 fields") != std::string::npos);
  CHECK(r.file.problems[1].line == 3);
  CHECK(r.file.problems[1].reason == "field 'open' is not a number: 'abc'");
}

TEST_CASE("files that cannot be read at all name file, line and reason",
          "[io][files][malformed]") {
  auto empty = parse_candles("", "empty.csv", "X", "");
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error->to_string() == "empty.csv: empty file: no candles");

  auto header = parse_candles("when,price\n1,2\n", "h.csv", "X", "");
  REQUIRE_FALSE(header.ok());
  CHECK(header.error->line == 1);
  CHECK(header.error->reason.find("no 'open time' column") != std::string::npos);

  auto json = parse_candles("[[1,2,3],\n[1,2", "bad.json", "X", "");
  REQUIRE_FALSE(json.ok());
  CHECK(json.error->line == 2);
  CHECK(json.error->reason.find("invalid JSON") != std::string::npos);

  std::string huge(10 * 1024 * 1024, '7');
  auto one_line = parse_candles(huge, "huge.csv", "X", "");
  REQUIRE_FALSE(one_line.ok());
  CHECK(one_line.error->line == 1);

  std::mt19937 rng{42};
  std::string garbage(1 << 16, '\0');
  for (auto& ch : garbage)
    ch = static_cast<char>(rng());
  auto bin = parse_candles(garbage, "garbage.bin", "X", "");
  CHECK_FALSE(bin.ok()); // an error, not a crash
  CHECK_FALSE(bin.error->to_string().empty());

  // found by fuzzing: a number too large for JSON's number types
  auto overflow = parse_candles(R"({"date":{"0":16726e4800000}})", "o.json", "X", "");
  REQUIRE_FALSE(overflow.ok());
  CHECK(overflow.error->reason.find("invalid JSON") != std::string::npos);

  // found by fuzzing: a trade count beyond any integer
  auto trades = parse_candles("1764288000000000,1,2,0.5,1.5,10,1764288059999999,15,1e109,4,6,0\n",
                              "t.csv", "X", "1m");
  REQUIRE_FALSE(trades.ok());
  CHECK(trades.error->reason.find("'trades' out of range") != std::string::npos);

  auto missing = read_candle_file("/nonexistent/x.csv", "X", "");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error->to_string() == "/nonexistent/x.csv: cannot read the file");
}

TEST_CASE("the interval is inferred from the times unless given", "[io][files]") {
  auto r = parse_candles("timestamp,open,high,low,close,volume\n"
                         "2024-01-01 00:00:00+0000,1,2,0.5,1.5,10\n"
                         "2024-01-01 00:15:00+0000,1,2,0.5,1.5,10\n",
                         "t.csv", "X", "");
  REQUIRE(r.ok());
  CHECK(r.file.interval == "15m");
  CHECK(r.file.candles[0].close_time == r.file.candles[0].open_time + 15 * 60'000 - 1);
  auto odd = parse_candles("1000000000000,1,2,0.5,1.5,10\n1000000007000,1,2,0.5,1.5,10\n",
                           "t.csv", "X", "");
  REQUIRE_FALSE(odd.ok());
  CHECK(odd.error->reason.find("pass --interval") != std::string::npos);
}

TEST_CASE("numbers parse exactly like strtod", "[io][files][numbers]") {
  std::mt19937_64 rng{7};
  for (int i = 0; i < 20000; ++i) {
    char buf[64];
    auto whole = rng() % 1'000'000;
    auto frac = rng() % 100'000'000;
    std::snprintf(buf, sizeof(buf), "%llu.%08llu", static_cast<unsigned long long>(whole),
                  static_cast<unsigned long long>(frac));
    double ours = 0;
    REQUIRE(parse_number(buf, buf + std::strlen(buf), ours));
    CHECK(ours == std::strtod(buf, nullptr));
  }
  double x;
  CHECK(parse_number("1e-5", "1e-5" + 4, x));
  CHECK(x == 1e-5);
  CHECK(parse_number("-2.5", "-2.5" + 4, x));
  CHECK(x == -2.5);
  CHECK_FALSE(parse_number("12a", "12a" + 3, x));
  CHECK_FALSE(parse_number("", "", x));
  CHECK_FALSE(parse_number(".", "." + 1, x));
}
