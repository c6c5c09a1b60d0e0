#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "io/logging.hpp"

using namespace herald::logging;

TEST_CASE("the longest matching logger prefix decides the level", "[logging]") {
  options o;
  o.level = "info";
  o.levels = {"supervisor=debug", "supervisor.data=error", "ops=warn"};
  CHECK(level_for(o, "supervisor.ops") == "debug");
  CHECK(level_for(o, "supervisor.data") == "error");
  CHECK(level_for(o, "supervisor") == "debug");
  CHECK(level_for(o, "supervisorx") == "info"); // a prefix must end at a dot
  CHECK(level_for(o, "herald") == "info");
}

TEST_CASE("JSON lines are valid JSON even for hostile messages", "[logging]") {
  auto path = std::string{"/tmp/herald-logging-test-"} + std::to_string(::getpid()) + ".log";
  std::remove(path.c_str());
  options o;
  o.console = false;
  o.json = true;
  o.file = path;
  REQUIRE(setup(o).empty());
  auto lg = get("test.json");
  lg->info("quote \" backslash \\ newline \n tab \t emoji \xF0\x9F\x9A\x80 bad \xFF");
  lg->flush();
  std::ifstream in{path};
  std::string line;
  REQUIRE(std::getline(in, line));
  auto j = nlohmann::json::parse(line);
  CHECK(j["logger"] == "test.json");
  CHECK(j["level"] == "info");
  CHECK(j["msg"].get<std::string>().find("emoji \xF0\x9F\x9A\x80") != std::string::npos);
  options reset;
  REQUIRE(setup(reset).empty());
  std::remove(path.c_str());
}

TEST_CASE("an unwritable log file is reported, not thrown", "[logging]") {
  options o;
  o.console = false;
  o.file = "/dev/null/x/herald.log";
  auto err = setup(o);
  CHECK(err.find("/dev/null/x/herald.log") != std::string::npos);
  REQUIRE(setup(options{}).empty());
}
