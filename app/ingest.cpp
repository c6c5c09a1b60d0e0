// herald ingest FILE... --symbol S [--interval I] [--db URL]: import candle
// files into the database, idempotently.

#include <iostream>
#include <map>

#include <unistd.h>

#include "app/commands.hpp"
#include "app/database.hpp"
#include "app/prepare.hpp"
#include "app/progress.hpp"
#include "io/files/candle_file.hpp"
#include "market/interval.hpp"
#include "market/validation.hpp"

namespace herald::app {

int ingest_command(const invocation& inv) {
  auto symbol = inv.get("symbol");
  if (symbol.empty()) {
    std::cerr << "herald ingest: --symbol is required (e.g. --symbol BTCUSDT)\n";
    return exit_usage;
  }
  auto interval = inv.get("interval");
  if (!interval.empty() && !market::interval_ms(interval)) {
    std::cerr << "herald ingest: --interval '" << interval << "' is not an interval\n";
    return exit_usage;
  }
  auto p = prepare(inv);
  if (!p)
    return exit_usage;
  bool usage_error = false;
  auto store = open_database(p->loaded, inv.get("db"), usage_error);
  if (!store)
    return usage_error ? exit_usage : exit_failure;
  try {
    store->migrate();
  } catch (const db::storage_error& e) {
    std::cerr << "herald ingest: " << e.what() << "\n";
    return exit_failure;
  }
  bool terminal = ::isatty(2) == 1;
  std::uint64_t total_read = 0, total_stored = 0, total_present = 0;
  for (auto& path : inv.args) {
    auto named = io::symbol_from_path(path);
    if (!named.empty() && named != symbol) {
      bool strict = inv.has("strict");
      std::cerr << "herald ingest: " << (strict ? "" : "warning: ") << path << " is named for "
                << named << ", but --symbol says " << symbol
                << (strict ? " (--strict)" : "; stored as " + symbol) << "\n";
      if (strict)
        return exit_usage;
    }
    auto parsed = io::read_candle_file(path, symbol, interval);
    if (!parsed.ok()) {
      std::cerr << "herald ingest: " << parsed.error->to_string() << "\n";
      return exit_usage;
    }
    auto& file = parsed.file;
    market::series_validator v{*market::interval_ms(file.interval)};
    std::vector<candle> good;
    good.reserve(file.candles.size());
    for (auto& c : file.candles)
      if (v.check(c) == market::series_validator::verdict::accepted)
        good.push_back(c);
    auto before = store->count_candles(symbol, file.interval);
    progress_display bar{path, good.size(), terminal};
    const std::size_t chunk = 10'000;
    try {
      for (std::size_t i = 0; i < good.size(); i += chunk) {
        db::write_batch b;
        b.candles.assign(good.begin() + static_cast<std::ptrdiff_t>(i),
                         good.begin() + static_cast<std::ptrdiff_t>(std::min(good.size(), i + chunk)));
        store->write(b);
        bar.update(i + b.candles.size());
      }
    } catch (const db::storage_error& e) {
      std::cerr << "\nherald ingest: " << path << ": " << e.what() << "\n";
      return exit_failure;
    }
    bar.finish(good.size());
    auto stored = static_cast<std::uint64_t>(store->count_candles(symbol, file.interval) - before);
    total_read += file.rows;
    total_stored += stored;
    total_present += good.size() - stored;
    // Summary of this file.
    std::cout << path << " (" << io::to_string(file.format) << ", " << symbol << " "
              << file.interval << (file.microseconds ? ", microsecond times" : "") << "):\n"
              << "  read " << file.rows << " rows, stored " << stored << ", already present "
              << (good.size() - stored) << ", duplicates " << v.duplicates() << ", rejected "
              << (v.rejected() + file.problems.size()) << "\n";
    for (std::size_t r = 0; r < static_cast<std::size_t>(market::reject_reason::count_); ++r)
      if (auto n = v.rejected(static_cast<market::reject_reason>(r)))
        std::cout << "    rejected (" << market::to_string(static_cast<market::reject_reason>(r))
                  << "): " << n << "\n";
    if (!file.problems.empty()) {
      std::cout << "    rejected (unreadable row): " << file.problems.size() << "\n";
      for (std::size_t i = 0; i < std::min<std::size_t>(file.problems.size(), 5); ++i)
        std::cout << "      line " << file.problems[i].line << ": " << file.problems[i].reason
                  << "\n";
    }
    auto ms = *market::interval_ms(file.interval);
    std::cout << "  gaps " << v.gaps().size() << "\n";
    for (std::size_t i = 0; i < std::min<std::size_t>(v.gaps().size(), 5); ++i) {
      auto& g = v.gaps()[i];
      std::cout << "    " << market::format_utc(g.from) << " .. " << market::format_utc(g.to)
                << " (" << g.missing(ms) << " bars missing)\n";
    }
  }
  if (inv.args.size() > 1)
    std::cout << "total: read " << total_read << " rows, stored " << total_stored
              << ", already present " << total_present << "\n";
  return exit_ok;
}

} // namespace herald::app
