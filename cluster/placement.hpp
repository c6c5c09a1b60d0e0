#pragma once
// Where each analysis series lives in a cluster: rendezvous (highest random
// weight) hashing with a fixed, portable hash, so that every node computes
// the same owner from the same member list, and losing a node moves only
// that node's series. Plain code, no CAF.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace herald::cluster {

/// 64-bit FNV-1a followed by the SplitMix64 finalizer: the same on every
/// platform and compiler (std::hash is not).
std::uint64_t stable_hash(std::string_view s);

/// The live node with the highest weight for `series` ("" when none).
std::string rendezvous_owner(const std::string& series, const std::vector<std::string>& nodes);

struct assignment {
  std::string series;
  std::string owner;
  std::int64_t epoch = 0;    ///< raised on every move: a stale owner's outputs are refused
  std::int64_t moved_at = 0; ///< ms, when it last moved
};

struct placement_options {
  /// Moves to a joining node per planning step (a lost node's series move at
  /// once, without limit).
  std::size_t max_moves_per_step = 2;
  /// A series that moved is not moved again for this long (ms) unless its
  /// owner is lost.
  std::int64_t min_stay_ms = 600'000;
};

/// The changes that bring `current` towards the rendezvous placement over
/// `live` nodes at time `now`: every series without a live owner moves at
/// once; series whose live owner is not their rendezvous owner move at most
/// `max_moves_per_step` at a time, in a fixed order, and not within
/// `min_stay_ms` of their last move. Series of `current` not in `series`
/// are left out (no longer tracked). Each change carries epoch + 1.
std::vector<assignment> plan_moves(const std::vector<assignment>& current,
                                   const std::vector<std::string>& series,
                                   const std::vector<std::string>& live, std::int64_t now,
                                   const placement_options& o);

} // namespace herald::cluster
