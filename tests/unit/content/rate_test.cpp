// Rate limits, backoff, quiet hours and post budgets on an injected clock.
#include <catch2/catch.hpp>

#include "content/rate.hpp"

using namespace herald::content;

TEST_CASE("token bucket: burst, refill, and a remote Retry-After", "[content]") {
  token_bucket b{3, 60}; // 3 at once, then one a second
  std::int64_t t = 1'000'000;
  CHECK_FALSE(b.take(t));
  CHECK_FALSE(b.take(t));
  CHECK_FALSE(b.take(t));
  auto wait = b.take(t);
  REQUIRE(wait);
  CHECK(*wait > 0);
  CHECK(*wait <= 1001);
  CHECK_FALSE(b.take(t + *wait)); // refilled exactly then
  b.pause_until(t + 30'000);      // 429 retry_after 28 s
  auto w2 = b.take(t + 5'000);
  REQUIRE(w2);
  CHECK(*w2 == 25'000);
  CHECK_FALSE(b.take(t + 30'000)); // one token after the pause ...
  CHECK(b.take(t + 30'000));       // ... then the rate again
}

TEST_CASE("backoff doubles up to the cap with jitter in the upper half", "[content]") {
  std::uint64_t rng = 42;
  for (int attempt = 1; attempt <= 12; ++attempt) {
    std::int64_t full = std::min<std::int64_t>(500LL << (attempt - 1), 30'000);
    for (int i = 0; i < 50; ++i) {
      auto d = backoff_delay(attempt, 500, 30'000, rng);
      REQUIRE(d >= full - full / 2);
      REQUIRE(d <= full);
    }
  }
}

TEST_CASE("quiet hours, also across midnight", "[content]") {
  constexpr std::int64_t h = 3'600'000, day0 = 1'700'006'400'000; // a UTC midnight
  quiet_hours night{22 * 60, 7 * 60};
  CHECK(night.contains(day0 + 23 * h));
  CHECK(night.contains(day0 + 3 * h));
  CHECK_FALSE(night.contains(day0 + 12 * h));
  CHECK(night.next_open(day0 + 23 * h) == day0 + 24 * h + 7 * h);
  CHECK(night.next_open(day0 + 3 * h) == day0 + 7 * h);
  CHECK(night.next_open(day0 + 12 * h) == day0 + 12 * h);
  quiet_hours none;
  CHECK_FALSE(none.contains(day0));
}

TEST_CASE("post budget: per hour and per day", "[content]") {
  constexpr std::int64_t m = 60'000, t0 = 1'700'006'400'000;
  post_budget b{2, 3};
  CHECK(b.next_slot(t0) == t0);
  b.record(t0);
  b.record(t0 + m);
  CHECK(b.next_slot(t0 + 2 * m) == t0 + 60 * m); // the hour is full until the first leaves
  b.record(t0 + 60 * m);
  // three today: the next fits when the first leaves the rolling day
  CHECK(b.next_slot(t0 + 61 * m) == t0 + 24 * 60 * m);
  post_budget unlimited{0, 0};
  unlimited.record(t0);
  CHECK(unlimited.next_slot(t0) == t0);
}

TEST_CASE("retry policy: Retry-After is honoured without counting, failures back off then park",
          "[content]") {
  retry_policy p;
  p.max_attempts = 3;
  p.base_ms = 100;
  p.cap_ms = 1000;
  p.max_retry_after_ms = 60'000;
  std::uint64_t rng = 7;
  CHECK(retry_wait(p, 0, 2000, rng) == 2000);           // a 429 says when
  CHECK_FALSE(retry_wait(p, 0, 120'000, rng));           // longer than we are willing to wait
  auto w1 = retry_wait(p, 1, -1, rng), w2 = retry_wait(p, 2, -1, rng);
  REQUIRE(w1);
  REQUIRE(w2);
  CHECK(*w1 >= 50);
  CHECK(*w1 <= 100);
  CHECK(*w2 >= 100);
  CHECK(*w2 <= 200);
  CHECK_FALSE(retry_wait(p, 3, -1, rng)); // the third failure parks it
}
