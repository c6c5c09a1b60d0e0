#pragma once
// This node's row in cluster_members (issue 16): joined at start (a new
// incarnation replaces an earlier one of the same name), renewed on its own
// thread every `renewal` on the database's clock, marked left at an orderly
// stop. A renewal that finds another incarnation holding the name calls
// `on_replaced` once (the node must stop: a newer start of it is running).
// Joins, leaves and replacements are written to deployment_logs. No CAF.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "db/storage.hpp"

namespace herald::cluster {

class membership {
public:
  membership(std::shared_ptr<db::storage> store, db::member_state self,
             std::chrono::milliseconds renewal, std::function<void()> on_replaced);
  ~membership();
  membership(const membership&) = delete;
  membership& operator=(const membership&) = delete;

  /// Joins (throws db::storage_error when the database refuses) and starts
  /// renewing. `details_json` goes to the "joined" deployment log row.
  void start(const std::string& details_json);
  /// Stops renewing and marks this incarnation left (errors are logged).
  void stop();

  /// Where the node's agents come from for agent_registry: `version` grows
  /// with every change, `rows` lists them; written with the next renewal
  /// after a change (and again after a failed write). Call before start().
  void registry_source(std::function<std::uint64_t()> version,
                       std::function<std::vector<db::registry_row>()> rows) {
    registry_version_ = std::move(version);
    registry_rows_ = std::move(rows);
  }

  /// Work done on the renewal thread after every successful renewal (and
  /// at once after record()): the coordinator's step; `at_stop` runs at an
  /// orderly stop before the node is marked left (releasing its leases).
  /// Exceptions are logged. Call before start().
  void steps(std::function<void()> step, std::function<void()> at_stop) {
    step_ = std::move(step);
    at_stop_ = std::move(at_stop);
  }

  /// Queues a deployment_logs row (node lost, node up, ...) for the renewal
  /// thread, which writes it at once (thread-safe; never blocks on the
  /// database; kept and retried while the database does not answer, at most
  /// 1,000 rows).
  void record(const std::string& event, const std::string& details_json);

  /// Renewals that failed in a row (0 while the database answers).
  std::uint64_t failed_in_a_row() const { return failed_; }

private:
  void loop();

  std::shared_ptr<db::storage> store_;
  db::member_state self_;
  std::chrono::milliseconds renewal_;
  std::function<void()> on_replaced_;
  std::mutex mtx_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::atomic<std::uint64_t> failed_{0};
  std::deque<std::pair<std::string, std::string>> events_; ///< (event, details)
  std::function<std::uint64_t()> registry_version_;
  std::function<std::vector<db::registry_row>()> registry_rows_;
  std::uint64_t registry_written_ = 0; ///< the version last written (0: none)
  std::function<void()> step_, at_stop_;
  std::uint64_t step_failed_ = 0;
  std::thread thread_;
};

} // namespace herald::cluster
