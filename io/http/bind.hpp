#pragma once
// Probing a listen address before binding it for real (pure POSIX sockets).

#include <cstdint>
#include <string>

namespace herald::io::http {

/// Whether `address:port` can be bound as Herald binds its listeners
/// (SO_REUSEADDR, no SO_REUSEPORT): ok, or in_use (EADDRINUSE), or another
/// problem described in `message` (an address that is not numeric or not
/// local, a privileged port). Binds and closes at once.
struct bind_result {
  bool ok = false;
  bool in_use = false;
  std::string message;
};
bind_result bind_problem(const std::string& address, std::uint16_t port);

} // namespace herald::io::http
