#include "io/http/guarded.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace herald::io::http {

// -- connection_gate ------------------------------------------------------------

connection_gate::verdict connection_gate::admit(const std::string& address) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (total_ >= max_total_)
    return verdict::full;
  auto& n = per_address_[address];
  if (n >= max_per_address_) {
    if (n == 0)
      per_address_.erase(address);
    return verdict::address_full;
  }
  ++n;
  ++total_;
  return verdict::admitted;
}

void connection_gate::release(const std::string& address) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto it = per_address_.find(address);
  if (it == per_address_.end() || it->second == 0)
    return;
  --total_;
  if (--it->second == 0)
    per_address_.erase(it);
}

std::size_t connection_gate::total() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return total_;
}

std::size_t connection_gate::from(const std::string& address) const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto it = per_address_.find(address);
  return it == per_address_.end() ? 0 : it->second;
}

// -- elastic_pool ---------------------------------------------------------------

elastic_pool::elastic_pool(std::size_t min_threads, std::size_t max_threads)
  : min_(std::max<std::size_t>(1, min_threads)), max_(std::max(min_threads, max_threads)) {
  std::lock_guard<std::mutex> guard{mtx_};
  for (std::size_t i = 0; i < min_; ++i) {
    ++live_;
    threads_.emplace_back([this] { work(); });
  }
}

elastic_pool::~elastic_pool() {
  shutdown();
}

void elastic_pool::join_finished() {
  for (auto id : std::exchange(finished_, {})) {
    auto it = std::find_if(threads_.begin(), threads_.end(),
                           [&](const std::thread& t) { return t.get_id() == id; });
    if (it != threads_.end()) {
      it->join(); // it has returned from work(): at once
      threads_.erase(it);
    }
  }
}

void elastic_pool::enqueue(std::function<void()> fn) {
  std::lock_guard<std::mutex> guard{mtx_};
  join_finished();
  jobs_.push_back(std::move(fn));
  if (idle_ < jobs_.size() && live_ < max_) {
    ++live_;
    threads_.emplace_back([this] { work(); });
  }
  cv_.notify_one();
}

void elastic_pool::shutdown() {
  std::vector<std::thread> all;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (shutdown_ && threads_.empty())
      return;
    shutdown_ = true;
    all = std::move(threads_);
    threads_.clear();
  }
  cv_.notify_all();
  for (auto& t : all)
    if (t.joinable())
      t.join();
}

void elastic_pool::work() {
  std::unique_lock<std::mutex> lock{mtx_};
  for (;;) {
    ++idle_;
    bool got = cv_.wait_for(lock, std::chrono::minutes{1},
                            [&] { return shutdown_ || !jobs_.empty(); });
    --idle_;
    if (!jobs_.empty()) {
      auto fn = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      fn();
      lock.lock();
      continue;
    }
    if (shutdown_ || (!got && live_ > min_)) {
      // Idle for a minute (or stopping): this thread ends; the next enqueue
      // (or the shutdown) joins it.
      --live_;
      if (!shutdown_)
        finished_.push_back(std::this_thread::get_id());
      return;
    }
  }
}

// -- the stream ----------------------------------------------------------------

namespace {

int poll_one(int sock, short events, std::chrono::milliseconds timeout) {
  pollfd p{sock, events, 0};
  for (;;) {
    int n = ::poll(&p, 1, static_cast<int>(std::max<long long>(0, timeout.count())));
    if (n < 0 && errno == EINTR)
      continue;
    if (n > 0 && (p.revents & (POLLERR | POLLNVAL)))
      return -1;
    return n;
  }
}

std::string address_of(const sockaddr_storage& ss) {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (ss.ss_family == AF_INET)
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(ss).sin_addr, buf, sizeof buf);
  else if (ss.ss_family == AF_INET6)
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(ss).sin6_addr, buf, sizeof buf);
  return buf;
}

int port_of(const sockaddr_storage& ss) {
  if (ss.ss_family == AF_INET)
    return ntohs(reinterpret_cast<const sockaddr_in&>(ss).sin_port);
  if (ss.ss_family == AF_INET6)
    return ntohs(reinterpret_cast<const sockaddr_in6&>(ss).sin6_port);
  return 0;
}

/// A socket stream whose reads end at a deadline for the whole request
/// (cpp-httplib's own times out per read only).
class deadline_stream : public httplib::Stream {
public:
  deadline_stream(int sock, std::chrono::milliseconds write_timeout)
    : sock_(sock), write_timeout_(write_timeout) {}

  void read_by(std::chrono::steady_clock::time_point t) { deadline_ = t; }
  bool has_buffered() const { return off_ < len_; }

  bool is_readable() const override {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline_ - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return false;
    return poll_one(sock_, POLLIN, left) > 0;
  }

  bool is_writable() const override {
    if (poll_one(sock_, POLLOUT, write_timeout_) <= 0)
      return false;
    // Still connected? A readable socket with nothing to read was closed.
    if (poll_one(sock_, POLLIN, std::chrono::milliseconds{0}) > 0) {
      char c;
      auto n = ::recv(sock_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
      if (n == 0)
        return false;
    }
    return true;
  }

  ssize_t read(char* ptr, size_t size) override {
    if (off_ < len_) {
      auto n = std::min(size, len_ - off_);
      std::memcpy(ptr, buf_ + off_, n);
      off_ += n;
      return static_cast<ssize_t>(n);
    }
    if (!is_readable())
      return -1;
    if (size >= sizeof buf_)
      return recv_some(ptr, size);
    auto n = recv_some(buf_, sizeof buf_);
    if (n <= 0)
      return n;
    off_ = 0;
    len_ = static_cast<size_t>(n);
    return read(ptr, size);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (poll_one(sock_, POLLOUT, write_timeout_) <= 0)
      return -1;
    for (;;) {
      auto n = ::send(sock_, ptr, size, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      return n;
    }
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getpeername(sock_, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
      ip = address_of(ss);
      port = port_of(ss);
    }
  }

  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getsockname(sock_, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
      ip = address_of(ss);
      port = port_of(ss);
    }
  }

  socket_t socket() const override { return sock_; }

private:
  ssize_t recv_some(char* p, size_t n) {
    for (;;) {
      auto got = ::recv(sock_, p, n, 0);
      if (got < 0 && errno == EINTR)
        continue;
      return got;
    }
  }

  int sock_;
  std::chrono::milliseconds write_timeout_;
  std::chrono::steady_clock::time_point deadline_{};
  char buf_[4096];
  size_t off_ = 0, len_ = 0;
};

/// Answers a refused connection and closes it. What the client sent is read
/// first (briefly), so that the close does not reset the connection before
/// the client has read the answer.
void refuse(int sock, int status, const std::string& message) {
  char sink[4096];
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds{50};
  while (std::chrono::steady_clock::now() < until && poll_one(sock, POLLIN, std::chrono::milliseconds{10}) > 0)
    if (::recv(sock, sink, sizeof sink, MSG_DONTWAIT) <= 0)
      break;
  std::string body = "{\"error\":{\"code\":\"" + std::string{status == 429 ? "rate_limited" : "overloaded"}
                     + "\",\"message\":\"" + message + "\"}}";
  std::string head = "HTTP/1.1 " + std::to_string(status)
                     + (status == 429 ? " Too Many Requests" : " Service Unavailable")
                     + "\r\nContent-Type: application/json\r\nRetry-After: 1\r\nConnection: "
                       "close\r\nContent-Length: "
                     + std::to_string(body.size()) + "\r\n\r\n" + body;
  if (poll_one(sock, POLLOUT, std::chrono::milliseconds{100}) > 0)
    (void) ::send(sock, head.data(), head.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  ::shutdown(sock, SHUT_WR);
  auto drain_until = std::chrono::steady_clock::now() + std::chrono::milliseconds{100};
  while (std::chrono::steady_clock::now() < drain_until
         && poll_one(sock, POLLIN, std::chrono::milliseconds{20}) > 0)
    if (::recv(sock, sink, sizeof sink, MSG_DONTWAIT) <= 0)
      break;
  ::close(sock);
}

} // namespace

std::string peer_address(int sock) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getpeername(sock, reinterpret_cast<sockaddr*>(&ss), &len) != 0)
    return "";
  return address_of(ss);
}

// -- guarded_server ---------------------------------------------------------------

guarded_server::guarded_server(server_limits l)
  : limits_(l), gate_(l.max_connections, l.max_connections_per_address) {
  auto min = limits_.min_threads;
  // Rejections need a thread too (they are quick): some headroom.
  auto max = limits_.max_connections + 64;
  new_task_queue = [min, max] { return new elastic_pool(min, max); };
}

bool guarded_server::process_and_close_socket(socket_t sock) {
  auto address = peer_address(sock);
  switch (gate_.admit(address)) {
    case connection_gate::verdict::full:
      refuse(sock, 503,
             "the server has " + std::to_string(gate_.max_total()) + " connections open; retry");
      if (on_refused)
        on_refused(503);
      return false;
    case connection_gate::verdict::address_full:
      refuse(sock, 429,
             "too many connections from " + address + " (at most "
               + std::to_string(limits_.max_connections_per_address) + ")");
      if (on_refused)
        on_refused(429);
      return false;
    case connection_gate::verdict::admitted:
      break;
  }
  deadline_stream strm{sock, limits_.write_timeout};
  bool ret = false;
  auto left = keep_alive_max_count_;
  while (left-- > 0 && svr_sock_ != INVALID_SOCKET) {
    // Idle: wait for the next request, in slices (a stopping server ends
    // idle connections at once).
    if (!strm.has_buffered()) {
      auto idle_until = std::chrono::steady_clock::now() + limits_.idle_timeout;
      int ready = 0;
      while (ready == 0 && svr_sock_ != INVALID_SOCKET
             && std::chrono::steady_clock::now() < idle_until)
        ready = poll_one(sock, POLLIN, std::chrono::milliseconds{200});
      if (ready <= 0)
        break;
    }
    strm.read_by(std::chrono::steady_clock::now() + limits_.request_timeout);
    // Over 3/4 full: answer and close, so that idle clients give their
    // connections back.
    bool close = left == 0 || gate_.total() * 4 > limits_.max_connections * 3;
    bool closed = false;
    ret = process_request(strm, close, closed, nullptr);
    if (!ret || closed)
      break;
  }
  gate_.release(address);
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ret;
}

} // namespace herald::io::http
