#include "config/schema.hpp"
#include "config/schema_parts.hpp"

#include "analysis/sentiment.hpp"
#include "market/interval.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>

namespace herald::config {

namespace detail {

key_spec key(std::string k, value_type t, std::optional<value> def, std::string unit,
             std::string description) {
  key_spec s;
  s.key = std::move(k);
  s.type = t;
  s.default_value = std::move(def);
  s.unit = std::move(unit);
  s.description = std::move(description);
  return s;
}

key_spec ranged(key_spec s, std::optional<double> min, std::optional<double> max) {
  s.min = min;
  s.max = max;
  return s;
}

key_spec one_of(key_spec s, std::vector<std::string> allowed) {
  s.allowed = std::move(allowed);
  return s;
}

} // namespace detail

namespace {

using namespace std::chrono_literals;
using std::chrono::nanoseconds;
using detail::key;
using detail::one_of;
using detail::ranged;

std::string check_symbol(const std::string& s) {
  if (s.size() < 2 || s.size() > 20
      || !std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }))
    return "expected a symbol of 2 to 20 upper-case letters and digits, e.g. \"BTCUSDT\"";
  return {};
}

std::string check_interval(const std::string& s) {
  if (!market::interval_ms(s))
    return "expected an interval: 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 1w";
  return {};
}

std::string check_logger_level(const std::string& entry) {
  auto eq = entry.find('=');
  auto& levels = log_levels();
  if (eq == std::string::npos || eq == 0
      || std::find(levels.begin(), levels.end(), entry.substr(eq + 1)) == levels.end())
    return "expected \"logger=level\" with level one of {trace, debug, info, warn, error, "
           "critical, off}";
  return {};
}

// The supervision keys, shared by [supervision] (with defaults) and every
// [supervision.<name>] section (optional, inheriting from [supervision]).
void add_supervision_keys(std::vector<key_spec>& out, const std::string& section,
                          bool with_defaults) {
  auto def = [&](value v) -> std::optional<value> {
    if (with_defaults)
      return v;
    return std::nullopt;
  };
  auto add = [&](key_spec s) {
    if (!with_defaults)
      s.inherits = "supervision." + s.key.substr(section.size() + 1);
    out.push_back(std::move(s));
  };
  auto k = [&](const char* name) { return section + "." + name; };
  add(ranged(key(k("intensity"), value_type::integer, def(std::int64_t{500}), "restarts",
                 "more than this many restarts within `period` make the supervisor "
                 "stop its children and fail, escalating to its parent"),
             0, 1'000'000));
  add(ranged(key(k("period"), value_type::duration, def(nanoseconds{10s}), "duration",
                 "the sliding window of the restart intensity"),
             0.001, 86400));
  add(ranged(key(k("shutdown-timeout"), value_type::duration, def(nanoseconds{5s}),
                 "duration",
                 "how long a worker may take to stop before it is killed"),
             0, 3600));
  add(ranged(key(k("backoff-min"), value_type::duration, def(nanoseconds{5ms}), "duration",
                 "first restart delay of a failing child; 0s disables backoff"),
             0, 3600));
  add(ranged(key(k("backoff-max"), value_type::duration, def(nanoseconds{5s}), "duration",
                 "upper bound of the doubling restart delay"),
             0, 86400));
  add(ranged(key(k("backoff-random-factor"), value_type::real, def(0.2), "fraction",
                 "each delay is stretched by a random share in [0, factor]"),
             0, 10));
  add(ranged(key(k("backoff-reset"), value_type::duration, def(nanoseconds{2s}),
                 "duration",
                 "a child that ran this long is healthy again: its backoff restarts at min"),
             0, 86400));
}

std::vector<key_spec> make_keys() {
  std::vector<key_spec> out;
  // [herald]
  out.push_back(key("herald.node-name", value_type::string, value{std::string{"herald"}}, "",
                    "name of this node in logs and in the agent directory"));
  out.push_back(ranged(key("herald.shutdown-grace", value_type::duration,
                           value{nanoseconds{10s}}, "duration",
                           "time an orderly shutdown (SIGINT/SIGTERM) may take before "
                           "the remaining actors are killed"),
                       0.1, 600));
  // [secrets]
  out.push_back(key("secrets.env-file", value_type::string, value{std::string{}}, "path",
                    "KEY=VALUE file with secrets; empty: environment only. Relative "
                    "paths are resolved against the config file's directory"));
  // [db]
  out.push_back(key("db.url", value_type::string, value{std::string{"sqlite://var/herald.db"}},
                    "URL",
                    "sqlite://PATH (relative to the working directory unless it starts "
                    "with /) or postgresql://user@host:port/dbname; the password comes "
                    "from PGPASSWORD (environment or secrets env file)"));
  out.push_back(ranged(key("db.pool-size", value_type::integer, value{std::int64_t{4}},
                           "connections", "database connections per process"),
                       1, 256));
  out.push_back(ranged(key("db.connect-timeout", value_type::duration, value{nanoseconds{5s}},
                           "duration", "PostgreSQL connection timeout"),
                       1, 300));
  out.push_back(ranged(key("db.statement-timeout", value_type::duration, value{nanoseconds{60s}},
                           "duration", "PostgreSQL: longest a statement may run, and longest sent data may stay unacknowledged (a hung server or a dead network ends the call with an error, retried)"),
                       1, 3600));
  out.push_back(ranged(key("db.batch-size", value_type::integer, value{std::int64_t{1000}},
                           "records", "the write-behind agent writes as soon as this many "
                                      "records wait"),
                       1, 10'000'000));
  out.push_back(ranged(key("db.batch-interval", value_type::duration,
                           value{nanoseconds{200ms}}, "duration",
                           "... or when the oldest waiting record is this old"),
                       0.001, 3600));
  out.push_back(ranged(key("db.queue-capacity", value_type::integer,
                           value{std::int64_t{100000}}, "records",
                           "records that may wait; beyond, writes are refused "
                           "(db_overloaded) and the sender retries"),
                       1, 100'000'000));
  out.push_back(ranged(key("db.retry-min", value_type::duration, value{nanoseconds{100ms}},
                           "duration", "first retry delay after a failed write (doubles)"),
                       0.001, 3600));
  out.push_back(ranged(key("db.retry-max", value_type::duration, value{nanoseconds{10s}},
                           "duration", "longest retry delay during an outage"),
                       0.001, 86400));
  out.push_back(ranged(key("db.shutdown-flush-timeout", value_type::duration,
                           value{nanoseconds{5s}}, "duration",
                           "on shutdown, how long to keep retrying the last writes"),
                       0, 3600));
  out.push_back(key("db.spill-file", value_type::string, value{std::string{"var/unwritten.spill"}},
                    "", "where records the database did not take before shutdown are saved; "
                        "they are written first at the next start (\"\": lost, logged)"));
  // [log]
  out.push_back(one_of(key("log.level", value_type::string, value{std::string{"info"}}, "",
                           "default level of every logger"),
                       log_levels()));
  auto levels = key("log.levels", value_type::string_list, value{std::vector<std::string>{}},
                    "", "per-logger levels as \"logger=level\"; a logger name also "
                        "matches its children (\"supervisor\" covers \"supervisor.data\")");
  levels.check_element = &check_logger_level;
  out.push_back(std::move(levels));
  out.push_back(one_of(key("log.format", value_type::string, value{std::string{"text"}}, "",
                           "text: human readable; json: one JSON object per line"),
                       {"text", "json"}));
  out.push_back(key("log.console", value_type::boolean, value{true}, "",
                    "write log lines to stderr"));
  out.push_back(key("log.file", value_type::string, value{std::string{}}, "path",
                    "rotating log file; empty: no file"));
  out.push_back(ranged(key("log.max-file-size", value_type::integer,
                           value{std::int64_t{10 * 1024 * 1024}}, "bytes",
                           "size at which the log file rotates"),
                       1024, 1e12));
  out.push_back(ranged(key("log.max-files", value_type::integer, value{std::int64_t{5}},
                           "files", "rotated files kept"),
                       1, 1000));
  // [supervision] and [supervision.<name>]
  add_supervision_keys(out, "supervision", true);
  for (auto& name : supervisor_names())
    add_supervision_keys(out, "supervision." + name, false);
  // [chaos]
  out.push_back(ranged(key("chaos.kill-rate", value_type::real, value{0.0}, "kills/second",
                           "rate at which random matching agents are killed with "
                           "exit_reason::kill; 0 disables the chaos agent"),
                       0, 10000));
  out.push_back(key("chaos.kill-pattern", value_type::string, value{std::string{"*"}}, "glob",
                    "agents whose path (e.g. \"ops.health\") matches this glob are "
                    "candidates; supervisors are never killed"));
  out.push_back(ranged(key("chaos.seed", value_type::integer, value{std::int64_t{0}}, "",
                           "random seed of the chaos agent; 0 picks one at start"),
                       0, 9.2e18));
  // [scanner]
  out.push_back(one_of(key("scanner.source", value_type::string, value{std::string{"simulated"}},
                           "", "where candles come from"),
                       {"simulated", "replay", "binance"}));
  {
    auto k = key("scanner.symbols", value_type::string_list,
                 value{std::vector<std::string>{"BTCUSDT", "ETHUSDT", "SOLUSDT"}}, "",
                 "symbols of the simulated market (replay: a file named for one of them, "
                 "like ETHUSDT_5m.csv, carries that symbol; any other file the first)");
    k.check_element = &check_symbol;
    out.push_back(std::move(k));
  }
  out.push_back(one_of(key("scanner.interval", value_type::string, value{std::string{"1m"}}, "",
                           "base interval of the sources"),
                       market::interval_names()));
  out.push_back(ranged(key("scanner.speed", value_type::real, value{60.0}, "x real time",
                           "60: one 1m bar per second; 1: real time; 0: as fast as possible"),
                       0, 1e9));
  out.push_back(ranged(key("scanner.seed", value_type::integer, value{std::int64_t{42}}, "",
                           "seed of the simulated market (same seed, same data)"),
                       0, 9.2e18));
  out.push_back(ranged(key("scanner.start-time", value_type::integer, value{std::int64_t{0}},
                           "ms since epoch", "open time of the first simulated bar; 0: now"),
                       0, 9.2e15));
  out.push_back(ranged(key("scanner.backfill", value_type::integer, value{std::int64_t{1440}},
                           "bars", "simulated source: bars of history before now, sent at once "
                                   "(warm-up; the first alerts come within seconds), then paced "
                                   "by speed; ignored with an explicit start-time"),
                       0, 1e7));
  out.push_back(key("scanner.files", value_type::string_list, value{std::vector<std::string>{}},
                    "paths", "candle files replayed by source = \"replay\""));
  out.push_back(ranged(key("scanner.max-candles", value_type::integer, value{std::int64_t{0}},
                           "candles", "stop after this many candles per series (0: never); "
                                      "herald run --candles N sets it"),
                       0, 1e12));
  // [binance]
  out.push_back(key("binance.rest-url", value_type::string,
                    value{std::string{"https://api.binance.com"}}, "URL",
                    "Binance REST base URL (tests point it at a local server)"));
  out.push_back(key("binance.ws-url", value_type::string,
                    value{std::string{"wss://stream.binance.com:9443"}}, "URL",
                    "Binance WebSocket base URL"));
  out.push_back(ranged(key("binance.weight-share", value_type::real, value{0.5}, "fraction",
                           "share of the 6000/min request-weight limit Herald may use"),
                       0.01, 1));
  out.push_back(ranged(key("binance.max-buffer", value_type::integer, value{std::int64_t{10000}}, "klines",
                    "stream klines that may wait for the hub; beyond it they are dropped (logged) and backfilled over REST once the hub takes candles again"),
                   1, 10000000));
  out.push_back(ranged(key("binance.backfill", value_type::duration,
                           value{nanoseconds{std::chrono::hours{24}}}, "duration",
                           "history loaded over REST at start"),
                       0, 86400 * 365));
  // [news]
  out.push_back(key("news.feeds", value_type::string_list, value{std::vector<std::string>{}},
                    "files or URLs", "RSS 2.0 / Atom feeds to poll; empty: no news agent"));
  out.push_back(ranged(key("news.poll-interval", value_type::duration,
                           value{nanoseconds{std::chrono::minutes{5}}}, "duration",
                           "how often every feed is read"),
                       1, 86400));
  out.push_back(key("news.aliases", value_type::string_list,
                    value{std::vector<std::string>{"bitcoin=BTCUSDT", "btc=BTCUSDT",
                                                   "ethereum=ETHUSDT", "ether=ETHUSDT",
                                                   "eth=ETHUSDT", "solana=SOLUSDT",
                                                   "sol=SOLUSDT"}},
                    "", "word=SYMBOL: a news item mentioning the word is about the symbol"));
  // [hub]
  out.push_back(ranged(key("hub.depth", value_type::integer, value{std::int64_t{5000}},
                           "candles", "rolling window kept per (symbol, interval)"),
                       1, 10'000'000));
  {
    auto k = key("hub.resample-to", value_type::string_list,
                 value{std::vector<std::string>{"5m", "15m", "1h"}}, "",
                 "higher intervals built from each base series");
    k.check_element = &check_interval;
    out.push_back(std::move(k));
  }
  out.push_back(key("hub.persist", value_type::boolean, value{true}, "",
                    "store every accepted candle in market_data"));
  out.push_back(ranged(key("hub.max-unstored", value_type::integer, value{std::int64_t{50000}},
                           "candles", "accepted candles waiting to be stored beyond which the sources wait (back-pressure from the database)"),
                       1000, 100'000'000));
  // [analysis], [analysis.<analyzer>], [risk] (generated table: docs/architecture.md)
  out.push_back(key("analysis.enabled", value_type::boolean, value{true}, "",
                    "run the analysis pipeline (analyzers, signals, risk manager)"));
  out.push_back(key("analysis.symbols", value_type::string_list, value{std::vector<std::string>{"*"}}, "",
                    "symbols to analyse; \"*\" means every symbol the hub carries"));
  {
    auto k = key("analysis.intervals", value_type::string_list, value{std::vector<std::string>{"1m"}}, "",
                    "base intervals to analyse (each tracked series gets its own analyzer actors)");
    k.check_element = &check_interval;
    out.push_back(std::move(k));
  }
  out.push_back(one_of(key("analysis.analyzers", value_type::string_list, value{std::vector<std::string>{"market_structure", "order_flow", "momentum", "volatility_regime", "news_sentiment", "multi_timeframe", "pattern_recognition", "statistical_edge"}}, "",
                    "analyzer kinds to run for each series, out of: market_structure, order_flow, momentum, volatility_regime, news_sentiment, multi_timeframe, pattern_recognition, statistical_edge"), {"market_structure", "order_flow", "momentum", "volatility_regime", "news_sentiment", "multi_timeframe", "pattern_recognition", "statistical_edge"}));
  out.push_back(ranged(key("analysis.deadline", value_type::duration, value{nanoseconds{std::chrono::seconds{1}}}, "duration",
                    "time an analyzer may take per job (per 1000 candles of a batch); a late one is left out and lowers the signal's confidence"),
                   0.001, 3600));
  out.push_back(ranged(key("analysis.restart-wait", value_type::duration, value{nanoseconds{std::chrono::seconds{10}}}, "duration",
                    "how long a job waits for a crashed analyzer's replacement before it is left out"),
                   0.01, 3600));
  out.push_back(ranged(key("analysis.order-wait", value_type::duration, value{nanoseconds{std::chrono::seconds{2}}}, "duration",
                    "how long finished signals wait for a slower series before the risk manager gets them"),
                   0.001, 3600));
  out.push_back(ranged(key("analysis.max-batch", value_type::integer, value{std::int64_t{4096}}, "candles",
                    "candles per analyzer job when candles arrive faster than they are analysed"),
                   1, 1000000));
  out.push_back(ranged(key("analysis.max-backlog", value_type::integer, value{std::int64_t{10000}}, "candles",
                    "candles the pipeline may hold (queued, in analysis, signals not yet taken by the risk manager) before the hub's sources wait"),
                   1, 100000000));
  out.push_back(ranged(key("analysis.rebuild-candles", value_type::integer, value{std::int64_t{5000}}, "candles",
                    "history a new or restarted analyzer replays from the hub's window (hub.depth must hold it)"),
                   0, 10000000));
  out.push_back(key("analysis.persist", value_type::boolean, value{true}, "",
                    "store analysis results, signals and insights in the database"));
  out.push_back(ranged(key("analysis.threshold", value_type::real, value{0.15}, "",
                    "|aggregated score| from which a signal is long or short, else neutral"),
                   0, 1));
  out.push_back(ranged(key("analysis.regime-scale-low", value_type::real, value{0.9}, "",
                    "signal confidence factor in the low-volatility regime"),
                   0, 1));
  out.push_back(ranged(key("analysis.regime-scale-high", value_type::real, value{0.75}, "",
                    "signal confidence factor in the high-volatility regime"),
                   0, 1));
  out.push_back(ranged(key("analysis.market-structure.weight", value_type::real, value{1.0}, "",
                    "weight in the aggregation"),
                   0, 100));
  out.push_back(ranged(key("analysis.market-structure.fast", value_type::integer, value{std::int64_t{20}}, "bars",
                    "fast EMA period"),
                   1, 10000));
  out.push_back(ranged(key("analysis.market-structure.slow", value_type::integer, value{std::int64_t{50}}, "bars",
                    "slow EMA period (> fast)"),
                   2, 10000));
  out.push_back(ranged(key("analysis.market-structure.swing", value_type::integer, value{std::int64_t{3}}, "bars",
                    "bars each side of a swing high / low"),
                   1, 100));
  out.push_back(ranged(key("analysis.order-flow.weight", value_type::real, value{1.0}, "",
                    "weight in the aggregation"),
                   0, 100));
  out.push_back(ranged(key("analysis.order-flow.volume-period", value_type::integer, value{std::int64_t{20}}, "bars",
                    "window of the volume z-score"),
                   2, 10000));
  out.push_back(ranged(key("analysis.order-flow.obv-slope", value_type::integer, value{std::int64_t{10}}, "bars",
                    "bars over which the OBV slope is taken"),
                   2, 10000));
  out.push_back(ranged(key("analysis.momentum.weight", value_type::real, value{1.0}, "",
                    "weight in the aggregation"),
                   0, 100));
  out.push_back(ranged(key("analysis.momentum.rsi-period", value_type::integer, value{std::int64_t{14}}, "bars",
                    "RSI period (Wilder)"),
                   2, 10000));
  out.push_back(ranged(key("analysis.momentum.overbought", value_type::real, value{70.0}, "",
                    "RSI at or above: overbought (bearish lean)"),
                   50, 100));
  out.push_back(ranged(key("analysis.momentum.oversold", value_type::real, value{30.0}, "",
                    "RSI at or below: oversold (bullish lean)"),
                   0, 50));
  out.push_back(ranged(key("analysis.volatility-regime.atr-period", value_type::integer, value{std::int64_t{14}}, "bars",
                    "ATR period (Wilder)"),
                   2, 10000));
  out.push_back(ranged(key("analysis.volatility-regime.lookback", value_type::integer, value{std::int64_t{100}}, "bars",
                    "window of the ATR/close percentile"),
                   10, 100000));
  out.push_back(ranged(key("analysis.volatility-regime.low", value_type::real, value{0.2}, "",
                    "percentile below which the regime is low"),
                   0, 1));
  out.push_back(ranged(key("analysis.volatility-regime.high", value_type::real, value{0.8}, "",
                    "percentile above which the regime is high"),
                   0, 1));
  out.push_back(ranged(key("analysis.news-sentiment.weight", value_type::real, value{1.0}, "",
                    "weight in the aggregation"),
                   0, 100));
  out.push_back(ranged(key("analysis.news-sentiment.half-life", value_type::duration, value{nanoseconds{std::chrono::hours{6}}}, "duration",
                    "an article's weight halves every half-life"),
                   1, 31536000));
  out.push_back(ranged(key("analysis.news-sentiment.prior", value_type::real, value{1.0}, "articles",
                    "neutral articles mixed into the mean (few articles give a weak score)"),
                   0.01, 1000));
  out.push_back(key("analysis.news-sentiment.lexicon", value_type::string, value{std::string{""}}, "path",
                    "sentiment lexicon file (format in config/lexicon/finance.tsv); empty: the built-in finance lexicon"));
  out.push_back(ranged(key("analysis.multi-timeframe.weight", value_type::real, value{1.0}, "",
                    "weight in the aggregation"),
                   0, 100));
  {
    auto k = key("analysis.multi-timeframe.intervals", value_type::string_list, value{std::vector<std::string>{"5m", "15m", "1h"}}, "",
                    "higher intervals whose trends must agree (built from the base series)");
    k.check_element = &check_interval;
    out.push_back(std::move(k));
  }
  out.push_back(ranged(key("analysis.multi-timeframe.fast", value_type::integer, value{std::int64_t{9}}, "bars",
                    "fast EMA period on each higher interval"),
                   1, 10000));
  out.push_back(ranged(key("analysis.multi-timeframe.slow", value_type::integer, value{std::int64_t{21}}, "bars",
                    "slow EMA period on each higher interval (> fast)"),
                   2, 10000));
  out.push_back(ranged(key("analysis.pattern-recognition.weight", value_type::real, value{1.0}, "",
                    "weight in the aggregation"),
                   0, 100));
  out.push_back(ranged(key("analysis.pattern-recognition.breakout-bars", value_type::integer, value{std::int64_t{20}}, "bars",
                    "range whose break is a breakout"),
                   2, 10000));
  out.push_back(ranged(key("analysis.pattern-recognition.double-tolerance", value_type::real, value{0.003}, "",
                    "two tops (bottoms) within this share of price are a double top (bottom)"),
                   0, 0.5));
  out.push_back(ranged(key("analysis.pattern-recognition.double-window", value_type::integer, value{std::int64_t{60}}, "bars",
                    "window searched for double tops and bottoms"),
                   12, 10000));
  out.push_back(ranged(key("analysis.statistical-edge.weight", value_type::real, value{1.0}, "",
                    "weight in the aggregation"),
                   0, 100));
  out.push_back(ranged(key("analysis.statistical-edge.period", value_type::integer, value{std::int64_t{20}}, "bars",
                    "window of the close's z-score"),
                   2, 10000));
  out.push_back(ranged(key("analysis.statistical-edge.full-scale", value_type::real, value{3.0}, "",
                    "|z| that gives the full mean-reversion score"),
                   0.1, 100));
  out.push_back(ranged(key("risk.initial-equity", value_type::real, value{100000.0}, "quote currency",
                    "starting equity of the paper portfolio"),
                   1, 1000000000000000.0));
  out.push_back(ranged(key("risk.position-fraction", value_type::real, value{0.1}, "",
                    "notional of a new position as a share of equity"),
                   0.0001, 10));
  out.push_back(ranged(key("risk.max-symbol-exposure", value_type::real, value{0.25}, "",
                    "open notional per symbol, share of equity"),
                   0, 100));
  out.push_back(ranged(key("risk.max-total-exposure", value_type::real, value{1.0}, "",
                    "open notional over all symbols, share of equity"),
                   0, 100));
  out.push_back(ranged(key("risk.reduce-drawdown", value_type::real, value{0.05}, "",
                    "drawdown from which the state is REDUCING (positions sized by reduce-factor); ACTIVE again below half of it"),
                   0, 1));
  out.push_back(ranged(key("risk.halt-drawdown", value_type::real, value{0.1}, "",
                    "drawdown from which the state is HALTED: positions closed, every signal vetoed"),
                   0, 1));
  out.push_back(ranged(key("risk.reduce-factor", value_type::real, value{0.5}, "",
                    "position size factor while REDUCING"),
                   0, 1));
  out.push_back(ranged(key("risk.halt-bars", value_type::integer, value{std::int64_t{240}}, "bars",
                    "bars a halt lasts; then REDUCING with the high-water mark reset"),
                   0, 100000000));
  out.push_back(ranged(key("risk.hold-bars", value_type::integer, value{std::int64_t{60}}, "bars",
                    "bars a paper position is held (an approved opposite signal replaces it sooner)"),
                   1, 100000000));
  out.push_back(ranged(key("risk.cooldown-losses", value_type::integer, value{std::int64_t{3}}, "insights",
                    "losing insights within cooldown-window that start a cooldown (0: never)"),
                   0, 1000));
  out.push_back(ranged(key("risk.cooldown-window", value_type::integer, value{std::int64_t{120}}, "bars",
                    "window in which losses are counted"),
                   1, 100000000));
  out.push_back(ranged(key("risk.cooldown-bars", value_type::integer, value{std::int64_t{60}}, "bars",
                    "length of a cooldown (every signal vetoed)"),
                   0, 100000000));
  out.push_back(ranged(key("risk.min-confidence", value_type::real, value{30.0}, "",
                    "signals below this confidence are vetoed"),
                   0, 100));
  out.push_back(key("risk.veto-high-volatility", value_type::boolean, value{true}, "",
                    "veto every signal in the high-volatility regime"));
  out.push_back(ranged(key("risk.fee", value_type::real, value{0.0004}, "",
                    "paper trading fee per side, share of notional"),
                   0, 0.1));
  // [ops]
  out.push_back(ranged(key("ops.health-interval", value_type::duration,
                           value{nanoseconds{30s}}, "duration",
                           "how often the health agent logs a status line"),
                       0.01, 86400));
  out.push_back(key("ops.actor-stats", value_type::boolean, value{true}, "",
                    "every actor counts messages and processing time and reports them "
                    "(with its mailbox size) to the inspector"));
  out.push_back(ranged(key("ops.stats-interval", value_type::duration, value{nanoseconds{1s}},
                           "duration", "each actor reports its statistics at most this often "
                           "(after handling a message: an idle actor has nothing new)"),
                       0.05, 3600));
  // [inspector] (issue 7): published over the middleman for `herald console`
  out.push_back(key("inspector.address", value_type::string, value{std::string{"127.0.0.1"}},
                    "address", "where the inspector is published for `herald console`"));
  out.push_back(ranged(key("inspector.port", value_type::integer, value{std::int64_t{4242}},
                           "port", "middleman port of the inspector; 0: an ephemeral port "
                           "(printed at start)"),
                       0, 65535));
  out.push_back(key("inspector.enabled", value_type::boolean, value{true}, "",
                    "publish the inspector for the terminal console"));
  detail::add_cluster_keys(out);
  // [http] (issue 7): health, metrics, REST API, SSE, web console
  out.push_back(key("http.enabled", value_type::boolean, value{true}, "",
                    "serve the HTTP API, /metrics and the web console"));
  out.push_back(key("http.address", value_type::string, value{std::string{"127.0.0.1"}},
                    "address", "listen address (0.0.0.0 for every interface)"));
  out.push_back(ranged(key("http.port", value_type::integer, value{std::int64_t{8080}}, "port",
                           "listen port; 0: an ephemeral port (printed at start)"),
                       0, 65535));
  out.push_back(ranged(key("http.threads", value_type::integer, value{std::int64_t{16}},
                           "threads", "request threads kept ready (more start as connections arrive, up to http.max-connections)"),
                       2, 512));
  out.push_back(ranged(key("http.max-connections", value_type::integer, value{std::int64_t{512}},
                           "connections", "open connections in total; beyond it a new one is answered 503 and closed"),
                       8, 100000));
  out.push_back(ranged(key("http.max-connections-per-address", value_type::integer, value{std::int64_t{64}},
                           "connections", "open connections from one client address; beyond it 429 and closed"),
                       1, 100000));
  out.push_back(ranged(key("http.max-streams", value_type::integer, value{std::int64_t{64}},
                           "streams", "open /api/v1/events streams in total; beyond it 503"),
                       1, 100000));
  out.push_back(ranged(key("http.max-streams-per-address", value_type::integer, value{std::int64_t{8}},
                           "streams", "open /api/v1/events streams from one client address; beyond it 429"),
                       1, 100000));
  out.push_back(ranged(key("http.request-timeout", value_type::duration, value{nanoseconds{std::chrono::seconds{10}}}, "duration",
                           "time a whole request (head and body) may take to arrive; a slower client is disconnected"),
                       0.1, 3600));
  out.push_back(ranged(key("http.idle-timeout", value_type::duration, value{nanoseconds{std::chrono::seconds{5}}}, "duration",
                           "an idle keep-alive connection is closed after this"),
                       0.1, 3600));
  out.push_back(key("http.metrics-open", value_type::boolean, value{false}, "",
                    "serve /metrics without a token (for a Prometheus on a trusted network)"));
  out.push_back(ranged(key("http.rate-limit", value_type::real, value{6000.0}, "requests/minute",
                           "per API token; 0: unlimited"),
                       0, 1e9));
  out.push_back(ranged(key("http.rate-burst", value_type::real, value{200.0}, "requests",
                           "requests a token may make at once before the rate applies"),
                       1, 1e9));
  out.push_back(key("http.token-file", value_type::string, value{std::string{"var/console-token"}},
                    "path", "when HERALD_API_TOKENS is unset, a fresh admin token for this "
                    "run is written here (mode 0600) for the web and terminal consoles"));
  // [content] (issue 6): strategist, creator, charts, publishing
  out.push_back(key("content.enabled", value_type::boolean, value{true}, "",
                    "run the content agents (strategist, creator, charts, publishers)"));
  out.push_back(key("content.templates", value_type::string, value{std::string{"config/templates"}},
                    "directory", "template files <type>.<channel>.<variant>.txt (checked at start)"));
  out.push_back(key("content.chart-dir", value_type::string, value{std::string{"var/charts"}},
                    "directory", "chart images kept for pieces waiting to be (re)sent"));
  out.push_back(ranged(key("content.min-confidence", value_type::real, value{55.0}, "0-100",
                           "an approved insight below this confidence is not published"),
                       0, 100));
  out.push_back(ranged(key("content.novelty", value_type::duration,
                           value{nanoseconds{std::chrono::hours{4}}}, "duration",
                           "no second alert for the same symbol and direction within this time"),
                       0, 86400 * 30));
  out.push_back(ranged(key("content.max-alert-delay", value_type::duration,
                           value{nanoseconds{std::chrono::minutes{15}}}, "duration",
                           "an alert that cannot go out on a channel within this time is dropped there"),
                       0, 86400));
  out.push_back(key("content.recap-time", value_type::string, value{std::string{"21:00"}},
                    "HH:MM UTC", "time of the daily market recap"));
  out.push_back(one_of(key("content.report-day", value_type::string, value{std::string{"sunday"}}, "",
                           "weekday of the weekly research report"),
                       {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}));
  out.push_back(key("content.report-time", value_type::string, value{std::string{"18:00"}},
                    "HH:MM UTC", "time of the weekly research report"));
  out.push_back(ranged(key("content.max-attempts", value_type::integer, value{std::int64_t{5}}, "",
                           "attempts failing with 5xx / timeouts before a piece is parked as failed"),
                       1, 100));
  out.push_back(ranged(key("content.backoff-min", value_type::duration,
                           value{nanoseconds{std::chrono::seconds{1}}}, "duration",
                           "wait after the first failed attempt (doubles, with jitter)"),
                       0.001, 3600));
  out.push_back(ranged(key("content.backoff-max", value_type::duration,
                           value{nanoseconds{std::chrono::minutes{1}}}, "duration",
                           "longest wait between attempts"),
                       0.001, 86400));
  out.push_back(ranged(key("content.approval-poll", value_type::duration,
                           value{nanoseconds{std::chrono::seconds{5}}}, "duration",
                           "how often approved (or re-approved) pieces are picked up"),
                       0.01, 3600));
  out.push_back(ranged(key("content.drain-timeout", value_type::duration,
                           value{nanoseconds{std::chrono::minutes{2}}}, "duration",
                           "a bounded run waits this long for its pieces to be published"),
                       0.1, 86400));
  out.push_back(key("content.site-title", value_type::string, value{std::string{"Herald research"}},
                    "", "title of the articles site and its feed"));
  out.push_back(key("content.site-url", value_type::string, value{std::string{}}, "URL",
                    "where the articles site is served (absolute links in feed.xml and posts); "
                    "empty: Herald's own HTTP server at /site/ (or a file:// URL without it)"));
  out.push_back(key("content.llm", value_type::boolean, value{false}, "",
                    "let an LLM (Anthropic Messages API, key ANTHROPIC_API_KEY) write alerts and "
                    "recaps; its text is checked against the facts, templates are the fallback"));
  out.push_back(key("content.llm-url", value_type::string,
                    value{std::string{"https://api.anthropic.com"}}, "URL", "Messages API base"));
  out.push_back(key("content.llm-model", value_type::string,
                    value{std::string{"claude-3-5-haiku-latest"}}, "", "model name"));
  out.push_back(ranged(key("content.llm-timeout", value_type::duration,
                           value{nanoseconds{std::chrono::seconds{20}}}, "duration",
                           "an LLM call taking longer falls back to the template"),
                       0.1, 600));
  // [publish.<channel>]
  struct channel_defaults {
    const char* name;
    bool enabled;
    const char* url;
    std::int64_t per_hour, per_day;
    double per_minute, burst;
  };
  for (auto c : {channel_defaults{"articles", true, "", 0, 0, 600, 100},
                 channel_defaults{"telegram", false, "https://api.telegram.org", 20, 100, 20, 3},
                 channel_defaults{"discord", false, "https://discord.com", 20, 100, 30, 5},
                 channel_defaults{"x", false, "https://api.twitter.com", 6, 40, 5, 2},
                 channel_defaults{"webhook", false, "", 0, 0, 60, 10}}) {
    std::string p = std::string{"publish."} + c.name + ".";
    out.push_back(key(p + "enabled", value_type::boolean, value{c.enabled}, "",
                      std::string{"publish to "} + c.name));
    out.push_back(one_of(key(p + "mode", value_type::string, value{std::string{"live"}}, "",
                             "live: post; dry-run: log and record only; approval: hold as "
                             "pending_approval until `herald content approve`"),
                         {"live", "dry-run", "approval"}));
    out.push_back(ranged(key(p + "per-hour", value_type::integer, value{c.per_hour}, "posts",
                             "posts per rolling hour (0: no limit)"),
                         0, 100000));
    out.push_back(ranged(key(p + "per-day", value_type::integer, value{c.per_day}, "posts",
                             "posts per rolling day (0: no limit)"),
                         0, 1000000));
    out.push_back(key(p + "quiet-hours", value_type::string, value{std::string{}}, "HH:MM-HH:MM UTC",
                      "nothing is posted in this daily window (\"\": none), e.g. 22:00-07:00"));
    out.push_back(ranged(key(p + "rate-per-minute", value_type::real, value{c.per_minute},
                             "requests", "token bucket refill: requests a minute to the service"),
                         0.01, 100000));
    out.push_back(ranged(key(p + "burst", value_type::real, value{c.burst}, "requests",
                             "token bucket capacity"),
                         1, 100000));
    if (std::string{c.name} == "articles") {
      out.push_back(key(p + "dir", value_type::string, value{std::string{"var/site"}}, "directory",
                        "where the static site is written"));
      continue;
    }
    out.push_back(key(p + "url", value_type::string, value{std::string{c.url}}, "URL",
                      std::string{c.name} == "webhook"
                        ? "where the JSON is POSTed (required when enabled)"
                        : "API base URL (tests point it at a local server)"));
    out.push_back(ranged(key(p + "timeout", value_type::duration,
                             value{nanoseconds{std::chrono::seconds{10}}}, "duration",
                             "connect / read timeout per request"),
                         0.01, 600));
    if (std::string{c.name} == "telegram")
      out.push_back(key(p + "chat-id", value_type::string, value{std::string{}}, "",
                        "channel (\"@name\") or chat id to post to; the token is the secret "
                        "HERALD_TELEGRAM_TOKEN"));
  }
  return out;
}

/// An error for `a` unless less(a, b): "must be below b".
schema::check ordered(std::string a, std::string b, std::string why) {
  return [a, b, why](const settings& v) {
    std::vector<config_error> out;
    auto x = v.find(a), y = v.find(b);
    if (!x || !y)
      return out;
    auto num = [](const value& val) {
      if (auto i = std::get_if<std::int64_t>(&val))
        return static_cast<double>(*i);
      return std::get<double>(val);
    };
    if (num(x->val) >= num(y->val))
      out.push_back({x->source, a, render(x->val),
                     "must be below " + b + " (" + render(y->val) + "): " + why});
    return out;
  };
}

} // namespace

/// Minutes after midnight of "HH:MM", or -1.
int parse_hhmm(const std::string& s) {
  if (s.size() != 5 || s[2] != ':' || !std::isdigit(static_cast<unsigned char>(s[0]))
      || !std::isdigit(static_cast<unsigned char>(s[1]))
      || !std::isdigit(static_cast<unsigned char>(s[3]))
      || !std::isdigit(static_cast<unsigned char>(s[4])))
    return -1;
  int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
  return h < 24 && m < 60 ? h * 60 + m : -1;
}

namespace {

// Rules between keys.
std::vector<schema::check> make_checks() {
  std::vector<schema::check> out = {
    [](const settings& v) {
      std::vector<config_error> out;
      for (auto k : {"content.recap-time", "content.report-time"})
        if (auto e = v.find(k); e && parse_hhmm(std::get<std::string>(e->val)) < 0)
          out.push_back({e->source, k, render(e->val), "expected a time \"HH:MM\" (UTC)"});
      for (auto ch : {"articles", "telegram", "discord", "x", "webhook"}) {
        auto p = std::string{"publish."} + ch + ".";
        if (auto e = v.find(p + "quiet-hours")) {
          auto q = std::get<std::string>(e->val);
          if (!q.empty()
              && (q.size() != 11 || q[5] != '-' || parse_hhmm(q.substr(0, 5)) < 0
                  || parse_hhmm(q.substr(6)) < 0))
            out.push_back({e->source, p + "quiet-hours", render(e->val),
                           "expected \"HH:MM-HH:MM\" (UTC), e.g. \"22:00-07:00\", or \"\""});
        }
        if (!v.get_bool("content.enabled") || !v.get_bool(p + "enabled"))
          continue;
        if (std::string{ch} != "articles") {
          auto url = v.find(p + "url");
          auto u = url ? std::get<std::string>(url->val) : std::string{};
          if (u.rfind("http://", 0) != 0 && u.rfind("https://", 0) != 0)
            out.push_back({url ? url->source : std::string{"default"}, p + "url", render(url->val),
                           std::string{"publish."} + ch + " is enabled and needs an http(s) URL"});
        }
        if (std::string{ch} == "telegram" && v.get_string(p + "chat-id").empty()) {
          auto e = v.find(p + "chat-id");
          out.push_back({e->source, p + "chat-id", render(e->val),
                         "publish.telegram is enabled and needs the chat to post to"});
        }
      }
      return out;
    },
    [](const settings& v) {
      std::vector<config_error> out;
      auto lex = v.find("analysis.news-sentiment.lexicon");
      if (lex && !std::get<std::string>(lex->val).empty()) {
        try {
          analysis::lexicon::load(std::get<std::string>(lex->val));
        } catch (const analysis::lexicon_error& e) {
          out.push_back({lex->source, "analysis.news-sentiment.lexicon", render(lex->val),
                         e.what()});
        }
      }
      return out;
    },
    ordered("analysis.market-structure.fast", "analysis.market-structure.slow",
            "the fast average must be the shorter one"),
    ordered("analysis.multi-timeframe.fast", "analysis.multi-timeframe.slow",
            "the fast average must be the shorter one"),
    ordered("analysis.volatility-regime.low", "analysis.volatility-regime.high",
            "the low regime lies below the high one"),
    ordered("risk.reduce-drawdown", "risk.halt-drawdown",
            "the portfolio reduces risk before it halts"),
    [](const settings& v) {
      std::vector<config_error> out;
      auto rebuild = v.find("analysis.rebuild-candles");
      auto depth = v.find("hub.depth");
      if (rebuild && depth && v.get_bool("analysis.enabled")
          && std::get<std::int64_t>(rebuild->val) > std::get<std::int64_t>(depth->val))
        out.push_back({rebuild->source, "analysis.rebuild-candles", render(rebuild->val),
                       "must not exceed hub.depth (" + render(depth->val)
                         + "): a restarted analyzer rebuilds from the hub's window; raise "
                           "hub.depth or lower analysis.rebuild-candles"});
      return out;
    },
    [](const settings& v) {
      std::vector<config_error> out;
      auto flush = v.find("db.shutdown-flush-timeout");
      auto grace = v.find("herald.shutdown-grace");
      if (flush && grace
          && std::get<nanoseconds>(flush->val) >= std::get<nanoseconds>(grace->val))
        out.push_back({flush->source, "db.shutdown-flush-timeout", render(flush->val),
                       "must be shorter than herald.shutdown-grace (" + render(grace->val)
                         + "), or shutdown kills the writer before it finishes: lower it or "
                           "raise herald.shutdown-grace"});
      return out;
    },
    [](const settings& v) {
      std::vector<config_error> out;
      auto kinds = v.find("analysis.analyzers");
      if (kinds && v.get_bool("analysis.enabled") && v.get_list("analysis.analyzers").empty())
        out.push_back({kinds->source, "analysis.analyzers", render(kinds->val),
                       "analysis is enabled and needs at least one analyzer (or set "
                       "analysis.enabled=false)"});
      return out;
    },
    [](const settings& v) {
      std::vector<config_error> out;
      auto source = v.find("scanner.source");
      if (source && std::get<std::string>(source->val) == "replay"
          && v.get_list("scanner.files").empty())
        out.push_back({source->source, "scanner.source", render(source->val),
                       "needs candle files: set scanner.files"});
      return out;
    },
  };
  detail::add_cluster_checks(out);
  return out;
}

} // namespace

const std::vector<std::string>& log_levels() {
  static const std::vector<std::string> levels = {"trace", "debug", "info", "warn",
                                                  "error", "critical", "off"};
  return levels;
}

const std::vector<std::string>& supervisor_names() {
  static const std::vector<std::string> names = {"root", "ops", "data", "analysis",
                                                 "content", "community", "learning"};
  return names;
}

const schema& herald_schema() {
  static const schema s{make_keys(), make_checks()};
  return s;
}

} // namespace herald::config
