// libFuzzer target: candle file detection and parsing (CSV / JSON), then
// series validation of whatever was read. Must never crash or hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "io/files/candle_file.hpp"
#include "market/interval.hpp"
#include "market/validation.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  auto r = herald::io::parse_candles(text, "fuzz", "BTCUSDT", "");
  if (r.ok()) {
    herald::market::series_validator v{*herald::market::interval_ms(r.file.interval)};
    for (auto& c : r.file.candles)
      v.check(c);
  }
  return 0;
}
