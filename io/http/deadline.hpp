#pragma once
// One deadline for a whole cpp-httplib client request. cpp-httplib's
// timeouts apply to each read and write, so a server that trickles a byte at
// a time holds the caller (an agent, and with it a shutdown) as long as it
// likes. The guard starts a watchdog that stops the client when the deadline
// passes; the request then returns with an error (httplib::Error::Canceled)
// and expired() says why. Every outgoing HTTP request of Herald (feeds,
// Binance REST, publishers, the LLM) runs under one.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <httplib.h>

namespace herald::io::http {

class request_deadline {
public:
  request_deadline(httplib::Client& client, std::chrono::milliseconds limit)
    : watchdog_([this, &client, limit] {
        std::unique_lock<std::mutex> lock{mtx_};
        if (!cv_.wait_for(lock, limit, [this] { return finished_; })) {
          expired_ = true;
          client.stop();
        }
      }) {}

  ~request_deadline() { finish(); }
  request_deadline(const request_deadline&) = delete;
  request_deadline& operator=(const request_deadline&) = delete;

  /// The request returned: the watchdog ends.
  void finish() {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      finished_ = true;
    }
    cv_.notify_all();
    if (watchdog_.joinable())
      watchdog_.join();
  }

  /// Whether the deadline passed (and the client was stopped). Call after finish().
  bool expired() const { return expired_; }

private:
  std::mutex mtx_;
  std::condition_variable cv_;
  bool finished_ = false;
  bool expired_ = false;
  std::thread watchdog_;
};

} // namespace herald::io::http
