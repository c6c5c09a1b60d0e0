#include "cluster/view.hpp"

#include <algorithm>
#include <set>

#include "cluster/peers.hpp"
#include "supervisor/versioned_wait.hpp"

namespace herald::cluster {

void view::set_self(node_view self) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    self.self = true;
    self.up = true;
    self_ = std::move(self);
  }
  changed();
}

void view::peer_up(node_view peer, std::int64_t now_ms) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    peer.self = false;
    peer.up = true;
    peer.up_since_ms = now_ms;
    peer.down_since_ms = 0;
    peer.down_reason.clear();
    auto name = peer.name;
    peers_[name] = std::move(peer);
  }
  changed();
}

void view::peer_down(const std::string& name, std::int64_t now_ms, const std::string& reason,
                     double detection_ms) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    auto i = peers_.find(name);
    if (i == peers_.end() || !i->second.up)
      return;
    i->second.up = false;
    i->second.down_since_ms = now_ms;
    i->second.down_reason = reason;
    ++counters_.nodes_lost;
    counters_.detection_ms.push_back(detection_ms);
  }
  changed();
}

void view::dial_failed() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    ++counters_.dial_failures;
  }
  changed();
}

void view::refused() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    ++counters_.refused;
  }
  changed();
}

void view::changed() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    ++version_;
  }
  cv_.notify_all();
}

bool view::wait_until(const std::function<bool(const view&)>& pred,
                      std::chrono::steady_clock::time_point deadline) const {
  return supervision::wait_for_change(mtx_, cv_, version_, [&] { return pred(*this); }, deadline);
}

std::vector<node_view> view::nodes() const {
  std::lock_guard<std::mutex> guard{mtx_};
  std::vector<node_view> out;
  if (!self_.name.empty())
    out.push_back(self_);
  for (auto& kvp : peers_)
    out.push_back(kvp.second);
  return out;
}

std::vector<std::string> view::missing_roles() const {
  std::set<std::string> held;
  for (auto& n : nodes())
    if (n.up)
      held.insert(n.roles.begin(), n.roles.end());
  std::vector<std::string> out;
  for (auto& r : known_roles())
    if (held.count(r) == 0)
      out.push_back(r);
  std::sort(out.begin(), out.end());
  return out;
}

std::size_t view::holding(const std::string& role) const {
  std::size_t n = 0;
  for (auto& x : nodes())
    if (x.up && std::find(x.roles.begin(), x.roles.end(), role) != x.roles.end())
      ++n;
  return n;
}

std::vector<std::string> view::up_names() const {
  std::vector<std::string> out;
  for (auto& n : nodes())
    if (n.up)
      out.push_back(n.name);
  std::sort(out.begin(), out.end());
  return out;
}

view_counters view::counters() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return counters_;
}

} // namespace herald::cluster
