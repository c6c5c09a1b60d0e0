#include <catch2/catch.hpp>

#include "supervisor/strategy.hpp"

using namespace herald::supervision;
using strings = std::vector<std::string>;

namespace {
std::vector<child_view> abcd(restart_type c_type = restart_type::permanent) {
  return {{"a", restart_type::permanent, true},
          {"b", restart_type::permanent, true},
          {"c", c_type, true},
          {"d", restart_type::permanent, true}};
}
} // namespace

TEST_CASE("one_for_one restarts only the failed child", "[supervisor][strategy]") {
  auto d = decide(strategy::one_for_one, abcd(), 1, true);
  CHECK(d.restart);
  CHECK(d.to_stop.empty());
  CHECK(d.to_start == strings{"b"});
}

TEST_CASE("one_for_all stops the others in reverse order and restarts all in order",
          "[supervisor][strategy]") {
  auto d = decide(strategy::one_for_all, abcd(), 1, true);
  CHECK(d.restart);
  CHECK(d.to_stop == strings{"d", "c", "a"});
  CHECK(d.to_start == strings{"a", "b", "c", "d"});
}

TEST_CASE("rest_for_one restarts the failed child and every child started after it",
          "[supervisor][strategy]") {
  auto d = decide(strategy::rest_for_one, abcd(), 1, true);
  CHECK(d.to_stop == strings{"d", "c"});
  CHECK(d.to_start == strings{"b", "c", "d"});
}

TEST_CASE("a temporary sibling stopped by a group restart is not restarted",
          "[supervisor][strategy]") {
  auto d = decide(strategy::one_for_all, abcd(restart_type::temporary), 0, true);
  CHECK(d.to_stop == strings{"d", "c", "b"});
  CHECK(d.to_start == strings{"a", "b", "d"});
  CHECK(d.to_remove == strings{"c"});
}

TEST_CASE("restart types decide whether the failed child comes back",
          "[supervisor][strategy]") {
  auto kids = abcd();
  SECTION("permanent: always, even after a normal exit") {
    auto d = decide(strategy::one_for_one, kids, 0, false);
    CHECK(d.restart);
    CHECK(d.to_start == strings{"a"});
  }
  SECTION("transient: only after an abnormal exit") {
    kids[0].restart = restart_type::transient;
    CHECK(decide(strategy::one_for_one, kids, 0, true).restart);
    auto d = decide(strategy::one_for_one, kids, 0, false);
    CHECK_FALSE(d.restart);
    CHECK(d.to_remove.empty()); // keeps its spec, stays down
  }
  SECTION("temporary: never, and its spec is dropped") {
    kids[0].restart = restart_type::temporary;
    auto d = decide(strategy::rest_for_one, kids, 0, true);
    CHECK_FALSE(d.restart);
    CHECK(d.to_stop.empty());
    CHECK(d.to_remove == strings{"a"});
  }
}

TEST_CASE("simple_one_for_one restarts one pool member and drops ones that end",
          "[supervisor][strategy]") {
  std::vector<child_view> pool = {{"btc", restart_type::permanent, true},
                                  {"eth", restart_type::transient, true}};
  auto d = decide(strategy::simple_one_for_one, pool, 0, true);
  CHECK(d.to_start == strings{"btc"});
  auto n = decide(strategy::simple_one_for_one, pool, 1, false);
  CHECK_FALSE(n.restart);
  CHECK(n.to_remove == strings{"eth"});
}

TEST_CASE("children already down are not stopped again", "[supervisor][strategy]") {
  auto kids = abcd();
  kids[3].running = false;
  auto d = decide(strategy::rest_for_one, kids, 1, true);
  CHECK(d.to_stop == strings{"c"});
  CHECK(d.to_start == strings{"b", "c", "d"});
}
