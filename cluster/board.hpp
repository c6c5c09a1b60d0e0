#pragma once
// What the database says about the cluster, as this node last read it: the
// leases this node tries (coordinator, analysis, publisher) with their
// holders and epochs, and the series assignments. Written by the membership
// thread (cluster/coordinator.*), read by the agents that act on it (the
// placement agent, the pipeline) and by /metrics and the API. Thread-safe;
// plain code, no CAF.
//
// A lease counts as held here only until `valid_until`: the time the
// statement that took or renewed it was sent plus the TTL. A node that
// cannot reach the database (or was frozen) stops acting on a lease before
// anyone else can take it.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cluster/placement.hpp"

namespace herald::cluster {

struct lease_view {
  std::string name;
  std::string holder; ///< "" when nobody held it when last read
  std::int64_t epoch = 0;
  bool held = false; ///< by this node, and still within its TTL
};

class board {
public:
  using clock = std::chrono::steady_clock;

  explicit board(std::string self) : self_(std::move(self)) {}
  const std::string& self() const { return self_; }

  /// The outcome of a take/renew statement sent at `sent`.
  void set_lease(const std::string& name, const std::string& holder, std::int64_t epoch,
                 bool held, clock::time_point valid_until);
  /// This node no longer holds `name` (released, or a renewal failed past its TTL).
  void drop_lease(const std::string& name);
  lease_view lease(const std::string& name, clock::time_point now = clock::now()) const;
  std::vector<lease_view> leases(clock::time_point now = clock::now()) const;

  /// Replaces the assignments (sorted by series); bumps version() on a change.
  void set_assignments(std::vector<assignment> all);
  std::vector<assignment> assignments() const;
  std::optional<assignment> owner_of(const std::string& series) const;
  /// Series owned by `node`, sorted.
  std::vector<std::string> owned_by(const std::string& node) const;
  /// Grows with every change of the assignments.
  std::uint64_t version() const;

  /// Moves this node made as coordinator (monotonic, for /metrics).
  void count_moves(std::uint64_t n);
  std::uint64_t moves() const;

  /// Blocks until `pred(*this)` holds or the deadline passes (wakes on every
  /// change and at least every 50 ms, so that lease expiry is seen).
  bool wait_until(const std::function<bool(const board&)>& pred,
                  clock::time_point deadline) const;

private:
  struct lease_entry {
    std::string holder;
    std::int64_t epoch = 0;
    bool held = false;
    clock::time_point valid_until{};
  };
  void changed();
  std::string self_;
  mutable std::mutex mtx_;
  mutable std::condition_variable cv_;
  std::map<std::string, lease_entry> leases_;
  std::vector<assignment> assignments_;
  std::uint64_t version_ = 0;
  std::uint64_t moves_ = 0;
};

} // namespace herald::cluster
