#pragma once
// Binance spot wire formats (see ../shared/docs/external-apis.md), turned into
// Herald's types. Nothing outside io/binance knows a Binance URL or field.
// Pure code.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "messages/market.hpp"

namespace herald::io::binance {

/// Parses a /api/v3/klines reply (array of 12-field arrays, prices as
/// strings). Returns an error message ("" on success).
std::string parse_klines(std::string_view body, const std::string& symbol,
                         const std::string& interval, std::vector<candle>& out);

/// A kline event of the WebSocket stream (raw `/ws/...` or combined
/// `/stream?streams=...` frames).
struct kline_event {
  candle bar;
  bool closed = false; ///< field "x": the kline is final
};

/// Parses a WebSocket frame. Returns nullopt for frames that are not kline
/// events (e.g. `{"result":null,"id":1}`); sets `error` for malformed ones.
std::optional<kline_event> parse_kline_frame(std::string_view frame, std::string& error);

/// `{"code":-1121,"msg":"Invalid symbol."}` -> "-1121 Invalid symbol." (or the
/// raw body, shortened, when it is not that shape).
std::string describe_error(std::string_view body);

/// Request-weight bookkeeping: stays under `share` of the per-minute limit,
/// as reported by the X-MBX-USED-WEIGHT-1M header of every reply.
class weight_budget {
public:
  weight_budget(int limit_per_minute, double share) : limit_(limit_per_minute), share_(share) {}
  /// Records the header value of a reply received at `now_ms`.
  void observe(int used_weight, std::int64_t now_ms);
  /// How long to wait before a request of `weight` at `now_ms` (0: go).
  std::int64_t delay_ms(int weight, std::int64_t now_ms) const;

private:
  int limit_;
  double share_;
  int used_ = 0;
  std::int64_t minute_ = -1; ///< the minute `used_` belongs to
};

/// The kline REST path with its query.
std::string klines_path(const std::string& symbol, const std::string& interval,
                        std::int64_t start_ms, std::int64_t end_ms, int limit);

/// The WebSocket stream name: "btcusdt@kline_1m".
std::string stream_name(const std::string& symbol, const std::string& interval);

} // namespace herald::io::binance
