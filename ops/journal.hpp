#pragma once
// The live event journal behind GET /api/v1/events (SSE) and the terminal
// console's `tail`: a bounded ring of events with increasing sequence
// numbers. Writers: the inspector (candles, signals, insights, restarts),
// the content publisher (posts) and the log sink (errors). Readers wait for
// events newer than the last one they saw. Thread-safe. Pure: no CAF.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace herald::ops {

struct event {
  std::uint64_t seq = 0;
  std::int64_t ts_ms = 0;   ///< wall clock when recorded
  std::string type;         ///< candle, signal, insight, post, restart, log
  std::string data;         ///< one JSON object
};

class journal {
public:
  explicit journal(std::size_t capacity = 4096) : capacity_(capacity) {}

  /// Appends an event (data must be a JSON object); returns its sequence.
  std::uint64_t push(std::string type, std::string data);

  /// Events with seq > after, oldest first, at most `max`. A reader that fell
  /// behind the ring gets what is left (the first seq tells how much it missed).
  std::vector<event> since(std::uint64_t after, std::size_t max = 1000) const;

  /// Like since(), but waits up to `timeout` for at least one event; returns
  /// early (empty) when close() was called.
  std::vector<event> wait_since(std::uint64_t after, std::chrono::milliseconds timeout,
                                std::size_t max = 1000) const;

  /// The sequence of the newest event (0: none yet).
  std::uint64_t last_seq() const;

  /// Wakes every waiting reader for good (server shutdown).
  void close();
  bool closed() const;

private:
  std::size_t capacity_;
  mutable std::mutex mtx_;
  mutable std::condition_variable cv_;
  std::deque<event> ring_;
  std::uint64_t next_ = 1;
  bool closed_ = false;
};

} // namespace herald::ops
