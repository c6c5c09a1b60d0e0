#pragma once
// Runs a child process (the herald binary) with its stdout+stderr captured;
// tests wait for output or exit with deadlines, never with sleeps.

#include <chrono>
#include <cstdlib>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace herald::test {

class process {
public:
  explicit process(std::vector<std::string> argv) {
    int fds[2];
    if (pipe(fds) != 0)
      throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], 1);
      dup2(fds[1], 2);
      close(fds[0]);
      close(fds[1]);
      std::vector<char*> args;
      for (auto& a : argv)
        args.push_back(a.data());
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    close(fds[1]);
    fd_ = fds[0];
    reader_ = std::thread([this] { read_loop(); });
  }

  ~process() {
    if (!exited()) {
      kill(pid_, SIGKILL);
      wait_exit(std::chrono::seconds{10});
    }
    if (reader_.joinable())
      reader_.join();
    if (waiter_.joinable())
      waiter_.join();
    close(fd_);
  }

  void signal(int sig) { kill(pid_, sig); }
  pid_t pid() const { return pid_; }

  /// Waits until the output (from offset `from` on) contains `needle`.
  bool wait_output(const std::string& needle, std::chrono::milliseconds timeout,
                   std::size_t from = 0) {
    std::unique_lock<std::mutex> lock{mtx_};
    return cv_.wait_for(lock, timeout,
                        [&] { return out_.find(needle, from) != std::string::npos || eof_; })
           && out_.find(needle, from) != std::string::npos;
  }

  /// Waits for the exit; returns the exit code, or -1 on timeout / signal.
  int wait_exit(std::chrono::milliseconds timeout) {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      if (!waiter_.joinable())
        waiter_ = std::thread([this] {
          int status = 0;
          waitpid(pid_, &status, 0);
          std::lock_guard<std::mutex> g{mtx_};
          exited_ = true;
          code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
          cv_.notify_all();
        });
    }
    std::unique_lock<std::mutex> lock{mtx_};
    if (!cv_.wait_for(lock, timeout, [&] { return exited_ && eof_; }))
      return -1;
    return code_;
  }

  bool exited() {
    std::lock_guard<std::mutex> guard{mtx_};
    return exited_;
  }

  std::string output() {
    std::lock_guard<std::mutex> guard{mtx_};
    return out_;
  }

  /// Runs to completion and returns {exit code, output}.
  static std::pair<int, std::string> run(std::vector<std::string> argv,
                                         std::chrono::milliseconds timeout
                                         = std::chrono::seconds{60}) {
    process p{std::move(argv)};
    auto code = p.wait_exit(timeout);
    return {code, p.output()};
  }

private:
  void read_loop() {
    char buf[4096];
    for (;;) {
      auto n = read(fd_, buf, sizeof(buf));
      std::lock_guard<std::mutex> guard{mtx_};
      if (n <= 0) {
        eof_ = true;
        cv_.notify_all();
        return;
      }
      out_.append(buf, static_cast<std::size_t>(n));
      cv_.notify_all();
    }
  }

  pid_t pid_ = -1;
  int fd_ = -1;
  std::mutex mtx_;
  std::condition_variable cv_;
  std::string out_;
  bool eof_ = false;
  bool exited_ = false;
  int code_ = -1;
  std::thread reader_;
  std::thread waiter_;
};

/// The number printed right after `marker` in `out` (a port in a log line),
/// 0 when the marker is not there.
inline int port_after(const std::string& out, const std::string& marker) {
  auto at = out.find(marker);
  return at == std::string::npos ? 0 : std::atoi(out.c_str() + at + marker.size());
}

} // namespace herald::test
