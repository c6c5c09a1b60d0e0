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
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "app/backtest_engine.hpp"
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

int write_json(const invocation& inv, const std::string& doc) {
  if (!inv.has("json"))
    return exit_ok;
  std::ofstream out(inv.get("json"));
  out << doc << "\n";
  if (!out) {
    std::cerr << "herald backtest: cannot write " << inv.get("json") << "\n";
    return exit_failure;
  }
  return exit_ok;
}

/// `--cluster URL`: the node at URL runs it over the cluster's analysis
/// nodes, on the candles of the cluster's database.
int cluster_backtest(const invocation& inv, const std::string& symbol, const std::string& interval,
                     std::int64_t from, std::int64_t to, long horizon) {
  const char* me = "herald backtest";
  auto url = inv.get("cluster");
  std::string rest = url;
  bool tls = false;
  if (rest.rfind("http://", 0) == 0)
    rest = rest.substr(7);
  else if (rest.rfind("https://", 0) == 0)
    rest = rest.substr(8), tls = true;
  else {
    std::cerr << me << ": --cluster '" << url << "' must be a node's URL (http://HOST:PORT)\n";
    return exit_usage;
  }
  if (!rest.empty() && rest.back() == '/')
    rest.pop_back();
  if (tls) {
    std::cerr << me << ": --cluster: use the node's http:// address (TLS in front of the API is "
                     "a proxy's job, see docker/)\n";
    return exit_usage;
  }
  auto colon = rest.rfind(':');
  std::string host = rest.substr(0, colon);
  int port = 80;
  if (colon != std::string::npos) {
    auto ps = rest.substr(colon + 1);
    if (ps.empty() || ps.find_first_not_of("0123456789") != std::string::npos || ps.size() > 5) {
      std::cerr << me << ": --cluster '" << url << "': bad port\n";
      return exit_usage;
    }
    port = std::stoi(ps);
  }
  std::string token = inv.get("token");
  if (token.empty())
    if (const char* t = std::getenv("HERALD_API_TOKEN"))
      token = t;
  if (token.empty()) {
    std::cerr << me << ": --cluster needs an operator's API token (--token or "
                     "$HERALD_API_TOKEN)\n";
    return exit_usage;
  }
  nlohmann::json body{{"symbols", split_symbols(symbol)}, {"interval", interval},
                      {"horizon", horizon}};
  if (from != std::numeric_limits<std::int64_t>::min())
    body["from"] = from;
  if (to != std::numeric_limits<std::int64_t>::max())
    body["to"] = to;
  httplib::Client cli{host, port};
  cli.set_connection_timeout(5, 0);
  cli.set_read_timeout(3600, 0); // a backtest takes as long as it takes
  httplib::Headers headers{{"Authorization", "Bearer " + token}};
  auto res = cli.Post("/api/v1/backtests", headers, body.dump(), "application/json");
  if (!res) {
    std::cerr << me << ": cannot reach " << url << ": " << httplib::to_string(res.error())
              << " error (is a herald node listening there? see its log for "
                 "\"http: listening on\")\n";
    return exit_failure;
  }
  auto j = nlohmann::json::parse(res->body, nullptr, false);
  if (res->status != 200) {
    std::string msg = res->body;
    if (j.is_object() && j.contains("error") && j["error"].is_object())
      msg = j["error"].value("message", msg);
    std::cerr << me << ": " << url << " answered " << res->status << ": " << msg << "\n";
    return res->status == 400 ? exit_usage : exit_failure;
  }
  if (!j.is_object() || !j.contains("text") || !j.contains("report")) {
    std::cerr << me << ": " << url << " answered something that is not a backtest report\n";
    return exit_failure;
  }
  std::cout << j["text"].get<std::string>();
  std::cout << "analysed on:";
  for (auto& [id, node] : j["placement"].items())
    std::cout << " " << id << "@" << node.get<std::string>();
  std::cout << "\n";
  if (j.value("late", 0) + j.value("failed", 0) > 0)
    std::cout << "analyzers left out: " << j.value("late", 0) << " late, " << j.value("failed", 0)
              << " failed\n";
  return write_json(inv, j["report"].dump());
}

} // namespace

int backtest_command(const invocation& inv) {
  const char* me = "herald backtest";
  std::vector<std::string> files = inv.args;
  if (inv.has("file"))
    files.insert(files.begin(), inv.get("file"));
  if (files.empty() == !inv.has("db") && !inv.has("cluster")) {
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
  if (inv.has("cluster")) {
    if (!files.empty() || inv.has("db") || symbol.empty() || interval.empty()) {
      std::cerr << me << ": --cluster runs on the cluster's database: give --symbol S[,S...] and "
                         "--interval, not files (ingest them first: herald ingest --db URL)\n";
      return exit_usage;
    }
    return cluster_backtest(inv, symbol, interval, from, to, horizon);
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
      // Without --symbol each file's series is named by the file
      // (BTCUSDT-1m-2021-01-01.csv, BTCUSDT_1h.csv): files of several
      // symbols make a backtest of several series (one portfolio).
      auto file_symbol = symbol;
      if (file_symbol.empty())
        file_symbol = named.empty() ? "BACKTEST" : named;
      for (auto& c : file.candles)
        if (c.open_time >= from && c.open_time < to) {
          c.symbol = file_symbol;
          c.interval = interval;
          candles.push_back(std::move(c));
        }
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
      for (auto& sym : split_symbols(symbol)) {
        auto cs = store->candles_between(sym, interval, from, to);
        candles.insert(candles.end(), std::make_move_iterator(cs.begin()),
                       std::make_move_iterator(cs.end()));
      }
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

  // -- the actors, as in a live run -------------------------------------------------------
  backtest_job job;
  job.candles = std::move(candles);
  job.horizon = horizon;
  // Which insights the content strategist would publish as alerts (with
  // content on): their hit rate is the track record's.
  if (s.get_bool("content.enabled"))
    job.alerts = strategist_options_from(s);
  caf::actor_system sys{p->system};
  progress_display bar{"backtest", job.candles.size(), isatty(STDERR_FILENO) != 0};
  auto r = run_backtest(sys, analysis_options_from(s), job, {},
                        [&](std::uint64_t done) { bar.update(done); });
  bar.finish(r.report.candles());
  if (!r.error.empty()) {
    std::cerr << me << ": " << r.error << "\n";
    return exit_failure;
  }
  std::cout << backtest_headline(job.candles, horizon, r.accepted);
  if (r.late + r.failed > 0)
    std::cout << "analyzers left out: " << r.late << " late, " << r.failed << " failed\n";
  std::cout << r.report.text();
  return write_json(inv, r.report.json());
}

} // namespace herald::app
