#pragma once
// Completion of bounded runs (`herald run --candles N`): sources report here
// when they have produced what they were asked for, and `herald run` waits on
// it (condition variable, no polling). Also the stop request of an orderly
// shutdown: sources stop producing (a restarted source too) so that what is
// in flight can be drained before the agents stop. Thread-safe; one per run,
// injected.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace herald::data {

class run_progress {
public:
  /// A source finished: it sent `candles` candles per series.
  void source_done(const std::string& source, std::uint64_t candles) {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      done_[source] = candles;
    }
    cv_.notify_all();
  }

  /// Waits until `n` sources are done (or the deadline passes).
  bool wait_done(std::size_t n, std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::mutex> lock{mtx_};
    return cv_.wait_until(lock, deadline, [&] { return done_.size() >= n; });
  }

  std::map<std::string, std::uint64_t> done() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return done_;
  }

  /// SIGINT/SIGTERM: sources send no more batches.
  void request_stop() { stopping_ = true; }
  bool stopping() const { return stopping_; }

private:
  std::atomic<bool> stopping_{false};
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  std::map<std::string, std::uint64_t> done_;
};

} // namespace herald::data
