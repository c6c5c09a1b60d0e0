#include "ops/stats_table.hpp"

#include "ops/latency.hpp"

namespace herald::ops {

namespace {

void add_into(std::vector<std::uint64_t>& into, const std::vector<std::uint64_t>& x) {
  if (into.size() < x.size())
    into.resize(x.size(), 0);
  for (std::size_t i = 0; i < x.size(); ++i)
    into[i] += x[i];
}

std::string parent_of(const std::string& path) {
  auto dot = path.rfind('.');
  if (dot == std::string::npos)
    return path == "root" ? "" : "root";
  return path.substr(0, dot);
}

} // namespace

void stats_table::on_report(const stats_report& r, std::int64_t now_ms) {
  reports_[r.actor_id] = {r, now_ms};
}

std::vector<actor_view> stats_table::build(const std::vector<directory_entry>& dir,
                                           std::int64_t now_ms) {
  std::vector<actor_view> out;
  out.reserve(dir.size());
  std::map<std::uint64_t, bool> live_ids;
  for (const auto& d : dir) {
    auto& p = paths_[d.path];
    if (d.actor_id != 0 && d.actor_id != p.current_id) {
      // A new incarnation: fold the previous one's last report into the base.
      p.base_messages += p.last.messages;
      p.base_busy_ns += p.last.busy_ns;
      add_into(p.base_buckets, p.last.buckets);
      p.last = stats_report{};
      p.last_at_ms = 0;
      p.current_id = d.actor_id;
    }
    if (p.current_id != 0) {
      live_ids[p.current_id] = true;
      auto it = reports_.find(p.current_id);
      if (it != reports_.end()) {
        p.last = it->second.first;
        p.last_at_ms = it->second.second;
      }
    }
    actor_view v;
    v.path = d.path;
    v.parent = parent_of(d.path);
    v.is_supervisor = d.is_supervisor;
    v.running = d.running;
    v.actor_id = d.actor_id;
    v.restarts = d.restarts;
    v.last_exit_reason = d.last_exit_reason;
    v.started_at_ms = d.started_at_ms;
    v.messages = p.base_messages + p.last.messages;
    v.busy_seconds = static_cast<double>(p.base_busy_ns + p.last.busy_ns) / 1e9;
    v.buckets = p.base_buckets;
    add_into(v.buckets, p.last.buckets);
    v.buckets.resize(latency_buckets, 0);
    v.mailbox = d.running ? p.last.mailbox : 0;
    v.paused = d.running && p.last.paused;
    v.reported_at_ms = p.last_at_ms;
    // Sliding window over the totals (they never go down across restarts).
    if (p.window.empty() || p.window.back().messages != v.messages
        || now_ms - p.window.back().at_ms >= 1000)
      p.window.push_back(sample{now_ms, v.messages, v.buckets});
    while (p.window.size() > 2 && now_ms - p.window[1].at_ms >= window_ms_)
      p.window.pop_front();
    const auto& first = p.window.front();
    const auto& last = p.window.back();
    if (last.at_ms > first.at_ms)
      v.rate = static_cast<double>(last.messages - first.messages) * 1000.0
               / static_cast<double>(last.at_ms - first.at_ms);
    std::vector<std::uint64_t> delta(latency_buckets, 0);
    bool any = false;
    for (std::size_t i = 0; i < latency_buckets; ++i) {
      auto a = i < first.buckets.size() ? first.buckets[i] : 0;
      delta[i] = last.buckets[i] - a;
      any = any || delta[i] > 0;
    }
    v.p99_seconds = latency_quantile(any ? delta : v.buckets, 0.99);
    out.push_back(std::move(v));
  }
  // Reports of incarnations no path refers to any more are dropped.
  for (auto it = reports_.begin(); it != reports_.end();)
    it = live_ids.count(it->first) ? std::next(it) : reports_.erase(it);
  return out;
}

} // namespace herald::ops
