#include "analysis/analyzer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace herald::analysis {

double safe(double x, double lo, double hi) {
  if (!std::isfinite(x))
    return 0.0 < lo ? lo : (0.0 > hi ? hi : 0.0);
  return std::clamp(x, lo, hi);
}

result analyzer::on_candle(const candle& c) {
  result r;
  auto t0 = std::chrono::steady_clock::now();
  analyse(c, r);
  r.duration_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::steady_clock::now() - t0)
                    .count();
  r.score = safe(r.score, -1, 1);
  r.confidence = safe(r.confidence, 0, 100);
  if (r.payload.empty())
    r.payload = "{}";
  r.agent = name();
  r.candle_time = c.open_time;
  return r;
}

} // namespace herald::analysis
