#pragma once
// Binance REST backfill of klines (cpp-httplib). Pages of 1,000 klines by
// time; stays under a share of the request-weight limit using the
// X-MBX-USED-WEIGHT-1M header; on 429 and 418 waits the Retry-After the
// server gives; retries network errors, 5xx and malformed replies with
// exponential backoff; a 4xx with a Binance error code is final.
// The clock and the waiting are injectable, so tests need not sleep.

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "io/binance/wire.hpp"

namespace herald::io::binance {

struct rest_options {
  std::string base_url = "https://api.binance.com";
  int weight_limit = 6000;      ///< per minute (Binance's default spot limit)
  double weight_share = 0.5;    ///< stay under this share of it
  int max_retries = 8;          ///< per page
  std::int64_t backoff_min_ms = 500;
  std::int64_t backoff_max_ms = 60'000;
  int timeout_seconds = 10;      ///< for a whole request (connect, send, reply)
  /// True when the caller is stopping: waits (rate limits, backoff) end and
  /// get() gives up with a rest_error, so that a shutdown is not held by a
  /// 60 s Retry-After. Null: never.
  std::function<bool()> cancelled;
};

/// A failure the client gave up on (after its retries, or a final 4xx).
class rest_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct rest_stats {
  std::uint64_t requests = 0;
  std::uint64_t retries = 0;
  std::uint64_t rate_limited = 0; ///< 429 / 418 replies
  std::int64_t waited_ms = 0;     ///< total time asked to wait
};

class rest_client {
public:
  using sleeper = std::function<void(std::int64_t ms)>;
  using clock = std::function<std::int64_t()>; ///< ms since the epoch

  explicit rest_client(rest_options opts, sleeper sleep = {}, clock now = {});

  /// Closed and open klines with open time in [from_ms, to_ms], oldest first.
  /// Throws rest_error when it gives up.
  std::vector<candle> klines(const std::string& symbol, const std::string& interval,
                             std::int64_t from_ms, std::int64_t to_ms);

  const rest_stats& stats() const { return stats_; }

private:
  std::string get(const std::string& path);
  rest_options opts_;
  sleeper sleep_;
  clock now_;
  weight_budget budget_;
  rest_stats stats_;
};

} // namespace herald::io::binance
