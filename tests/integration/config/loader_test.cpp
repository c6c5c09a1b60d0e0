// The config loader with CAF's real INI parser, on files written by the test.

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <unistd.h>

#include <caf/all.hpp>

#include "config/loader.hpp"

using namespace herald::config;

namespace {

struct temp_file {
  std::string path;
  explicit temp_file(const std::string& text, const std::string& suffix = ".conf") {
    char tmpl[] = "/tmp/herald-test-XXXXXX";
    int fd = mkstemp(tmpl);
    REQUIRE(fd >= 0);
    ::close(fd);
    path = std::string{tmpl} + suffix;
    std::rename(tmpl, path.c_str());
    std::ofstream out{path};
    out << text;
  }
  ~temp_file() { std::remove(path.c_str()); }
};

std::string joined(const std::vector<std::string>& xs) {
  std::string out;
  for (auto& x : xs)
    out += x + "\n";
  return out;
}

} // namespace

TEST_CASE("the shipped config file is valid", "[config][loader]") {
  herald_system_config cfg;
  loaded_config out;
  auto errs = load(cfg, std::string{HERALD_SOURCE_DIR} + "/config/caf-application.conf", true,
                   {}, out);
  INFO(joined(errs));
  CHECK(errs.empty());
}

TEST_CASE("a misspelled key names the file and the key", "[config][loader]") {
  temp_file f{"[supervision]\nintensty=3\n"};
  herald_system_config cfg;
  loaded_config out;
  auto errs = load(cfg, f.path, true, {}, out);
  REQUIRE(errs.size() == 1);
  CHECK(errs[0].find(f.path) != std::string::npos);
  CHECK(errs[0].find("supervision.intensty") != std::string::npos);
}

TEST_CASE("a wrongly typed value in the file is refused (CAF alone would drop it)",
          "[config][loader]") {
  temp_file f{"[supervision]\nintensity=\"three\"\nperiod=5\n"};
  herald_system_config cfg;
  loaded_config out;
  auto errs = load(cfg, f.path, true, {}, out);
  REQUIRE(errs.size() == 2);
  CHECK(joined(errs).find("supervision.intensity") != std::string::npos);
  CHECK(joined(errs).find("supervision.period") != std::string::npos);
}

TEST_CASE("a syntax error names the line", "[config][loader]") {
  temp_file f{"[log]\nlevel=debug\n"};
  herald_system_config cfg;
  loaded_config out;
  auto errs = load(cfg, f.path, true, {}, out);
  REQUIRE(errs.size() == 1);
  CHECK(errs[0].find(f.path) != std::string::npos);
  CHECK(errs[0].find("line 2") != std::string::npos);
}

TEST_CASE("CAF's own sections are checked against CAF's options", "[config][loader]") {
  temp_file f{"[scheduler]\nmax-threads=\"many\"\nmax-thread=2\n"};
  herald_system_config cfg;
  loaded_config out;
  auto errs = load(cfg, f.path, true, {}, out);
  REQUIRE(errs.size() == 2);
  CHECK(joined(errs).find("scheduler.max-threads") != std::string::npos);
  CHECK(joined(errs).find("unknown key in CAF section [scheduler]") != std::string::npos);
}

TEST_CASE("command-line overrides reach herald keys and CAF keys", "[config][loader]") {
  temp_file f{"[supervision]\nintensity=3\n"};
  herald_system_config cfg;
  loaded_config out;
  auto errs = load(cfg, f.path, true,
                   {"--supervision.intensity=9", "--log.level=debug", "--log.file=/tmp/x.log",
                    "--scheduler.max-threads=3"},
                   out);
  INFO(joined(errs));
  REQUIRE(errs.empty());
  CHECK(out.values.get_int("supervision.intensity") == 9);
  CHECK(out.values.get_string("log.level") == "debug");
  CHECK(out.values.get_string("log.file") == "/tmp/x.log");
  CHECK(caf::get_or(cfg, "scheduler.max-threads", size_t{0}) == 3);
}

TEST_CASE("a bad command-line value is refused with its source", "[config][loader]") {
  herald_system_config cfg;
  loaded_config out;
  auto errs = load(cfg, "", false, {"--chaos.kill-rate=-1", "--scheduler.max-threads=x"}, out);
  REQUIRE(errs.size() == 2);
  CHECK(errs[0].find("command line: key 'chaos.kill-rate' = -1: out of range") == 0);
  CHECK(errs[1].find("scheduler.max-threads") != std::string::npos);
}

TEST_CASE("an explicit config file that does not exist is an error", "[config][loader]") {
  herald_system_config cfg;
  loaded_config out;
  auto errs = load(cfg, "/nonexistent/herald.conf", true, {}, out);
  REQUIRE(errs.size() == 1);
  CHECK(errs[0].find("/nonexistent/herald.conf: cannot read") == 0);
}

TEST_CASE("secrets come from the env file named in config, relative to it",
          "[config][loader][secrets]") {
  temp_file env{"HERALD_TEST_SECRET=s3cr3t\n", ".env"};
  auto name = env.path.substr(env.path.rfind('/') + 1);
  temp_file f{"[secrets]\nenv-file=\"" + name + "\"\n"};
  herald_system_config cfg;
  loaded_config out;
  auto errs = load(cfg, f.path, true, {}, out);
  INFO(joined(errs));
  REQUIRE(errs.empty());
  CHECK(out.secret_store.get("HERALD_TEST_SECRET") == std::string{"s3cr3t"});
}
