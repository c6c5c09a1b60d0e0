#pragma once
// Time-based publishing rules with an injected clock (times are monotonic
// milliseconds passed in by the caller, so tests never sleep). Pure code.
//   token_bucket   per-channel rate limit; a remote Retry-After empties it
//                  until the given time
//   backoff_delay  exponential backoff with jitter for retries
//   quiet_hours    a daily window (UTC) in which nothing is posted
//   post_budget    maximum posts per rolling hour and per rolling day

#include <cstdint>
#include <deque>
#include <optional>

namespace herald::content {

class token_bucket {
public:
  /// `capacity` tokens, refilled at `per_minute` tokens a minute.
  token_bucket(double capacity, double per_minute);
  /// Takes a token at `now_ms`: nullopt when taken, else the milliseconds to
  /// wait until one is available.
  std::optional<std::int64_t> take(std::int64_t now_ms);
  /// The remote asked to wait: no token before `until_ms`.
  void pause_until(std::int64_t until_ms);
  double tokens(std::int64_t now_ms);

private:
  void refill(std::int64_t now_ms);
  double capacity_, per_ms_, tokens_;
  std::int64_t last_ms_ = INT64_MIN;
  std::int64_t paused_until_ = INT64_MIN;
};

/// Delay before retry number `attempt` (1, 2, ...): base * 2^(attempt-1)
/// capped at `cap_ms`, of which the upper half is random ("equal jitter":
/// never zero, never in lock-step). `rng` is the caller's state (xorshift).
std::int64_t backoff_delay(int attempt, std::int64_t base_ms, std::int64_t cap_ms,
                           std::uint64_t& rng);

/// Daily quiet window [from, to) in minutes after midnight UTC; from == to
/// means none; from > to wraps midnight (e.g. 22:00-07:00).
struct quiet_hours {
  int from_minute = 0;
  int to_minute = 0;
  bool contains(std::int64_t unix_ms) const;
  /// The first moment at or after `unix_ms` outside the window.
  std::int64_t next_open(std::int64_t unix_ms) const;
};

/// Posts in the last hour and day (times in unix ms).
class post_budget {
public:
  /// A budget of 0 is no limit.
  post_budget(int per_hour, int per_day) : per_hour_(per_hour), per_day_(per_day) {}
  /// The first time at or after `unix_ms` a post fits in both budgets.
  std::int64_t next_slot(std::int64_t unix_ms);
  void record(std::int64_t unix_ms);
  /// Takes back one post recorded at `unix_ms` (it moved to another time).
  void forget(std::int64_t unix_ms);

private:
  void expire(std::int64_t unix_ms);
  int per_hour_, per_day_;
  std::deque<std::int64_t> day_; ///< post times within the last day, sorted
};

} // namespace herald::content

namespace herald::content {

/// When a delivery attempt failed transiently.
struct retry_policy {
  int max_attempts = 5;              ///< attempts that failed on 5xx / timeouts, then parked
  std::int64_t base_ms = 1000;       ///< backoff after the first failure
  std::int64_t cap_ms = 60'000;
  std::int64_t max_retry_after_ms = 6 * 3'600'000; ///< a longer Retry-After parks the piece
};

/// After a transient failure: how long to wait before the next attempt, or
/// nullopt to park the piece as failed. `failures` counts the 5xx/timeout
/// failures so far (including this one); a Retry-After from the remote
/// (`retry_after_ms` >= 0, a 429) is honoured and does not count as a failure.
std::optional<std::int64_t> retry_wait(const retry_policy& p, int failures,
                                       std::int64_t retry_after_ms, std::uint64_t& rng);

} // namespace herald::content
