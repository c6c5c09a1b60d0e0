#pragma once
// The steps of `herald run` / `herald node` around the tree (app/run.cpp):
// the shutdown controller (signals), the drains of an orderly or bounded
// stop, and what is printed for the user. CAF (scoped actors).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include <caf/all.hpp>

#include "config/settings.hpp"
#include "db/storage.hpp"
#include "io/logging.hpp"
#include "supervisor/agent_directory.hpp"

namespace herald::app {

/// Waits for SIGINT/SIGTERM on a dedicated thread (the signals are blocked in
/// every other thread) and turns the first into an orderly shutdown, bounded
/// by the grace period: `on_first` runs (herald run stops the sources, drains
/// what is in flight and then stops the root supervisor). The end of the
/// grace period kills the tree; a second signal ends the process at once
/// (exit code 1; crash-only: a restart rebuilds from the database).
class shutdown_controller {
public:
  shutdown_controller(caf::actor root, std::chrono::nanoseconds grace,
                      std::function<void()> on_first)
    : root_(std::move(root)),
      grace_(grace),
      on_first_(std::move(on_first)),
      thread_([this] { loop(); }) {}

  ~shutdown_controller() {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  /// Called when the root is down.
  void root_down() {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      done_ = true;
    }
    cv_.notify_all();
  }

  bool requested() const { return requested_; }
  bool timed_out() const { return timed_out_; }

private:
  void loop() {
    auto log = logging::get("herald");
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    std::chrono::steady_clock::time_point deadline{};
    for (;;) {
      {
        std::unique_lock<std::mutex> lock{mtx_};
        if (done_)
          return;
        if (requested_ && !timed_out_ && std::chrono::steady_clock::now() >= deadline) {
          timed_out_ = true;
          log->error("shutdown did not finish within the grace period of {} ms; killing "
                     "the remaining actors",
                     std::chrono::duration_cast<std::chrono::milliseconds>(grace_).count());
          caf::anon_send_exit(root_, caf::exit_reason::kill);
        }
      }
      timespec ts{0, 100'000'000}; // re-check the done flag every 100 ms
      int sig = sigtimedwait(&set, nullptr, &ts);
      if (sig < 0)
        continue;
      if (!requested_) {
        requested_ = true;
        deadline = std::chrono::steady_clock::now() + grace_;
        log->info("received {}; shutting down (grace {} ms)", sig == SIGINT ? "SIGINT" : "SIGTERM",
                  std::chrono::duration_cast<std::chrono::milliseconds>(grace_).count());
        if (on_first_)
          on_first_();
        else
          caf::anon_send_exit(root_, caf::exit_reason::user_shutdown);
      } else {
        // At once: not after actors that are blocked in I/O or a long
        // flush (~actor_system would wait for them).
        log->warn("second signal: exiting now (exit code 1)");
        logging::flush_all();
        std::_Exit(1);
      }
    }
  }

  caf::actor root_;
  std::chrono::nanoseconds grace_;
  std::function<void()> on_first_;
  std::mutex mtx_;
  std::condition_variable cv_;
  bool done_ = false;
  std::atomic<bool> requested_{false};
  std::atomic<bool> timed_out_{false};
  std::thread thread_;
};

/// Asks the hub to store every candle it accepted, again while the
/// persistence agent is restarting, until `until`; true if all are stored.
bool flush_hub(caf::scoped_actor& self, const supervision::agent_directory& dir,
               std::chrono::steady_clock::time_point until);

/// Every candle the hub holds analysed and its signal committed by the risk
/// agent, until `until`; true if done.
bool drain_analysis(caf::scoped_actor& self, const supervision::agent_directory& dir,
                    std::chrono::steady_clock::time_point until);

/// A bounded run's end: every candle analysed, every signal through the risk
/// manager, every planned piece written and published (or parked), then the
/// per-channel summary (ask_agent waits for restarting agents).
void drain_analysis_and_content(caf::scoped_actor& self, const supervision::agent_directory& dir,
                                const config::settings& s, bool content);

/// A bounded run's community end (after drain_analysis_and_content): the
/// listeners poll once more, the engagement agent decides what is stored,
/// the track-record agent hands over the outcomes due and the closing
/// article, the publisher sends them, the analytics agent takes the
/// snapshots due; then a summary: replies answered and skipped (by gate
/// rule), snapshots, outcome posts. `store` may be null.
void drain_community(caf::scoped_actor& self, const supervision::agent_directory& dir,
                     db::storage* store, std::int64_t run_started_ms);

/// Where to look and what to expect, once the tree is up.
void print_first_hour(const config::settings& s, const std::string& console_url,
                      const std::string& served_site, const std::string& generated_token_file,
                      bool bounded);

/// A bounded run's summary: the hub's series counters and the database.
void print_summary(caf::scoped_actor& self, const supervision::agent_directory& dir,
                   std::uint64_t candles);

} // namespace herald::app
