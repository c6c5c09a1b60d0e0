#pragma once
// Prometheus text exposition (format 0.0.4) of everything Herald measures:
// per actor (messages, mailbox, processing time, restarts), the pipeline's
// latency, candles by series and rejection reason, signals and insights by
// outcome, posts by channel and result, the database write queue, HTTP
// requests by route and code, and the standard process_* metrics read from
// /proc. Pure apart from reading /proc/self.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "ops/board.hpp"

namespace herald::ops {

/// Writes one metric family at a time with HELP and TYPE lines.
class prometheus_writer {
public:
  using labels = std::vector<std::pair<std::string, std::string>>;
  void family(const std::string& name, const std::string& type, const std::string& help);
  void sample(const std::string& name, const labels& l, double value);
  /// A histogram from non-cumulative latency bucket counts (ops/latency.hpp).
  void histogram(const std::string& name, const labels& l, const std::vector<std::uint64_t>& counts,
                 double sum_seconds);
  const std::string& text() const { return out_; }

  /// Label value escaping (backslash, quote, newline).
  static std::string escape(const std::string& v);

private:
  std::string out_;
};

/// HTTP requests by route template, method and status (thread-safe).
class http_counters {
public:
  void count(const std::string& route, const std::string& method, int status);
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> get() const;

private:
  mutable std::mutex mtx_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> counts_;
};

/// The process_* metrics (what the Prometheus client libraries export).
struct process_sample {
  double cpu_seconds = 0;
  double resident_bytes = 0;
  double virtual_bytes = 0;
  double open_fds = 0;
  double max_fds = 0;
  double threads = 0;
  double start_time_seconds = 0; ///< since the epoch
};

/// Reads /proc/self (zeros where unavailable).
process_sample read_process_sample();

/// The whole /metrics page.
std::string render_metrics(const snapshot& s, const http_counters& http,
                           const process_sample& p);

} // namespace herald::ops
