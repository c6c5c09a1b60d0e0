#pragma once
// cpp-httplib with the limits that keep /health and /ready answering under
// abuse. cpp-httplib serves each connection on one thread of a fixed pool
// for the connection's whole life, so 20 slow-header connections, 200 idle
// keep-alive clients or 40 event streams starved every request. Here:
// - each connection gets a thread from an elastic pool (threads are started
//   as connections arrive and end after a minute idle);
// - connections are bounded in total (503) and per client address (429),
//   answered at once with a JSON error and closed;
// - a request's head and body must arrive within `request_timeout` (a client
//   trickling a byte at a time no longer holds a thread for ever);
// - an idle keep-alive connection is closed after `idle_timeout`, and every
//   response says `Connection: close` while the server is over 3/4 full;
// - stop() ends idle connections within 200 ms.
// No CAF here.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

namespace herald::io::http {

/// Counts what is open, in total and per client address, against limits.
/// Thread-safe; pure logic.
class connection_gate {
public:
  enum class verdict { admitted, full, address_full };

  connection_gate(std::size_t max_total, std::size_t max_per_address)
    : max_total_(max_total), max_per_address_(max_per_address) {}

  verdict admit(const std::string& address);
  void release(const std::string& address);
  std::size_t total() const;
  std::size_t from(const std::string& address) const;
  std::size_t max_total() const { return max_total_; }

private:
  std::size_t max_total_, max_per_address_;
  mutable std::mutex mtx_;
  std::size_t total_ = 0;
  std::map<std::string, std::size_t> per_address_;
};

/// A thread per task, reused: a task starts at once on an idle thread or a
/// new one (up to `max_threads`, then it waits for one); threads idle for a
/// minute end, down to `min_threads`.
class elastic_pool : public httplib::TaskQueue {
public:
  elastic_pool(std::size_t min_threads, std::size_t max_threads);
  ~elastic_pool() override;
  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

private:
  void work();
  void join_finished(); // with mtx_ held
  std::size_t min_, max_;
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  std::list<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  std::vector<std::thread::id> finished_; ///< ended threads, joined at the next enqueue
  std::size_t idle_ = 0, live_ = 0;
  bool shutdown_ = false;
};

struct server_limits {
  std::size_t max_connections = 512;
  std::size_t max_connections_per_address = 64;
  std::chrono::milliseconds request_timeout{10'000};
  std::chrono::milliseconds idle_timeout{5'000};
  std::chrono::milliseconds write_timeout{10'000};
  std::size_t min_threads = 8;
};

class guarded_server : public httplib::Server {
public:
  explicit guarded_server(server_limits l);

  /// Called for every connection refused by a limit (status 503 or 429).
  std::function<void(int status)> on_refused;

  const connection_gate& connections() const { return gate_; }
  const server_limits& limits() const { return limits_; }

private:
  bool process_and_close_socket(socket_t sock) override;

  server_limits limits_;
  connection_gate gate_;
};

/// The client address of a connected socket ("" if unknown).
std::string peer_address(int sock);

} // namespace herald::io::http
