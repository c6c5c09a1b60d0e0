#include "ops/journal.hpp"

namespace herald::ops {

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

std::vector<event> collect(const std::deque<event>& ring, std::uint64_t after, std::size_t max) {
  std::vector<event> out;
  if (ring.empty() || ring.back().seq <= after)
    return out;
  // Sequences are contiguous in the ring.
  std::size_t first = after < ring.front().seq ? 0 : static_cast<std::size_t>(after - ring.front().seq + 1);
  for (std::size_t i = first; i < ring.size() && out.size() < max; ++i)
    out.push_back(ring[i]);
  return out;
}

} // namespace

std::uint64_t journal::push(std::string type, std::string data) {
  std::uint64_t seq;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    seq = next_++;
    ring_.push_back(event{seq, now_ms(), std::move(type), std::move(data)});
    while (ring_.size() > capacity_)
      ring_.pop_front();
  }
  cv_.notify_all();
  return seq;
}

std::vector<event> journal::since(std::uint64_t after, std::size_t max) const {
  std::lock_guard<std::mutex> guard{mtx_};
  return collect(ring_, after, max);
}

std::vector<event> journal::wait_since(std::uint64_t after, std::chrono::milliseconds timeout,
                                       std::size_t max) const {
  std::unique_lock<std::mutex> guard{mtx_};
  cv_.wait_for(guard, timeout,
               [&] { return closed_ || (!ring_.empty() && ring_.back().seq > after); });
  if (closed_)
    return {};
  return collect(ring_, after, max);
}

std::uint64_t journal::last_seq() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return next_ - 1;
}

void journal::close() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    closed_ = true;
  }
  cv_.notify_all();
}

bool journal::closed() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return closed_;
}

} // namespace herald::ops
