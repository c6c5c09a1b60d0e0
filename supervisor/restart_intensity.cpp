#include "supervisor/restart_intensity.hpp"

namespace herald::supervision {

void restart_intensity::prune(time_point now) {
  // A restart exactly `period` ago has left the window (OTP: T > Now - Period).
  while (!restarts_.empty() && now - restarts_.front() >= period_)
    restarts_.pop_front();
}

bool restart_intensity::record(time_point now) {
  prune(now);
  restarts_.push_back(now);
  return static_cast<std::int64_t>(restarts_.size()) <= intensity_;
}

std::size_t restart_intensity::in_window(time_point now) {
  prune(now);
  return restarts_.size();
}

} // namespace herald::supervision
