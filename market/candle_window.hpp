#pragma once
// A rolling window of the last `capacity` candles of one series: a ring
// buffer, O(1) per push, no allocation after construction. Pure code.

#include <cstddef>
#include <vector>

#include "messages/market.hpp"

namespace herald::market {

class candle_window {
public:
  explicit candle_window(std::size_t capacity) : buf_(capacity == 0 ? 1 : capacity) {}

  void push(const candle& c) {
    buf_[head_] = c;
    head_ = (head_ + 1) % buf_.size();
    if (size_ < buf_.size())
      ++size_;
  }

  std::size_t size() const { return size_; }
  std::size_t capacity() const { return buf_.size(); }
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

private:
  std::vector<candle> buf_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

} // namespace herald::market
