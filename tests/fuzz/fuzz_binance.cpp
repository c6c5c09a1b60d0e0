// libFuzzer target: Binance REST klines replies and WebSocket kline frames.
// What is read is a sane candle; every error message (logged, shown in the
// console) is one line of valid UTF-8.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "io/binance/wire.hpp"
#include "tests/fuzz/invariants.hpp"

namespace {
void sane(const herald::candle& c) {
  for (double v : {c.open, c.high, c.low, c.close, c.volume})
    if (!std::isfinite(v))
      herald::fuzz::violated("non-finite candle field", c.symbol);
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace herald;
  std::string_view text{reinterpret_cast<const char*>(data), size};
  std::vector<candle> out;
  auto error = io::binance::parse_klines(text, "BTCUSDT", "1m", out);
  fuzz::one_line(error, "parse_klines error");
  for (auto& c : out)
    sane(c);
  std::string frame_error;
  if (auto ev = io::binance::parse_kline_frame(text, frame_error))
    sane(ev->bar);
  fuzz::one_line(frame_error, "parse_kline_frame error");
  fuzz::one_line(io::binance::describe_error(text), "describe_error");
  return 0;
}
