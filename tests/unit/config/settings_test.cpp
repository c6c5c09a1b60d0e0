#include <catch2/catch.hpp>

#include "config/schema.hpp"
#include "config/settings.hpp"
#include "support/raw_values.hpp"

using namespace herald::config;
using namespace std::chrono_literals;

using namespace herald::test;

TEST_CASE("defaults fill every key that the input leaves out", "[config]") {
  auto r = validate(herald_schema(), {});
  REQUIRE(r.ok());
  CHECK(r.values.get_int("supervision.intensity") == 500);
  CHECK(r.values.get_duration("supervision.period") == 10s);
  CHECK(r.values.get_duration("supervision.backoff-min") == 5ms);
  CHECK(r.values.get_string("log.level") == "info");
  CHECK(r.values.get_real("chaos.kill-rate") == 0.0);
}

TEST_CASE("a misspelled key is refused with the file, the key and a suggestion",
          "[config]") {
  auto r = validate(herald_schema(), {file_entry("supervision.intensty", integer(3))});
  REQUIRE(r.errors.size() == 1);
  auto msg = r.errors[0].to_string();
  CHECK(msg.find("herald.conf") != std::string::npos);
  CHECK(msg.find("supervision.intensty") != std::string::npos);
  CHECK(msg.find("did you mean 'intensity'") != std::string::npos);
}

TEST_CASE("an unknown section is named as such", "[config]") {
  auto r = validate(herald_schema(), {file_entry("supervison.intensity", integer(3))});
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].message.find("unknown section [supervison]") != std::string::npos);
}

TEST_CASE("a wrong type names the value and the expected type", "[config]") {
  auto r = validate(herald_schema(), {file_entry("supervision.intensity", str("three"))});
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].value == "\"three\"");
  CHECK(r.errors[0].message.find("wrong type: expected integer") != std::string::npos);
}

TEST_CASE("an out-of-range value names the allowed range", "[config]") {
  auto r = validate(herald_schema(), {file_entry("log.max-files", integer(0))});
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].message.find("out of range") != std::string::npos);
  CHECK(r.errors[0].message.find("[1, 1000]") != std::string::npos);
  auto d = validate(herald_schema(), {file_entry("herald.shutdown-grace", dur(1h))});
  REQUIRE(d.errors.size() == 1);
  CHECK(d.errors[0].message.find("[0.1s, 600s]") != std::string::npos);
}

TEST_CASE("a string outside its allowed set lists the allowed values", "[config]") {
  auto r = validate(herald_schema(), {file_entry("log.format", str("xml"))});
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].message.find("{text, json}") != std::string::npos);
}

TEST_CASE("later entries override earlier ones (command line over file)", "[config]") {
  raw_entry cli{"supervision.intensity", integer(7), origin::command_line, "command line"};
  auto r = validate(herald_schema(), {file_entry("supervision.intensity", integer(3)), cli});
  REQUIRE(r.ok());
  CHECK(r.values.get_int("supervision.intensity") == 7);
  CHECK(r.values.find("supervision.intensity")->from == origin::command_line);
}

TEST_CASE("per-supervisor keys inherit from [supervision] unless set", "[config]") {
  auto r = validate(herald_schema(), {file_entry("supervision.intensity", integer(4)),
                                      file_entry("supervision.ops.intensity", integer(100))});
  REQUIRE(r.ok());
  CHECK(r.values.get_int("supervision.ops.intensity") == 100);
  CHECK(r.values.get_int("supervision.data.intensity") == 4);
  CHECK(r.values.get_duration("supervision.data.period") == 10s);
}

TEST_CASE("a key that looks like a secret is refused without echoing its value",
          "[config]") {
  auto r = validate(herald_schema(), {file_entry("db.password", str("hunter2"))});
  REQUIRE(r.errors.size() == 1);
  auto msg = r.errors[0].to_string();
  CHECK(msg.find("hunter2") == std::string::npos);
  CHECK(msg.find("secrets never live in the config file") != std::string::npos);
}

TEST_CASE("integers are accepted where a number is expected, and 0 as a duration",
          "[config]") {
  auto r = validate(herald_schema(), {file_entry("chaos.kill-rate", integer(50)),
                                      file_entry("supervision.backoff-min", integer(0))});
  REQUIRE(r.ok());
  CHECK(r.values.get_real("chaos.kill-rate") == 50.0);
  CHECK(r.values.get_duration("supervision.backoff-min") == 0s);
}

TEST_CASE("render writes values back in the config file's syntax", "[config]") {
  CHECK(render(value{std::int64_t{3}}) == "3");
  CHECK(render(value{std::string{"a\"b"}}) == "\"a\\\"b\"");
  CHECK(render(value{std::chrono::nanoseconds{250ms}}) == "250ms");
  CHECK(render(value{std::chrono::nanoseconds{120s}}) == "2min");
  CHECK(render(value{std::vector<std::string>{"x=debug"}}) == "[\"x=debug\"]");
}

TEST_CASE("log.levels entries must read logger=level", "[config]") {
  raw_value list;
  list.k = raw_value::kind::list;
  list.items = {str("supervisor=debug"), str("ops=loud")};
  auto r = validate(herald_schema(), {file_entry("log.levels", list)});
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].message.find("element \"ops=loud\"") != std::string::npos);
  list.items.pop_back();
  CHECK(validate(herald_schema(), {file_entry("log.levels", list)}).ok());
}

TEST_CASE("rules between keys name both keys and what to change", "[config]") {
  auto flush = validate(herald_schema(), {file_entry("db.shutdown-flush-timeout", dur(20s))});
  REQUIRE(flush.errors.size() == 1);
  CHECK(flush.errors[0].key == "db.shutdown-flush-timeout");
  CHECK(flush.errors[0].message.find("shorter than herald.shutdown-grace (10s)")
        != std::string::npos);
  // The stop needs 2 s beyond the writer's flush for the rest of the tree.
  CHECK(validate(herald_schema(), {file_entry("db.shutdown-flush-timeout", dur(9s))}).errors.size()
        == 1);
  CHECK(validate(herald_schema(), {file_entry("db.shutdown-flush-timeout", dur(8s))}).ok());
  auto replay = validate(herald_schema(), {file_entry("scanner.source", str("replay"))});
  REQUIRE(replay.errors.size() == 1);
  CHECK(replay.errors[0].message == "needs candle files: set scanner.files");
  raw_value files;
  files.k = raw_value::kind::list;
  files.items = {str("a.csv")};
  CHECK(validate(herald_schema(), {file_entry("scanner.source", str("replay")),
                                   file_entry("scanner.files", files)})
          .ok());
}
