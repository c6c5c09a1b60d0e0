#pragma once
// Binance kline WebSocket stream (websocketpp + asio) on its own thread:
// connects to `<base>/ws/<stream>` (one stream) or `<base>/stream?streams=a/b`
// (several), answers the server's pings (websocketpp does), reconnects with
// exponential backoff after any drop, and reconnects on its own before
// Binance's 24-hour connection limit. Kline events and connection changes
// are handed to callbacks (called on the stream's thread).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "io/binance/wire.hpp"

namespace herald::io::binance {

struct stream_options {
  std::string base_url = "wss://stream.binance.com:9443";
  std::vector<std::string> streams; ///< e.g. "btcusdt@kline_1m"
  std::chrono::milliseconds backoff_min{500};
  std::chrono::milliseconds backoff_max{30'000};
  /// Binance closes connections after 24 h: reconnect before that.
  std::chrono::milliseconds max_connection_age{std::chrono::hours{23}};
};

class kline_stream {
public:
  using event_handler = std::function<void(const kline_event&)>;
  /// (connected, reason): called on every connect and every drop.
  using state_handler = std::function<void(bool, const std::string&)>;
  using error_handler = std::function<void(const std::string&)>;

  kline_stream(stream_options opts, event_handler on_event, state_handler on_state,
               error_handler on_error);
  ~kline_stream();

  /// Starts the connection thread.
  void start();
  /// Closes the connection and joins the thread.
  void stop();

  /// The URL it connects to.
  std::string url() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace herald::io::binance
