#pragma once
// A progress display for long commands: a bar redrawn in place on a terminal
// (rows, rows/s, ETA), plain periodic lines when stderr is not a terminal.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace herald::app {

class progress_display {
public:
  progress_display(std::string what, std::uint64_t total, bool terminal);
  /// Reports `done` of `total` rows; redraws at most ~10 times a second
  /// (terminal) or every 2 seconds (log lines).
  void update(std::uint64_t done);
  /// Final line.
  void finish(std::uint64_t done);

private:
  void draw(std::uint64_t done, bool final);
  std::string what_;
  std::uint64_t total_;
  bool terminal_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
};

} // namespace herald::app
