// Series placement across analysis nodes (issue 16), as an operator would
// check it: a replay of real candles through four `herald node` processes
// (TLS, the throwaway PostgreSQL) stores exactly what one `herald run`
// stores on the same input, even when an analysis node is SIGKILLed in the
// middle; the killed node rejoins as a new incarnation and receives at most
// ceil(S/N) series back, within the configured bound per interval.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <set>

#include "support/cluster.hpp"
#include "support/market_data.hpp"
#include "support/process.hpp"

using namespace herald::test;
using namespace std::chrono_literals;

namespace {

/// Every row psql prints for `sql` on `url` (fields separated by '|').
std::vector<std::string> pg_rows(const std::string& url, const std::string& sql) {
  return output_lines("psql '" + url + "' -qAt -c \"" + sql + "\" 2>&1");
}

std::size_t pg_count(const std::string& url, const std::string& table) {
  auto r = pg_rows(url, "SELECT count(*) FROM " + table);
  return r.empty() ? 0 : std::stoul(r[0]);
}

/// What is stored, without wall-clock columns.
std::map<std::string, std::vector<std::string>> stored(const std::string& url) {
  std::map<std::string, std::vector<std::string>> t;
  t["market_data"] = pg_rows(url, "SELECT symbol, interval, open_time, open, high, low, close, "
                                  "volume FROM market_data ORDER BY 1, 2, 3");
  t["analysis_results"] = pg_rows(url, "SELECT symbol, interval, open_time, analyzer, score, "
                                       "confidence, payload FROM analysis_results ORDER BY 1, 2, "
                                       "3, 4");
  t["signals"] = pg_rows(url, "SELECT id, open_time, direction, score, confidence, payload, "
                              "created_at_ms FROM signals ORDER BY id");
  t["insights"] = pg_rows(url, "SELECT id, signal_id, kind, title, body, importance, payload, "
                               "created_at_ms FROM insights ORDER BY id");
  return t;
}

void same_rows(const std::vector<std::string>& want, const std::vector<std::string>& got,
               const std::string& table) {
  INFO(table << ": " << want.size() << " rows from herald run, " << got.size()
             << " from the cluster");
  CHECK(want.size() == got.size());
  for (std::size_t i = 0; i < std::min(want.size(), got.size()); ++i)
    if (want[i] != got[i]) {
      INFO("first difference at row " << i << "\nherald run: " << want[i].substr(0, 600)
                                      << "\ncluster:    " << got[i].substr(0, 600));
      CHECK(want[i] == got[i]);
      return;
    }
}

std::string owner_of(const nlohmann::json& cluster, const std::string& series) {
  if (!cluster.is_object() || !cluster.contains("nodes"))
    return {};
  for (auto& n : cluster["nodes"])
    for (auto& s : n["series"])
      if (s == series)
        return n.value("name", "");
  return {};
}

std::string tail(const std::string& out, std::size_t n = 4000) {
  return out.size() <= n ? out : out.substr(out.size() - n);
}

/// Milliseconds of a log line's time stamp ("2026-12-06 23:47:32.680 ...").
std::int64_t log_ms(const std::string& line) {
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(line.c_str(), "%d-%d-%d %d:%d:%d.%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms)
      != 7)
    return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000 + ms;
}

/// The first line of `out` containing `needle` at or after `from_ms`.
std::string line_after(const std::string& out, const std::string& needle, std::int64_t from_ms) {
  std::size_t at = 0;
  while ((at = out.find(needle, at)) != std::string::npos) {
    auto begin = out.rfind('\n', at);
    begin = begin == std::string::npos ? 0 : begin + 1;
    auto end = out.find('\n', at);
    auto line = out.substr(begin, end - begin);
    if (log_ms(line) >= from_ms)
      return line;
    at = end;
  }
  return {};
}

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

} // namespace

TEST_CASE("a replay through four nodes with an analysis node SIGKILLed stores what one "
          "process stores and the rejoined node gets at most ceil(S/N) series back",
          "[cluster][acceptance][placement]") {
  HERALD_REQUIRE_MARKET_DATA();
  local_cluster cl;
  if (cl.db_url().empty()) {
    WARN("SKIPPED: the throwaway PostgreSQL is not running (run through ctest)");
    return;
  }
  constexpr int per_series = 2500; // (one replay source: its limit counts both files)
  auto btc = market_data("binance_spot_5m/BTCUSDT_5m.csv");
  auto eth = market_data("binance_spot_5m/ETHUSDT_5m.csv");
  // Two real 5m series; the hub keeps their whole history, so that an
  // analyzer rebuilt on another node starts from exactly the same state.
  std::vector<std::string> input{"--scanner.source=replay",
                                 "--scanner.symbols=[\"BTCUSDT\", \"ETHUSDT\"]",
                                 "--scanner.interval=5m",
                                 "--scanner.files=[\"" + btc + "\", \"" + eth + "\"]",
                                 "--analysis.intervals=[\"5m\"]",
                                 "--hub.depth=5000",
                                 "--content.enabled=false"};

  // The reference: one process on its own database.
  auto ref_url = run_line(pg_script() + " newdb " + HERALD_TEST_PG_DIR);
  REQUIRE(!ref_url.empty());
  std::vector<std::string> ref{herald_bin, "run", "--config", shipped_conf, "--http.port=0",
                               "--inspector.enabled=false", "--db.url=" + ref_url,
                               "--publish.articles.dir=" + (cl.dir() / "ref-site").string(),
                               "--content.chart-dir=" + (cl.dir() / "ref-charts").string(),
                               "--scanner.speed=0", "--candles", std::to_string(2 * per_series)};
  ref.insert(ref.end(), input.begin(), input.end());
  auto [rc, out] = process::run(ref, std::chrono::seconds{600});
  INFO(tail(out));
  REQUIRE(rc == 0);
  auto want = stored(ref_url);
  REQUIRE(want["signals"].size() == 2 * per_series);

  // The cluster: the data node last (its replay starts when the others are
  // there), paced so that the kill falls in the middle; its bounded replay
  // stops it at the end. Moves back to a rejoined node: one per 2 s at most.
  auto certs = cl.certs("n1,n2,n3,n4");
  auto node_args = input;
  node_args.insert(node_args.end(),
                   {"--scanner.speed=20000", "--scanner.max-candles=" + std::to_string(2 * per_series),
                    "--cluster.min-stay=1s", "--cluster.rebalance-interval=2s",
                    "--cluster.rebalance-moves=1"});
  // n4 starts first and so holds the coordinator lease (the killed node's
  // series move at once; losing the coordinator itself adds up to the lease
  // TTL, which bench/cluster measures).
  cl.start("n4", "content", certs, node_args);
  cl.start("n2", "analysis", certs, node_args);
  cl.start("n3", "analysis", certs, node_args);
  auto& n1 = cl.start("n1", "data,ops", certs, node_args);
  auto url = cl.db_url();

  // Both series placed, one on each analysis node (bounded load: ceil(2/2)).
  nlohmann::json placed;
  REQUIRE(local_cluster::wait_api(n1, "/api/v1/cluster", [&](int st, const nlohmann::json& j) {
    placed = j;
    return st == 200 && !owner_of(j, "BTCUSDT_5m").empty() && !owner_of(j, "ETHUSDT_5m").empty();
  }));
  INFO(placed.dump());
  CHECK(owner_of(placed, "BTCUSDT_5m") != owner_of(placed, "ETHUSDT_5m"));

  // Mid-replay: SIGKILL the node that owns BTCUSDT_5m.
  auto deadline = std::chrono::steady_clock::now() + 120s;
  while (pg_count(url, "signals") < 2 * per_series / 4 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(50ms);
  auto at_kill = pg_count(url, "signals");
  INFO("signals stored at the kill: " << at_kill);
  REQUIRE(at_kill < 2 * per_series); // the kill falls before the end
  auto victim = owner_of(placed, "BTCUSDT_5m");
  auto survivor = victim == "n2" ? "n3" : "n2";
  auto killed_at = wall_ms();
  cl[victim].p->signal(SIGKILL);
  cl[victim].p->wait_exit(30s);

  // The survivor owns both series; every candle is analysed.
  REQUIRE(local_cluster::wait_api(n1, "/api/v1/cluster", [&](int st, const nlohmann::json& j) {
    return st == 200 && owner_of(j, "BTCUSDT_5m") == survivor
           && owner_of(j, "ETHUSDT_5m") == survivor;
  }));
  deadline = std::chrono::steady_clock::now() + 300s;
  while (pg_count(url, "signals") < 2 * per_series && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(100ms);
  INFO("n1:\n" << tail(n1.p->output()) << "\n" << survivor << ":\n"
               << tail(cl[survivor].p->output()));
  auto got = stored(url);
  REQUIRE(got["signals"].size() == 2 * per_series);
  for (auto& [table, rs] : want)
    same_rows(rs, got[table], table);

  // Detection and reassignment, from the logs (reported, not asserted).
  auto lost = line_after(n1.p->output(), "node " + victim + " lost", killed_at - 1000);
  std::string coord;
  for (auto name : {"n1", "n2", "n3", "n4"})
    if (name != victim) {
      auto l = line_after(cl[name].p->output(), "\"from\":\"" + victim + "\"", killed_at - 1000);
      if (!l.empty())
        coord = l;
    }
  WARN("SIGKILL of " << victim << " with " << at_kill << " of " << 2 * per_series
                     << " signals stored: detected after "
                     << (lost.empty() ? -1 : log_ms(lost) - killed_at) << " ms, series reassigned after "
                     << (coord.empty() ? -1 : log_ms(coord) - killed_at) << " ms");
  CHECK(!lost.empty());
  CHECK(!coord.empty());

  // (c) The victim restarts: a new incarnation; the rebalance moves at most
  // ceil(S/N) = 1 series to it, one per interval at most. (n1 ended its
  // bounded replay and stopped: n4 answers from here on.)
  auto rejoined_at = wall_ms();
  cl.start(victim, "analysis", certs, node_args);
  auto& n4 = cl["n4"];
  nlohmann::json after;
  CHECK(local_cluster::wait_api(n4, "/api/v1/cluster", [&](int st, const nlohmann::json& j) {
    after = j;
    return st == 200
           && (owner_of(j, "BTCUSDT_5m") == victim || owner_of(j, "ETHUSDT_5m") == victim);
  }));
  INFO(after.dump());
  // Settled: two more intervals without a further move.
  std::this_thread::sleep_for(5s);
  auto moves = pg_rows(url, "SELECT details FROM deployment_logs WHERE event = 'assigned' AND "
                            "ts >= " + std::to_string(rejoined_at) + " ORDER BY ts");
  std::size_t to_victim = 0;
  for (auto& m : moves) {
    auto j = nlohmann::json::parse(m, nullptr, false);
    REQUIRE(j.is_object());
    CHECK(j["moves"].size() <= 1); // cluster.rebalance-moves
    for (auto& x : j["moves"])
      if (x["to"] == victim)
        ++to_victim;
  }
  CHECK(to_victim == 1); // ceil(S/N) = ceil(2/2)
  auto now_json = after;
  local_cluster::wait_api(n4, "/api/v1/cluster", [&](int st, const nlohmann::json& j) {
    now_json = j;
    return st == 200;
  });
  CHECK(owner_of(now_json, "BTCUSDT_5m") != owner_of(now_json, "ETHUSDT_5m"));
}
