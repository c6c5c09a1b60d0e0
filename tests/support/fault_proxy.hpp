#pragma once
// A TCP fault proxy for partition tests (issue 16): it listens on
// 127.0.0.1:<ephemeral> and forwards every connection to a target port, until
// told to `cut` the link (every connection closed, new ones refused: a
// partition that the peers see as resets) or to `freeze` it (connections stay
// open but no byte moves: a partition that only timeouts reveal), and then to
// `heal` it. One thread, non-blocking sockets and poll(). Every socket is
// close-on-exec: a node started later (fork + exec) must not inherit one,
// or a cut would leave the connection open in that process.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace herald::test {

class fault_proxy {
public:
  enum class mode { forward, frozen, cut };

  explicit fault_proxy(int target_port) : target_(target_port) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0
        || ::listen(listener_, 64) != 0)
      throw std::runtime_error("fault_proxy: cannot listen");
    socklen_t len = sizeof a;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    nonblocking(listener_);
    thread_ = std::thread([this] { loop(); });
  }
  ~fault_proxy() {
    stop_ = true;
    thread_.join();
    for (auto& l : links_)
      close_link(l);
    ::close(listener_);
  }
  fault_proxy(const fault_proxy&) = delete;
  fault_proxy& operator=(const fault_proxy&) = delete;

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  void cut() { mode_ = mode::cut; }
  void freeze() { mode_ = mode::frozen; }
  void heal() { mode_ = mode::forward; }
  /// Connections accepted so far (a redial after a cut counts again).
  std::size_t accepted() const { return accepted_; }

private:
  struct link {
    int a = -1, b = -1;        ///< accepted side, target side
    std::string to_b, to_a;    ///< bytes read and not yet written
  };

  static void nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

  static void close_link(link& l) {
    if (l.a >= 0)
      ::close(l.a);
    if (l.b >= 0)
      ::close(l.b);
    l.a = l.b = -1;
  }

  int dial() const {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(target_));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd);
      return -1;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    nonblocking(fd);
    return fd;
  }

  /// Reads what `from` has into `buf`; false when it closed or failed.
  static bool pull(int from, std::string& buf) {
    char chunk[65536];
    for (;;) {
      auto n = ::read(from, chunk, sizeof chunk);
      if (n > 0) {
        buf.append(chunk, static_cast<std::size_t>(n));
        if (buf.size() > (8u << 20))
          return true; // enough held; write first
        continue;
      }
      if (n == 0)
        return false;
      return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    }
  }

  static bool push(int to, std::string& buf) {
    while (!buf.empty()) {
      auto n = ::write(to, buf.data(), buf.size());
      if (n > 0) {
        buf.erase(0, static_cast<std::size_t>(n));
        continue;
      }
      return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
    }
    return true;
  }

  void loop() {
    while (!stop_) {
      auto m = mode_.load();
      if (m == mode::cut)
        for (auto& l : links_)
          close_link(l);
      links_.erase(std::remove_if(links_.begin(), links_.end(),
                                  [](const link& l) { return l.a < 0; }),
                   links_.end());
      std::vector<pollfd> fds{{listener_, POLLIN, 0}};
      for (auto& l : links_) {
        short in = m == mode::forward ? POLLIN : 0;
        fds.push_back({l.a, static_cast<short>(in | (l.to_a.empty() ? 0 : POLLOUT)), 0});
        fds.push_back({l.b, static_cast<short>(in | (l.to_b.empty() ? 0 : POLLOUT)), 0});
      }
      // The timeout only bounds how soon a cut or stop is noticed.
      if (::poll(fds.data(), fds.size(), 20) < 0)
        continue;
      if (fds[0].revents & POLLIN) {
        for (;;) {
          int c = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
          if (c < 0)
            break;
          ++accepted_;
          if (mode_.load() == mode::cut) {
            ::close(c); // refused: the peer sees the connection reset
            continue;
          }
          int t = dial();
          if (t < 0) {
            ::close(c);
            continue;
          }
          int one = 1;
          ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          nonblocking(c);
          links_.push_back({c, t, {}, {}});
        }
      }
      if (mode_.load() != mode::forward)
        continue; // frozen: nothing moves (cut: closed above)
      for (std::size_t i = 0; i + 1 < fds.size(); i += 2) {
        auto& l = links_[i / 2];
        auto& fa = fds[i + 1];
        auto& fb = fds[i + 2];
        bool ok = true;
        if (fa.revents & (POLLIN | POLLHUP | POLLERR))
          ok = pull(l.a, l.to_b) && ok;
        if (fb.revents & (POLLIN | POLLHUP | POLLERR))
          ok = pull(l.b, l.to_a) && ok;
        ok = push(l.b, l.to_b) && ok;
        ok = push(l.a, l.to_a) && ok;
        if (!ok)
          close_link(l);
      }
    }
  }

  int target_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<mode> mode_{mode::forward};
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> accepted_{0};
  std::vector<link> links_; ///< the proxy thread's
  std::thread thread_;
};

} // namespace herald::test
