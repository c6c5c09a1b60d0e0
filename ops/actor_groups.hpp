#pragma once
// The supervision tree at scale (issue 20): thousands of series of nine
// actors each are shown per kind. Every actor outside the series pools
// stays itself; the actors of a pool ("<pool>.series.<series>[.<kind>]")
// become one group per kind: "<pool>.series.*" (the series supervisors)
// and "<pool>.series.*.<kind>" (each analyzer kind), in the place of the
// first actor of the kind. One pass, a map entry per kind: linear in the
// actors. Used by the consoles' tree (ops::tree_json) and /metrics. Pure.

#include <cstdint>
#include <string>
#include <vector>

#include "ops/board.hpp"

namespace herald::ops {

/// Beyond this many actors the tree and the metrics are grouped.
constexpr std::size_t group_above = 2000;

struct actor_group {
  std::string path, parent; ///< "analysis.series.*.momentum", "analysis.series.*"
  bool supervisor = false;
  std::uint64_t count = 0, running = 0, paused = 0;
  std::uint64_t restarts = 0, messages = 0; ///< summed
  std::uint64_t mailbox = 0;                ///< the largest
  double busy_seconds = 0, rate = 0;        ///< summed
  double p99_seconds = 0;                   ///< the largest
  std::int64_t reported_at_ms = 0;          ///< the latest
  std::vector<std::uint64_t> buckets;       ///< summed latency buckets

  void add(const actor_view& a);
};

/// One row of the grouped tree: an actor, or a group.
struct tree_row {
  const actor_view* actor = nullptr;
  std::size_t group = 0; ///< index into grouped_tree::groups when actor is null
};

struct grouped_tree {
  std::vector<actor_group> groups;
  std::vector<tree_row> rows; ///< in tree order
};

/// The group path of an actor in a series pool ("" when it is not in one).
std::string group_of(const std::string& path);

grouped_tree group_series(const snapshot& s);

} // namespace herald::ops
