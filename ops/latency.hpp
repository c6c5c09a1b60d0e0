#pragma once
// Fixed latency buckets shared by every processing-time histogram (actor
// message handling, pipeline latency): 1-2.5-5 steps from 1 us to 10 s, then
// +Inf. Counting is one branch-free-ish search over 22 bounds, cheap enough
// for every message; quantiles are read from bucket counts (Prometheus'
// histogram_quantile interpolation). Pure: no CAF.

#include <array>
#include <cstdint>
#include <vector>

namespace herald::ops {

/// Upper bounds in seconds, ascending; the last bucket (+Inf) is implicit.
const std::array<double, 22>& latency_bounds();

/// Number of buckets including +Inf.
constexpr std::size_t latency_buckets = 23;

/// Index of the bucket holding a duration of `ns` nanoseconds.
std::size_t latency_bucket(std::uint64_t ns);

/// A non-cumulative bucket histogram with a sum (one owner thread).
struct latency_histogram {
  std::array<std::uint64_t, latency_buckets> counts{};
  std::uint64_t sum_ns = 0;
  std::uint64_t total = 0;

  void observe(std::uint64_t ns) {
    ++counts[latency_bucket(ns)];
    sum_ns += ns;
    ++total;
  }
};

/// The q-quantile (0 < q <= 1) in seconds of a non-cumulative bucket vector
/// (size latency_buckets), interpolated linearly inside its bucket; 0 when
/// empty. A quantile in +Inf reports the largest finite bound.
double latency_quantile(const std::vector<std::uint64_t>& counts, double q);

} // namespace herald::ops
