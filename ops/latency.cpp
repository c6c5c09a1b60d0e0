#include "ops/latency.hpp"

#include <algorithm>

namespace herald::ops {

const std::array<double, 22>& latency_bounds() {
  static const std::array<double, 22> bounds{
    1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3,
    5e-3, 1e-2, 2.5e-2, 5e-2, 0.1,    0.25, 0.5,  1.0,  2.5,  5.0,    10.0};
  return bounds;
}

std::size_t latency_bucket(std::uint64_t ns) {
  static const std::array<std::uint64_t, 22> bounds_ns = [] {
    std::array<std::uint64_t, 22> out{};
    for (std::size_t i = 0; i < out.size(); ++i)
      out[i] = static_cast<std::uint64_t>(latency_bounds()[i] * 1e9 + 0.5);
    return out;
  }();
  // Prometheus buckets are "less than or equal".
  return static_cast<std::size_t>(std::lower_bound(bounds_ns.begin(), bounds_ns.end(), ns)
                                  - bounds_ns.begin());
}

double latency_quantile(const std::vector<std::uint64_t>& counts, double q) {
  std::uint64_t total = 0;
  for (auto c : counts)
    total += c;
  if (total == 0)
    return 0.0;
  const auto& bounds = latency_bounds();
  double rank = q * static_cast<double>(total);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] == 0)
      continue;
    if (static_cast<double>(seen + counts[i]) >= rank) {
      if (i >= bounds.size())
        return bounds.back();
      double lower = i == 0 ? 0.0 : bounds[i - 1];
      double upper = bounds[i];
      double inside = (rank - static_cast<double>(seen)) / static_cast<double>(counts[i]);
      return lower + (upper - lower) * std::clamp(inside, 0.0, 1.0);
    }
    seen += counts[i];
  }
  return bounds.back();
}

} // namespace herald::ops
