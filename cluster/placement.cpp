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

std::string rendezvous_owner(const std::string& series, const std::vector<std::string>& nodes) {
  std::string best;
  std::uint64_t best_w = 0;
  for (auto& n : nodes) {
    std::string key;
    key.reserve(n.size() + series.size() + 1);
    key.append(n).push_back('\0');
    key.append(series);
    auto w = stable_hash(key);
    if (best.empty() || w > best_w || (w == best_w && n < best)) {
      best = n;
      best_w = w;
    }
  }
  return best;
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
  std::vector<std::pair<std::string, const assignment*>> gradual;
  for (auto& s : sorted) {
    auto target = rendezvous_owner(s, live);
    auto it = by_series.find(s);
    if (it == by_series.end()) {
      out.push_back({s, target, 1, now});
      continue;
    }
    auto& a = *it->second;
    if (!up.count(a.owner)) {
      out.push_back({s, target, a.epoch + 1, now}); // its owner is lost: at once
      continue;
    }
    if (a.owner != target && now - a.moved_at >= o.min_stay_ms)
      gradual.emplace_back(s, &a);
  }
  // A fixed order (by the series' hash) spreads the moves over the series.
  std::sort(gradual.begin(), gradual.end(), [](auto& x, auto& y) {
    auto hx = stable_hash(x.first), hy = stable_hash(y.first);
    return hx != hy ? hx < hy : x.first < y.first;
  });
  for (std::size_t i = 0; i < gradual.size() && i < o.max_moves_per_step; ++i) {
    auto& [s, a] = gradual[i];
    out.push_back({s, rendezvous_owner(s, live), a->epoch + 1, now});
  }
  return out;
}

} // namespace herald::cluster
