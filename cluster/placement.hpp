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
  std::int64_t moved_at = 0; ///< ms, when it last moved (0: never, only placed)
};

struct placement_options {
  /// Moves to a joining node per planning step (a lost node's series move at
  /// once, without limit).
  std::size_t max_moves_per_step = 2;
  /// A series that moved is not moved again for this long (ms) unless its
  /// owner is lost.
  std::int64_t min_stay_ms = 600'000;
};

/// The most series one node holds when `series` are placed over `nodes`
/// (ceil(series / nodes)).
std::size_t node_capacity(std::size_t series, std::size_t nodes);

/// The changes that bring `current` towards the rendezvous placement over
/// `live` nodes at time `now`, with bounded load (no node above
/// node_capacity): every series without a live owner (new, or its node
/// lost) moves at once to the first node by weight with room; then, at
/// most `max_moves_per_step` per call, in a fixed order, and not within
/// `min_stay_ms` of its last move: a series on a node above capacity moves
/// to the first node by weight with room, any other to a node it prefers
/// to its owner that has room. So a joining node receives at most
/// node_capacity series, and the placement ends balanced. Series of `current` not in `series` are left out
/// (no longer tracked). Each change carries epoch + 1; a series placed for
/// the first time gets moved_at 0 (it did not move).
std::vector<assignment> plan_moves(const std::vector<assignment>& current,
                                   const std::vector<std::string>& series,
                                   const std::vector<std::string>& live, std::int64_t now,
                                   const placement_options& o);

} // namespace herald::cluster
