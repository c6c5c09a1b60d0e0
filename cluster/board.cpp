#include "cluster/board.hpp"

#include <algorithm>

namespace herald::cluster {

void board::changed() { cv_.notify_all(); }

void board::set_lease(const std::string& name, const std::string& holder, std::int64_t epoch,
                      bool held, clock::time_point valid_until) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    leases_[name] = {holder, epoch, held, valid_until};
  }
  changed();
}

void board::drop_lease(const std::string& name) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    auto it = leases_.find(name);
    if (it != leases_.end())
      it->second.held = false;
  }
  changed();
}

lease_view board::lease(const std::string& name, clock::time_point now) const {
  std::lock_guard<std::mutex> guard{mtx_};
  lease_view v;
  v.name = name;
  auto it = leases_.find(name);
  if (it == leases_.end())
    return v;
  v.holder = it->second.holder;
  v.epoch = it->second.epoch;
  v.held = it->second.held && now < it->second.valid_until;
  return v;
}

std::vector<lease_view> board::leases(clock::time_point now) const {
  std::vector<std::string> names;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    for (auto& [name, l] : leases_)
      names.push_back(name);
  }
  std::vector<lease_view> out;
  for (auto& n : names)
    out.push_back(lease(n, now));
  return out;
}

void board::set_assignments(std::vector<assignment> all) {
  std::sort(all.begin(), all.end(),
            [](const assignment& a, const assignment& b) { return a.series < b.series; });
  {
    std::lock_guard<std::mutex> guard{mtx_};
    auto same = all.size() == assignments_.size()
                && std::equal(all.begin(), all.end(), assignments_.begin(),
                              [](const assignment& a, const assignment& b) {
                                return a.series == b.series && a.owner == b.owner
                                       && a.epoch == b.epoch;
                              });
    if (same)
      return;
    assignments_ = std::move(all);
    ++version_;
  }
  changed();
}

std::vector<assignment> board::assignments() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return assignments_;
}

std::optional<assignment> board::owner_of(const std::string& series) const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto it = std::lower_bound(
    assignments_.begin(), assignments_.end(), series,
    [](const assignment& a, const std::string& s) { return a.series < s; });
  if (it == assignments_.end() || it->series != series)
    return std::nullopt;
  return *it;
}

std::vector<std::string> board::owned_by(const std::string& node) const {
  std::lock_guard<std::mutex> guard{mtx_};
  std::vector<std::string> out;
  for (auto& a : assignments_)
    if (a.owner == node)
      out.push_back(a.series);
  return out;
}

std::uint64_t board::version() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return version_;
}

void board::count_moves(std::uint64_t n) {
  std::lock_guard<std::mutex> guard{mtx_};
  moves_ += n;
}

std::uint64_t board::moves() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return moves_;
}

bool board::wait_until(const std::function<bool(const board&)>& pred,
                       clock::time_point deadline) const {
  while (true) {
    if (pred(*this))
      return true;
    auto now = clock::now();
    if (now >= deadline)
      return false;
    std::unique_lock<std::mutex> lock{mtx_};
    cv_.wait_until(lock, std::min(deadline, now + std::chrono::milliseconds{50}));
  }
}

} // namespace herald::cluster
