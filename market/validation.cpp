#include "market/validation.hpp"

#include <cmath>
#include <numeric>

#include "market/interval.hpp"

namespace herald::market {

const char* to_string(reject_reason r) {
  switch (r) {
    case reject_reason::non_finite: return "non-finite value";
    case reject_reason::negative: return "negative value";
    case reject_reason::high_below_low: return "high below low";
    case reject_reason::open_outside: return "open outside [low, high]";
    case reject_reason::close_outside: return "close outside [low, high]";
    case reject_reason::misaligned: return "open time not aligned to the interval";
    case reject_reason::out_of_order: return "out of order";
    case reject_reason::count_: break;
  }
  return "?";
}

bool check_values(const candle& c, reject_reason& why) {
  for (double x : {c.open, c.high, c.low, c.close, c.volume}) {
    if (!std::isfinite(x)) {
      why = reject_reason::non_finite;
      return false;
    }
    if (x < 0) {
      why = reject_reason::negative;
      return false;
    }
  }
  if (c.has_extras)
    for (double x : {c.quote_volume, c.taker_buy_base, c.taker_buy_quote}) {
      if (!std::isfinite(x)) {
        why = reject_reason::non_finite;
        return false;
      }
      if (x < 0) {
        why = reject_reason::negative;
        return false;
      }
    }
  if (c.high < c.low) {
    why = reject_reason::high_below_low;
    return false;
  }
  if (c.open < c.low || c.open > c.high) {
    why = reject_reason::open_outside;
    return false;
  }
  if (c.close < c.low || c.close > c.high) {
    why = reject_reason::close_outside;
    return false;
  }
  return true;
}

series_validator::verdict series_validator::check(const candle& c) {
  reject_reason why;
  if (!check_values(c, why)) {
    last_reason_ = why;
    ++rejected_[static_cast<size_t>(why)];
    return verdict::rejected;
  }
  if (!aligned(c.open_time, interval_ms_)) {
    last_reason_ = reject_reason::misaligned;
    ++rejected_[static_cast<size_t>(last_reason_)];
    return verdict::rejected;
  }
  if (accepted_ > 0) {
    if (c.open_time == last_) {
      ++duplicates_;
      return verdict::duplicate;
    }
    if (c.open_time < last_) {
      last_reason_ = reject_reason::out_of_order;
      ++rejected_[static_cast<size_t>(last_reason_)];
      return verdict::rejected;
    }
    if (c.open_time > last_ + interval_ms_)
      gaps_.push_back({last_ + interval_ms_, c.open_time});
  }
  last_ = c.open_time;
  ++accepted_;
  return verdict::accepted;
}

std::uint64_t series_validator::rejected() const {
  return std::accumulate(rejected_.begin(), rejected_.end(), std::uint64_t{0});
}

} // namespace herald::market
