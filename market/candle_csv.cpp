#include "market/candle_csv.hpp"

#include <charconv>

namespace herald::market {

const char* csv_header() {
  return "open_time,open,high,low,close,volume,close_time,quote_volume,trades,taker_buy_base,"
         "taker_buy_quote";
}

std::string format_number(double x) {
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof(buf), x);
  return std::string{buf, res.ptr};
}

void write_csv(std::ostream& out, const candle& c) {
  out << c.open_time << ',' << format_number(c.open) << ',' << format_number(c.high) << ','
      << format_number(c.low) << ',' << format_number(c.close) << ','
      << format_number(c.volume) << ',' << c.close_time << ',';
  if (c.has_extras)
    out << format_number(c.quote_volume) << ',' << c.trades << ','
        << format_number(c.taker_buy_base) << ',' << format_number(c.taker_buy_quote);
  else
    out << ",,,";
  out << '\n';
}

} // namespace herald::market
