#pragma once
// A rolling window of the last `capacity` candles of one series: a ring
// buffer, O(1) per push. It grows to its capacity as candles come (doubling,
// never past it) and allocates nothing once full: a series holds what it
// has seen, not `capacity` candles from its first one (issue 20: the hub's
// 5,000-candle windows, four per symbol, were ~2 MiB a symbol at start).
// Pure code.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "messages/market.hpp"

namespace herald::market {

class candle_window {
public:
  explicit candle_window(std::size_t capacity) : cap_(capacity == 0 ? 1 : capacity) {}

  void push(const candle& c) {
    if (buf_.size() < cap_) { // growing: the oldest is at 0, head_ stays 0
      if (buf_.size() == buf_.capacity())
        buf_.reserve(std::min(cap_, std::max<std::size_t>(16, 2 * buf_.capacity())));
      buf_.push_back(c);
      size_ = buf_.size();
      return;
    }
    buf_[head_] = c;
    head_ = (head_ + 1) % buf_.size();
  }

  std::size_t size() const { return size_; }
  std::size_t capacity() const { return cap_; }
  bool empty() const { return size_ == 0; }

  /// The newest candle (window must not be empty).
  const candle& back() const { return buf_[(head_ + buf_.size() - 1) % buf_.size()]; }

  /// The last `n` candles (fewer when the window holds fewer), oldest first.
  std::vector<candle> last(std::size_t n) const {
    n = n < size_ ? n : size_;
    std::vector<candle> out;
    out.reserve(n);
    for (std::size_t i = n; i > 0; --i)
      out.push_back(buf_[(head_ + buf_.size() - i) % buf_.size()]);
    return out;
  }

  /// The last `n` candles that opened before `before`, oldest first.
  std::vector<candle> last_before(std::size_t n, std::int64_t before) const {
    // Newest first, skip those at or after `before`, take n.
    std::size_t skip = 0;
    while (skip < size_ && at_from_back(skip).open_time >= before)
      ++skip;
    std::size_t take = std::min(n, size_ - skip);
    std::vector<candle> out;
    out.reserve(take);
    for (std::size_t i = skip + take; i > skip; --i)
      out.push_back(at_from_back(i - 1));
    return out;
  }

  /// The candles that opened at or after `from`, at most the newest `n`,
  /// oldest first.
  std::vector<candle> since(std::int64_t from, std::size_t n) const {
    std::size_t take = 0;
    while (take < size_ && take < n && at_from_back(take).open_time >= from)
      ++take;
    std::vector<candle> out;
    out.reserve(take);
    for (std::size_t i = take; i > 0; --i)
      out.push_back(at_from_back(i - 1));
    return out;
  }

  /// The oldest candle held (window must not be empty).
  const candle& front() const { return at_from_back(size_ - 1); }

private:
  /// i-th candle from the newest (0 = newest).
  const candle& at_from_back(std::size_t i) const {
    return buf_[(head_ + 2 * buf_.size() - 1 - i) % buf_.size()];
  }
  std::size_t cap_;
  std::vector<candle> buf_; ///< size() == size_ (grows to cap_)
  std::size_t head_ = 0;    ///< next slot to overwrite once full
  std::size_t size_ = 0;
};

} // namespace herald::market
