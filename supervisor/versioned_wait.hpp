#pragma once
// Waiting on a thread-safe object that counts its changes: the predicate
// reads through the object's own locking accessors, so it runs unlocked, and
// the version counter catches changes made while it ran. Shared by the agent
// directory and the cluster view. Plain code.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace herald::supervision {

/// Blocks until `pred()` holds or `deadline` passes; `version` (guarded by
/// `mtx`, raised and `cv` notified on every change) wakes it. Returns
/// whether `pred()` held.
template <class Pred>
bool wait_for_change(std::mutex& mtx, std::condition_variable& cv, const std::uint64_t& version,
                     Pred pred, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock{mtx};
  for (;;) {
    auto seen = version;
    lock.unlock();
    if (pred())
      return true;
    lock.lock();
    while (version == seen)
      if (cv.wait_until(lock, deadline) == std::cv_status::timeout && version == seen)
        return false;
  }
}

} // namespace herald::supervision
