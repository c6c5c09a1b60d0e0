#include "market/resample.hpp"

#include <algorithm>
#include <cmath>

#include "market/interval.hpp"

namespace herald::market {

void resampler::sum::add(double x) {
  double t = s + x;
  if (std::abs(s) >= std::abs(x))
    c += (s - t) + x;
  else
    c += (x - t) + s;
  s = t;
}

resampler::resampler(std::int64_t from_ms, std::int64_t to_ms, std::string interval_name)
  : from_ms_(from_ms), to_ms_(to_ms), name_(std::move(interval_name)) {
}

namespace {

bool is_filler(const candle& c) {
  return c.volume == 0 && c.open == c.high && c.high == c.low && c.low == c.close;
}

} // namespace

std::optional<candle> resampler::push(const candle& c) {
  auto start = bar_start(c.open_time, to_ms_);
  std::optional<candle> done;
  if (active_ && start != cur_.open_time)
    done = flush();
  bool filler = is_filler(c);
  last_in_ = c.open_time;
  if (!active_) {
    active_ = true;
    has_trades_ = !filler;
    count_ = 0;
    cur_ = c;
    cur_.interval = name_;
    cur_.open_time = start;
    cur_.close_time = start + to_ms_ - 1;
    volume_ = sum{};
    quote_ = sum{};
    taker_base_ = sum{};
    taker_quote_ = sum{};
    volume_.add(c.volume);
    quote_.add(c.quote_volume);
    taker_base_.add(c.taker_buy_base);
    taker_quote_.add(c.taker_buy_quote);
  } else {
    if (!filler) {
      if (!has_trades_) {
        // The first real trade opens the bar.
        cur_.open = c.open;
        cur_.high = c.high;
        cur_.low = c.low;
        has_trades_ = true;
      } else {
        cur_.high = std::max(cur_.high, c.high);
        cur_.low = std::min(cur_.low, c.low);
      }
    }
    cur_.close = c.close;
    cur_.has_extras = cur_.has_extras && c.has_extras;
    cur_.trades += c.trades;
    volume_.add(c.volume);
    quote_.add(c.quote_volume);
    taker_base_.add(c.taker_buy_base);
    taker_quote_.add(c.taker_buy_quote);
  }
  ++count_;
  return done;
}

std::optional<candle> resampler::flush() {
  if (!active_)
    return std::nullopt;
  active_ = false;
  auto out = cur_;
  out.volume = volume_.value();
  out.quote_volume = quote_.value();
  out.taker_buy_base = taker_base_.value();
  out.taker_buy_quote = taker_quote_.value();
  if (!out.has_extras) {
    out.quote_volume = 0;
    out.trades = 0;
    out.taker_buy_base = 0;
    out.taker_buy_quote = 0;
  }
  return out;
}

std::vector<candle> resample(const std::vector<candle>& in, std::int64_t from_ms,
                             std::int64_t to_ms, const std::string& to_name,
                             bool include_partial) {
  resampler r{from_ms, to_ms, to_name};
  std::vector<candle> out;
  out.reserve(in.size() / static_cast<std::size_t>(std::max<std::int64_t>(1, to_ms / from_ms)) + 1);
  for (auto& c : in)
    if (auto bar = r.push(c))
      out.push_back(*bar);
  auto full = r.bars_in_progress() == r.bars_per_output();
  if (auto last = r.flush(); last && (include_partial || full))
    out.push_back(*last);
  return out;
}

} // namespace herald::market
