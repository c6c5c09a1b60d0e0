#pragma once
// The write-behind persistence agent ("data.persistence"). Agents send typed
// write batches and get an immediate answer; the agent batches records by
// size (`db.batch-size`) and time (`db.batch-interval`) and writes each batch
// in one transaction on its own thread (detached: it blocks on the database,
// never the scheduler).
//
// Back-pressure: at most `db.queue-capacity` records may wait; a batch that
// would exceed it is refused with herald_errc::db_overloaded and the sender
// keeps it (nothing is dropped silently). Outages: a failed flush is retried
// with exponential backoff (`db.retry-min` .. `db.retry-max`) and the
// records stay queued; status reports the outage meanwhile. Shutdown: every
// accepted record is flushed before the agent exits (retrying for up to
// `db.shutdown-flush-timeout`); what the database still does not take is
// written to the spill file (`db.spill-file`) and counted in `unwritten`
// (herald then exits 1), and the next persistence agent that starts writes
// the spill file's records first. A record the database refuses for good
// (e.g. a reference to a missing parent) is isolated from its batch, logged
// with its content and counted; the rest of the batch is written.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "db/storage.hpp"
#include "messages/type_ids.hpp"

namespace herald::data {

struct persistence_options {
  std::size_t batch_size = 1000;
  std::chrono::nanoseconds batch_interval = std::chrono::milliseconds{200};
  std::size_t queue_capacity = 100'000;
  std::chrono::nanoseconds retry_min = std::chrono::milliseconds{100};
  std::chrono::nanoseconds retry_max = std::chrono::seconds{10};
  std::chrono::nanoseconds shutdown_flush_timeout = std::chrono::seconds{30};
  /// Where records go that could not be written at shutdown ("" = nowhere).
  std::string spill_file;
  /// Records accepted but neither written nor spilled at shutdown, plus
  /// spilled ones: what the process must report with a non-zero exit.
  std::shared_ptr<std::atomic<std::uint64_t>> unwritten
    = std::make_shared<std::atomic<std::uint64_t>>(0);
};

using persistence_actor = caf::typed_actor<
  /// Accepts a batch (all of it) or refuses it (db_overloaded, db_invalid).
  caf::replies_to<db::write_batch>::with<db::write_ack>,
  /// Current status (readiness: `available` is false during an outage).
  caf::replies_to<caf::get_atom>::with<db::db_status>,
  /// Writes everything pending now; answers when the queue is empty (or the
  /// attempt failed: the status tells).
  caf::replies_to<caf::flush_atom>::with<db::db_status>,
  // internal timer
  caf::reacts_to<caf::tick_atom>>;

/// Spawns the agent (detached) as a child of `parent`.
persistence_actor spawn_persistence(caf::local_actor* parent,
                                    std::shared_ptr<db::storage> storage,
                                    persistence_options opts);

/// Spawns the agent at top level (tools, tests, benchmarks).
persistence_actor spawn_persistence(caf::actor_system& sys,
                                    std::shared_ptr<db::storage> storage,
                                    persistence_options opts);

} // namespace herald::data
