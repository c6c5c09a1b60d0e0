#pragma once
// A local stand-in for Binance spot, speaking its exact wire formats
// (../shared/docs/external-apis.md): GET /api/v3/klines with paging by
// startTime/endTime/limit, X-MBX-USED-WEIGHT-1M on every reply, scripted
// faults (429 / 418 with Retry-After, 5xx, malformed JSON, error codes), and a
// kline WebSocket server (`/ws/<stream>`) that the test drives: send a kline
// (closed or not), drop every connection.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#ifndef ASIO_STANDALONE
#  define ASIO_STANDALONE
#endif
#include <httplib.h>
#include <websocketpp/config/asio_no_tls.hpp>
#include <websocketpp/server.hpp>

namespace herald::test {

class binance_double {
public:
  struct fault {
    int status = 200;
    std::string body;        ///< replaces the normal body when not empty
    std::string retry_after; ///< header value when not empty
  };

  /// `bars` klines of `interval_ms` from t0 exist ("now" is after the last).
  binance_double(std::int64_t t0, std::int64_t interval_ms, int bars)
    : t0_(t0), interval_ms_(interval_ms), bars_(bars) {
    http_.Get("/api/v3/klines", [this](const httplib::Request& req, httplib::Response& res) {
      serve_klines(req, res);
    });
    http_port_ = http_.bind_to_any_port("127.0.0.1");
    http_thread_ = std::thread([this] { http_.listen_after_bind(); });
    ws_.clear_access_channels(websocketpp::log::alevel::all);
    ws_.clear_error_channels(websocketpp::log::elevel::all);
    ws_.init_asio();
    ws_.set_reuse_addr(true);
    ws_.set_open_handler([this](websocketpp::connection_hdl h) {
      std::lock_guard<std::mutex> g{mtx_};
      auto con = ws_.get_con_from_hdl(h);
      paths_.push_back(con->get_resource());
      conns_.insert(h);
      ++connections_;
      cv_.notify_all();
    });
    ws_.set_pong_handler([this](websocketpp::connection_hdl, std::string payload) {
      std::lock_guard<std::mutex> g{mtx_};
      if (payload == "herald-ping")
        ++pongs_;
      cv_.notify_all();
    });
    ws_.set_close_handler([this](websocketpp::connection_hdl h) {
      std::lock_guard<std::mutex> g{mtx_};
      conns_.erase(h);
    });
    ws_.listen(asio::ip::tcp::endpoint{asio::ip::make_address("127.0.0.1"), 0});
    std::error_code ec;
    ws_port_ = ws_.get_local_endpoint(ec).port();
    ws_.start_accept();
    ws_thread_ = std::thread([this] { ws_.run(); });
  }

  ~binance_double() {
    http_.stop();
    asio::post(ws_.get_io_service(), [this] {
      std::error_code ec;
      ws_.stop_listening(ec);
    });
    drop_all();
    asio::post(ws_.get_io_service(), [this] { ws_.stop(); });
    if (http_thread_.joinable())
      http_thread_.join();
    if (ws_thread_.joinable())
      ws_thread_.join();
  }

  std::string rest_url() const { return "http://127.0.0.1:" + std::to_string(http_port_); }
  std::string ws_url() const { return "ws://127.0.0.1:" + std::to_string(ws_port_); }

  /// The next replies are these faults, in order.
  void script(std::vector<fault> faults) {
    std::lock_guard<std::mutex> g{mtx_};
    faults_.insert(faults_.end(), faults.begin(), faults.end());
  }

  /// Makes `n` more klines exist (time passes).
  void advance(int n) {
    std::lock_guard<std::mutex> g{mtx_};
    bars_ += n;
  }

  /// "now" of this market: just after the last kline closed.
  std::int64_t now() const {
    std::lock_guard<std::mutex> g{mtx_};
    return t0_ + bars_ * interval_ms_ + 1;
  }

  std::int64_t open_time(int i) const { return t0_ + i * interval_ms_; }

  void set_used_weight(int w) { used_weight_ = w; }

  int requests() const { return requests_; }
  int connections() const { return connections_; }
  std::vector<std::string> paths() const {
    std::lock_guard<std::mutex> g{mtx_};
    return paths_;
  }
  /// Waits until `n` connections have been accepted so far.
  bool wait_connections(int n, std::chrono::milliseconds timeout = std::chrono::seconds{10}) {
    std::unique_lock<std::mutex> l{mtx_};
    return cv_.wait_for(l, timeout, [&] { return connections_ >= n && !conns_.empty(); });
  }

  std::size_t open_connections() const {
    std::lock_guard<std::mutex> g{mtx_};
    return conns_.size();
  }

  /// Sends kline #i of `symbol` to every WebSocket client.
  void send_kline(const std::string& symbol, int i, bool closed) {
    send_raw(kline_frame(symbol, i, closed));
  }

  /// Sends a raw text frame to every client (on the server's own thread).
  void send_raw(const std::string& frame) {
    asio::post(ws_.get_io_service(), [this, frame] {
      std::lock_guard<std::mutex> g{mtx_};
      for (auto& h : conns_) {
        std::error_code ec;
        ws_.send(h, frame, websocketpp::frame::opcode::text, ec);
      }
    });
  }

  /// Pings every client (Binance pings every 20 s); pongs are counted.
  void ping_all() {
    asio::post(ws_.get_io_service(), [this] {
      std::lock_guard<std::mutex> g{mtx_};
      for (auto& h : conns_) {
        std::error_code ec;
        ws_.ping(h, "herald-ping", ec);
      }
    });
  }

  bool wait_pongs(int n, std::chrono::milliseconds timeout = std::chrono::seconds{10}) {
    std::unique_lock<std::mutex> l{mtx_};
    return cv_.wait_for(l, timeout, [&] { return pongs_ >= n; });
  }

  /// Closes every WebSocket connection, as a network cut would.
  void drop_all() {
    asio::post(ws_.get_io_service(), [this] {
      std::set<websocketpp::connection_hdl, std::owner_less<websocketpp::connection_hdl>> copy;
      {
        std::lock_guard<std::mutex> g{mtx_};
        copy = conns_;
      }
      for (auto& h : copy) {
        std::error_code ec;
        auto con = ws_.get_con_from_hdl(h, ec);
        if (!ec) {
          // Close the TCP socket under the connection: a dropped connection,
          // no WebSocket close handshake.
          auto& sock = con->get_raw_socket();
          sock.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
          sock.close(ec);
        }
      }
    });
  }

  /// The 12-field REST array of kline #i.
  std::string kline_json(int i) const {
    auto t = open_time(i);
    char buf[400];
    std::snprintf(buf, sizeof(buf),
                  "[%lld,\"%.8f\",\"%.8f\",\"%.8f\",\"%.8f\",\"%.8f\",%lld,\"%.8f\",%d,\"%.8f\","
                  "\"%.8f\",\"0\"]",
                  static_cast<long long>(t), price(i), price(i) + 2, price(i) - 1, price(i) + 1,
                  10.5 + i, static_cast<long long>(t + interval_ms_ - 1), 1000.25 + i, 100 + i,
                  5.25 + i, 500.5 + i);
    return buf;
  }

  double price(int i) const { return 100.0 + i; }

private:
  std::string kline_frame(const std::string& symbol, int i, bool closed) const {
    auto t = open_time(i);
    char buf[600];
    std::snprintf(buf, sizeof(buf),
                  "{\"e\":\"kline\",\"E\":%lld,\"s\":\"%s\",\"k\":{\"t\":%lld,\"T\":%lld,\"s\":\"%s\","
                  "\"i\":\"1m\",\"f\":100,\"L\":200,\"o\":\"%.8f\",\"c\":\"%.8f\",\"h\":\"%.8f\","
                  "\"l\":\"%.8f\",\"v\":\"%.8f\",\"n\":%d,\"x\":%s,\"q\":\"%.8f\",\"V\":\"%.8f\","
                  "\"Q\":\"%.8f\",\"B\":\"123456\"}}",
                  static_cast<long long>(t + 1000), symbol.c_str(), static_cast<long long>(t),
                  static_cast<long long>(t + interval_ms_ - 1), symbol.c_str(), price(i),
                  price(i) + 1, price(i) + 2, price(i) - 1, 10.5 + i, 100 + i,
                  closed ? "true" : "false", 1000.25 + i, 5.25 + i, 500.5 + i);
    return buf;
  }

  void serve_klines(const httplib::Request& req, httplib::Response& res) {
    ++requests_;
    res.set_header("X-MBX-USED-WEIGHT-1M", std::to_string(used_weight_.load()));
    {
      std::lock_guard<std::mutex> g{mtx_};
      if (!faults_.empty()) {
        auto f = faults_.front();
        faults_.pop_front();
        if (f.status != 200 || !f.body.empty()) {
          res.status = f.status;
          if (!f.retry_after.empty())
            res.set_header("Retry-After", f.retry_after);
          res.set_content(f.body, "application/json");
          return;
        }
      }
    }
    auto num = [&](const char* k, long long def) {
      return req.has_param(k) ? std::atoll(req.get_param_value(k).c_str()) : def;
    };
    auto start = num("startTime", t0_);
    auto end = num("endTime", now());
    auto limit = std::min<long long>(num("limit", 500), 1000);
    std::string body = "[";
    int n = 0;
    int bars;
    {
      std::lock_guard<std::mutex> g{mtx_};
      bars = bars_;
    }
    for (int i = 0; i < bars && n < limit; ++i) {
      auto t = open_time(i);
      if (t < start || t > end)
        continue;
      body += (n ? "," : "") + kline_json(i);
      ++n;
    }
    body += "]";
    res.set_content(body, "application/json");
  }

  std::int64_t t0_;
  std::int64_t interval_ms_;
  int bars_;
  httplib::Server http_;
  int http_port_ = 0;
  std::thread http_thread_;
  websocketpp::server<websocketpp::config::asio> ws_;
  int ws_port_ = 0;
  std::thread ws_thread_;
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  std::deque<fault> faults_;
  std::set<websocketpp::connection_hdl, std::owner_less<websocketpp::connection_hdl>> conns_;
  std::vector<std::string> paths_;
  std::atomic<int> requests_{0};
  std::atomic<int> connections_{0};
  std::atomic<int> used_weight_{12};
  int pongs_ = 0;
};

} // namespace herald::test
