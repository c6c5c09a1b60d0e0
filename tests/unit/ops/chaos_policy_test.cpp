#include <catch2/catch.hpp>

#include "actors/ops/chaos_policy.hpp"

using herald::ops::chaos_policy;

TEST_CASE("chaos picks only agents matching the pattern", "[chaos]") {
  chaos_policy p{10, "data.*", 42};
  std::vector<std::string> paths = {"ops.health", "data.scanner", "data.hub", "analysis.rsi"};
  for (int i = 0; i < 100; ++i) {
    auto v = p.pick(paths);
    REQUIRE(v);
    CHECK(paths[*v].rfind("data.", 0) == 0);
  }
  chaos_policy none{10, "content.*", 42};
  CHECK_FALSE(none.pick(paths));
}

TEST_CASE("chaos intervals average 1/rate", "[chaos]") {
  chaos_policy p{50, "*", 7};
  double total = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i)
    total += std::chrono::duration<double>(p.next_interval()).count();
  CHECK(total / n == Approx(0.02).epsilon(0.05));
}

TEST_CASE("the same seed gives the same victims", "[chaos]") {
  chaos_policy a{5, "*", 99}, b{5, "*", 99};
  std::vector<std::string> paths = {"a", "b", "c", "d", "e"};
  for (int i = 0; i < 50; ++i)
    CHECK(a.pick(paths) == b.pick(paths));
}

TEST_CASE("glob matching", "[chaos]") {
  CHECK(chaos_policy::matches("*", "ops.health"));
  CHECK(chaos_policy::matches("ops.?ealth", "ops.health"));
  CHECK_FALSE(chaos_policy::matches("data.*", "ops.health"));
}
