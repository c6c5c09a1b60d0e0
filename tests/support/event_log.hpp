#pragma once
// A thread-safe list of events that actors append to and tests wait on with a
// deadline (no sleeps).

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace herald::test {

class event_log {
public:
  void add(std::string e) {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      events_.push_back(std::move(e));
    }
    cv_.notify_all();
  }

  std::vector<std::string> events() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return events_;
  }

  /// Events from index `from` on.
  std::vector<std::string> since(std::size_t from) const {
    std::lock_guard<std::mutex> guard{mtx_};
    if (from >= events_.size())
      return {};
    return {events_.begin() + static_cast<std::ptrdiff_t>(from), events_.end()};
  }

  std::size_t size() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return events_.size();
  }

  std::size_t count(const std::string& e) const {
    std::lock_guard<std::mutex> guard{mtx_};
    return static_cast<std::size_t>(std::count(events_.begin(), events_.end(), e));
  }

  /// Waits until `pred(events)` holds; false when the deadline passes first.
  bool wait_for(const std::function<bool(const std::vector<std::string>&)>& pred,
                std::chrono::milliseconds timeout = std::chrono::seconds{10}) const {
    std::unique_lock<std::mutex> lock{mtx_};
    return cv_.wait_for(lock, timeout, [&] { return pred(events_); });
  }

  /// Waits until the log holds at least `n` events.
  bool wait_size(std::size_t n,
                 std::chrono::milliseconds timeout = std::chrono::seconds{10}) const {
    return wait_for([n](const std::vector<std::string>& es) { return es.size() >= n; },
                    timeout);
  }

private:
  mutable std::mutex mtx_;
  mutable std::condition_variable cv_;
  std::vector<std::string> events_;
};

} // namespace herald::test
