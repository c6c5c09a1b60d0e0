#include "io/http/bind.hpp"

#include <cerrno>
#include <cstring>

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

namespace herald::io::http {

bind_result bind_problem(const std::string& address, std::uint16_t port) {
  bind_result r;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
  addrinfo* found = nullptr;
  auto service = std::to_string(port);
  if (int rc = ::getaddrinfo(address.empty() ? nullptr : address.c_str(), service.c_str(), &hints,
                             &found);
      rc != 0) {
    r.message = "'" + address + "' is not a numeric IP address (" + ::gai_strerror(rc) + ")";
    return r;
  }
  for (auto* ai = found; ai != nullptr; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) {
      r.message = std::strerror(errno);
      continue;
    }
    int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    int rc = ::bind(fd, ai->ai_addr, ai->ai_addrlen);
    int err = errno;
    ::close(fd);
    if (rc == 0) {
      r.message.clear();
      r.in_use = false;
      r.ok = true;
      break;
    }
    r.in_use = err == EADDRINUSE;
    r.message = std::strerror(err);
    if (r.in_use)
      break;
  }
  ::freeaddrinfo(found);
  return r;
}

} // namespace herald::io::http
