// herald backtest (--file F... | --db URL) [--symbol S] [--interval I]
//   [--from T] [--to T] [--horizon N] [--json PATH]
// Replays candles through the same actors as a live run (hub -> pipeline ->
// analyzer actors -> risk manager), as fast as they go, with flow control,
// and reports the statistics of analysis/backtest_report.hpp.

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <unistd.h>

#include <caf/all.hpp>

#include "actors/analysis/pipeline.hpp"
#include "actors/analysis/risk.hpp"
#include "actors/app_tree.hpp"
#include "actors/data/hub.hpp"
#include "analysis/backtest_report.hpp"
#include "app/commands.hpp"
#include "app/database.hpp"
#include "app/prepare.hpp"
#include "app/progress.hpp"
#include "io/files/candle_file.hpp"
#include "market/interval.hpp"
#include "market/validation.hpp"

namespace herald::app {

namespace {

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

} // namespace

int backtest_command(const invocation& inv) {
  const char* me = "herald backtest";
  std::vector<std::string> files = inv.args;
  if (inv.has("file"))
    files.insert(files.begin(), inv.get("file"));
  if (files.empty() == !inv.has("db")) {
    std::cerr << me << ": give either --file F... or --db URL\n";
    return exit_usage;
  }
  auto symbol = inv.get("symbol"), interval = inv.get("interval");
  if (!interval.empty() && !market::interval_ms(interval)) {
    std::cerr << me << ": --interval '" << interval << "' is not an interval\n";
    return exit_usage;
  }
  std::int64_t from = std::numeric_limits<std::int64_t>::min();
  std::int64_t to = std::numeric_limits<std::int64_t>::max();
  for (auto [opt, out] : {std::pair{"from", &from}, std::pair{"to", &to}})
    if (inv.has(opt)) {
      auto t = parse_time(inv.get(opt));
      if (!t) {
        std::cerr << me << ": --" << opt << " '" << inv.get(opt)
                  << "' is not a time (ms since the epoch, YYYY-MM-DD or "
                     "YYYY-MM-DDTHH:MM:SSZ)\n";
        return exit_usage;
      }
      *out = *t;
    }
  long horizon = 10;
  if (inv.has("horizon")) {
    char* end = nullptr;
    horizon = std::strtol(inv.get("horizon").c_str(), &end, 10);
    if (*end != '\0' || horizon < 1 || horizon > 100000) {
      std::cerr << me << ": --horizon '" << inv.get("horizon")
                << "' must be a whole number of bars in [1, 100000]\n";
      return exit_usage;
    }
  }
  // --json must be writable before hours of work, not after.
  if (inv.has("json")) {
    auto path = inv.get("json");
    bool existed = std::filesystem::exists(path);
    std::ofstream probe(path, std::ios::app);
    if (!probe) {
      std::cerr << me << ": --json " << path << ": cannot write there ("
                << std::strerror(errno) << ")\n";
      return exit_usage;
    }
    probe.close();
    if (!existed)
      std::filesystem::remove(path);
  }
  bool strict = inv.has("strict");
  auto p = prepare(inv);
  if (!p || !setup_logging(p->loaded.values))
    return exit_usage;
  auto& s = p->loaded.values;

  // -- the candles --------------------------------------------------------------------
  std::vector<candle> candles;
  if (!files.empty()) {
    for (auto& f : files) {
      auto named = io::symbol_from_path(f);
      if (!symbol.empty() && !named.empty() && named != symbol) {
        std::cerr << me << ": " << (strict ? "" : "warning: ") << f << " is named for " << named
                  << ", but --symbol says " << symbol
                  << (strict ? " (--strict)" : "; using " + symbol) << "\n";
        if (strict)
          return exit_usage;
      }
      auto parsed = io::read_candle_file(f, symbol, interval);
      if (!parsed.ok()) {
        std::cerr << me << ": " << parsed.error->to_string() << "\n";
        return exit_usage;
      }
      auto& file = parsed.file;
      for (auto& pr : file.problems)
        std::cerr << me << ": " << f << ":" << pr.line << ": skipped: " << pr.reason << "\n";
      if (interval.empty())
        interval = file.interval;
      else if (file.interval != interval) {
        std::cerr << me << ": " << f << " holds " << file.interval << " candles, not "
                  << interval << "\n";
        return exit_usage;
      }
      for (auto& c : file.candles)
        if (c.open_time >= from && c.open_time < to)
          candles.push_back(std::move(c));
    }
    if (symbol.empty()) {
      // The series is named by its file (BTCUSDT-1m-2021-01-01.csv, BTCUSDT_1h.csv).
      symbol = io::symbol_from_path(files[0]);
      if (symbol.empty())
        symbol = "BACKTEST";
      for (auto& c : candles)
        c.symbol = symbol;
    }
  } else {
    if (symbol.empty() || interval.empty()) {
      std::cerr << me << ": --db needs --symbol and --interval\n";
      return exit_usage;
    }
    bool usage_error = false;
    auto store = open_database(p->loaded, inv.get("db"), usage_error, true);
    if (!store)
      return usage_error ? exit_usage : exit_failure;
    try {
      candles = store->candles_between(symbol, interval, from, to);
    } catch (const std::exception& e) {
      std::cerr << me << ": " << e.what() << "\n";
      return exit_failure;
    }
  }
  std::stable_sort(candles.begin(), candles.end(),
                   [](const candle& a, const candle& b) { return a.open_time < b.open_time; });
  if (candles.empty()) {
    std::cerr << me << ": no candles" << (inv.has("from") || inv.has("to") ? " in the range" : "")
              << "\n";
    return exit_usage;
  }

  // -- the actors, as in a live run ---------------------------------------------------------
  auto opts = analysis_options_from(s);
  opts.persist = false;
  opts.pipeline.symbols = {symbol};
  opts.pipeline.intervals = {interval};
  opts.pipeline.order_wait = std::chrono::milliseconds{0};
  const std::size_t chunk = opts.pipeline.max_batch;
  const std::size_t window = 4 * chunk; // candles fed but not yet analysed
  auto dir = std::make_shared<supervision::agent_directory>();
  analysis::backtest_report report{horizon};
  std::uint64_t expected = 0, done = 0;
  {
    caf::actor_system sys{p->system};
    data::hub_options ho;
    ho.persist = false;
    ho.resample_to.clear();
    ho.depth = opts.rebuild_candles + window + chunk;
    auto hub = data::spawn_hub(sys, ho, dir);
    dir->started("data.hub", hub.address(), false);
    auto tree = supervision::spawn_supervisor(sys, analysis_actors::analysis_tree(opts, dir));
    caf::scoped_actor self{sys};
    bool ok = true;
    self->request(tree, std::chrono::seconds{30}, ready_atom::value)
      .receive([](bool) {}, [&](caf::error& e) {
        std::cerr << me << ": the analysis agents did not start: " << sys.render(e) << "\n";
        ok = false;
      });
    auto risk = caf::actor_cast<analysis_actors::risk_actor>(dir->find("analysis.risk"));
    if (ok && risk)
      self->request(risk, std::chrono::seconds{10}, subscribe_atom::value,
                    caf::actor_cast<analysis_actors::risk_sink_actor>(self))
        .receive([](bool) {}, [&](caf::error&) { ok = false; });
    progress_display bar{"backtest", candles.size(), isatty(STDERR_FILENO) != 0};
    std::size_t fed = 0;
    double equity = opts.risk.initial_equity, max_dd = 0;
    std::uint64_t trades = 0;
    bool stalled = false;
    auto take = [&](risk_report& r) {
      for (std::size_t i = 0; i < r.signals.size(); ++i) {
        std::optional<analysis::insight> in;
        if (r.insight_of[i] >= 0)
          in = r.insights[static_cast<std::size_t>(r.insight_of[i])];
        report.add(r.signals[i], in);
      }
      done += r.signals.size();
      equity = r.equity;
      max_dd = r.max_drawdown;
      trades = r.trades;
      bar.update(done);
    };
    auto wait_for = [&](std::uint64_t target) {
      while (!stalled && done < target)
        self->receive([&](risk_report& r) { take(r); return true; },
                      caf::after(std::chrono::seconds{60}) >> [&] { stalled = true; });
    };
    while (ok && fed < candles.size() && !stalled) {
      auto n = std::min(chunk, candles.size() - fed);
      std::vector<candle> batch(candles.begin() + static_cast<std::ptrdiff_t>(fed),
                                candles.begin() + static_cast<std::ptrdiff_t>(fed + n));
      fed += n;
      self->request(hub, std::chrono::seconds{60}, std::move(batch))
        .receive([&](std::uint64_t accepted) { expected += accepted; },
                 [&](caf::error& e) {
                   std::cerr << me << ": the hub refused candles: " << sys.render(e) << "\n";
                   ok = false;
                 });
      if (expected > window)
        wait_for(expected - window);
    }
    wait_for(expected);
    bar.finish(done);
    report.set_portfolio(opts.risk.initial_equity, equity, max_dd, trades);
    std::uint64_t late = 0, failed = 0;
    if (auto pl = caf::actor_cast<analysis_actors::pipeline_actor>(dir->find("analysis.pipeline")))
      self->request(pl, std::chrono::seconds{10}, stats_atom::value)
        .receive([&](std::uint64_t, std::uint64_t, std::uint64_t l, std::uint64_t f,
                     std::uint64_t) { late = l, failed = f; },
                 [](caf::error&) {});
    self->send_exit(tree, caf::exit_reason::user_shutdown);
    self->send_exit(hub, caf::exit_reason::user_shutdown);
    if (!ok)
      return exit_failure;
    if (stalled) {
      std::cerr << me << ": the pipeline stopped answering after " << done << " of " << expected
                << " candles\n";
      return exit_failure;
    }
    std::cout << "backtest of " << symbol << " " << interval << ", "
              << market::format_utc(candles.front().open_time) << " .. "
              << market::format_utc(candles.back().open_time) << ", horizon " << horizon
              << " bars (" << expected << " candles accepted of " << candles.size() << ")\n";
    if (late + failed > 0)
      std::cout << "analyzers left out: " << late << " late, " << failed << " failed\n";
  }
  std::cout << report.text();
  if (inv.has("json")) {
    std::ofstream out(inv.get("json"));
    out << report.json() << "\n";
    if (!out) {
      std::cerr << me << ": cannot write " << inv.get("json") << "\n";
      return exit_failure;
    }
  }
  return exit_ok;
}

} // namespace herald::app
