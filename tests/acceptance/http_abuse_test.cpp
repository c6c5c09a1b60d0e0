// The HTTP server under abuse, against a running node: slow-header
// connections, hundreds of keep-alive clients and many event streams. The
// attackers connect from 127.0.0.2.. (all of 127/8 is loopback), the
// orchestrator's probe from 127.0.0.1: every /health probe must be answered
// 200 during each attack (before: 19.5 s time-outs with a handful of
// clients), and the limits answer 429 (per address) and 503 (in total).
// The probe latencies (p50, p99) are printed; bench/http_load.sh measures
// the API itself.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>

#include "support/herald_node.hpp"

using herald::test::node;
using herald::test::viewer_token;
using namespace std::chrono_literals;

namespace {

/// A TCP connection to 127.0.0.1:port from `from` (an address of 127/8).
struct conn {
  int fd = -1;
  conn(const std::string& from, int port) {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in src{};
    src.sin_family = AF_INET;
    ::inet_pton(AF_INET, from.c_str(), &src.sin_addr);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) == 0);
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) == 0);
  }
  ~conn() {
    if (fd >= 0)
      ::close(fd);
  }
  conn(const conn&) = delete;
  conn& operator=(const conn&) = delete;
  bool send(const std::string& s) {
    return ::send(fd, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size());
  }
  /// Reads until the head of a response ("\r\n\r\n") and its Content-Length
  /// body arrived, or the deadline passed; "" if nothing came.
  std::string response(std::chrono::milliseconds limit = 5000ms) {
    std::string in;
    auto until = std::chrono::steady_clock::now() + limit;
    for (;;) {
      auto head = in.find("\r\n\r\n");
      if (head != std::string::npos) {
        auto cl = in.find("Content-Length: ");
        if (cl == std::string::npos || cl > head)
          return in;
        auto len = std::stoul(in.substr(cl + 16));
        if (in.size() >= head + 4 + len)
          return in;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        return in;
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
        return in;
      char buf[4096];
      auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0)
        return in;
      in.append(buf, static_cast<std::size_t>(n));
    }
  }
  /// Whether the server closed the connection (EOF or reset) within `limit`.
  bool closed_within(std::chrono::milliseconds limit) {
    auto until = std::chrono::steady_clock::now() + limit;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        return false;
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
        return false;
      char buf[512];
      auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0)
        return true;
    }
  }
};

int status_of(const std::string& response) {
  if (response.rfind("HTTP/1.1 ", 0) != 0 || response.size() < 12)
    return 0;
  return std::stoi(response.substr(9, 3));
}

const std::string health_request =
  "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n";

struct probe_result {
  int ok = 0, failed = 0;
  double p50 = 0, p99 = 0, max = 0;
};

/// `n` /health requests from 127.0.0.1, each on a new connection (as an
/// orchestrator's probe), one after the other.
probe_result probe(int port, int n) {
  std::vector<double> ms;
  probe_result r;
  for (int i = 0; i < n; ++i) {
    httplib::Client c{"127.0.0.1", port};
    c.set_connection_timeout(5, 0);
    c.set_read_timeout(5, 0);
    auto t0 = std::chrono::steady_clock::now();
    auto res = c.Get("/health");
    auto t = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0);
    if (res && res->status == 200)
      ++r.ok;
    else
      ++r.failed;
    ms.push_back(t.count());
  }
  std::sort(ms.begin(), ms.end());
  r.p50 = ms[ms.size() / 2];
  r.p99 = ms[std::min(ms.size() - 1, ms.size() * 99 / 100)];
  r.max = ms.back();
  return r;
}

void report(const char* what, const probe_result& r) {
  std::printf("http abuse: %s: /health %d ok, %d failed; p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
              what, r.ok, r.failed, r.p50, r.p99, r.max);
}

} // namespace

TEST_CASE("http abuse: slow-header connections neither starve health nor stay open",
          "[acceptance][http][abuse]") {
  node n{{"--http.request-timeout=2s"}};
  // 20 clients that send a request head one byte every 200 ms: each read
  // succeeds, so only a deadline for the whole request ends them.
  std::vector<std::unique_ptr<conn>> slow;
  for (int i = 0; i < 20; ++i)
    slow.push_back(std::make_unique<conn>("127.0.0.2", n.http_port));
  std::atomic<bool> stop{false};
  std::thread trickle([&] {
    std::string head = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
    std::size_t i = 0;
    while (!stop) {
      char c = i < head.size() ? head[i] : 'a';
      ++i;
      for (auto& s : slow)
        ::send(s->fd, &c, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
      std::this_thread::sleep_for(200ms); // the attack's pace
    }
  });
  auto r = probe(n.http_port, 200);
  report("20 slow-header connections", r);
  CHECK(r.failed == 0);
  CHECK(r.ok == 200);
  // The server hangs up on each within its request timeout (plus slack).
  int closed = 0;
  for (auto& s : slow)
    closed += s->closed_within(10s) ? 1 : 0;
  stop = true;
  trickle.join();
  CHECK(closed == 20);
}

TEST_CASE("http abuse: hundreds of keep-alive clients and the connection limits",
          "[acceptance][http][abuse]") {
  node n{{"--http.max-connections=400", "--http.max-connections-per-address=250",
          "--http.idle-timeout=60s"}};
  // 200 keep-alive clients, each with one answered request, all kept open.
  std::vector<std::unique_ptr<conn>> kept;
  for (int i = 0; i < 200; ++i) {
    kept.push_back(std::make_unique<conn>("127.0.0.2", n.http_port));
    REQUIRE(kept.back()->send(health_request));
    REQUIRE(status_of(kept.back()->response()) == 200);
  }
  auto r = probe(n.http_port, 200);
  report("200 keep-alive clients", r);
  CHECK(r.failed == 0);
  // The same clients may ask again on their connections.
  int again = 0;
  for (auto& k : kept)
    again += k->send(health_request) && status_of(k->response()) == 200 ? 1 : 0;
  CHECK(again == 200);
  // Per address: 250; the 251st connection from 127.0.0.2 is told 429.
  std::vector<int> extra;
  for (int i = 0; i < 60; ++i) {
    kept.push_back(std::make_unique<conn>("127.0.0.2", n.http_port));
    kept.back()->send(health_request);
    extra.push_back(status_of(kept.back()->response()));
  }
  CHECK(std::count(extra.begin(), extra.end(), 200) == 50);
  CHECK(std::count(extra.begin(), extra.end(), 429) == 10);
  // In total: 400; connections beyond it (here idle ones from another
  // address) are told 503 at once.
  std::vector<std::unique_ptr<conn>> idle;
  for (int i = 0; i < 160; ++i)
    idle.push_back(std::make_unique<conn>("127.0.0.3", n.http_port));
  // Refused connections are answered at once; admitted idle ones hear
  // nothing. Collect answers from all of them together until 10 came (or
  // 10 s), then once more briefly for any beyond.
  std::vector<std::string> heard(idle.size());
  auto collect = [&](std::chrono::milliseconds slice) {
    std::vector<pollfd> ps;
    for (auto& c : idle)
      ps.push_back({c->fd, POLLIN, 0});
    if (::poll(ps.data(), ps.size(), static_cast<int>(slice.count())) <= 0)
      return;
    for (std::size_t i = 0; i < ps.size(); ++i)
      if (ps[i].revents & POLLIN) {
        char buf[4096];
        auto n = ::recv(ps[i].fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0)
          heard[i].append(buf, static_cast<std::size_t>(n));
        else
          ps[i].fd = -1;
      }
  };
  auto refused = [&] {
    return std::count_if(heard.begin(), heard.end(),
                         [](auto& h) { return status_of(h) == 503 && h.find("\r\n\r\n") != std::string::npos; });
  };
  auto until = std::chrono::steady_clock::now() + 10s;
  while (refused() < 10 && std::chrono::steady_clock::now() < until)
    collect(100ms);
  collect(300ms);
  CHECK(refused() == 10);
  for (auto& h : heard)
    if (status_of(h) == 503)
      CHECK(h.find("Retry-After: 1") != std::string::npos);
  // Closing connections makes room again.
  idle.clear();
  kept.clear();
  auto after = probe(n.http_port, 20);
  CHECK(after.failed == 0);
}

TEST_CASE("http abuse: many event streams do not starve requests and are bounded",
          "[acceptance][http][abuse]") {
  node n{{"--http.max-streams=64", "--http.max-streams-per-address=8"}};
  auto sse = "GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
             + viewer_token + "\r\n\r\n";
  // 40 console tabs from 5 addresses (8 each, the per-address limit).
  std::vector<std::unique_ptr<conn>> streams;
  for (int a = 2; a <= 6; ++a)
    for (int i = 0; i < 8; ++i) {
      streams.push_back(std::make_unique<conn>("127.0.0." + std::to_string(a), n.http_port));
      REQUIRE(streams.back()->send(sse));
      auto head = streams.back()->response();
      INFO(head);
      REQUIRE(status_of(head) == 200);
      CHECK(head.find("text/event-stream") != std::string::npos);
    }
  auto r = probe(n.http_port, 200);
  report("40 event streams", r);
  CHECK(r.failed == 0);
  // A ninth stream from one address: 429 with a JSON error.
  conn ninth{"127.0.0.2", n.http_port};
  REQUIRE(ninth.send(sse));
  auto refused = ninth.response();
  CHECK(status_of(refused) == 429);
  CHECK(refused.find("\"rate_limited\"") != std::string::npos);
  // Closed streams give their places back (the server notices within its
  // event wait of 1 s): a new stream from 127.0.0.2 is taken again.
  streams.clear();
  bool taken = false;
  auto until = std::chrono::steady_clock::now() + 15s;
  while (!taken && std::chrono::steady_clock::now() < until) {
    conn again{"127.0.0.2", n.http_port};
    REQUIRE(again.send(sse));
    taken = status_of(again.response()) == 200;
    if (!taken)
      std::this_thread::sleep_for(200ms); // the server has not noticed the closes yet
  }
  CHECK(taken);
}
