#include <catch2/catch.hpp>

#include "app/cli.hpp"
#include "app/commands.hpp"

using namespace herald::app;

namespace {
command sample() {
  command c;
  c.name = "config check";
  c.summary = "check";
  c.options = {{"config", "PATH", "config file"}, {"dry", "", "flag"}};
  return c;
}
} // namespace

TEST_CASE("options, overrides and positionals are told apart", "[cli]") {
  invocation inv;
  auto cmd = sample();
  cmd.max_args = 1;
  auto err = parse_options(cmd, {"--config", "a.conf", "--scheduler.max-threads=2", "--dry", "x"},
                           inv);
  REQUIRE(err.empty());
  CHECK(inv.get("config") == "a.conf");
  CHECK(inv.has("dry"));
  CHECK(inv.overrides == std::vector<std::string>{"--scheduler.max-threads=2"});
  CHECK(inv.args == std::vector<std::string>{"x"});
}

TEST_CASE("an option value may follow an equals sign", "[cli]") {
  invocation inv;
  REQUIRE(parse_options(sample(), {"--config=b.conf"}, inv).empty());
  CHECK(inv.get("config") == "b.conf");
}

TEST_CASE("usage errors say what is wrong", "[cli]") {
  invocation inv;
  CHECK(parse_options(sample(), {"--nope"}, inv).find("unknown option '--nope'")
        != std::string::npos);
  invocation inv2;
  CHECK(parse_options(sample(), {"--config"}, inv2).find("needs a value") != std::string::npos);
  invocation inv3;
  CHECK(parse_options(sample(), {"--log.level"}, inv3).find("needs a value")
        != std::string::npos);
  invocation inv4;
  CHECK(parse_options(sample(), {"stray"}, inv4).find("unexpected argument 'stray'")
        != std::string::npos);
}

TEST_CASE("multi-word commands are found by their longest match", "[cli]") {
  std::size_t consumed = 0;
  auto cmd = find_command(commands(), {"config", "check", "--config", "x"}, consumed);
  REQUIRE(cmd != nullptr);
  CHECK(cmd->name == "config check");
  CHECK(consumed == 2);
  CHECK(find_command(commands(), {"conf"}, consumed) == nullptr);
}

TEST_CASE("every command has help text naming its options", "[cli]") {
  for (auto& c : commands()) {
    auto help = command_help(c);
    INFO(c.name);
    CHECK(help.find("Usage: herald " + c.name) != std::string::npos);
    for (auto& o : c.options)
      CHECK(help.find("--" + o.name) != std::string::npos);
  }
  auto global = global_help(commands());
  CHECK(global.find("config check") != std::string::npos);
  CHECK(global.find("--version") != std::string::npos);
}
