#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "config/schema.hpp"

using namespace herald::config;

TEST_CASE("the shipped config file documents and sets every herald key", "[config][docs]") {
  std::ifstream in{std::string{HERALD_SOURCE_DIR} + "/config/caf-application.conf"};
  REQUIRE(in);
  std::stringstream buf;
  buf << in.rdbuf();
  auto text = buf.str();
  for (auto& spec : herald_schema().keys()) {
    if (!spec.inherits.empty())
      continue; // [supervision.<name>] keys are documented once, under [supervision]
    auto [section, name] = split_key(spec.key);
    INFO("key " << spec.key);
    CHECK(text.find("[" + section + "]") != std::string::npos);
    CHECK(text.find("\n" + name + "=") != std::string::npos);   // set
    // documented: a comment line names the key
    bool documented = false;
    std::istringstream lines{text};
    for (std::string line; std::getline(lines, line);)
      if (line.rfind(";", 0) == 0 && line.find(" " + name) != std::string::npos)
        documented = true;
    CHECK(documented);
  }
}
