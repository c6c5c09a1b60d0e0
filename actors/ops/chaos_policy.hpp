#pragma once
// The chaos agent's decisions as plain code: when the next kill happens
// (a Poisson process of `rate` kills per second) and which candidate dies
// (uniform among the agents whose path matches a glob).

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace herald::ops {

class chaos_policy {
public:
  chaos_policy(double kills_per_second, std::string pattern, std::uint64_t seed);

  bool enabled() const { return rate_ > 0; }

  /// Time until the next kill (exponentially distributed, mean 1/rate).
  std::chrono::nanoseconds next_interval();

  /// Index of the victim among `paths`, or nullopt when none matches.
  std::optional<std::size_t> pick(const std::vector<std::string>& paths);

  /// Glob match (`*`, `?`, `[...]`) of `path` against `pattern`.
  static bool matches(const std::string& pattern, const std::string& path);

private:
  double rate_;
  std::string pattern_;
  std::mt19937_64 rng_;
};

} // namespace herald::ops
