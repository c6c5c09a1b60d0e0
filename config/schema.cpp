#include "config/schema.hpp"
#include "config/schema_parts.hpp"

#include "analysis/sentiment.hpp"
#include "market/interval.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>

namespace herald::config {

namespace detail {

std::string check_interval(const std::string& s) {
  if (!market::interval_ms(s))
    return "expected an interval: 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 1w";
  return {};
}

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
using detail::check_interval;

std::string check_symbol(const std::string& s) {
  if (s.size() < 2 || s.size() > 20
      || !std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }))
    return "expected a symbol of 2 to 20 upper-case letters and digits, e.g. \"BTCUSDT\"";
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
  out.push_back(ranged(key("db.idle-in-transaction-timeout", value_type::duration,
                           value{nanoseconds{2s}}, "duration",
                           "PostgreSQL: the server ends a session idle inside an open transaction "
                           "this long, so a frozen process does not hold its row locks (a "
                           "cluster lease could not move meanwhile); keep it below "
                           "cluster.lease-ttl"),
                       0.1, 3600));
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
                           value{nanoseconds{3s}}, "duration",
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
  detail::add_analysis_keys(out);
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
  detail::add_content_keys(out);
  detail::add_community_keys(out);
  detail::add_engagement_keys(out);
  detail::add_analytics_keys(out);
  detail::add_track_record_keys(out);
  detail::add_repurpose_keys(out);
  detail::add_learning_keys(out);
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

int parse_weekday(const std::string& s) {
  static const char* days[] = {"sunday",   "monday", "tuesday", "wednesday",
                               "thursday", "friday", "saturday"};
  for (int i = 0; i < 7; ++i)
    if (s == days[i])
      return i;
  return -1;
}

std::int64_t parse_span_ms(const std::string& s) {
  std::size_t i = 0;
  std::int64_t n = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
    if (n > 1'000'000'000)
      return -1;
    n = n * 10 + (s[i++] - '0');
  }
  if (i == 0)
    return -1;
  auto unit = s.substr(i);
  std::int64_t mult = unit == "ms" ? 1 : unit == "s" ? 1000 : unit == "min" ? 60'000
                      : unit == "h" ? 3'600'000 : unit == "d" ? 86'400'000 : 0;
  return mult == 0 ? -1 : n * mult;
}

namespace {

// Rules between keys.
std::vector<schema::check> make_checks() {
  std::vector<schema::check> out = {
    [](const settings& v) {
      std::vector<config_error> out;
      for (auto k : {"content.recap-time", "content.report-time", "content.scorecard-time"})
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
          && std::get<nanoseconds>(flush->val) + 2s > std::get<nanoseconds>(grace->val))
        out.push_back({flush->source, "db.shutdown-flush-timeout", render(flush->val),
                       "must be at least 2s shorter than herald.shutdown-grace ("
                         + render(grace->val)
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
  detail::add_community_checks(out);
  detail::add_learning_checks(out);
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
