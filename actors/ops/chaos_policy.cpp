#include "actors/ops/chaos_policy.hpp"

#include <fnmatch.h>

namespace herald::ops {

chaos_policy::chaos_policy(double kills_per_second, std::string pattern, std::uint64_t seed)
  : rate_(kills_per_second), pattern_(std::move(pattern)), rng_(seed) {
}

std::chrono::nanoseconds chaos_policy::next_interval() {
  std::exponential_distribution<double> dist{rate_};
  auto seconds = dist(rng_);
  // Bound a single wait so that a freak draw cannot silence chaos for hours.
  seconds = std::min(seconds, 20.0 / rate_);
  return std::chrono::nanoseconds{static_cast<std::int64_t>(seconds * 1e9)};
}

std::optional<std::size_t> chaos_policy::pick(const std::vector<std::string>& paths) {
  std::vector<std::size_t> matching;
  for (std::size_t i = 0; i < paths.size(); ++i)
    if (matches(pattern_, paths[i]))
      matching.push_back(i);
  if (matching.empty())
    return std::nullopt;
  std::uniform_int_distribution<std::size_t> dist{0, matching.size() - 1};
  return matching[dist(rng_)];
}

bool chaos_policy::matches(const std::string& pattern, const std::string& path) {
  return fnmatch(pattern.c_str(), path.c_str(), 0) == 0;
}

} // namespace herald::ops
