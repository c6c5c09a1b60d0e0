// herald tune as a user runs it: the walk-forward report on real candles
// (its text and JSON), and the weight-set commands on a database, with
// clear errors for what cannot be done.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "support/market_data.hpp"
#include "support/process.hpp"

using herald::test::process;
namespace fs = std::filesystem;

namespace {

const std::string herald_bin = HERALD_BINARY;
const std::string conf = std::string{HERALD_SOURCE_DIR} + "/config/caf-application.conf";

std::string slurp(const fs::path& p) {
  std::ifstream in{p};
  return {std::istreambuf_iterator<char>{in}, {}};
}

} // namespace

TEST_CASE("herald tune --walk-forward reports folds on real BTCUSDT 1h candles",
          "[acceptance][learning]") {
  HERALD_REQUIRE_MARKET_DATA();
  auto json = fs::temp_directory_path() / ("herald-wf-" + std::to_string(::getpid()) + ".json");
  auto [code, out] = process::run({herald_bin, "tune", "--walk-forward", "--config", conf, "--file",
                                   herald::test::market_data("binance_spot_1h_4h/BTCUSDT_1h.csv"),
                                   "--train", "4000", "--test", "2000", "--json", json.string()});
  INFO(out);
  REQUIRE(code == 0);
  CHECK(out.find("walk-forward: BTCUSDT 1h (19704 candles), horizon 10 bars; train 4000 bars, "
                 "test 2000 bars, 8 folds")
        != std::string::npos);
  CHECK(out.find("fixed weights: hit rate ") != std::string::npos);
  CHECK(out.find("tuned weights: hit rate ") != std::string::npos);
  CHECK(out.find("thresholds were tried") != std::string::npos);
  auto j = nlohmann::json::parse(slurp(json));
  REQUIRE(j["folds"].size() == 8);
  std::size_t rows = 0;
  for (auto& f : j["folds"]) {
    rows += f["test_rows"].get<std::size_t>();
    CHECK(f["weights"].contains("momentum"));
    CHECK(f["tuned"]["ci95"].size() == 2);
    CHECK(f["test_from"].get<std::int64_t>() - f["train_from"].get<std::int64_t>()
          == 4000LL * 3'600'000);
  }
  CHECK(j["rows"].get<std::size_t>() == rows);
  fs::remove(json);
}

TEST_CASE("herald tune refuses what it cannot do, saying why", "[acceptance][learning]") {
  auto dir = fs::temp_directory_path() / ("herald-tune-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto db = "sqlite://" + (dir / "h.db").string();
  {
    auto [code, out] = process::run({herald_bin, "tune", "--config", conf});
    CHECK(code == 2);
    CHECK(out.find("give --walk-forward") != std::string::npos);
  }
  {
    auto [code, out] = process::run({herald_bin, "tune", "--walk-forward", "--config", conf,
                                     "--file", (dir / "missing.csv").string()});
    CHECK(code == 2);
    CHECK(out.find("missing.csv") != std::string::npos);
  }
  {
    auto [code, out] = process::run({herald_bin, "tune", "--walk-forward", "--config", conf,
                                     "--file", (dir / "x.csv").string(), "--train", "0"});
    CHECK(code == 2);
    CHECK(out.find("--train '0' must be a whole number of bars") != std::string::npos);
  }
  // A database: migrate it, then the weight-set commands.
  REQUIRE(process::run({herald_bin, "migrate", "--config", conf, "--db", db}).first == 0);
  {
    auto [code, out] = process::run({herald_bin, "tune", "--list", "--config", conf, "--db", db});
    INFO(out);
    CHECK(code == 0);
    auto j = nlohmann::json::parse(out.substr(out.find('{')));
    CHECK(j["current"]["version"] == 0);
    CHECK(j["loops"].size() == 4);
  }
  {
    auto [code, out] =
      process::run({herald_bin, "tune", "--apply", "5", "--config", conf, "--db", db});
    CHECK(code == 2);
    CHECK(out.find("no weight set 5") != std::string::npos);
  }
  {
    auto [code, out] = process::run({herald_bin, "tune", "--rollback", "--config", conf, "--db", db});
    CHECK(code == 2);
    CHECK(out.find("the configured weights are in force") != std::string::npos);
  }
  {
    auto [code, out] =
      process::run({herald_bin, "tune", "--replay", "tuning:1", "--config", conf, "--db", db});
    CHECK(code == 2);
    CHECK(out.find("no run tuning:1") != std::string::npos);
  }
  fs::remove_all(dir);
}
