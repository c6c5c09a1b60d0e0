#include "io/binance/stream.hpp"

#include <condition_variable>
#include <mutex>

#ifndef ASIO_STANDALONE
#  define ASIO_STANDALONE
#endif
#include <websocketpp/client.hpp>
#include <websocketpp/config/asio_client.hpp>
#include <websocketpp/config/asio_no_tls_client.hpp>

namespace herald::io::binance {

struct kline_stream::impl {
  stream_options opts;
  event_handler on_event;
  state_handler on_state;
  error_handler on_error;
  std::thread thread;
  std::mutex mtx;
  std::condition_variable cv;
  bool stopping = false;
  std::function<void()> close_current; ///< closes the live connection (under mtx)

  std::string url() const {
    if (opts.streams.size() == 1)
      return opts.base_url + "/ws/" + opts.streams[0];
    std::string joined;
    for (auto& s : opts.streams)
      joined += (joined.empty() ? "" : "/") + s;
    return opts.base_url + "/stream?streams=" + joined;
  }

  /// One connection attempt; returns (was_open, reason it ended).
  template <class Config>
  std::pair<bool, std::string> connect_once(bool tls) {
    using client = websocketpp::client<Config>;
    client endpoint;
    endpoint.clear_access_channels(websocketpp::log::alevel::all);
    endpoint.clear_error_channels(websocketpp::log::elevel::all);
    endpoint.init_asio();
    (void) tls;
    if constexpr (std::is_same_v<Config, websocketpp::config::asio_tls_client>) {
      endpoint.set_tls_init_handler([](websocketpp::connection_hdl) {
        auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
        ctx->set_default_verify_paths();
        ctx->set_verify_mode(asio::ssl::verify_peer);
        return ctx;
      });
    }
    bool opened = false;
    std::string reason = "connection failed";
    typename client::timer_ptr age_timer;
    endpoint.set_open_handler([&](websocketpp::connection_hdl hdl) {
      opened = true;
      on_state(true, "connected to " + url());
      // Reconnect before Binance's 24-hour limit.
      age_timer = endpoint.set_timer(static_cast<long>(opts.max_connection_age.count()),
                         [&, hdl](const std::error_code& ec) {
                           if (ec)
                             return;
                           reason = "connection age limit reached: reconnecting";
                           std::error_code ignore;
                           endpoint.close(hdl, websocketpp::close::status::going_away,
                                          "age limit", ignore);
                         });
    });
    endpoint.set_message_handler([&](websocketpp::connection_hdl,
                                     typename client::message_ptr msg) {
      std::string error;
      auto ev = parse_kline_frame(msg->get_payload(), error);
      if (ev)
        on_event(*ev);
      else if (!error.empty())
        on_error(error);
    });
    // When the connection ends, the pending age timer must not keep run() going.
    auto done = [&] {
      if (age_timer) {
        age_timer->cancel();
        age_timer.reset();
      }
    };
    endpoint.set_fail_handler([&](websocketpp::connection_hdl hdl) {
      auto con = endpoint.get_con_from_hdl(hdl);
      reason = "connection failed: " + con->get_ec().message();
      done();
    });
    endpoint.set_close_handler([&](websocketpp::connection_hdl hdl) {
      auto con = endpoint.get_con_from_hdl(hdl);
      if (reason == "connection failed")
        reason = "connection closed (" + std::to_string(con->get_remote_close_code()) + " "
                 + con->get_remote_close_reason() + ")";
      done();
    });
    std::error_code ec;
    auto con = endpoint.get_connection(url(), ec);
    if (ec)
      return {false, "invalid WebSocket URL " + url() + ": " + ec.message()};
    {
      std::lock_guard<std::mutex> guard{mtx};
      if (stopping)
        return {false, "stopped"};
      // Called from another thread: everything happens on the endpoint's own.
      close_current = [&endpoint, hdl = con->get_handle()] {
        asio::post(endpoint.get_io_service(), [&endpoint, hdl] {
          std::error_code ignore;
          endpoint.close(hdl, websocketpp::close::status::normal, "herald stopping", ignore);
          // A peer that does not answer the close must not hold us up.
          endpoint.set_timer(1000, [&endpoint](const std::error_code&) { endpoint.stop(); });
        });
      };
    }
    endpoint.connect(con);
    endpoint.run();
    {
      std::lock_guard<std::mutex> guard{mtx};
      close_current = nullptr;
    }
    return {opened, reason};
  }

  void loop() {
    auto backoff = opts.backoff_min;
    bool tls = url().rfind("wss://", 0) == 0;
    for (;;) {
      {
        std::lock_guard<std::mutex> guard{mtx};
        if (stopping)
          return;
      }
      std::pair<bool, std::string> r;
      try {
        r = tls ? connect_once<websocketpp::config::asio_tls_client>(true)
                : connect_once<websocketpp::config::asio_client>(false);
      } catch (const std::exception& e) {
        r = {false, std::string{"WebSocket error: "} + e.what()};
      }
      on_state(false, r.second);
      if (r.first)
        backoff = opts.backoff_min; // it worked for a while: start over
      std::unique_lock<std::mutex> lock{mtx};
      if (cv.wait_for(lock, backoff, [&] { return stopping; }))
        return;
      if (!r.first)
        backoff = std::min(backoff * 2, opts.backoff_max);
    }
  }
};

kline_stream::kline_stream(stream_options opts, event_handler on_event, state_handler on_state,
                           error_handler on_error)
  : impl_(std::make_unique<impl>()) {
  impl_->opts = std::move(opts);
  impl_->on_event = std::move(on_event);
  impl_->on_state = std::move(on_state);
  impl_->on_error = std::move(on_error);
}

kline_stream::~kline_stream() {
  stop();
}

void kline_stream::start() {
  impl_->thread = std::thread([this] { impl_->loop(); });
}

void kline_stream::stop() {
  {
    std::lock_guard<std::mutex> guard{impl_->mtx};
    impl_->stopping = true;
    if (impl_->close_current)
      impl_->close_current();
  }
  impl_->cv.notify_all();
  if (impl_->thread.joinable())
    impl_->thread.join();
}

std::string kline_stream::url() const {
  return impl_->url();
}

} // namespace herald::io::binance
