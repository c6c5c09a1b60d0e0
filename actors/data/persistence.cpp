#include "actors/data/persistence.hpp"

#include <filesystem>
#include <fstream>
#include "actors/ops/instrumented.hpp"

#include <deque>
#include <thread>

#include <caf/all.hpp>

#include "io/logging.hpp"
#include "messages/errors.hpp"

namespace herald::data {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

/// Splits a batch into one batch per record (to isolate a bad record).
std::vector<db::write_batch> split(const db::write_batch& b) {
  std::vector<db::write_batch> out;
  auto each = [&](auto member) {
    for (auto& x : b.*member) {
      db::write_batch one;
      (one.*member).push_back(x);
      out.push_back(std::move(one));
    }
  };
  each(&db::write_batch::candles);
  each(&db::write_batch::news);
  each(&db::write_batch::sentiment);
  each(&db::write_batch::analysis);
  each(&db::write_batch::signals);
  each(&db::write_batch::insights);
  each(&db::write_batch::plans);
  each(&db::write_batch::posts);
  each(&db::write_batch::logs);
  each(&db::write_batch::ab_tests);
  each(&db::write_batch::ab_variants);
  return out;
}

struct persistence_state {
  static inline const char* name = "herald.persistence";

  persistence_actor::pointer self = nullptr;
  std::shared_ptr<db::storage> storage;
  persistence_options opts;
  std::shared_ptr<spdlog::logger> log;

  db::write_batch pending;
  std::size_t pending_count = 0;
  db::db_status status;
  bool timer_armed = false;
  std::uint32_t consecutive_failures = 0;
  std::vector<caf::typed_response_promise<db::db_status>> flush_waiters;
  /// Acknowledgements wait for the commit of their records: a sender's batch
  /// is answered only once every record of it is in the database (or was
  /// refused for good), so a killed agent never loses a write it
  /// acknowledged (the sender still holds what was not answered).
  struct waiting_ack {
    std::uint64_t upto; ///< accepted_total after this batch
    std::uint64_t count;
    caf::typed_response_promise<db::write_ack> rp;
  };
  std::deque<waiting_ack> acks;
  std::uint64_t accepted_total = 0; ///< records ever accepted by this incarnation

  /// Records accepted and no longer pending are committed (or refused for
  /// good and logged): their senders get their answer now.
  void answer_acks() {
    auto committed = accepted_total - pending_count;
    while (!acks.empty() && acks.front().upto <= committed) {
      acks.front().rp.deliver(db::write_ack{acks.front().count, pending_count});
      acks.pop_front();
    }
  }

  db::db_status current() {
    status.pending = pending_count;
    return status;
  }

  std::chrono::nanoseconds retry_delay() const {
    auto d = opts.retry_min;
    for (std::uint32_t i = 1; i < consecutive_failures && d < opts.retry_max; ++i)
      d *= 2;
    return std::min(d, opts.retry_max);
  }

  void arm_timer(std::chrono::nanoseconds delay) {
    if (timer_armed)
      return;
    timer_armed = true;
    self->delayed_send(self, delay, caf::tick_atom::value);
  }

  /// Writes everything pending. Returns false on a transient failure (the
  /// records not written stay queued, in order). Transactions hold at most
  /// 10 x batch-size records: a backlog (after an outage, or a database
  /// slower than the sources) goes in chunks, each committed on its own, so
  /// a slow or flaky link still makes progress; one transaction of 100,000
  /// records retried whole may never finish on a link that drops it.
  bool flush() {
    auto most = std::max<std::size_t>(opts.batch_size, 1) * 10;
    while (pending_count > 0) {
      auto batch = pending.take_front(most);
      auto n = batch.size();
      try {
        storage->write(batch);
        on_written(n);
        pending_count -= n;
        continue;
      } catch (const db::storage_error& e) {
        if (e.transient()) {
          on_outage(e.what());
          batch.append(std::move(pending)); // keep the order: old records first
          pending = std::move(batch);
          return false;
        }
        log->error("batch of {} records refused by the database ({}); writing them one by one",
                   n, e.what());
      }
      if (!write_singly(std::move(batch)))
        return false;
    }
    return true;
  }

  /// A batch the database refused: record by record, so that only the
  /// records it refuses are lost (logged). False on an outage midway (what
  /// is left goes back to the front of `pending`).
  bool write_singly(db::write_batch batch) {
    std::size_t written = 0;
    auto singles = split(batch);
    for (std::size_t i = 0; i < singles.size(); ++i) {
      try {
        storage->write(singles[i]);
        ++written;
      } catch (const db::storage_error& e) {
        if (e.transient()) {
          // The outage started midway: requeue what is left, in order, and
          // report the outage (after counting what did get written).
          status.written += written;
          on_outage(e.what());
          db::write_batch rest;
          for (std::size_t j = i; j < singles.size(); ++j)
            rest.append(std::move(singles[j]));
          rest.append(std::move(pending));
          pending = std::move(rest);
          pending_count = pending.size();
          return false;
        }
        ++status.rejected;
        log->error("record refused by the database and not stored: {} -- {}",
                   caf::deep_to_string(singles[i]), e.what());
      }
    }
    on_written(written);
    pending_count = pending.size();
    return true;
  }

  /// `n` records reached the database: it is available again.
  void on_written(std::size_t n) {
    if (spill_pending) {
      spill_pending = false;
      std::error_code ec;
      std::filesystem::remove(opts.spill_file, ec);
      log->info("the records saved in {} are written; the file is removed", opts.spill_file);
    }
    status.written += n;
    if (!status.available)
      log->info("database available again; {} records written", n);
    status.available = true;
    status.last_error.clear();
    consecutive_failures = 0;
  }

  void on_outage(const std::string& what) {
    ++status.failures;
    ++consecutive_failures;
    if (status.available)
      log->error("database unavailable, {} records kept for retry: {}", pending_count, what);
    status.available = false;
    status.last_error = what;
  }

  void answer_flush_waiters() {
    answer_acks();
    if (pending_count != 0 && status.available)
      return;
    for (auto& rp : flush_waiters)
      rp.deliver(current());
    flush_waiters.clear();
  }

  /// Flushes with retries until done or `deadline` (shutdown): the last
  /// retry is made at the deadline (a delay longer than what is left is
  /// shortened, not skipped). What is left goes to the spill file.
  void drain(std::chrono::steady_clock::time_point deadline) {
    while (!flush()) {
      auto now = std::chrono::steady_clock::now();
      if (now >= deadline) {
        spill();
        return;
      }
      auto delay = std::min<std::chrono::nanoseconds>(retry_delay(), deadline - now);
      // This agent runs on its own thread: waiting here blocks nobody else.
      std::this_thread::sleep_for(delay);
    }
  }

  /// Shutdown with records the database did not take: they are appended to
  /// the spill file (CAF's binary format of write_batch), written next time.
  void spill() {
    auto n = pending_count;
    if (n == 0)
      return;
    *opts.unwritten += n;
    if (opts.spill_file.empty()) {
      log->critical("shutdown: the database stayed unavailable; {} accepted records could "
                    "not be written and db.spill-file is \"\": they are lost ({})",
                    n, status.last_error);
      return;
    }
    try {
      auto batches = read_spill(opts.spill_file);
      batches.push_back(std::move(pending));
      write_spill(opts.spill_file, batches);
      pending = db::write_batch{};
      pending_count = 0;
      log->critical("shutdown: the database stayed unavailable ({}); {} accepted records were "
                    "saved to {} and are written at the next start",
                    status.last_error, n, opts.spill_file);
    } catch (const std::exception& e) {
      log->critical("shutdown: the database stayed unavailable and {} accepted records could "
                    "not be saved to {} either: {}; they are lost",
                    n, opts.spill_file, e.what());
    }
  }

  std::vector<db::write_batch> read_spill(const std::string& path) {
    std::vector<db::write_batch> out;
    std::ifstream in{path, std::ios::binary};
    if (!in)
      return out; // none yet
    std::vector<char> buf{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
    if (buf.empty())
      return out;
    caf::binary_deserializer source{self->system(), buf};
    if (auto err = source(out))
      throw std::runtime_error{"unreadable spill file " + path + ": "
                               + self->system().render(err)};
    return out;
  }

  static void write_file_atomically(const std::string& path, const std::vector<char>& bytes) {
    std::error_code ec;
    auto parent = std::filesystem::path{path}.parent_path();
    if (!parent.empty())
      std::filesystem::create_directories(parent, ec);
    auto tmp = path + ".tmp";
    {
      std::ofstream out{tmp, std::ios::binary | std::ios::trunc};
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      out.flush();
      if (!out)
        throw std::runtime_error{"cannot write " + tmp};
    }
    std::filesystem::rename(tmp, path); // throws with the reason
  }

  void write_spill(const std::string& path, std::vector<db::write_batch>& batches) {
    std::vector<char> buf;
    caf::binary_serializer sink{self->system(), buf};
    if (auto err = sink(batches))
      throw std::runtime_error{"cannot encode records: " + self->system().render(err)};
    write_file_atomically(path, buf);
  }

  /// At start: the records an earlier run could not write go first. The
  /// file is removed only once they are committed (a kill before that
  /// replays them again: writes are idempotent).
  void load_spill() {
    if (opts.spill_file.empty())
      return;
    std::vector<db::write_batch> batches;
    try {
      batches = read_spill(opts.spill_file);
    } catch (const std::exception& e) {
      log->error("{}; it is left in place for an operator", e.what());
      return;
    }
    if (batches.empty())
      return;
    for (auto& b : batches) {
      pending_count += b.size();
      accepted_total += b.size(); // accepted by an earlier run: no one waits for them
      pending.append(std::move(b));
    }
    spill_pending = true;
    log->warn("{} records an earlier run could not write are written first (from {})",
              pending_count, opts.spill_file);
  }

  bool spill_pending = false;
};

persistence_actor::behavior_type
persistence_impl(ops::instrumented_stateful<persistence_actor, persistence_state>* self,
                 std::shared_ptr<db::storage> storage, persistence_options opts) {
  auto& st = self->state;
  st.self = self;
  st.storage = std::move(storage);
  st.opts = opts;
  st.log = logging::get("data.persistence");
  st.status.backend = st.storage->backend();
  st.load_spill();
  if (st.pending_count > 0)
    st.arm_timer(st.opts.batch_interval);
  self->set_exit_handler([self](caf::exit_msg& msg) {
    auto& st = self->state;
    if (st.pending_count > 0)
      st.log->info("shutdown: flushing {} pending records", st.pending_count);
    st.drain(std::chrono::steady_clock::now() + st.opts.shutdown_flush_timeout);
    st.answer_flush_waiters();
    self->quit(msg.reason);
  });
  return {
    [self](db::write_batch& batch) -> caf::result<db::write_ack> {
      auto& st = self->state;
      if (auto err = db::validate(batch); !err.empty())
        return make_error(herald_errc::db_invalid, err);
      auto n = batch.size();
      if (st.pending_count + n > st.opts.queue_capacity)
        return make_error(herald_errc::db_overloaded,
                          "persistence queue full: " + std::to_string(st.pending_count)
                            + " records pending of " + std::to_string(st.opts.queue_capacity)
                            + (st.status.available ? "" : " (database unavailable)")
                            + "; retry later");
      st.pending.append(std::move(batch));
      st.pending_count += n;
      st.accepted_total += n;
      auto rp = self->make_response_promise<db::write_ack>();
      st.acks.push_back({st.accepted_total, n, rp});
      if (st.pending_count >= st.opts.batch_size && st.status.available) {
        if (!st.flush())
          st.arm_timer(st.retry_delay());
      } else if (st.pending_count > 0) {
        st.arm_timer(st.status.available ? st.opts.batch_interval : st.retry_delay());
      }
      st.answer_acks();
      return rp;
    },
    [self](caf::get_atom) { return self->state.current(); },
    [self](caf::flush_atom) -> caf::result<db::db_status> {
      auto& st = self->state;
      if (st.flush() && st.pending_count == 0) {
        st.answer_acks();
        return st.current();
      }
      auto rp = self->make_response_promise<db::db_status>();
      st.flush_waiters.push_back(rp);
      st.arm_timer(st.retry_delay());
      return rp;
    },
    [self](caf::tick_atom) {
      auto& st = self->state;
      st.timer_armed = false;
      bool ok = st.flush();
      if (!ok) {
        st.log->warn("database still unavailable; retrying in {} ms ({} records pending)",
                     duration_cast<milliseconds>(st.retry_delay()).count(), st.pending_count);
        st.arm_timer(st.retry_delay());
      } else if (st.pending_count > 0) {
        st.arm_timer(st.opts.batch_interval);
      }
      st.answer_flush_waiters();
    },
  };
}

} // namespace

persistence_actor spawn_persistence(caf::local_actor* parent,
                                    std::shared_ptr<db::storage> storage,
                                    persistence_options opts) {
  return parent->spawn<caf::detached>(persistence_impl, std::move(storage), opts);
}

persistence_actor spawn_persistence(caf::actor_system& sys, std::shared_ptr<db::storage> storage,
                                    persistence_options opts) {
  return sys.spawn<caf::detached>(persistence_impl, std::move(storage), opts);
}

} // namespace herald::data
