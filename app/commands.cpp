#include "app/commands.hpp"

#include <algorithm>

#include "config/settings.hpp"
#include "app/prepare.hpp"

#include <cstdlib>
#include <iostream>

#include "io/logging.hpp"

namespace herald::app {

namespace {

const option_spec config_option{"config", "PATH",
                                "config file (default: $HERALD_CONFIG or "
                                "config/caf-application.conf)"};

} // namespace

const std::vector<command>& commands() {
  static const std::vector<command> table = {
    {"run", "start the whole system in one process (offline defaults)", "",
     "Starts the supervision tree and every agent, and runs until SIGINT or\n"
     "SIGTERM, then stops in reverse start order within herald.shutdown-grace.\n"
     "With --candles N the run is bounded: each source stops after N candles per\n"
     "series (as fast as possible unless --scanner.speed is given), the pipeline\n"
     "drains, a summary is printed, and herald exits 0.",
     {config_option,
      {"candles", "N", "bounded run: stop after N candles per simulated series"}},
     0, 0, run_command},
    {"node", "start one node of a cluster (roles, peers, mutual TLS, PostgreSQL)", "",
     "Starts the agents of this node's roles (data, analysis, content, ops) and\n"
     "its node agent, published on cluster.address/port (mutual TLS unless\n"
     "cluster.tls=false), which dials every peer of cluster.peers, greets it and\n"
     "shares the agent directory. A node with peers needs PostgreSQL (db.url).\n"
     "Runs until SIGINT or SIGTERM like `herald run`. See README \"Cluster\".",
     {config_option,
      {"name", "N", "this node's name (default: cluster.name, else herald.node-name)"},
      {"roles", "LIST", "comma-separated roles (default: cluster.roles)"}},
     0, 0, node_command},
    {"console", "terminal console: the supervision tree, top, restarts, live events", "",
     "Connects over CAF's middleman to a running node's inspector (published on\n"
     "[inspector] address/port) and runs commands: tree, top, stats ACTOR, restart\n"
     "ACTOR, kill ACTOR, pause AGENT, resume AGENT, signals [N], insights [N], tail,\n"
     "info, help, quit - with line editing and history (~/.herald_history). -c runs\n"
     "one command and exits (1 when it failed), for scripts. The token defaults to\n"
     "$HERALD_API_TOKEN, then the file http.token-file that `herald run` writes when\n"
     "HERALD_API_TOKENS is not set.\n"
     "--node connects to a cluster node instead (`herald node`, also with TLS): to\n"
     "its node agent at cluster.advertise (or --host/--port), with the node's\n"
     "certificate when cluster.tls is on, and from there to that node's inspector;\n"
     "`cluster` then shows every node of the cluster.",
     {config_option,
      {"host", "HOST", "node address (default: inspector.address of the config)"},
      {"port", "PORT", "inspector port (default: inspector.port of the config)"},
      {"node", "", "connect to a cluster node's node agent ([cluster] of the config; TLS)"},
      {"name", "NAME", "with --node: whose certificate to use (default: cluster.name)"},
      {"token", "TOKEN", "API token (default: $HERALD_API_TOKEN or http.token-file)"},
      {"c", "COMMAND", "run one command and exit"}},
     0, 0, console_command_main},
    {"config check", "validate a config file and print the effective configuration", "",
     "Reads the config file and the --section.key=value overrides, validates\n"
     "every key, and prints the effective configuration with where each value\n"
     "came from. Secrets are listed by name and source only, never by value.",
     {config_option}, 0, 0, config_check_command},
    {"content list", "list the pieces in the publishing ledger and their state", "",
     "Prints every piece of content_plans with its state, channel, time and text,\n"
     "those that need a person first: pending_approval (approval mode), in_doubt (a\n"
     "crash interrupted the call and the channel cannot tell whether it arrived),\n"
     "failed (parked after permanent errors or too many attempts, with the error).",
     {config_option,
      {"state", "STATE", "only pieces in this state (pending_approval, in_doubt, failed, ...)"},
      {"db", "URL", "database URL (default: db.url of the config file)"}},
     0, 0, content_list_command},
    {"content approve", "send held pieces (pending_approval, in_doubt or failed)", "ID...",
     "Marks each piece planned again; a running herald sends it within\n"
     "content.approval-poll, otherwise the next start does. IDs as listed by\n"
     "`herald content list` (\"<piece>@<channel>\").",
     {config_option, {"db", "URL", "database URL (default: db.url of the config file)"}}, 1,
     1000, content_approve_command},
    {"content reject", "drop held pieces: they are never sent", "ID...",
     "Marks each piece rejected (from pending_approval, in_doubt, failed or planned).",
     {config_option, {"db", "URL", "database URL (default: db.url of the config file)"}}, 1,
     1000, content_reject_command},
    {"migrate", "apply the database schema migrations this binary brings", "",
     "Applies every missing migration of db/migrations/ in order, each in its own\n"
     "transaction, and records it in schema_migrations. Safe to run twice and from\n"
     "several nodes at once. Refuses a database whose schema is newer than this\n"
     "binary (exit 1). `herald run` migrates at start as well.",
     {config_option, {"db", "URL", "database URL (default: db.url of the config file)"}}, 0, 0,
     migrate_command},
    {"health", "probe a running herald's /health (the Docker image's HEALTHCHECK)", "",
     "GETs http://<http.address>:<http.port>/health of the configuration (127.0.0.1\n"
     "when it listens on every interface), or --url, with 3 s timeouts. Exit 0 on\n"
     "200, 1 otherwise (the reason on stderr), 2 on a usage error.",
     {config_option,
      {"url", "URL", "probe this URL instead (http://HOST:PORT/PATH)"},
      {"ready", "", "probe /ready (accepting work) instead of /health (alive)"}},
     0, 0, health_command},
    {"resample", "resample a candle file to a higher interval and print it as CSV", "FILE",
     "Reads any supported candle file (data.vision CSV with ms or us times, CSV with a\n"
     "header, freqtrade JSON rows, pandas JSON columns), validates it, and prints the\n"
     "bars of the --to interval as CSV on stdout, built as the exchange builds them\n"
     "(zero-volume filler minutes do not set open/high/low). A summary goes to stderr.",
     {{"to", "INTERVAL", "target interval (3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 1w)"},
      {"interval", "INTERVAL", "source interval (default: inferred from the file)"},
      {"symbol", "SYMBOL", "symbol written into the candles (default: none)"}},
     1, 1, resample_command},
    {"ingest", "import candle files into the database", "FILE...",
     "Reads each file (any supported format), validates the candles, and stores them\n"
     "in market_data, with a progress bar on a terminal (plain lines otherwise) and a\n"
     "summary per file: rows read, stored, already present, duplicates, rejected by\n"
     "reason, gaps. Running it twice stores nothing new. A file that cannot be read\n"
     "at all stops the import with exit code 2, naming the file, line and reason.",
     {config_option,
      {"symbol", "SYMBOL", "symbol of the candles (required), e.g. BTCUSDT"},
      {"interval", "INTERVAL", "interval of the files (default: inferred from each file)"},
      {"db", "URL", "database URL (default: db.url of the config file)"},
      {"strict", "", "a file named for another symbol than --symbol is an error, not a warning"}},
     1, 1000000, ingest_command},
    {"indicators", "print the indicators of a candle file as CSV", "FILE",
     "Reads any supported candle file and prints, per valid candle, the columns\n"
     "open_time,close,sma20,ema20,rsi14,atr14,bb_lower,bb_middle,bb_upper,macd,\n"
     "macd_signal,macd_hist,zscore20 (open_time in ms; a cell is empty until its\n"
     "indicator is warm). EMAs are seeded with the SMA of their first N values, RSI and\n"
     "ATR use Wilder smoothing, Bollinger bands and z-scores the population SD.",
     {{"interval", "INTERVAL", "interval of the file (default: inferred)"}}, 1, 1,
     indicators_command},
    {"backtest", "replay candles through the analysis agents and report the results",
     "[FILE...]",
     "Replays candles (files of any supported format, or the database) through the\n"
     "same agents as a live run - hub, analyzer actors, pipeline, risk manager - as\n"
     "fast as they go, with a progress bar, and reports: candles, signals by\n"
     "direction, insights approved and vetoed by reason, the hit rate of approved\n"
     "insights at the horizon with its 95% confidence interval (and whether it is\n"
     "distinguishable from chance), mean forward returns of long and short insights\n"
     "next to buy and hold, the paper portfolio's return and max drawdown, and\n"
     "per-analyzer hit rates. Nothing is written to the database. Analyzer and risk\n"
     "options come from the config file ([analysis], [analysis.*], [risk]).\n"
     "Files of several symbols (or --symbol A,B with --db) make one backtest of\n"
     "several series with one paper portfolio. --cluster URL runs it on a cluster\n"
     "(herald node): the series are split over the analysis nodes and one report\n"
     "is merged, equal to the one-process report on the same candles.",
     {config_option,
      {"file", "FILE", "candle file (more files may follow as arguments)"},
      {"db", "URL", "read the candles from this database instead (needs --symbol, --interval)"},
      {"cluster", "URL", "run it on a cluster: the node at URL (http://HOST:PORT) splits the series "
                         "over the analysis nodes (candles of the cluster's database)"},
      {"token", "TOKEN", "with --cluster: an operator's API token (default: $HERALD_API_TOKEN)"},
      {"symbol", "SYMBOL", "symbol (default: from each file's name); with --db or --cluster "
                           "several: BTCUSDT,ETHUSDT"},
      {"interval", "INTERVAL", "interval (default: inferred from the file)"},
      {"from", "T", "first open time: ms, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ"},
      {"to", "T", "end (exclusive), same formats"},
      {"horizon", "N", "bars after which an insight's direction is checked (default 10)"},
      {"json", "PATH", "also write the report as JSON (checked writable before the work starts)"},
      {"strict", "", "a file named for another symbol than --symbol is an error, not a warning"}},
     0, 1000000, backtest_command},
    {"tune", "evaluate tuning walk-forward; list, apply, roll back or replay weight sets",
     "[FILE...]",
     "--walk-forward runs the analyzers over the candles (files or the database) once,\n"
     "then rolling folds: fit analyzer weights and the aggregate's threshold on --train\n"
     "bars (a logistic model of the move --horizon bars later), evaluate them on the\n"
     "next --test bars, move on by --test bars. Never fitted on a test window, never a\n"
     "label from after it. Per fold and overall, for the configured weights and the\n"
     "tuned ones on the same test rows: the hit rate of their calls with its 95%\n"
     "interval, and the Brier score of the calibrated probability of an up move against\n"
     "the constant base rate (Brier skill score). Nothing is written or changed.\n"
     "--list prints the feedback loops and the tuning loop's weight sets (JSON);\n"
     "--apply V applies a proposed set (it must have beaten the weights applied now);\n"
     "--rollback [--to V] applies a copy of an earlier set (default: the one before);\n"
     "--replay RUN recomputes a logged tuning run and says whether it is the same.",
     {config_option,
      {"walk-forward", "", "run the walk-forward evaluation"},
      {"file", "FILE", "candle file (more files may follow as arguments)"},
      {"db", "URL", "read the candles from this database instead (needs --symbol, --interval)"},
      {"symbol", "SYMBOL", "symbol (default: from each file's name); with --db several: A,B"},
      {"interval", "INTERVAL", "interval (default: inferred from the file)"},
      {"from", "T", "first open time: ms, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ"},
      {"to", "T", "end (exclusive), same formats"},
      {"train", "N", "bars in each training window (default 4320: 180 days of 1h)"},
      {"test", "M", "bars in each test window and the step between folds (default 720)"},
      {"horizon", "H", "bars after which a call's direction is checked (default 10)"},
      {"json", "PATH", "also write the report as JSON"},
      {"strict", "", "a file named for another symbol than --symbol is an error, not a warning"},
      {"list", "", "print the loops and the weight sets of the database"},
      {"apply", "V", "apply the proposed weight set V"},
      {"rollback", "", "apply a copy of an earlier weight set"},
      {"to", "V", "with --rollback: the version to return to (0: the configured weights)"},
      {"replay", "RUN", "recompute a logged tuning run (id from --list)"}},
     0, 1000000, tune_command},
  };
  return table;
}

std::unique_ptr<prepared_config> prepare(const invocation& inv) {
  auto p = std::make_unique<prepared_config>();
  // --config and $HERALD_CONFIG name a file that must exist; the fallback
  // locations may be absent (then the defaults apply).
  bool explicit_path = inv.has("config") || std::getenv("HERALD_CONFIG") != nullptr;
  auto path = inv.has("config") ? inv.get("config") : config::default_config_path();
  auto errors = config::load(p->system, path, explicit_path, inv.overrides, p->loaded);
  if (!errors.empty()) {
    std::cerr << "herald: invalid configuration ("
              << (path.empty() ? std::string{"defaults"} : path) << "):\n";
    for (auto& e : errors)
      std::cerr << "  " << e << "\n";
    return nullptr;
  }
  return p;
}

bool setup_logging(const config::settings& s) {
  logging::options lo;
  lo.level = s.get_string("log.level");
  lo.levels = s.get_list("log.levels");
  lo.json = s.get_string("log.format") == "json";
  lo.console = s.get_bool("log.console");
  lo.file = s.get_string("log.file");
  lo.max_file_size = static_cast<std::size_t>(s.get_int("log.max-file-size"));
  lo.max_files = static_cast<std::size_t>(s.get_int("log.max-files"));
  auto err = logging::setup(lo);
  if (!err.empty()) {
    std::cerr << "herald: " << err << "\n";
    return false;
  }
  return true;
}

int main_entry(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << global_help(commands());
    return exit_usage;
  }
  if (args[0] == "--version" || args[0] == "-V") {
    std::cout << "herald " << HERALD_VERSION << "\n";
    return exit_ok;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << global_help(commands());
    return exit_ok;
  }
  std::size_t consumed = 0;
  auto cmd = find_command(commands(), args, consumed);
  if (cmd == nullptr) {
    // A group word without its subcommand ("herald config").
    std::string subs;
    for (auto& c : commands())
      if (c.name.rfind(args[0] + " ", 0) == 0)
        subs += (subs.empty() ? "" : ", ") + c.name.substr(args[0].size() + 1);
    if (!subs.empty())
      std::cerr << "herald: '" << args[0] << "' needs a subcommand: " << subs << "\n";
    else {
      std::vector<std::string> words;
      for (auto& c : commands()) {
        auto w = c.name.substr(0, c.name.find(' '));
        if (std::find(words.begin(), words.end(), w) == words.end())
          words.push_back(w);
      }
      auto near = config::closest_word(args[0], words);
      std::cerr << "herald: unknown command '" << args[0] << "'"
                << (near.empty() ? std::string{} : "; did you mean '" + near + "'?")
                << "; see 'herald --help'\n";
    }
    return exit_usage;
  }
  invocation inv;
  std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(consumed), args.end());
  auto err = parse_options(*cmd, rest, inv);
  if (!err.empty()) {
    std::cerr << "herald: " << err << "\n\n" << command_help(*cmd);
    return exit_usage;
  }
  if (inv.has("help")) {
    std::cout << command_help(*cmd);
    return exit_ok;
  }
  try {
    return cmd->run(inv);
  } catch (const std::exception& e) {
    std::cerr << "herald " << cmd->name << ": fatal: " << e.what() << "\n";
    return exit_failure;
  }
}

} // namespace herald::app
