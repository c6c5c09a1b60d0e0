#pragma once
// OTP restart intensity: more than `intensity` restarts within `period` means
// the supervisor gives up. Pure bookkeeping on an injected time.

#include <chrono>
#include <cstdint>
#include <deque>

namespace herald::supervision {

using clock_type = std::chrono::steady_clock;
using time_point = clock_type::time_point;
using duration = std::chrono::nanoseconds;

class restart_intensity {
public:
  restart_intensity(std::int64_t intensity, duration period)
    : intensity_(intensity), period_(period) {}

  /// Records a restart at `now`. Returns false when this restart exceeds the
  /// intensity (the supervisor must stop its children and fail).
  bool record(time_point now);

  /// Restarts inside the window ending at `now`.
  std::size_t in_window(time_point now);

  std::int64_t intensity() const { return intensity_; }
  duration period() const { return period_; }

private:
  void prune(time_point now);
  std::int64_t intensity_;
  duration period_;
  std::deque<time_point> restarts_;
};

} // namespace herald::supervision
