// herald resample FILE --to I: resample a candle file to a higher interval.

#include <iostream>

#include "app/commands.hpp"
#include "io/files/candle_file.hpp"
#include "market/candle_csv.hpp"
#include "market/interval.hpp"
#include "market/resample.hpp"
#include "market/validation.hpp"

namespace herald::app {

int resample_command(const invocation& inv) {
  auto to = inv.get("to");
  auto to_ms = market::interval_ms(to);
  if (!to_ms) {
    std::cerr << "herald resample: --to '" << to << "' is not an interval (one of";
    for (auto& n : market::interval_names())
      std::cerr << " " << n;
    std::cerr << ")\n";
    return exit_usage;
  }
  auto parsed = io::read_candle_file(inv.args[0], inv.get("symbol"), inv.get("interval"));
  if (!parsed.ok()) {
    std::cerr << "herald resample: " << parsed.error->to_string() << "\n";
    return exit_usage;
  }
  auto& file = parsed.file;
  auto from_ms = *market::interval_ms(file.interval);
  if (*to_ms <= from_ms || *to_ms % from_ms != 0) {
    std::cerr << "herald resample: cannot resample " << file.interval << " to " << to
              << ": the target must be a larger multiple of the source interval\n";
    return exit_usage;
  }
  for (auto& p : file.problems)
    std::cerr << "herald resample: " << file.path << ":" << p.line << ": skipped: " << p.reason
              << "\n";
  market::series_validator v{from_ms};
  market::resampler r{from_ms, *to_ms, to};
  std::cout << market::csv_header() << "\n";
  std::size_t bars = 0;
  for (auto& c : file.candles) {
    if (v.check(c) != market::series_validator::verdict::accepted)
      continue;
    if (auto bar = r.push(c)) {
      market::write_csv(std::cout, *bar);
      ++bars;
    }
  }
  bool partial = r.bars_in_progress() != r.bars_per_output();
  if (auto last = r.flush()) {
    market::write_csv(std::cout, *last);
    ++bars;
  }
  std::cerr << "herald resample: " << file.path << " (" << io::to_string(file.format) << ", "
            << file.interval << "): " << v.accepted() << " candles -> " << bars << " " << to
            << " bars" << (partial ? " (the last one partial)" : "") << "; " << v.duplicates()
            << " duplicates, " << v.rejected() << " rejected, " << v.gaps().size() << " gaps\n";
  return exit_ok;
}

} // namespace herald::app
