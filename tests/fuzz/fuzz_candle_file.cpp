// libFuzzer target: candle file detection and parsing (CSV / JSON), then
// series validation of whatever was read. Must never crash or hang; what is
// read is finite, and an error names the problem in one line of valid UTF-8.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "io/files/candle_file.hpp"
#include "market/interval.hpp"
#include "market/validation.hpp"
#include "tests/fuzz/invariants.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace herald;
  std::string_view text{reinterpret_cast<const char*>(data), size};
  auto r = io::parse_candles(text, "fuzz", "BTCUSDT", "");
  if (!r.ok()) {
    fuzz::one_line(r.error->to_string(), "file error");
    return 0;
  }
  market::series_validator v{*market::interval_ms(r.file.interval)};
  for (auto& c : r.file.candles) {
    for (double x : {c.open, c.high, c.low, c.close, c.volume})
      if (!std::isfinite(x))
        fuzz::violated("non-finite candle field", "");
    v.check(c);
  }
  return 0;
}
