// The candles a command reads: files or the database (app/candle_input.hpp).
#include "app/candle_input.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <cstdio>
#include <iostream>

#include "app/commands.hpp"
#include "app/database.hpp"
#include "io/files/candle_file.hpp"

namespace herald::app {

/// "1700000000000" (ms), "2024-01-31" or "2024-01-31T12:00:00Z" -> ms.
std::optional<std::int64_t> parse_time(const std::string& s) {
  if (!s.empty() && std::all_of(s.begin(), s.end(), ::isdigit))
    return std::stoll(s);
  int y, mo, d, h = 0, mi = 0, sec = 0;
  char tail = 0;
  auto n = std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &sec, &tail);
  if (n != 3 && !(n == 7 && tail == 'Z') && n != 6)
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
    return std::nullopt;
  // days from civil (Howard Hinnant's algorithm)
  y -= mo <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  std::int64_t days = era * 146097LL + static_cast<std::int64_t>(doe) - 719468;
  return ((days * 24 + h) * 60 + mi) * 60'000LL + sec * 1000LL;
}

std::vector<std::string> split_symbols(const std::string& list) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at <= list.size()) {
    auto comma = list.find(',', at);
    auto x = list.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    if (!x.empty())
      out.push_back(x);
    if (comma == std::string::npos)
      break;
    at = comma + 1;
  }
  return out;
}

bool parse_range(const invocation& inv, const char* me, candle_request& req) {
  for (auto [opt, out] : {std::pair{"from", &req.from}, std::pair{"to", &req.to}})
    if (inv.has(opt)) {
      auto t = parse_time(inv.get(opt));
      if (!t) {
        std::cerr << me << ": --" << opt << " '" << inv.get(opt)
                  << "' is not a time (ms since the epoch, YYYY-MM-DD or "
                     "YYYY-MM-DDTHH:MM:SSZ)\n";
        return false;
      }
      *out = *t;
      req.ranged = true;
    }
  return true;
}

bool json_writable(const invocation& inv, const char* me) {
  if (!inv.has("json"))
    return true;
  auto path = inv.get("json");
  bool existed = std::filesystem::exists(path);
  std::ofstream probe(path, std::ios::app);
  if (!probe) {
    std::cerr << me << ": --json " << path << ": cannot write there (" << std::strerror(errno)
              << ")\n";
    return false;
  }
  probe.close();
  if (!existed)
    std::filesystem::remove(path);
  return true;
}

std::optional<std::vector<candle>> gather_candles(const char* me, const prepared_config& p,
                                                  candle_request& req, int& exit_code) {
  auto fail = [&](int code) -> std::optional<std::vector<candle>> {
    exit_code = code;
    return std::nullopt;
  };
  std::vector<candle> candles;
  if (!req.files.empty()) {
    for (auto& f : req.files) {
      auto named = io::symbol_from_path(f);
      if (!req.symbol.empty() && !named.empty() && named != req.symbol) {
        std::cerr << me << ": " << (req.strict ? "" : "warning: ") << f << " is named for " << named
                  << ", but --symbol says " << req.symbol
                  << (req.strict ? " (--strict)" : "; using " + req.symbol) << "\n";
        if (req.strict)
          return fail(exit_usage);
      }
      auto parsed = io::read_candle_file(f, req.symbol, req.interval);
      if (!parsed.ok()) {
        std::cerr << me << ": " << parsed.error->to_string() << "\n";
        return fail(exit_usage);
      }
      auto& file = parsed.file;
      for (auto& pr : file.problems)
        std::cerr << me << ": " << f << ":" << pr.line << ": skipped: " << pr.reason << "\n";
      if (req.interval.empty())
        req.interval = file.interval;
      else if (file.interval != req.interval) {
        std::cerr << me << ": " << f << " holds " << file.interval << " candles, not "
                  << req.interval << "\n";
        return fail(exit_usage);
      }
      // Without --symbol each file's series is named by the file
      // (BTCUSDT-1m-2021-01-01.csv, BTCUSDT_1h.csv): files of several
      // symbols make a backtest of several series (one portfolio).
      auto file_symbol = req.symbol;
      if (file_symbol.empty())
        file_symbol = named.empty() ? "BACKTEST" : named;
      for (auto& c : file.candles)
        if (c.open_time >= req.from && c.open_time < req.to) {
          c.symbol = file_symbol;
          c.interval = req.interval;
          candles.push_back(std::move(c));
        }
    }

  } else {
    if (req.symbol.empty() || req.interval.empty()) {
      std::cerr << me << ": --db needs --symbol and --interval\n";
      return fail(exit_usage);
    }
    bool usage_error = false;
    auto store = open_database(p.loaded, req.db_url, usage_error, true);
    if (!store)
      return fail(usage_error ? exit_usage : exit_failure);
    try {
      for (auto& sym : split_symbols(req.symbol)) {
        auto cs = store->candles_between(sym, req.interval, req.from, req.to);
        candles.insert(candles.end(), std::make_move_iterator(cs.begin()),
                       std::make_move_iterator(cs.end()));
      }
    } catch (const std::exception& e) {
      std::cerr << me << ": " << e.what() << "\n";
      return fail(exit_failure);
    }
  }
  // Files and the database give candles in time order already: one pass to
  // check, and a sort only for several symbols (or a file out of order).
  auto by_time = [](const candle& a, const candle& b) { return a.open_time < b.open_time; };
  if (!std::is_sorted(candles.begin(), candles.end(), by_time))
    std::stable_sort(candles.begin(), candles.end(), by_time);
  if (candles.empty()) {
    std::cerr << me << ": no candles" << (req.ranged ? " in the range" : "")
              << "\n";
    return fail(exit_usage);
  }

  return candles;
}

} // namespace herald::app
