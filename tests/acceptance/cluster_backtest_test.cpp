// A distributed backtest (issue 16): real 5m candles of two symbols in the
// cluster's database; `herald backtest --cluster URL` asks a node, which
// splits the series over the two analysis nodes (their backtest hosts start
// the analyzers), keeps the pipeline and the risk manager and merges one
// report. It must equal, to the last digit, the one-process backtest of the
// same candles (`herald backtest --db`).
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "support/cluster.hpp"
#include "support/market_data.hpp"

using namespace herald::test;
using namespace std::chrono_literals;

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in{p};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

} // namespace

TEST_CASE("a backtest split over two analysis nodes reports exactly what one process reports",
          "[cluster][acceptance][backtest]") {
  HERALD_REQUIRE_MARKET_DATA();
  local_cluster cl;
  if (cl.db_url().empty()) {
    WARN("SKIPPED: the throwaway PostgreSQL is not running (run through ctest)");
    return;
  }
  auto url = cl.db_url();
  for (auto sym : {"BTCUSDT", "ETHUSDT"}) {
    auto file = market_data(std::string{"binance_spot_5m/"} + sym + "_5m.csv");
    auto [rc, out] = process::run({herald_bin, "ingest", "--config", shipped_conf, "--db", url,
                                   "--symbol", sym, file});
    INFO(out);
    REQUIRE(rc == 0);
  }
  const std::vector<std::string> what{"--symbol", "BTCUSDT,ETHUSDT", "--interval", "5m",
                                      "--from", "2025-08-20", "--to", "2025-09-10"};

  // One process.
  auto one = cl.dir() / "one.json";
  std::vector<std::string> single{herald_bin, "backtest", "--config", shipped_conf, "--db", url,
                                  "--log.level=warn", "--json", one.string(),
                                  // as the nodes below: no content, so no published-alerts section
                                  "--content.enabled=false"};
  single.insert(single.end(), what.begin(), what.end());
  auto [rc1, out1] = process::run(single, 600s);
  INFO(out1);
  REQUIRE(rc1 == 0);

  // The cluster: the series go to n2 and n3 (bounded load: one each).
  auto certs = cl.certs("n1,n2,n3");
  std::vector<std::string> quiet{"--content.enabled=false"};
  // n1 drives the backtests; its analyzer deadline is long, so that a
  // frozen node's jobs wait for it to be declared lost instead of being
  // left out (the part below kills a node mid-run).
  auto driver_args = quiet;
  driver_args.push_back("--analysis.deadline=120s");
  auto& n1 = cl.start("n1", "data,ops", certs, driver_args);
  cl.start("n2", "analysis", certs, quiet);
  cl.start("n3", "analysis", certs, quiet);
  auto two = cl.dir() / "cluster.json";
  std::vector<std::string> clustered{herald_bin, "backtest", "--cluster",
                                     "http://127.0.0.1:" + std::to_string(n1.http_port),
                                     "--token", operator_token, "--json", two.string()};
  clustered.insert(clustered.end(), what.begin(), what.end());
  // n1 learns of both hosts through the directory pushes of n2 and n3; a
  // request before that runs on the nodes n1 knows (and is still exact).
  std::string out2;
  auto deadline = std::chrono::steady_clock::now() + 120s;
  for (;;) {
    auto [rc2, o] = process::run(clustered, 600s);
    out2 = o;
    INFO(out2);
    REQUIRE(rc2 == 0);
    if (out2.find("@n2") != std::string::npos && out2.find("@n3") != std::string::npos)
      break;
    REQUIRE(std::chrono::steady_clock::now() < deadline);
  }
  INFO(out2);
  CHECK(out2.find("backtest of BTCUSDT,ETHUSDT 5m") != std::string::npos);
  auto a = nlohmann::json::parse(slurp(one), nullptr, false);
  auto b = nlohmann::json::parse(slurp(two), nullptr, false);
  REQUIRE(a.is_object());
  REQUIRE(b.is_object());
  CHECK(a.dump(2) == b.dump(2));
  CHECK(a.dump().find("\"candles\":") != std::string::npos);
  CHECK(out2.find("paper portfolio") != std::string::npos);
  // The hosts ended the run's analyzers.
  CHECK(cl["n2"].p->wait_output("backtests: run", 30s));

  // Bad requests get clear answers.
  auto c = local_cluster::client(n1);
  auto bad = c.Post("/api/v1/backtests", node::auth(operator_token), R"({"symbols":"BTC"})",
                    "application/json");
  REQUIRE(bad);
  CHECK(bad->status == 400);
  CHECK(bad->body.find("symbols") != std::string::npos);
  auto none = c.Post("/api/v1/backtests", node::auth(operator_token),
                     R"({"symbols":["NOPEUSDT"],"interval":"5m"})", "application/json");
  REQUIRE(none);
  CHECK(none->status == 400);
  CHECK(none->body.find("no 5m candles") != std::string::npos);
  auto viewer = c.Post("/api/v1/backtests", node::auth(viewer_token),
                       R"({"symbols":["BTCUSDT"],"interval":"5m"})", "application/json");
  REQUIRE(viewer);
  CHECK(viewer->status == 403);

  // A node lost mid-run: n3 is frozen right after it was given its series,
  // then killed. Its series move to n2 (epoch 2), whose new analyzers
  // rebuild from the driver's hub, and the report is still the same.
  auto three = cl.dir() / "lost.json";
  auto lost_run = clustered;
  for (auto& a : lost_run)
    if (a == two.string())
      a = three.string();
  bool killed = false;
  for (int attempt = 0; attempt < 3 && !killed; ++attempt) {
    auto mark = n1.p->output().size();
    process bt{lost_run};
    REQUIRE(n1.p->wait_output("on n3 (epoch 1)", 60s, mark));
    cl["n3"].p->signal(SIGSTOP);
    if (bt.exited()) { // finished before the fault: try again
      cl["n3"].p->signal(SIGCONT);
      continue;
    }
    cl["n3"].p->signal(SIGKILL);
    killed = true;
    CHECK(bt.wait_exit(600s) == 0);
    auto out = bt.output();
    INFO(out);
    CHECK(out.find("@n3") == std::string::npos);
    CHECK(n1.p->wait_output("node n3 lost; its series move to the others", 30s, mark));
    CHECK(n1.p->output().find("on n2 (epoch 2)", mark) != std::string::npos);
    auto c3 = nlohmann::json::parse(slurp(three), nullptr, false);
    REQUIRE(c3.is_object());
    CHECK(a.dump(2) == c3.dump(2));
  }
  CHECK(killed);
}
