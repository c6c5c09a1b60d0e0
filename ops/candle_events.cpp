#include "ops/candle_events.hpp"

#include <algorithm>
#include <functional>
#include <unordered_set>

namespace herald::ops {

namespace {

using key = std::pair<std::string_view, std::string_view>;

struct key_hash {
  series_probe_count* count;
  std::size_t operator()(const key& k) const {
    if (count)
      ++count->hashes;
    auto h = std::hash<std::string_view>{}(k.first);
    return h ^ (std::hash<std::string_view>{}(k.second) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
  }
};

struct key_equal {
  series_probe_count* count;
  bool operator()(const key& a, const key& b) const {
    if (count)
      ++count->compares;
    return a == b;
  }
};

} // namespace

std::vector<const candle*> newest_per_series(const std::vector<candle>& candles,
                                             series_probe_count* count) {
  std::unordered_set<key, key_hash, key_equal> seen(std::min<std::size_t>(candles.size(), 1024),
                                                    key_hash{count}, key_equal{count});
  std::vector<const candle*> out;
  for (auto it = candles.rbegin(); it != candles.rend(); ++it)
    if (seen.emplace(it->symbol, it->interval).second)
      out.push_back(&*it);
  return out;
}

} // namespace herald::ops
