#include "supervisor/agent_directory.hpp"
#include "supervisor/versioned_wait.hpp"

namespace herald::supervision {

void agent_directory::started(const std::string& path, caf::actor_addr addr,
                              bool is_supervisor) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    auto& r = agents_[path];
    r.path = path;
    r.is_supervisor = is_supervisor;
    r.running = true;
    r.addr = std::move(addr);
    r.started_at = std::chrono::system_clock::now();
  }
  changed();
}

void agent_directory::exited(const std::string& path, const std::string& reason) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    auto i = agents_.find(path);
    if (i == agents_.end())
      return;
    i->second.running = false;
    i->second.addr = caf::actor_addr{};
    i->second.last_exit_reason = reason;
  }
  changed();
}

void agent_directory::restarted(const std::string& path) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    ++agents_[path].restarts;
    ++total_restarts_;
  }
  changed();
}

void agent_directory::removed(const std::string& path) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    agents_.erase(path);
  }
  changed();
}

std::vector<agent_record> agent_directory::snapshot() const {
  std::lock_guard<std::mutex> guard{mtx_};
  std::vector<agent_record> out;
  out.reserve(agents_.size());
  for (auto& kvp : agents_)
    out.push_back(kvp.second);
  return out;
}

caf::actor_addr agent_directory::find(const std::string& path) const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = agents_.find(path);
  if (i != agents_.end() && i->second.running)
    return i->second.addr;
  auto r = remote_.lower_bound({path, std::string{}});
  return r == remote_.end() || r->first.first != path ? caf::actor_addr{} : r->second.addr;
}

caf::actor_addr agent_directory::find_local(const std::string& path) const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = agents_.find(path);
  return i != agents_.end() && i->second.running ? i->second.addr : caf::actor_addr{};
}

caf::actor_addr agent_directory::find_at(const std::string& path, const std::string& node,
                                         bool node_is_here) const {
  if (node_is_here)
    return find_local(path);
  std::lock_guard<std::mutex> guard{mtx_};
  auto r = remote_.find({path, node});
  return r == remote_.end() ? caf::actor_addr{} : r->second.addr;
}

bool agent_directory::is_remote(const std::string& path) const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = agents_.find(path);
  auto r = remote_.lower_bound({path, std::string{}});
  return (i == agents_.end() || !i->second.running) && r != remote_.end()
         && r->first.first == path;
}

void agent_directory::set_remote(const std::string& node,
                                 std::vector<remote_agent_record> agents) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    for (auto i = remote_.begin(); i != remote_.end();)
      i = i->second.node == node ? remote_.erase(i) : std::next(i);
    for (auto& a : agents) {
      a.node = node;
      auto key = std::make_pair(a.path, node);
      remote_[key] = std::move(a);
    }
  }
  changed(false);
}

void agent_directory::drop_remote(const std::string& node) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    for (auto i = remote_.begin(); i != remote_.end();)
      i = i->second.node == node ? remote_.erase(i) : std::next(i);
  }
  changed(false);
}

std::vector<remote_agent_record> agent_directory::remote_snapshot() const {
  std::lock_guard<std::mutex> guard{mtx_};
  std::vector<remote_agent_record> out;
  out.reserve(remote_.size());
  for (auto& kvp : remote_)
    out.push_back(kvp.second);
  return out;
}

std::uint64_t agent_directory::version() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return version_;
}

std::uint64_t agent_directory::local_version() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return local_version_;
}

std::uint64_t agent_directory::total_restarts() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return total_restarts_;
}

std::uint64_t agent_directory::restarts(const std::string& path) const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = agents_.find(path);
  return i == agents_.end() ? 0 : i->second.restarts;
}

void agent_directory::changed(bool local) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    ++version_;
    if (local)
      ++local_version_;
  }
  cv_.notify_all();
}

bool agent_directory::wait_until(const std::function<bool(const agent_directory&)>& pred,
                                 std::chrono::steady_clock::time_point deadline) const {
  return wait_for_change(mtx_, cv_, version_, [&] { return pred(*this); }, deadline);
}

} // namespace herald::supervision
