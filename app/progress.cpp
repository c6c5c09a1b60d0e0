#include "app/progress.hpp"

namespace herald::app {

progress_display::progress_display(std::string what, std::uint64_t total, bool terminal)
  : what_(std::move(what)), total_(total), terminal_(terminal) {
}

void progress_display::update(std::uint64_t done) {
  auto now = std::chrono::steady_clock::now();
  auto every = terminal_ ? std::chrono::milliseconds{100} : std::chrono::milliseconds{2000};
  if (now - last_ < every)
    return;
  last_ = now;
  draw(done, false);
}

void progress_display::finish(std::uint64_t done) {
  draw(done, true);
}

void progress_display::draw(std::uint64_t done, bool final) {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
  double frac = total_ > 0 ? static_cast<double>(done) / static_cast<double>(total_) : 1;
  double eta = rate > 0 && total_ > done ? static_cast<double>(total_ - done) / rate : 0;
  if (terminal_) {
    constexpr int width = 30;
    int filled = static_cast<int>(frac * width);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(width, '.');
    std::fprintf(stderr, "\r%s [%s] %3.0f%% %llu/%llu rows %.0f rows/s ETA %.0fs   ",
                 what_.c_str(), bar.c_str(), frac * 100, static_cast<unsigned long long>(done),
                 static_cast<unsigned long long>(total_), rate, eta);
    if (final)
      std::fputc('\n', stderr);
  } else {
    std::fprintf(stderr, "%s: %llu/%llu rows (%.0f%%), %.0f rows/s%s\n", what_.c_str(),
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_),
                 frac * 100, rate, final ? ", done" : "");
  }
  std::fflush(stderr);
}

} // namespace herald::app
