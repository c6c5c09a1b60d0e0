#pragma once
// Restart backoff of one child, after Akka's BackoffSupervisor: the delay
// starts at `min`, doubles with every consecutive restart up to `max`, and is
// stretched by a random share in [0, random_factor]. A child that stayed up
// for `reset_after` counts as healthy: its next delay starts at `min` again.

#include <chrono>
#include <cstdint>

#include "supervisor/restart_intensity.hpp"

namespace herald::supervision {

struct backoff_options {
  duration min{0};          ///< 0: no backoff (restart at once)
  duration max{0};
  double random_factor = 0; ///< >= 0
  duration reset_after{0};
  bool enabled() const { return min.count() > 0; }
};

class backoff {
public:
  explicit backoff(backoff_options opts) : opts_(opts) {}

  /// The delay before the next restart of a child that started at
  /// `started_at` and failed at `now`. `random01` is a uniform draw in [0, 1).
  duration next_delay(time_point started_at, time_point now, double random01);

  /// Consecutive restarts counted so far.
  std::uint32_t attempts() const { return attempts_; }

  const backoff_options& options() const { return opts_; }

private:
  backoff_options opts_;
  std::uint32_t attempts_ = 0;
};

} // namespace herald::supervision
