#pragma once
// The sender's half of "nothing accepted is lost": an agent that writes
// through data.persistence keeps every batch until the persistence agent
// answers it, which it does only after the records are committed
// (actors/data/persistence.cpp). A refusal (overloaded, invalid is logged and
// dropped), a timeout, or a persistence agent that died or is restarting
// keeps the batch, and it is sent again after a backoff (100 ms doubling to
// 5 s). Writes are idempotent, so a batch sent twice is stored once. Batches
// are sent at once (not one at a time), so a sender that stops hands
// everything it held to the persistence agent's mailbox first.
//
// An `ordered` outbox commits its batches in the order they were pushed:
// one write in flight at a time, and whatever was pushed meanwhile goes out
// merged into the next one (so throughput does not suffer), up to
// `max_merge` records (halved after a refusal for a full queue: a write
// larger than the persistence queue would be refused forever). The risk agent
// needs this: its stored signals are what a restarted risk agent replays,
// so a later batch must never be committed before an earlier one.
//
// The owning actor's interface must accept (persist_retry_atom) and forward
// it to retry(), and its down handler must pass every down_msg to on_down():
// the outbox monitors the persistence agent it writes to, and when that one
// is lost (a restart, or its node lost in a cluster: CAF 0.17 never answers
// a request whose receiver's node went away) what was in flight is sent
// again at once instead of after the 60 s request timeout.

#include <chrono>
#include <functional>
#include <cstdint>
#include <map>
#include <set>
#include <memory>
#include <string>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/data/persistence.hpp"
#include "messages/errors.hpp"
#include "messages/type_ids.hpp"
#include "supervisor/agent_directory.hpp"

namespace herald::data {

template <class Self>
class outbox {
public:
  outbox(Self* self, std::shared_ptr<supervision::agent_directory> dir,
         std::shared_ptr<spdlog::logger> log, std::string what, bool ordered = false)
    : self_(self),
      dir_(std::move(dir)),
      log_(std::move(log)),
      what_(std::move(what)),
      ordered_(ordered) {}

  outbox(const outbox&) = delete;
  outbox& operator=(const outbox&) = delete;

  /// The owner stops (or was killed): what was never sent goes to the
  /// persistence agent now, unanswered (writes are idempotent; an ordered
  /// outbox holds its next batch back while one is in flight).
  ~outbox() {
    auto p = caf::actor_cast<persistence_actor>(dir_->find("data.persistence"));
    if (!p || held_.empty())
      return;
    if (ordered_) {
      // Everything, the write in flight too, in order: if that write was
      // lost, committing only what came after it would leave a hole.
      db::write_batch chunk;
      for (auto& [id, b] : held_) {
        if (!chunk.empty() && chunk.size() + b.size() > max_merge_)
          caf::anon_send(p, std::exchange(chunk, db::write_batch{}));
        chunk.append(std::move(b));
      }
      if (!chunk.empty())
        caf::anon_send(p, std::move(chunk));
      return;
    }
    for (auto& [id, b] : held_)
      if (!in_flight(id) && !b.empty())
        caf::anon_send(p, std::move(b));
  }

  /// Keeps `b` until it is committed.
  void push(db::write_batch b) {
    if (b.empty())
      return;
    records_ += b.size();
    if (ordered_) {
      held_.emplace(next_++, std::move(b));
      if (!timer_)
        send_ordered();
      return;
    }
    auto id = next_++;
    held_.emplace(id, std::move(b));
    send(id);
  }

  /// The backoff timer fired: send again what failed.
  void retry() {
    timer_ = false;
    if (ordered_) {
      send_ordered();
      return;
    }
    for (auto& [id, b] : held_)
      if (!in_flight(id))
        send(id);
  }

  std::size_t batches() const { return held_.size(); }

  /// The owner's down handler: true when `dm` is about the persistence agent
  /// this outbox wrote to. Whatever was in flight counts as failed (its late
  /// answer, if any, is ignored) and goes out again after the backoff.
  bool on_down(const caf::down_msg& dm) {
    if (!target_ || dm.source != target_)
      return false;
    target_ = caf::actor_addr{};
    if (!flying_.empty()) {
      log_->info("{}: the persistence agent was lost ({}); {} records go out again", what_,
                 caf::to_string(dm.reason), records_);
      flying_.clear();
      ++generation_;
      later();
    }
    return true;
  }

  /// Runs `f` once nothing is held (at once when nothing is).
  void when_empty(std::function<void()> f) {
    if (held_.empty())
      f();
    else
      empty_waiters_.push_back(std::move(f));
  }
  std::uint64_t records() const { return records_; }

  /// Runs `f` whenever held records were committed (or dropped as invalid):
  /// a sender that waits for room (back-pressure) looks again.
  void on_progress(std::function<void()> f) { progress_ = std::move(f); }

private:
  bool in_flight(std::uint64_t id) const { return flying_.count(id) > 0; }

  /// Monitors the persistence agent it is about to write to (once per
  /// incarnation).
  void watch(const persistence_actor& p) {
    if (p.address() == target_)
      return;
    target_ = p.address();
    self_->monitor(p);
  }

  /// Ordered mode: one write of the oldest held batches (a copy, merged up
  /// to max_merge_ records, at least one batch); they are dropped when it
  /// is answered, and sent again (fewer at once after a refusal) if not.
  void send_ordered() {
    if (held_.empty() || !flying_.empty())
      return;
    auto p = caf::actor_cast<persistence_actor>(dir_->find("data.persistence"));
    if (!p) {
      later();
      return;
    }
    db::write_batch merged;
    std::vector<std::uint64_t> ids;
    for (auto& [id, b] : held_) {
      if (!ids.empty() && merged.size() + b.size() > max_merge_)
        break;
      auto copy = b;
      merged.append(std::move(copy));
      ids.push_back(id);
    }
    for (auto id : ids)
      flying_.insert(id);
    watch(p);
    auto gen = generation_;
    self_->request(p, std::chrono::seconds{60}, std::move(merged))
      .then(
        [this, ids, gen](db::write_ack&) {
          if (gen != generation_)
            return; // abandoned when its receiver was lost; sent again since
          for (auto id : ids) {
            flying_.erase(id);
            if (auto it = held_.find(id); it != held_.end()) {
              records_ -= it->second.size();
              held_.erase(it);
            }
          }
          delay_ = std::chrono::milliseconds{100};
          max_merge_ = std::min<std::size_t>(max_merge_ * 2, max_merge_limit);
          if (!timer_)
            send_ordered();
          emptied();
        },
        [this, ids, gen](caf::error& e) {
          if (gen != generation_)
            return;
          for (auto id : ids)
            flying_.erase(id);
          if (e.category() == caf::atom("herald")
              && e.code() == static_cast<std::uint8_t>(herald_errc::db_invalid)) {
            // Which record is invalid is not known here: drop the oldest
            // batch alone if it was sent alone, else send less at once.
            if (ids.size() == 1) {
              log_->error("{}: {} records refused as invalid and dropped: {}", what_,
                          held_.at(ids[0]).size(), caf::to_string(e));
              records_ -= held_.at(ids[0]).size();
              held_.erase(ids[0]);
              emptied();
            } else {
              max_merge_ = 1;
            }
            send_ordered();
            return;
          }
          if (e.category() == caf::atom("herald")
              && e.code() == static_cast<std::uint8_t>(herald_errc::db_overloaded))
            max_merge_ = std::max<std::size_t>(1, max_merge_ / 2); // perhaps beyond the queue
          log_->info("{}: {} records kept for a retry ({})", what_, records_,
                     caf::to_string(e));
          later();
        });
  }

  void emptied() {
    if (progress_)
      progress_();
    if (!held_.empty())
      return;
    for (auto& f : std::exchange(empty_waiters_, {}))
      f();
  }

  void send(std::uint64_t id) {
    auto p = caf::actor_cast<persistence_actor>(dir_->find("data.persistence"));
    if (!p) {
      later();
      return;
    }
    flying_.insert(id);
    watch(p);
    auto gen = generation_;
    self_->request(p, std::chrono::seconds{60}, held_.at(id))
      .then(
        [this, id, gen](db::write_ack&) {
          if (gen != generation_) {
            // Abandoned, but committed after all (writes are idempotent):
            // the copy sent again is stored once.
            return;
          }
          flying_.erase(id);
          auto it = held_.find(id);
          if (it != held_.end()) {
            records_ -= it->second.size();
            held_.erase(it);
          }
          delay_ = std::chrono::milliseconds{100};
          emptied();
        },
        [this, id, gen](caf::error& e) {
          if (gen != generation_)
            return;
          flying_.erase(id);
          if (e.category() == caf::atom("herald")
              && e.code() == static_cast<std::uint8_t>(herald_errc::db_invalid)) {
            log_->error("{}: {} records refused as invalid and dropped: {}", what_,
                        held_.at(id).size(), caf::to_string(e));
            records_ -= held_.at(id).size();
            held_.erase(id);
            emptied();
            return;
          }
          log_->info("{}: {} records kept for a retry ({})", what_, held_.at(id).size(),
                     caf::to_string(e));
          later();
        });
  }

  void later() {
    if (timer_)
      return;
    timer_ = true;
    self_->delayed_send(self_, delay_, persist_retry_atom::value);
    delay_ = std::min<std::chrono::milliseconds>(delay_ * 2, std::chrono::seconds{5});
  }

  Self* self_;
  std::shared_ptr<supervision::agent_directory> dir_;
  std::shared_ptr<spdlog::logger> log_;
  std::string what_;
  std::map<std::uint64_t, db::write_batch> held_;
  std::set<std::uint64_t> flying_;
  std::uint64_t next_ = 0, records_ = 0;
  bool ordered_ = false;
  static constexpr std::size_t max_merge_limit = 20'000;
  std::size_t max_merge_ = max_merge_limit;
  std::vector<std::function<void()>> empty_waiters_;
  bool timer_ = false;
  caf::actor_addr target_;       ///< the persistence agent monitored
  std::uint64_t generation_ = 0; ///< raised when in-flight writes are abandoned
  std::function<void()> progress_;
  std::chrono::milliseconds delay_{100};
};

} // namespace herald::data
