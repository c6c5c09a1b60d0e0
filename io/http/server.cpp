// The HTTP server: binding, start and stop (routes in routes_*.cpp, the
// shared internals in server_impl.hpp).
#include "io/http/server_impl.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <sys/socket.h>

namespace herald::io::http {

std::string redact_url(const std::string& text) {
  auto scheme = text.find("://");
  if (scheme == std::string::npos)
    return text;
  auto at = text.find('@', scheme + 3);
  if (at == std::string::npos)
    return text;
  auto colon = text.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at)
    return text;
  auto slash = text.find('/', scheme + 3);
  if (slash != std::string::npos && slash < at)
    return text;
  return text.substr(0, colon + 1) + "********" + text.substr(at);
}


server::server(server_options o, server_context c)
  : d_(std::make_unique<impl>(std::move(o), std::move(c))) {
  d_->install();
}

server::~server() {
  stop();
}

ops::http_counters& server::counters() {
  return d_->counters;
}

std::uint16_t server::start() {
  auto& svr = d_->svr;
  svr.set_tcp_nodelay(true); // no 40 ms Nagle/delayed-ACK stalls between header and body writes
  svr.set_keep_alive_max_count(10000);
  // Read and idle deadlines are guarded_server's (http.request-timeout, http.idle-timeout).
  svr.set_payload_max_length(64 * 1024);
  // cpp-httplib's default also sets SO_REUSEPORT, which lets a second
  // process listen on the same port (the kernel then spreads connections
  // over both). Herald's port is exclusive: SO_REUSEADDR only (a restart
  // may bind while old connections are in TIME_WAIT).
  svr.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  int port = d_->o.port == 0 ? svr.bind_to_any_port(d_->o.address)
                             : (svr.bind_to_port(d_->o.address, d_->o.port) ? d_->o.port : -1);
  if (port <= 0) {
    auto why = bind_problem(d_->o.address, d_->o.port);
    auto where = d_->o.address + ":" + std::to_string(d_->o.port);
    if (why.in_use)
      throw port_in_use("cannot listen on " + where
                        + ": the port is in use (another herald running?); stop it, or set "
                          "[http] port (0 picks a free one) or http.enabled=false");
    throw std::runtime_error("cannot listen on " + where + ": "
                             + (why.message.empty() ? "bind failed" : why.message)
                             + "; check [http] address and port");
  }
  d_->port = static_cast<std::uint16_t>(port);
  d_->thread = std::thread{[this] { d_->svr.listen_after_bind(); }};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  while (!svr.is_running() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds{1});
  return d_->port;
}

void server::stop() {
  if (!d_ || !d_->thread.joinable())
    return;
  d_->stopping = true;
  d_->c.journal->close();
  d_->svr.stop();
  d_->thread.join();
}

} // namespace herald::io::http
