#include <catch2/catch.hpp>

#include "config/secrets.hpp"

using namespace herald::config;

namespace {
std::optional<std::string> fake_env(const std::string& name) {
  if (name == "FROM_ENV")
    return std::string{"env-value"};
  return std::nullopt;
}
} // namespace

TEST_CASE("env files are parsed with comments, export and quotes", "[config][secrets]") {
  secrets s{&fake_env};
  auto err = s.load_text("# comment\n\nexport TOKEN=\"a b=c\"\nKEY='x'\nPLAIN=v1 \n"
                         "FROM_ENV=file-value\n",
                         "test.env");
  REQUIRE(err.empty());
  CHECK(s.get("TOKEN") == std::string{"a b=c"});
  CHECK(s.get("KEY") == std::string{"x"});
  CHECK(s.get("PLAIN") == std::string{"v1"});
  CHECK(s.get("MISSING") == std::nullopt);
}

TEST_CASE("the environment wins over the env file", "[config][secrets]") {
  secrets s{&fake_env};
  REQUIRE(s.load_text("FROM_ENV=file-value\n", "test.env").empty());
  CHECK(s.get("FROM_ENV") == std::string{"env-value"});
  CHECK(s.provenance("FROM_ENV") == "environment");
}

TEST_CASE("a malformed env-file line names file and line but not its content",
          "[config][secrets]") {
  secrets s{&fake_env};
  auto err = s.load_text("A=1\nthis-is-the-secret\n", "test.env");
  CHECK(err.find("test.env:2") != std::string::npos);
  CHECK(err.find("this-is-the-secret") == std::string::npos);
}

TEST_CASE("a missing env file is a clear error", "[config][secrets]") {
  secrets s{&fake_env};
  CHECK(s.load_file("/nonexistent/herald.env").find("/nonexistent/herald.env")
        != std::string::npos);
}
