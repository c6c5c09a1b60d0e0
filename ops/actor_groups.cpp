#include "ops/actor_groups.hpp"

#include <algorithm>
#include <unordered_map>

namespace herald::ops {

namespace {

constexpr char pool_mark[] = ".series.";
constexpr std::size_t pool_mark_len = sizeof(pool_mark) - 1;

} // namespace

void actor_group::add(const actor_view& a) {
  ++count;
  running += a.running;
  paused += a.paused;
  restarts += a.restarts;
  messages += a.messages;
  busy_seconds += a.busy_seconds;
  rate += a.rate;
  mailbox = std::max(mailbox, a.mailbox);
  p99_seconds = std::max(p99_seconds, a.p99_seconds);
  reported_at_ms = std::max(reported_at_ms, a.reported_at_ms);
  if (buckets.size() < a.buckets.size())
    buckets.resize(a.buckets.size());
  for (std::size_t i = 0; i < a.buckets.size(); ++i)
    buckets[i] += a.buckets[i];
}

std::string group_of(const std::string& path) {
  auto at = path.find(pool_mark);
  if (at == std::string::npos)
    return {};
  auto rest = at + pool_mark_len;
  auto dot = path.find('.', rest);
  auto pool = path.substr(0, rest); // "analysis.series."
  return dot == std::string::npos ? pool + "*" : pool + "*" + path.substr(dot);
}

grouped_tree group_series(const snapshot& s) {
  grouped_tree out;
  std::unordered_map<std::string, std::size_t> index;
  for (const auto& a : s.actors) {
    auto key = group_of(a.path);
    if (key.empty()) {
      out.rows.push_back({&a, 0});
      continue;
    }
    auto it = index.find(key);
    if (it == index.end()) {
      actor_group g;
      auto star = key.find(".*");
      g.path = key;
      g.parent = key.size() == star + 2 ? key.substr(0, star) : key.substr(0, star + 2);
      g.supervisor = a.is_supervisor;
      it = index.emplace(key, out.groups.size()).first;
      out.groups.push_back(std::move(g));
      out.rows.push_back({nullptr, it->second});
    }
    out.groups[it->second].add(a);
  }
  return out;
}

} // namespace herald::ops
