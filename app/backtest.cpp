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
#include "app/candle_input.hpp"
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
  candle_request range;
  if (!parse_range(inv, me, range))
    return exit_usage;
  auto from = range.from, to = range.to;
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
  if (!json_writable(inv, me))
    return exit_usage;
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
  candle_request req{files, inv.get("db"), symbol, interval, from, to, strict, range.ranged};
  int code = exit_ok;
  auto gathered = gather_candles(me, *p, req, code);
  if (!gathered)
    return code;
  auto candles = std::move(*gathered);

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
