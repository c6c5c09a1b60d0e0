#pragma once
// A TCP connect with a deadline. CAF 0.17's middleman connects with a
// blocking connect() on its one thread and no timeout, so a blackholed peer
// would hold every other dial for minutes (the kernel's SYN retries). The
// node agent probes each peer with this first, on a helper thread, and only
// then asks the middleman to connect.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace herald::io::net {

/// Splits "host:port" ("[v6]:port" too); false when it is not one.
bool split_host_port(const std::string& address, std::string& host, std::uint16_t& port);

/// Connects to `address` ("host:port") and closes at once. Returns "" when
/// the connection was established within `timeout`, else what failed
/// ("timed out after 2000 ms", "connection refused", "cannot resolve ...").
/// A set `cancel` ends the wait within 100 ms ("cancelled").
std::string tcp_probe(const std::string& address, std::chrono::milliseconds timeout,
                      const std::atomic<bool>* cancel = nullptr);

} // namespace herald::io::net
