#pragma once
// Back-pressure gauges. Each stage that can hold back the stage before it
// (the hub holds the sources, the pipeline holds the hub, the risk agent
// holds the pipeline) reports how full it is and since when it holds; the
// inspector turns them into the readiness check "flow" and /metrics gauges.
// Written by the stage's actor, read by the inspector: atomics, no locks,
// no CAF.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace herald::ops {

inline std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

struct stage_gauge {
  std::atomic<std::int64_t> queued{0}; ///< what the stage holds (candles or records)
  std::atomic<std::int64_t> limit{0};  ///< where it starts holding back
  /// Wall-clock ms since which it holds an answer back; 0: flowing.
  std::atomic<std::int64_t> holding_since_ms{0};
  std::atomic<std::uint64_t> holds{0}; ///< answers held back so far

  void set(std::int64_t q, std::int64_t lim) {
    queued.store(q, std::memory_order_relaxed);
    limit.store(lim, std::memory_order_relaxed);
  }
  /// The stage holds (true) or released everything (false).
  void holding(bool on, std::int64_t now_ms) {
    if (!on) {
      holding_since_ms.store(0, std::memory_order_relaxed);
      return;
    }
    holds.fetch_add(1, std::memory_order_relaxed);
    std::int64_t zero = 0;
    holding_since_ms.compare_exchange_strong(zero, now_ms, std::memory_order_relaxed);
  }
};

struct flow_gauges {
  stage_gauge hub;      ///< candles not stored yet; holds the sources
  stage_gauge pipeline; ///< candles in analysis; holds the hub
  stage_gauge risk;     ///< records not committed; holds the pipeline
};

} // namespace herald::ops
