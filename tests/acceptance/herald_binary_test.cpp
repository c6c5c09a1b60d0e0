// The herald binary as a user runs it.

#include <catch2/catch.hpp>

#include "db/migrations.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "support/backends.hpp"
#include "support/market_data.hpp"
#include "support/process.hpp"
#include "support/trickle_server.hpp"

using herald::test::process;
using herald::test::trickle_server;
using namespace std::chrono_literals;

namespace {
const std::string herald_bin = HERALD_BINARY;
const std::string shipped_conf = std::string{HERALD_SOURCE_DIR} + "/config/caf-application.conf";
} // namespace

TEST_CASE("herald --version prints the version", "[acceptance][cli]") {
  auto [code, out] = process::run({herald_bin, "--version"});
  CHECK(code == 0);
  CHECK(out.find("herald " HERALD_VERSION) != std::string::npos);
}

TEST_CASE("every command answers --help with exit 0", "[acceptance][cli]") {
  for (auto cmd : {std::vector<std::string>{"run"}, {"config", "check"}}) {
    std::vector<std::string> argv{herald_bin};
    argv.insert(argv.end(), cmd.begin(), cmd.end());
    argv.push_back("--help");
    auto [code, out] = process::run(argv);
    INFO(out);
    CHECK(code == 0);
    CHECK(out.find("Usage: herald") != std::string::npos);
  }
  auto [code, out] = process::run({herald_bin, "--help"});
  CHECK(code == 0);
  CHECK(out.find("config check") != std::string::npos);
}

TEST_CASE("usage errors exit 2 and say what was wrong", "[acceptance][cli]") {
  auto [c1, o1] = process::run({herald_bin, "frobnicate"});
  CHECK(c1 == 2);
  CHECK(o1.find("unknown command 'frobnicate'") != std::string::npos);
  auto [c2, o2] = process::run({herald_bin, "run", "--bogus"});
  CHECK(c2 == 2);
  CHECK(o2.find("unknown option '--bogus'") != std::string::npos);
  auto [c3, o3] = process::run({herald_bin, "config"});
  CHECK(c3 == 2);
  CHECK(o3.find("needs a subcommand: check") != std::string::npos);
}

TEST_CASE("herald config check accepts the shipped file and prints the effective config",
          "[acceptance][config]") {
  auto [code, out] = process::run({herald_bin, "config", "check", "--config", shipped_conf,
                                   "--supervision.ops.intensity=42"});
  INFO(out);
  CHECK(code == 0);
  CHECK(out.find("[supervision.ops]") != std::string::npos);
  CHECK(out.find("intensity = 42") != std::string::npos);
  CHECK(out.find("configuration OK") != std::string::npos);
}

TEST_CASE("herald config check never prints a password inside a URL", "[acceptance][config]") {
  auto [code, out] = process::run({herald_bin, "config", "check", "--config", shipped_conf,
                                   "--db.url=\"postgresql://herald:s3cret-pw@localhost:5432/h\""});
  INFO(out);
  CHECK(code == 0);
  CHECK(out.find("s3cret-pw") == std::string::npos);
  CHECK(out.find("postgresql://herald:") != std::string::npos); // the rest is shown
}

TEST_CASE("herald config check on a file with a misspelled key exits 2 naming the key",
          "[acceptance][config]") {
  auto path = "/tmp/herald-misspelled-" + std::to_string(::getpid()) + ".conf";
  {
    std::ofstream out{path};
    out << "[supervision]\nintensity=2\nperoid=5s\n";
  }
  auto [code, out] = process::run({herald_bin, "config", "check", "--config", path});
  std::remove(path.c_str());
  INFO(out);
  CHECK(code == 2);
  CHECK(out.find("supervision.peroid") != std::string::npos);
  CHECK(out.find(path) != std::string::npos);
  CHECK(out.find("did you mean 'period'") != std::string::npos);
}

TEST_CASE("configurations that cannot work are refused with what is wrong and where",
          "[acceptance][config]") {
  struct bad {
    std::vector<std::string> args;
    std::string says;
  };
  auto dir = std::string{HERALD_SOURCE_DIR} + "/config";
  auto empty_templates = (std::filesystem::temp_directory_path()
                          / ("herald-no-templates-" + std::to_string(::getpid())))
                           .string();
  std::filesystem::create_directories(empty_templates);
  std::vector<bad> cases{
    {{"--config", dir}, dir + ": is a directory, not a config file"},
    {{"--config", shipped_conf, "--scheduler.max-threads=0"},
     "key 'scheduler.max-threads' = 0: the actor system needs at least one thread"},
    {{"--config", shipped_conf, "--analysis.analyzers=[]"},
     "analysis is enabled and needs at least one analyzer"},
    {{"--config", shipped_conf, "--analysis.analyzers=[\"tea_leaves\"]"}, "tea_leaves"},
    {{"--config", shipped_conf, "--content.templates=\"" + empty_templates + "\""},
     "no template for alert.articles.<variant>.txt"},
  };
  for (auto& c : cases) {
    std::vector<std::string> argv{herald_bin, "config", "check"};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    auto [code, out] = process::run(argv);
    INFO(out);
    CHECK(code == 2);
    CHECK(out.find(c.says) != std::string::npos);
    // herald run refuses the same, before anything starts.
    argv[1] = "run";
    argv.erase(argv.begin() + 2);
    argv.push_back("--http.port=0");
    argv.push_back("--inspector.port=0");
    auto [rc, rout] = process::run(argv, std::chrono::seconds{30});
    INFO(rout);
    CHECK(rc == 2);
    CHECK(rout.find(c.says) != std::string::npos);
  }
}

TEST_CASE("herald run under chaos keeps running, logs restarts and exits 0 on SIGTERM",
          "[acceptance][run][chaos]") {
  process p{{herald_bin, "run", "--config", shipped_conf, "--http.port=0", "--inspector.port=0", "--chaos.kill-rate=50",
             "--chaos.seed=7", "--supervision.intensity=100000", "--supervision.period=1s",
             "--ops.health-interval=100ms",
             "--db.url=sqlite:///tmp/herald-chaos-" + std::to_string(::getpid()) + ".db"}};
  REQUIRE(p.wait_output("herald running", 30s));
  // Many restarts must happen while the process stays up.
  REQUIRE(p.wait_output("restart #20)", 30s));
  CHECK_FALSE(p.exited());
  p.signal(SIGTERM);
  auto code = p.wait_exit(30s);
  auto out = p.output();
  INFO(out.substr(out.size() > 4000 ? out.size() - 4000 : 0));
  CHECK(code == 0);
  CHECK(out.find("restarted child 'ops.health' (last exit: kill") != std::string::npos);
  CHECK(out.find("herald stopped (orderly shutdown)") != std::string::npos);
}

TEST_CASE("herald run exits 0 on SIGINT after an orderly shutdown", "[acceptance][run]") {
  process p{{herald_bin, "run", "--config", shipped_conf, "--http.port=0", "--inspector.port=0"}};
  REQUIRE(p.wait_output("herald running", 30s));
  p.signal(SIGINT);
  CHECK(p.wait_exit(30s) == 0);
  auto out = p.output();
  // domain supervisors stop in reverse start order
  auto learning = out.find("supervisor 'learning' stopped");
  auto ops = out.find("supervisor 'ops' stopped");
  REQUIRE(learning != std::string::npos);
  REQUIRE(ops != std::string::npos);
  CHECK(learning < ops);
}

TEST_CASE("a second signal ends herald at once while the orderly shutdown waits",
          "[acceptance][run][signal]") {
  // The database is locked by another process, so the orderly shutdown
  // waits to store what the hub holds (up to half of a 2-minute grace); the
  // second SIGINT must not wait for it.
  auto dir = std::filesystem::temp_directory_path()
             / ("herald-signal-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
  std::filesystem::create_directories(dir);
  auto db = (dir / "h.db").string();
  process p{{herald_bin, "run", "--config", shipped_conf, "--http.port=0", "--inspector.port=0",
             "--db.url=sqlite://" + db, "--db.spill-file=" + (dir / "spill").string(),
             "--herald.shutdown-grace=120s", "--db.shutdown-flush-timeout=100s",
             "--publish.articles.dir=" + (dir / "site").string(),
             "--content.chart-dir=" + (dir / "charts").string()}};
  REQUIRE(p.wait_output("herald running", 30s));
  process lock{{"/usr/bin/python3", "-c",
                "import sqlite3,sys,time\n"
                "c=sqlite3.connect(sys.argv[1],isolation_level=None)\n"
                "c.execute('BEGIN EXCLUSIVE')\n"
                "print('locked',flush=True)\n"
                "time.sleep(600)\n",
                db}};
  REQUIRE(lock.wait_output("locked", 30s));
  p.signal(SIGINT);
  REQUIRE(p.wait_output("stopping: sources stopped", 10s));
  p.signal(SIGINT);
  auto code = p.wait_exit(5s);
  auto out = p.output();
  INFO(out.substr(out.size() > 4000 ? out.size() - 4000 : 0));
  CHECK(code == 1);
  CHECK(out.find("second signal: exiting now") != std::string::npos);
  lock.signal(SIGKILL);
  lock.wait_exit(10s);
  std::filesystem::remove_all(dir);
}

TEST_CASE("listen failures stop herald at once with exit 2 naming the address",
          "[acceptance][run][hang]") {
  int busy = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(busy, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::listen(busy, 1) == 0);
  socklen_t len = sizeof a;
  ::getsockname(busy, reinterpret_cast<sockaddr*>(&a), &len);
  auto port = std::to_string(ntohs(a.sin_port));
  struct bad {
    std::vector<std::string> args;
    std::string says;
  };
  std::vector<bad> cases{
    {{"--http.port=" + port, "--inspector.port=0"}, "127.0.0.1:" + port + ": the port is in use"},
    {{"--http.port=0", "--inspector.port=" + port}, "127.0.0.1:" + port + ": the port is in use"},
    {{"--http.address=\"10.9.9.9\"", "--http.port=0", "--inspector.port=0"},
     "http: cannot listen on 10.9.9.9:0"},
    {{"--http.port=0", "--inspector.address=\"10.9.9.9\"", "--inspector.port=0"},
     "inspector: cannot listen on 10.9.9.9:0"},
    {{"--http.address=\"not an address\"", "--http.port=0", "--inspector.port=0"},
     "is not a numeric IP address"},
  };
  for (auto& c : cases) {
    std::vector<std::string> argv{herald_bin, "run", "--config", shipped_conf};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    auto [code, out] = process::run(argv, std::chrono::seconds{30});
    INFO(out);
    CHECK(code == 2);
    CHECK(out.find(c.says) != std::string::npos);
  }
  ::close(busy);
}

TEST_CASE("herald run with an invalid override exits 2 before starting", "[acceptance][run]") {
  auto [code, out] = process::run({herald_bin, "run", "--config", shipped_conf, "--http.port=0", "--inspector.port=0",
                                   "--chaos.kill-rate=fast"});
  CHECK(code == 2);
  CHECK(out.find("chaos.kill-rate") != std::string::npos);
  CHECK(out.find("herald running") == std::string::npos);
}

TEST_CASE("a config file named by HERALD_CONFIG must exist", "[acceptance][config]") {
  auto [code, out] = process::run({"/usr/bin/env", "HERALD_CONFIG=/nonexistent/herald.conf",
                                   herald_bin, "config", "check"});
  CHECK(code == 2);
  CHECK(out.find("/nonexistent/herald.conf: cannot read the config file") != std::string::npos);
  auto [ok, text] = process::run({"/usr/bin/env", "HERALD_CONFIG=" + shipped_conf, herald_bin,
                                  "config", "check"});
  CHECK(ok == 0);
  CHECK(text.find("; file: " + shipped_conf) != std::string::npos);
}

TEST_CASE("herald migrate brings SQLite and PostgreSQL to the schema, twice safely",
          "[acceptance][db]") {
  for (auto& t : herald::test::fresh_backends()) {
    INFO(t.name);
    auto [c1, o1] = process::run({herald_bin, "migrate", "--config", shipped_conf, "--db", t.url});
    INFO(o1);
    CHECK(c1 == 0);
    CHECK(o1.find("schema version 0 -> " + std::to_string(herald::db::latest_schema_version()))
          != std::string::npos);
    CHECK(o1.find("applied 0001_initial") != std::string::npos);
    CHECK(o1.find("applied 0002_replay_indexes") != std::string::npos);
    CHECK(o1.find("applied 0003_cluster") != std::string::npos);
    CHECK(o1.find("applied 0005_community") != std::string::npos);
    auto [c2, o2] = process::run({herald_bin, "migrate", "--config", shipped_conf, "--db", t.url});
    CHECK(c2 == 0);
    CHECK(o2.find("(up to date)") != std::string::npos);
  }
  if (!herald::test::pg_available())
    WARN("PostgreSQL is not running (start the tests through ctest): only SQLite was migrated");
}

TEST_CASE("herald migrate refuses a database newer than the binary", "[acceptance][db]") {
  auto path = "/tmp/herald-newer-" + std::to_string(::getpid()) + ".db";
  std::remove(path.c_str());
  auto url = "sqlite://" + path;
  REQUIRE(process::run({herald_bin, "migrate", "--config", shipped_conf, "--db", url}).first == 0);
  REQUIRE(std::system(("sqlite3 '" + path + "' \"INSERT INTO schema_migrations VALUES "
                       "(99, 'future', 'x')\"").c_str()) == 0);
  auto [code, out] = process::run({herald_bin, "migrate", "--config", shipped_conf, "--db", url});
  CHECK(code == 1);
  CHECK(out.find("newer than this herald binary") != std::string::npos);
  auto [rc, rout] = process::run({herald_bin, "run", "--config", shipped_conf, "--http.port=0", "--inspector.port=0",
                                  "--db.url=" + url});
  CHECK(rc == 1);
  CHECK(rout.find("newer than this herald binary") != std::string::npos);
  std::remove(path.c_str());
}

TEST_CASE("a bad database URL is a usage error naming the key", "[acceptance][db]") {
  auto [code, out] = process::run({herald_bin, "run", "--config", shipped_conf, "--http.port=0", "--inspector.port=0",
                                   "--db.url=mysql://localhost/x"});
  CHECK(code == 2);
  CHECK(out.find("db.url") != std::string::npos);
  CHECK(out.find("unsupported database URL") != std::string::npos);
}

TEST_CASE("herald run --candles N stops after N candles per series, drains, summarises, exits 0",
          "[acceptance][run][bounded]") {
  auto path = "/tmp/herald-bounded-" + std::to_string(::getpid()) + ".db";
  std::remove(path.c_str());
  auto [code, out] = process::run({herald_bin, "run", "--config", shipped_conf, "--http.port=0", "--inspector.port=0", "--candles", "240",
                                   "--db.url=sqlite://" + path, "--scanner.seed=5"});
  INFO(out);
  CHECK(code == 0);
  CHECK(out.find("bounded run finished: 240 candles") != std::string::npos);
  CHECK(out.find("herald stopped (orderly shutdown)") != std::string::npos);
  // every candle the run produced is in the database, higher intervals included
  auto count = [&](const std::string& interval) {
    return herald::test::run_line("sqlite3 '" + path
                                  + "' \"SELECT COUNT(*) FROM market_data WHERE symbol = "
                                    "'BTCUSDT' AND interval = '"
                                  + interval + "'\"");
  };
  CHECK(count("1m") == "240");
  CHECK(count("1h") >= "3");
  auto [bad, bad_out] = process::run({herald_bin, "run", "--config", shipped_conf, "--http.port=0", "--inspector.port=0", "--candles",
                                      "many"});
  CHECK(bad == 2);
  CHECK(bad_out.find("--candles needs a positive number") != std::string::npos);
  std::remove(path.c_str());
}

TEST_CASE("herald ingest imports files idempotently and summarises them",
          "[acceptance][ingest]") {
  auto dir = "/tmp/herald-ingest-" + std::to_string(::getpid());
  std::system(("mkdir -p " + dir).c_str());
  auto csv = dir + "/BTCUSDT-1m.csv";
  {
    std::ofstream out{csv};
    for (int i = 0; i < 100; ++i) {
      if (i == 50)
        continue; // a gap
      long long t = 1609459200000LL + i * 60000LL;
      out << t << ",100,101,99,100.5,3," << t + 59999 << ",300,10,1.5,150,0\n";
    }
    out << "1609459200000,100,101,99,100.5,3,1609459259999,300,10,1.5,150,0\n"; // out of order
    out << "1609465200000,abc,101,99,100.5,3,1609465259999,300,10,1.5,150,0\n"; // unreadable
  }
  for (auto& t : herald::test::fresh_backends()) {
    INFO(t.name);
    auto [c1, o1] = process::run({herald_bin, "ingest", "--config", shipped_conf, "--db", t.url,
                                  "--symbol", "BTCUSDT", csv});
    INFO(o1);
    CHECK(c1 == 0);
    CHECK(o1.find("read 101 rows, stored 99, already present 0") != std::string::npos);
    CHECK(o1.find("rejected (out of order): 1") != std::string::npos);
    CHECK(o1.find("rejected (unreadable row): 1") != std::string::npos);
    CHECK(o1.find("line 101: field 'open' is not a number: 'abc'") != std::string::npos);
    CHECK(o1.find("gaps 1") != std::string::npos);
    auto [c2, o2] = process::run({herald_bin, "ingest", "--config", shipped_conf, "--db", t.url,
                                  "--symbol", "BTCUSDT", csv});
    CHECK(c2 == 0);
    CHECK(o2.find("stored 0, already present 99") != std::string::npos);
  }
  auto bad = dir + "/bad.json";
  {
    std::ofstream out{bad};
    out << "[[1609459200000, 1, 2, 0.5, 1.5, 3],\n  [oops]]";
  }
  auto [c3, o3] = process::run({herald_bin, "ingest", "--config", shipped_conf, "--db",
                                "sqlite://" + dir + "/x.db", "--symbol", "BTCUSDT", bad});
  CHECK(c3 == 2);
  CHECK(o3.find(bad + ":2: invalid JSON") != std::string::npos);
  std::system(("rm -rf " + dir).c_str());
}

TEST_CASE("herald indicators prints the documented columns, empty until warm",
          "[acceptance][indicators]") {
  auto csv = "/tmp/herald-ind-" + std::to_string(::getpid()) + ".csv";
  {
    std::ofstream out{csv};
    out << "timestamp,open,high,low,close,volume\n";
    for (int i = 0; i < 60; ++i)
      out << "2024-01-01 00:" << (i < 10 ? "0" : "") << i << ":00+0000," << 100 + i % 5 << ","
          << 110 + i % 5 << "," << 95 + i % 5 << "," << 101 + i % 7 << ",10\n";
  }
  auto [code, out] = process::run({herald_bin, "indicators", csv});
  INFO(out);
  CHECK(code == 0);
  std::istringstream lines{out};
  std::string header, first, last, line;
  std::getline(lines, header);
  std::getline(lines, first);
  int rows = 1;
  while (std::getline(lines, line))
    if (!line.empty() && std::isdigit(static_cast<unsigned char>(line[0]))) {
      last = line;
      ++rows;
    }
  CHECK(header == "open_time,close,sma20,ema20,rsi14,atr14,bb_lower,bb_middle,bb_upper,macd,"
                  "macd_signal,macd_hist,zscore20");
  CHECK(rows == 60);
  CHECK(first == "1704067200000,101,,,,,,,,,,,");
  CHECK(std::count(last.begin(), last.end(), ',') == 12);
  CHECK(last.find(",,") == std::string::npos); // everything warm after 60 bars
  auto [bad, bad_out] = process::run({herald_bin, "indicators", "/nonexistent.csv"});
  CHECK(bad == 2);
  CHECK(bad_out.find("/nonexistent.csv: cannot read the file") != std::string::npos);
  std::remove(csv.c_str());
}

TEST_CASE("herald backtest on a real file reports signals, insights, hit rates and intervals",
          "[acceptance][backtest]") {
  HERALD_REQUIRE_MARKET_DATA();
  auto dir = herald::test::market_data("binance_spot_1m_datavision/");
  auto json = "/tmp/herald-bt-" + std::to_string(::getpid()) + ".json";
  auto [code, out] = process::run({herald_bin, "backtest", "--config", shipped_conf, "--file",
                                   dir + "BTCUSDT-1m-2021-01-01.csv",
                                   dir + "BTCUSDT-1m-2021-01-02.csv", "--horizon", "15",
                                   "--json", json, "--log.level=warn"});
  INFO(out);
  REQUIRE(code == 0);
  CHECK(out.find("backtest of BTCUSDT 1m, 2021-01-01 00:00:00 .. 2021-01-02 23:59:00, horizon "
                 "15 bars (2880 candles accepted of 2880)")
        != std::string::npos);
  CHECK(out.find("candles            2880") != std::string::npos);
  CHECK(out.find("95% CI [") != std::string::npos);
  CHECK(out.find("buy and hold") != std::string::npos);
  CHECK(out.find("paper portfolio") != std::string::npos);
  CHECK(out.find("statistical_edge") != std::string::npos);
  std::ifstream in{json};
  auto j = nlohmann::json::parse(in);
  CHECK(j["candles"] == 2880);
  std::uint64_t by_dir = 0;
  for (auto& [d, n] : j["signals"].items())
    by_dir += n.get<std::uint64_t>();
  CHECK(by_dir == 2880);
  std::uint64_t vetoed = 0;
  for (auto& [r, n] : j["insights"]["vetoed"].items())
    vetoed += n.get<std::uint64_t>();
  CHECK(j["insights"]["approved"].get<std::uint64_t>() + vetoed
        == j["signals"]["long"].get<std::uint64_t>() + j["signals"]["short"].get<std::uint64_t>());
  auto ci = j["hit_rate"]["ci95"];
  CHECK(ci[0].get<double>() <= j["hit_rate"]["rate"].get<double>());
  CHECK(j["hit_rate"]["rate"].get<double>() <= ci[1].get<double>());
  // BTC rose from ~29,000 to ~32,000 over these two days
  CHECK(j["buy_and_hold"].get<double>() > 0.05);
  // the same input gives the same report
  auto [code2, out2] = process::run({herald_bin, "backtest", "--config", shipped_conf, "--file",
                                     dir + "BTCUSDT-1m-2021-01-01.csv",
                                     dir + "BTCUSDT-1m-2021-01-02.csv", "--horizon", "15",
                                     "--log.level=warn"});
  auto report = [](const std::string& o) { return o.substr(o.find("candles            ")); };
  CHECK(code2 == 0);
  CHECK(report(out2) == report(out));
  std::remove(json.c_str());
}

TEST_CASE("herald backtest refuses bad arguments with exit 2 and the reason", "[acceptance][backtest]") {
  auto [a, ao] = process::run({herald_bin, "backtest", "--config", shipped_conf});
  CHECK(a == 2);
  CHECK(ao.find("give either --file F... or --db URL") != std::string::npos);
  auto [b, bo] = process::run({herald_bin, "backtest", "--config", shipped_conf, "--file",
                               "/nonexistent.csv"});
  CHECK(b == 2);
  CHECK(bo.find("/nonexistent.csv: cannot read the file") != std::string::npos);
  auto [c, co] = process::run({herald_bin, "backtest", "--config", shipped_conf, "--db",
                               "sqlite:///tmp/x.db", "--horizon", "0"});
  CHECK(c == 2);
  CHECK(co.find("--horizon '0' must be a whole number of bars") != std::string::npos);
  auto [d, dout] = process::run({herald_bin, "backtest", "--config", shipped_conf, "--db",
                                 "sqlite:///tmp/x.db", "--from", "yesterday"});
  CHECK(d == 2);
  CHECK(dout.find("--from 'yesterday' is not a time") != std::string::npos);
}

TEST_CASE("data mistakes are refused, not absorbed", "[acceptance][backtest][data]") {
  HERALD_REQUIRE_MARKET_DATA();
  auto hourly = herald::test::market_data("binance_spot_1h_4h/BTCUSDT_1h.csv");
  auto dir = std::filesystem::temp_directory_path()
             / ("herald-mistakes-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  SECTION("an --interval that is not the file's spacing names both") {
    for (const char* cmd : {"backtest", "indicators", "ingest"}) {
      INFO(cmd);
      std::vector<std::string> args{herald_bin, cmd};
      if (std::string{cmd} != "indicators")
        args.insert(args.end(), {"--config", shipped_conf});
      if (std::string{cmd} == "backtest")
        args.insert(args.end(), {"--file", hourly});
      else
        args.push_back(hourly);
      args.insert(args.end(), {"--interval", "1m"});
      if (std::string{cmd} == "ingest")
        args.insert(args.end(), {"--symbol", "BTCUSDT", "--db", "sqlite://" + (dir / "i.db").string()});
      auto [rc, out] = process::run(args, 120s);
      INFO(out);
      CHECK(rc == 2);
      CHECK(out.find("the interval given is 1m, but the file holds 1h candles") != std::string::npos);
    }
  }
  SECTION("a symbol contradicting the file name warns, and --strict refuses") {
    auto [rc, out] = process::run({herald_bin, "backtest", "--config", shipped_conf, "--file",
                                   hourly, "--symbol", "ETHUSDT", "--strict"});
    CHECK(rc == 2);
    CHECK(out.find("is named for BTCUSDT, but --symbol says ETHUSDT (--strict)") != std::string::npos);
    auto [rc2, out2] = process::run({herald_bin, "ingest", "--config", shipped_conf, hourly,
                                     "--symbol", "ETHUSDT", "--db",
                                     "sqlite://" + (dir / "w.db").string()},
                                    120s);
    CHECK(rc2 == 0);
    CHECK(out2.find("warning: " + hourly + " is named for BTCUSDT") != std::string::npos);
  }
  SECTION("a backtest names its series from the file") {
    auto [rc, out] = process::run({herald_bin, "backtest", "--config", shipped_conf, "--file",
                                   hourly, "--from", "2026-03-01", "--to", "2026-03-03"},
                                  300s);
    INFO(out);
    CHECK(rc == 0);
    CHECK(out.find("backtest of BTCUSDT 1h") != std::string::npos);
  }
  SECTION("--db naming a missing database creates nothing") {
    auto missing = dir / "missing.db";
    for (std::vector<std::string> args :
         {std::vector<std::string>{herald_bin, "backtest", "--config", shipped_conf, "--db",
                                   "sqlite://" + missing.string(), "--symbol", "BTCUSDT",
                                   "--interval", "1m"},
          std::vector<std::string>{herald_bin, "content", "list", "--config", shipped_conf, "--db",
                                   "sqlite://" + missing.string()}}) {
      auto [rc, out] = process::run(args);
      INFO(out);
      CHECK(rc == 2);
      CHECK(out.find("no database at " + missing.string()) != std::string::npos);
      CHECK(!std::filesystem::exists(missing));
    }
  }
  SECTION("--json to an unwritable path fails before the work starts") {
    auto [rc, out] = process::run({herald_bin, "backtest", "--config", shipped_conf, "--file",
                                   hourly, "--json", "/nonexistent-dir/report.json"});
    CHECK(rc == 2);
    CHECK(out.find("--json /nonexistent-dir/report.json: cannot write there") != std::string::npos);
    CHECK(out.find("backtest of") == std::string::npos);
  }
  SECTION("a range without candles is an error") {
    auto [rc, out] = process::run({herald_bin, "backtest", "--config", shipped_conf, "--file",
                                   hourly, "--from", "2030-01-01"});
    CHECK(rc == 2);
    CHECK(out.find("no candles in the range") != std::string::npos);
  }
  std::filesystem::remove_all(dir);
}


TEST_CASE("a news feed that trickles its reply neither holds a poll nor the shutdown",
          "[acceptance][news][hang]") {
  trickle_server feed;
  auto url = "http://127.0.0.1:" + std::to_string(feed.port()) + "/feed.xml";
  process p{{herald_bin, "run", "--config", shipped_conf, "--http.port=0", "--inspector.port=0",
             "--news.feeds=[\"" + url + "\"]",
             "--db.url=sqlite:///tmp/herald-trickle-" + std::to_string(::getpid()) + ".db"}};
  REQUIRE(p.wait_output("herald running", 30s));
  // The whole request has one deadline (10 s): the poll gives up although
  // bytes keep coming, instead of waiting for the two minutes of trickle.
  REQUIRE(p.wait_output("no complete reply within 10 s: abandoned", 60s));
  p.signal(SIGTERM);
  CHECK(p.wait_exit(60s) == 0);
  std::remove(("/tmp/herald-trickle-" + std::to_string(::getpid()) + ".db").c_str());
}
