#pragma once
// A server that answers every connection with a reply head trickled one
// byte every 100 ms (for two minutes): every read succeeds, so only a
// deadline for the whole request ends a client's wait. The request is not
// read.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace herald::test {

/// A feed server that answers every connection one byte at a time, slowly,
/// for up to two minutes: per-read timeouts never fire on it.
class trickle_server {
public:
  trickle_server() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 8);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread{[this] {
      std::vector<std::thread> conns;
      while (!stop_) {
        int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0)
          break;
        conns.emplace_back([this, c] {
          const std::string head = "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n";
          for (int i = 0; i < 1200 && !stop_; ++i) {
            char ch = head[static_cast<std::size_t>(i) % head.size()];
            if (::send(c, &ch, 1, MSG_NOSIGNAL) != 1)
              break;
            std::unique_lock<std::mutex> lock{mtx_};
            cv_.wait_for(lock, std::chrono::milliseconds{100}, [this] { return stop_.load(); });
          }
          ::close(c);
        });
      }
      for (auto& t : conns)
        t.join();
    }};
  }
  ~trickle_server() {
    stop_ = true;
    cv_.notify_all();
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  int port() const { return port_; }

private:
  int fd_ = -1, port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mtx_;
  std::condition_variable cv_;
  std::thread thread_;
};


} // namespace herald::test
