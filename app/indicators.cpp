// herald indicators FILE [--interval I]: the indicators of a candle file as CSV.

#include <iostream>

#include "app/commands.hpp"
#include "io/files/candle_file.hpp"
#include "market/candle_csv.hpp"
#include "market/indicators.hpp"
#include "market/interval.hpp"
#include "market/validation.hpp"

namespace herald::app {

int indicators_command(const invocation& inv) {
  auto interval = inv.get("interval");
  if (!interval.empty() && !market::interval_ms(interval)) {
    std::cerr << "herald indicators: --interval '" << interval << "' is not an interval\n";
    return exit_usage;
  }
  auto parsed = io::read_candle_file(inv.args[0], "", interval);
  if (!parsed.ok()) {
    std::cerr << "herald indicators: " << parsed.error->to_string() << "\n";
    return exit_usage;
  }
  auto& file = parsed.file;
  for (auto& p : file.problems)
    std::cerr << "herald indicators: " << file.path << ":" << p.line << ": skipped: " << p.reason
              << "\n";
  market::series_validator v{*market::interval_ms(file.interval)};
  market::sma sma20{20};
  market::ema ema20{20};
  market::rsi rsi14{14};
  market::atr atr14{14};
  market::bollinger bb{20, 2};
  market::macd macd{12, 26, 9};
  market::zscore z20{20};
  auto cell = [](std::optional<double> x) {
    return x ? market::format_number(*x) : std::string{};
  };
  std::cout << "open_time,close,sma20,ema20,rsi14,atr14,bb_lower,bb_middle,bb_upper,macd,"
               "macd_signal,macd_hist,zscore20\n";
  for (auto& c : file.candles) {
    if (v.check(c) != market::series_validator::verdict::accepted)
      continue;
    auto b = bb.push(c.close);
    auto m = macd.push(c.close);
    std::cout << c.open_time << ',' << market::format_number(c.close) << ','
              << cell(sma20.push(c.close)) << ',' << cell(ema20.push(c.close)) << ','
              << cell(rsi14.push(c.close)) << ',' << cell(atr14.push(c.high, c.low, c.close))
              << ',' << cell(b ? std::optional<double>{b->lower} : std::nullopt) << ','
              << cell(b ? std::optional<double>{b->middle} : std::nullopt) << ','
              << cell(b ? std::optional<double>{b->upper} : std::nullopt) << ','
              << cell(m ? std::optional<double>{m->macd} : macd.line()) << ','
              << cell(m ? std::optional<double>{m->signal} : std::nullopt) << ','
              << cell(m ? std::optional<double>{m->histogram} : std::nullopt) << ','
              << cell(z20.push(c.close)) << '\n';
  }
  if (v.rejected() + v.duplicates() > 0)
    std::cerr << "herald indicators: " << v.duplicates() << " duplicates and " << v.rejected()
              << " invalid candles left out\n";
  return exit_ok;
}

} // namespace herald::app
