#include "io/net/probe.hpp"

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <memory>

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace herald::io::net {

bool split_host_port(const std::string& address, std::string& host, std::uint16_t& port) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= address.size())
    return false;
  auto p = address.substr(colon + 1);
  if (p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos)
    return false;
  auto n = std::stoul(p);
  if (n == 0 || n > 65535)
    return false;
  host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  port = static_cast<std::uint16_t>(n);
  return !host.empty();
}

std::string tcp_probe(const std::string& address, std::chrono::milliseconds timeout,
                      const std::atomic<bool>* cancel) {
  std::string host;
  std::uint16_t port = 0;
  if (!split_host_port(address, host, port))
    return "not a host:port address: '" + address + "'";
  auto deadline = std::chrono::steady_clock::now() + timeout;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  // (Name resolution itself has no deadline here; cluster peers are
  // addresses or names from /etc/hosts or a local resolver.)
  if (int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0)
    return "cannot resolve '" + host + "': " + gai_strerror(rc);
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard{found, freeaddrinfo};
  std::string last = "no address for '" + host + "'";
  for (auto* ai = found; ai != nullptr; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                      ai->ai_protocol);
    if (fd < 0) {
      last = std::string{"socket: "} + std::strerror(errno);
      continue;
    }
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno != EINPROGRESS) {
      last = std::strerror(errno);
      ::close(fd);
      continue;
    }
    if (rc != 0) {
      int ready = 0;
      for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now())
                      .count();
        if (left <= 0 || (cancel && cancel->load()))
          break;
        pollfd p{fd, POLLOUT, 0};
        ready = ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left, 100)));
        if (ready != 0)
          break;
      }
      if (ready <= 0) {
        ::close(fd);
        if (cancel && cancel->load())
          return "cancelled";
        return "timed out after " + std::to_string(timeout.count()) + " ms";
      }
      int err = 0;
      socklen_t len = sizeof(err);
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        last = std::strerror(err);
        ::close(fd);
        continue;
      }
    }
    ::close(fd);
    return {};
  }
  return last;
}

} // namespace herald::io::net
