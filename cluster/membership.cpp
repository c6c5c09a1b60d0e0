#include "cluster/membership.hpp"

#include "io/logging.hpp"

namespace herald::cluster {

membership::membership(std::shared_ptr<db::storage> store, db::member_state self,
                       std::chrono::milliseconds renewal, std::function<void()> on_replaced)
  : store_(std::move(store)),
    self_(std::move(self)),
    renewal_(renewal),
    on_replaced_(std::move(on_replaced)) {}

membership::~membership() {
  if (thread_.joinable())
    stop();
}

void membership::start(const std::string& details_json) {
  store_->join_member(self_);
  try {
    store_->log_deployment(self_.name, self_.version, "joined", details_json);
  } catch (const std::exception& e) {
    logging::get("cluster")->warn("cluster: deployment log: {}", e.what());
  }
  thread_ = std::thread([this] { loop(); });
}

void membership::stop() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (stopping_ && !thread_.joinable())
      return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable())
    thread_.join();
  if (at_stop_) {
    try {
      at_stop_();
    } catch (const std::exception& e) {
      logging::get("cluster")->warn("cluster: at stop: {}", e.what());
    }
  }
  try {
    for (auto& [event, details] : std::exchange(events_, {}))
      store_->log_deployment(self_.name, self_.version, event, details);
    store_->leave_member(self_.name, self_.incarnation);
    if (registry_version_)
      store_->write_registry(self_.name, {}); // a node that left runs nothing
    store_->log_deployment(self_.name, self_.version, "left",
                           "{\"incarnation\":\"" + self_.incarnation + "\"}");
  } catch (const std::exception& e) {
    logging::get("cluster")->warn("cluster: could not record that {} left: {}", self_.name,
                                  e.what());
  }
}

void membership::record(const std::string& event, const std::string& details_json) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (events_.size() >= 1000)
      events_.pop_front(); // a database down for long: the oldest go
    events_.emplace_back(event, details_json);
  }
  cv_.notify_all();
}

void membership::loop() {
  auto log = logging::get("cluster");
  std::unique_lock<std::mutex> lock{mtx_};
  bool events_failed = false; // then they wait for the next renewal
  std::size_t events_failures = 0; // in a row: logged once, not every renewal
  while (!stopping_) {
    cv_.wait_for(lock, renewal_,
                 [&] { return stopping_ || (!events_failed && !events_.empty()); });
    events_failed = false;
    if (stopping_)
      return;
    auto events = std::exchange(events_, {});
    lock.unlock();
    for (std::size_t i = 0; i < events.size(); ++i) {
      try {
        store_->log_deployment(self_.name, self_.version, events[i].first, events[i].second);
        if (events_failures > 0)
          log->info("cluster: deployment log written again after {} failures", events_failures);
        events_failures = 0;
      } catch (const std::exception& e) {
        if (events_failures++ == 0)
          log->warn("cluster: deployment log '{}' not written yet: {} (kept, retried every "
                    "renewal)",
                    events[i].first, e.what());
        std::lock_guard<std::mutex> guard{mtx_};
        events_.insert(events_.begin(), events.begin() + static_cast<std::ptrdiff_t>(i),
                       events.end());
        events_failed = true;
        break;
      }
    }
    try {
      if (!store_->renew_member(self_.name, self_.incarnation)) {
        log->critical("cluster: another start of node '{}' has taken its name (this is "
                      "incarnation {}); this node stops",
                      self_.name, self_.incarnation);
        try {
          store_->log_deployment(self_.name, self_.version, "replaced",
                                 "{\"incarnation\":\"" + self_.incarnation + "\"}");
        } catch (...) {
        }
        if (on_replaced_)
          on_replaced_();
        lock.lock();
        stopping_ = true;
        return;
      }
      if (failed_ > 0)
        log->info("cluster: membership renewed again after {} failures", failed_.load());
      failed_ = 0;
      if (registry_version_) {
        auto v = registry_version_();
        if (v != registry_written_) {
          store_->write_registry(self_.name, registry_rows_());
          registry_written_ = v;
        }
      }
    } catch (const std::exception& e) {
      if (failed_++ == 0)
        log->warn("cluster: membership renewal failed: {} (retrying every {} ms)", e.what(),
                  renewal_.count());
    }
    if (step_ && failed_ == 0) {
      try {
        step_();
        if (step_failed_ > 0)
          log->info("cluster: coordination works again after {} failures", step_failed_);
        step_failed_ = 0;
      } catch (const std::exception& e) {
        if (step_failed_++ == 0)
          log->warn("cluster: coordination step failed: {} (retrying)", e.what());
      }
    }
    lock.lock();
  }
}

} // namespace herald::cluster
