#include "cluster/placement.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace herald::cluster {

std::uint64_t stable_hash(std::string_view s) {
  std::uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  // SplitMix64 finalizer: FNV alone clusters similar keys.
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

namespace {

/// The weight of `node` for `series` (rendezvous: the highest wins).
std::uint64_t weight(const std::string& node, const std::string& series) {
  std::string key;
  key.reserve(node.size() + series.size() + 1);
  key.append(node).push_back('\0');
  key.append(series);
  return stable_hash(key);
}

/// The nodes by weight for `series`, highest first (ties: smaller name).
std::vector<std::string> ranked(const std::string& series, const std::vector<std::string>& nodes) {
  std::vector<std::pair<std::uint64_t, std::string>> w;
  for (auto& n : nodes)
    w.emplace_back(weight(n, series), n);
  std::sort(w.begin(), w.end(), [](auto& x, auto& y) {
    return x.first != y.first ? x.first > y.first : x.second < y.second;
  });
  std::vector<std::string> out;
  for (auto& [ignored, n] : w)
    out.push_back(n);
  return out;
}

} // namespace

std::string rendezvous_owner(const std::string& series, const std::vector<std::string>& nodes) {
  std::string best;
  std::uint64_t best_w = 0;
  for (auto& n : nodes) {
    auto w = weight(n, series);
    if (best.empty() || w > best_w || (w == best_w && n < best)) {
      best = n;
      best_w = w;
    }
  }
  return best;
}

std::size_t node_capacity(std::size_t series, std::size_t nodes) {
  return nodes == 0 ? 0 : (series + nodes - 1) / nodes;
}

std::vector<assignment> plan_moves(const std::vector<assignment>& current,
                                   const std::vector<std::string>& series,
                                   const std::vector<std::string>& live, std::int64_t now,
                                   const placement_options& o) {
  std::vector<assignment> out;
  if (live.empty())
    return out;
  std::set<std::string> up(live.begin(), live.end());
  std::map<std::string, const assignment*> by_series;
  for (auto& a : current)
    by_series[a.series] = &a;
  std::vector<std::string> sorted = series;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  // A fixed order (by the series' hash) spreads the choices over the series.
  std::sort(sorted.begin(), sorted.end(), [](auto& x, auto& y) {
    auto hx = stable_hash(x), hy = stable_hash(y);
    return hx != hy ? hx < hy : x < y;
  });
  auto cap = node_capacity(sorted.size(), up.size());
  std::map<std::string, std::size_t> load;
  std::vector<std::string> homeless;
  std::vector<std::pair<std::string, const assignment*>> placed;
  for (auto& s : sorted) {
    auto it = by_series.find(s);
    if (it == by_series.end() || !up.count(it->second->owner)) {
      homeless.push_back(s);
      continue;
    }
    ++load[it->second->owner];
    placed.emplace_back(s, it->second);
  }
  // New series and those of lost nodes: at once, on the first node by
  // weight that has room (bounded load: no node takes more than cap).
  for (auto& s : homeless) {
    std::string target;
    for (auto& n : ranked(s, live))
      if (load[n] < cap) {
        target = n;
        break;
      }
    if (target.empty())
      target = rendezvous_owner(s, live); // (cannot happen: N * cap >= S)
    ++load[target];
    auto it = by_series.find(s);
    if (it == by_series.end())
      out.push_back({s, target, 1, 0}); // placed, not moved: min_stay does not hold it
    else
      out.push_back({s, target, it->second->epoch + 1, now}); // its owner is lost
  }
  // Towards a balanced rendezvous placement, gradually: a series on a node
  // above cap moves to the first node by weight with room; any other series
  // moves to a node it prefers to its owner that has room. At most
  // max_moves_per_step per step, and not within min_stay of its last move.
  std::size_t moves = 0;
  for (auto& [s, a] : placed) {
    if (moves >= o.max_moves_per_step)
      break;
    if (now - a->moved_at < o.min_stay_ms)
      continue;
    bool over = load[a->owner] > cap;
    std::string target;
    for (auto& n : ranked(s, live)) {
      if (n == a->owner) {
        if (!over)
          break; // nothing it prefers has room
        continue;
      }
      if (load[n] < cap) {
        target = n;
        break;
      }
    }
    if (target.empty())
      continue;
    --load[a->owner];
    ++load[target];
    out.push_back({s, target, a->epoch + 1, now});
    ++moves;
  }
  return out;
}

} // namespace herald::cluster
