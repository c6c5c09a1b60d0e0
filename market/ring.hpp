#pragma once
// A fixed-capacity sliding window whose live part is always one contiguous
// array (each value is written twice, at i and i + capacity), so scans over
// the window are plain loops over memory. Pure code.

#include <cstddef>
#include <vector>

namespace herald::market {

template <class T>
class ring {
public:
  explicit ring(std::size_t capacity) : cap_(capacity == 0 ? 1 : capacity), buf_(2 * cap_) {}
  void push(const T& x) {
    buf_[pos_] = x;
    buf_[pos_ + cap_] = x;
    pos_ = pos_ + 1 == cap_ ? 0 : pos_ + 1;
    if (size_ < cap_)
      ++size_;
  }
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return cap_; }
  bool full() const { return size_ == cap_; }
  bool empty() const { return size_ == 0; }
  /// The window, oldest first: data()[0 .. size()).
  const T* data() const { return buf_.data() + (pos_ + cap_ - size_); }
  const T& operator[](std::size_t i) const { return data()[i]; }
  const T& back() const { return data()[size_ - 1]; }
  const T& front() const { return data()[0]; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size_; }
  void clear() { size_ = 0; }

private:
  std::size_t cap_;
  std::vector<T> buf_;
  std::size_t pos_ = 0;  ///< next write position in [0, cap)
  std::size_t size_ = 0;
};

} // namespace herald::market
