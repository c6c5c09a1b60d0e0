// Back-pressure as an overloaded operator would see it: 20 simulated
// symbols at full speed (scanner.speed=0) with persistence, analysis and
// content on, for HERALD_LOAD_SECONDS (default 180). Memory stays bounded,
// every candle the source produced is stored, every stored 1m candle has
// the results of all 8 analyzers and its signal, and SIGINT ends the run
// within the grace period with exit code 0. The throughput and peak RSS are
// printed (bench/load_bench.sh prints the same for any duration).
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "support/process.hpp"

using herald::test::process;
namespace fs = std::filesystem;

namespace {

const std::string herald_bin = HERALD_BINARY;
const std::string shipped_conf = std::string{HERALD_SOURCE_DIR} + "/config/caf-application.conf";

std::string query(const std::string& db, const std::string& sql) {
  std::string out;
  auto cmd = "sqlite3 '" + db + "' \"" + sql + "\"";
  if (auto p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    while (fgets(buf, sizeof(buf), p))
      out += buf;
    pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
    out.pop_back();
  return out;
}

long long number(const std::string& db, const std::string& sql) {
  auto text = query(db, sql);
  INFO(sql << " -> '" << text << "'");
  REQUIRE(!text.empty());
  return std::stoll(text);
}

/// Resident set size of a process in KiB (0 when it is gone).
long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::strtol(line.c_str() + 6, nullptr, 10);
  return 0;
}

} // namespace

TEST_CASE("load: 20 symbols at full speed stay bounded and lose nothing", "[acceptance][load]") {
  int seconds = 180;
  if (auto* e = std::getenv("HERALD_LOAD_SECONDS"))
    seconds = std::max(5, std::atoi(e));
  auto dir = fs::temp_directory_path()
             / ("herald-load-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
  fs::create_directories(dir);
  auto db = (dir / "h.db").string();
  std::string symbols = "[";
  for (int i = 1; i <= 20; ++i)
    symbols += std::string{i > 1 ? ", " : ""} + "\"L" + (i < 10 ? "0" : "") + std::to_string(i)
               + "USDT\"";
  symbols += "]";
  const long long start = 1577836800000; // 2020-01-01
  process p{{herald_bin, "run", "--config", shipped_conf, "--http.port=0", "--inspector.port=0",
             "--db.url=sqlite://" + db, "--db.spill-file=" + (dir / "spill").string(),
             "--publish.articles.dir=" + (dir / "site").string(),
             "--content.chart-dir=" + (dir / "charts").string(), "--scanner.speed=0",
             "--scanner.start-time=" + std::to_string(start), "--scanner.symbols=" + symbols,
             "--herald.shutdown-grace=20s"}};
  REQUIRE(p.wait_output("herald running", std::chrono::seconds{60}));
  // Sample the memory once a second for the duration (the run is the
  // event; the samples are the measurement).
  long peak = 0, first = 0;
  auto t0 = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - t0 < std::chrono::seconds{seconds}) {
    auto kib = rss_kib(p.pid());
    peak = std::max(peak, kib);
    if (first == 0 && std::chrono::steady_clock::now() - t0 > std::chrono::seconds{5})
      first = kib;
    // The next sample in a second, unless the process ends before.
    if (p.wait_exit(std::chrono::seconds{1}) != -1 || p.exited()) {
      auto text = p.output();
      FAIL("herald ended during the load: " << text.substr(text.size() > 4000 ? text.size() - 4000 : 0));
    }
  }
  p.signal(SIGINT);
  auto code = p.wait_exit(std::chrono::seconds{60});
  auto out = p.output();
  INFO(out.substr(out.size() > 6000 ? out.size() - 6000 : 0));
  REQUIRE(code == 0);
  CHECK(out.find("herald stopped (orderly shutdown)") != std::string::npos);
  CHECK(out.find("shutdown did not finish within the grace period") == std::string::npos);
  CHECK(out.find("stopping before everything in flight") == std::string::npos);
  // Memory bound: the queues are bounded, so memory does not grow with the
  // run's length (before back-pressure: 1.1 GB -> 9.6 GB in 3 minutes).
  constexpr long bound_kib = 1536L * 1024;
  CHECK(peak < bound_kib);
  // Every candle the source produced is stored, per series, contiguous.
  std::smatch m;
  REQUIRE(std::regex_search(out, m, std::regex{"source stopped for the shutdown after (\\d+) candles"}));
  auto produced = std::stoll(m[1]);
  REQUIRE(produced > 1000);
  auto base = "FROM market_data WHERE interval = '1m'";
  CHECK(number(db, "SELECT COUNT(DISTINCT symbol) " + std::string{base}) == 20);
  CHECK(number(db, "SELECT COUNT(*) FROM (SELECT symbol, COUNT(*) n, MIN(open_time) a, "
                   "MAX(open_time) b "
                     + std::string{base} + " GROUP BY symbol) WHERE n = " + std::to_string(produced)
                     + " AND a = " + std::to_string(start) + " AND b = "
                     + std::to_string(start + (produced - 1) * 60000))
        == 20);
  auto candles = number(db, "SELECT COUNT(*) " + std::string{base});
  // Every stored candle has its signal and the results of all 8 analyzers.
  CHECK(number(db, "SELECT COUNT(*) FROM signals WHERE interval = '1m'") == candles);
  CHECK(number(db, "SELECT COUNT(*) " + std::string{base}
                     + " AND NOT EXISTS (SELECT 1 FROM signals s WHERE s.symbol = "
                       "market_data.symbol AND s.interval = '1m' AND s.open_time = "
                       "market_data.open_time)")
        == 0);
  CHECK(number(db, "SELECT COUNT(*) FROM analysis_results WHERE interval = '1m'") == 8 * candles);
  CHECK(number(db, "SELECT COUNT(*) FROM (SELECT symbol, open_time FROM analysis_results WHERE "
                   "interval = '1m' GROUP BY symbol, open_time HAVING COUNT(*) <> 8)")
        == 0);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("load: %d s, 20 symbols: %lld 1m candles stored and analysed (%.0f candles/s incl. "
              "the stop), RSS %ld MiB after 5 s, peak %ld MiB (bound %ld MiB)\n",
              seconds, candles, candles / secs, first / 1024, peak / 1024, bound_kib / 1024);
  fs::remove_all(dir);
}
