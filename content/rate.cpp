#include "content/rate.hpp"

#include <algorithm>

namespace herald::content {

namespace {
constexpr std::int64_t minute_ms = 60'000, hour_ms = 60 * minute_ms, day_ms = 24 * hour_ms;
} // namespace

token_bucket::token_bucket(double capacity, double per_minute)
  : capacity_(std::max(1.0, capacity)), per_ms_(std::max(0.0, per_minute) / minute_ms),
    tokens_(capacity_) {
}

void token_bucket::refill(std::int64_t now_ms) {
  if (last_ms_ == INT64_MIN) {
    last_ms_ = now_ms;
    return;
  }
  if (now_ms <= last_ms_)
    return;
  auto from = last_ms_;
  if (paused_until_ > from) { // nothing accrues during a pause
    if (now_ms < paused_until_) {
      last_ms_ = now_ms;
      return;
    }
    tokens_ = std::max(tokens_, 1.0); // the pause is over: one request may go
    from = paused_until_;
  }
  tokens_ = std::min(capacity_, tokens_ + static_cast<double>(now_ms - from) * per_ms_);
  last_ms_ = now_ms;
}

double token_bucket::tokens(std::int64_t now_ms) {
  refill(now_ms);
  return now_ms < paused_until_ ? 0.0 : tokens_;
}

std::optional<std::int64_t> token_bucket::take(std::int64_t now_ms) {
  refill(now_ms);
  if (now_ms < paused_until_)
    return paused_until_ - now_ms;
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return std::nullopt;
  }
  if (per_ms_ <= 0)
    return INT64_MAX / 4; // never refills
  return static_cast<std::int64_t>((1.0 - tokens_) / per_ms_) + 1;
}

void token_bucket::pause_until(std::int64_t until_ms) {
  paused_until_ = std::max(paused_until_, until_ms);
  tokens_ = 0; // after the pause: one request, then the rate
}

std::int64_t backoff_delay(int attempt, std::int64_t base_ms, std::int64_t cap_ms,
                           std::uint64_t& rng) {
  std::int64_t d = std::max<std::int64_t>(base_ms, 1);
  for (int i = 1; i < attempt && d < cap_ms; ++i)
    d *= 2;
  d = std::min(d, std::max<std::int64_t>(cap_ms, 1));
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  auto half = d / 2;
  return d - half + static_cast<std::int64_t>(rng % static_cast<std::uint64_t>(half + 1));
}

bool quiet_hours::contains(std::int64_t unix_ms) const {
  if (from_minute == to_minute)
    return false;
  auto m = static_cast<int>(((unix_ms % day_ms) + day_ms) % day_ms / minute_ms);
  return from_minute < to_minute ? (m >= from_minute && m < to_minute)
                                 : (m >= from_minute || m < to_minute);
}

std::int64_t quiet_hours::next_open(std::int64_t unix_ms) const {
  if (!contains(unix_ms))
    return unix_ms;
  auto day = unix_ms - (((unix_ms % day_ms) + day_ms) % day_ms);
  auto open = day + static_cast<std::int64_t>(to_minute) * minute_ms;
  return open > unix_ms ? open : open + day_ms;
}

void post_budget::expire(std::int64_t unix_ms) {
  // Two days, not one: a post moved to its posting hour is recorded up to a
  // day ahead of the clock, and the slots asked for after it still need the
  // day before them.
  while (!day_.empty() && day_.front() <= unix_ms - 2 * day_ms)
    day_.pop_front();
}

std::int64_t post_budget::next_slot(std::int64_t unix_ms) {
  expire(unix_ms);
  auto t = unix_ms;
  // At most per_day posts lie in the window: a few steps find the slot.
  for (int guard = 0; guard < 10'000; ++guard) {
    auto in_day = std::count_if(day_.begin(), day_.end(),
                                [&](std::int64_t x) { return x > t - day_ms && x <= t; });
    auto in_hour = std::count_if(day_.begin(), day_.end(),
                                 [&](std::int64_t x) { return x > t - hour_ms && x <= t; });
    std::int64_t next = t;
    if (per_day_ > 0 && in_day >= per_day_) {
      // wait until the oldest post in the day window leaves it
      auto oldest = *std::find_if(day_.begin(), day_.end(), [&](auto x) { return x > t - day_ms; });
      next = std::max(next, oldest + day_ms);
    }
    if (per_hour_ > 0 && in_hour >= per_hour_) {
      auto oldest = *std::find_if(day_.begin(), day_.end(), [&](auto x) { return x > t - hour_ms; });
      next = std::max(next, oldest + hour_ms);
    }
    if (next == t)
      return t;
    t = next;
  }
  return t;
}

void post_budget::record(std::int64_t unix_ms) {
  expire(unix_ms);
  day_.insert(std::upper_bound(day_.begin(), day_.end(), unix_ms), unix_ms);
}

void post_budget::forget(std::int64_t unix_ms) {
  auto it = std::lower_bound(day_.begin(), day_.end(), unix_ms);
  if (it != day_.end() && *it == unix_ms)
    day_.erase(it);
}

} // namespace herald::content

namespace herald::content {

std::optional<std::int64_t> retry_wait(const retry_policy& p, int failures,
                                       std::int64_t retry_after_ms, std::uint64_t& rng) {
  if (retry_after_ms >= 0) {
    if (retry_after_ms > p.max_retry_after_ms)
      return std::nullopt;
    return retry_after_ms;
  }
  if (failures >= p.max_attempts)
    return std::nullopt;
  return backoff_delay(failures, p.base_ms, p.cap_ms, rng);
}

} // namespace herald::content
