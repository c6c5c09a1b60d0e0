#include "supervisor/backoff.hpp"

#include <algorithm>

namespace herald::supervision {

duration backoff::next_delay(time_point started_at, time_point now, double random01) {
  if (!opts_.enabled())
    return duration{0};
  if (opts_.reset_after.count() > 0 && now - started_at >= opts_.reset_after)
    attempts_ = 0;
  // min * 2^attempts, saturating at max (and guarding the shift).
  auto base = static_cast<double>(opts_.min.count());
  auto cap = static_cast<double>(std::max(opts_.max, opts_.min).count());
  auto exp = std::min<std::uint32_t>(attempts_, 62);
  double d = std::min(cap, base * static_cast<double>(std::uint64_t{1} << exp));
  ++attempts_;
  random01 = std::clamp(random01, 0.0, 1.0);
  d *= 1.0 + opts_.random_factor * random01;
  return duration{static_cast<duration::rep>(d)};
}

} // namespace herald::supervision
