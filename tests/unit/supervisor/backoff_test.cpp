#include <catch2/catch.hpp>

#include "supervisor/backoff.hpp"

using namespace herald::supervision;
using namespace std::chrono_literals;

namespace {
backoff_options opts(duration min, duration max, double factor, duration reset) {
  backoff_options o;
  o.min = min;
  o.max = max;
  o.random_factor = factor;
  o.reset_after = reset;
  return o;
}
} // namespace

TEST_CASE("backoff doubles from min up to max without jitter", "[supervisor][backoff]") {
  backoff b{opts(100ms, 1s, 0.0, 60s)};
  time_point t0{};
  CHECK(b.next_delay(t0, t0 + 1ms, 0.5) == 100ms);
  CHECK(b.next_delay(t0, t0 + 1ms, 0.5) == 200ms);
  CHECK(b.next_delay(t0, t0 + 1ms, 0.5) == 400ms);
  CHECK(b.next_delay(t0, t0 + 1ms, 0.5) == 800ms);
  CHECK(b.next_delay(t0, t0 + 1ms, 0.5) == 1s);
  CHECK(b.next_delay(t0, t0 + 1ms, 0.5) == 1s);
  CHECK(b.attempts() == 6);
}

TEST_CASE("backoff delays stay within [min, max * (1 + random factor)]",
          "[supervisor][backoff]") {
  backoff b{opts(50ms, 2s, 0.5, 60s)};
  time_point t0{};
  for (int i = 0; i < 200; ++i) {
    double r = (i % 10) / 10.0;
    auto d = b.next_delay(t0, t0 + 1ms, r);
    CHECK(d >= 50ms);
    CHECK(d <= 3s);
  }
  // the extreme draws hit the bounds exactly
  backoff first{opts(50ms, 2s, 0.5, 60s)};
  CHECK(first.next_delay(t0, t0, 0.0) == 50ms);
  CHECK(first.next_delay(t0, t0, 1.0) == 150ms); // 100 ms * 1.5
}

TEST_CASE("a child that ran longer than reset-after starts over at min",
          "[supervisor][backoff]") {
  backoff b{opts(100ms, 10s, 0.0, 30s)};
  time_point t0{};
  b.next_delay(t0, t0 + 1s, 0);
  b.next_delay(t0, t0 + 1s, 0);
  CHECK(b.next_delay(t0, t0 + 1s, 0) == 400ms);
  CHECK(b.next_delay(t0, t0 + 31s, 0) == 100ms);
}

TEST_CASE("backoff disabled means restart at once", "[supervisor][backoff]") {
  backoff b{opts(0s, 10s, 0.5, 30s)};
  CHECK(b.next_delay(time_point{}, time_point{}, 0.9) == 0s);
}
