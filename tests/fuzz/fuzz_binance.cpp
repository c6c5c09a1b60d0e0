// libFuzzer target: Binance REST klines replies and WebSocket kline frames.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "io/binance/wire.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  std::vector<herald::candle> out;
  herald::io::binance::parse_klines(text, "BTCUSDT", "1m", out);
  std::string error;
  herald::io::binance::parse_kline_frame(text, error);
  herald::io::binance::describe_error(text);
  return 0;
}
