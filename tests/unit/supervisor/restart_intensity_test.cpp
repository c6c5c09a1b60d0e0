#include <catch2/catch.hpp>

#include "supervisor/restart_intensity.hpp"

using namespace herald::supervision;
using namespace std::chrono_literals;

TEST_CASE("restart intensity allows exactly `intensity` restarts within the period",
          "[supervisor][intensity]") {
  time_point t0{};
  restart_intensity ri{3, 5s};
  CHECK(ri.record(t0));
  CHECK(ri.record(t0 + 1s));
  CHECK(ri.record(t0 + 2s));
  CHECK_FALSE(ri.record(t0 + 3s)); // the fourth within 5 s
}

TEST_CASE("restarts older than the period leave the window", "[supervisor][intensity]") {
  time_point t0{};
  restart_intensity ri{1, 5s};
  CHECK(ri.record(t0));
  CHECK_FALSE(ri.record(t0 + 4999ms)); // second restart inside 5 s: exceeded
  restart_intensity ri2{1, 5s};
  CHECK(ri2.record(t0));
  CHECK(ri2.record(t0 + 5s)); // exactly one period later the first one is gone
  CHECK(ri2.in_window(t0 + 5s) == 1);
  CHECK(ri2.in_window(t0 + 10s) == 0);
}

TEST_CASE("intensity zero forbids any restart", "[supervisor][intensity]") {
  restart_intensity ri{0, 5s};
  CHECK_FALSE(ri.record(time_point{}));
}
