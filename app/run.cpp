// herald run: the whole system in one process.

#include <csignal>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <thread>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include "actors/app_tree.hpp"
#include "app/commands.hpp"
#include "app/database.hpp"
#include "app/prepare.hpp"
#include "io/logging.hpp"
#include "supervisor/agent_directory.hpp"

namespace herald::app {

namespace {

/// Waits for SIGINT/SIGTERM on a dedicated thread (the signals are blocked in
/// every other thread) and turns the first into an orderly shutdown of the
/// root supervisor, bounded by the grace period; a second signal, or the end
/// of the grace period, kills the tree.
class shutdown_controller {
public:
  shutdown_controller(caf::actor root, std::chrono::nanoseconds grace)
    : root_(std::move(root)), grace_(grace), thread_([this] { loop(); }) {}

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
        caf::anon_send_exit(root_, caf::exit_reason::user_shutdown);
      } else {
        log->warn("second signal: killing the remaining actors now");
        timed_out_ = true;
        caf::anon_send_exit(root_, caf::exit_reason::kill);
      }
    }
  }

  caf::actor root_;
  std::chrono::nanoseconds grace_;
  std::mutex mtx_;
  std::condition_variable cv_;
  bool done_ = false;
  std::atomic<bool> requested_{false};
  std::atomic<bool> timed_out_{false};
  std::thread thread_;
};

} // namespace

int run_command(const invocation& inv) {
  auto p = prepare(inv);
  if (!p)
    return exit_usage;
  const auto& s = p->loaded.values;
  if (!setup_logging(s))
    return exit_usage;
  auto log = logging::get("herald");

  // The database first: nothing runs against a schema it does not know.
  bool usage_error = false;
  auto store = open_database(p->loaded, {}, usage_error);
  if (!store)
    return usage_error ? exit_usage : exit_failure;
  try {
    auto report = store->migrate();
    for (auto& m : report.applied)
      log->info("database {}: applied migration {}", store->location(), m);
    log->info("database {} ({}) at schema version {}", store->location(), store->backend(),
              report.to_version);
  } catch (const db::storage_error& e) {
    log->critical("database {}: {}", store->location(), e.what());
    return exit_failure;
  }

  // Block the shutdown signals before CAF starts its threads, so that only
  // the shutdown controller receives them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  int rc = exit_ok;
  {
    caf::actor_system sys{p->system};
    auto dir = std::make_shared<supervision::agent_directory>();
    auto root = caf::actor_cast<caf::actor>(
      supervision::spawn_supervisor(sys, make_root_config(s, {dir, store})));
    log->info("herald {} starting on node '{}' (config: {})", HERALD_VERSION,
              s.get_string("herald.node-name"),
              p->loaded.path.empty() ? std::string{"defaults"} : p->loaded.path);
    caf::scoped_actor self{sys};
    self->monitor(root);
    caf::error root_reason;
    {
      shutdown_controller ctl{root, s.get_duration("herald.shutdown-grace")};
      // Ready once the whole tree has started, in order (or the tree died).
      self->request(caf::actor_cast<supervision::supervisor_actor>(root), caf::infinite,
                    ready_atom::value)
        .receive(
          [&](bool) {
            log->info("herald running: supervision tree up; SIGINT or SIGTERM stops it");
          },
          [&](caf::error&) {}); // the root's down_msg follows and tells why
      self->receive([&](caf::down_msg& dm) { root_reason = dm.reason; });
      ctl.root_down();
      if (ctl.timed_out())
        rc = exit_failure;
      else if (!ctl.requested()) {
        log->critical("the root supervisor failed ({}); herald stops",
                      supervision::describe_reason(root_reason));
        rc = exit_failure;
      }
    }
    log->info("herald stopped ({})", rc == exit_ok ? "orderly shutdown"
                                                   : supervision::describe_reason(root_reason));
  } // ~actor_system waits for every actor
  logging::flush_all();
  return rc;
}

} // namespace herald::app
