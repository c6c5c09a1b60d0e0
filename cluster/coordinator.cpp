#include "cluster/coordinator.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "io/logging.hpp"

namespace herald::cluster {

namespace {

bool has(const std::vector<std::string>& xs, const std::string& x) {
  return std::find(xs.begin(), xs.end(), x) != xs.end();
}

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

} // namespace

std::vector<std::string> wanted_leases(const std::vector<std::string>& roles) {
  std::vector<std::string> out{"coordinator"};
  if (has(roles, "analysis"))
    out.emplace_back("analysis");
  if (has(roles, "content"))
    out.emplace_back("publisher");
  return out;
}

coordinator::coordinator(std::shared_ptr<db::storage> store, std::shared_ptr<const view> v,
                         std::shared_ptr<board> b, coordination_options o, record_fn record)
  : store_(std::move(store)),
    view_(std::move(v)),
    board_(std::move(b)),
    o_(std::move(o)),
    record_(std::move(record)),
    wanted_(wanted_leases(o_.roles)) {
  if (!o_.series_id)
    throw std::invalid_argument("coordination_options.series_id is required");
}

void coordinator::leases() {
  auto log = logging::get("cluster");
  for (auto& name : wanted_) {
    auto before = board_->lease(name);
    // The lease counts from before the statement is sent: this node stops
    // acting on it no later than the database lets another node take it.
    auto sent = board::clock::now();
    auto l = store_->acquire_lease(name, o_.node, o_.lease_ttl.count());
    board_->set_lease(name, l.holder, l.epoch, l.held, sent + o_.lease_ttl);
    if (l.held && !(before.held && before.epoch == l.epoch)) {
      log->info("cluster: lease '{}' taken by this node (epoch {})", name, l.epoch);
      if (record_)
        record_("lease_taken", nlohmann::json{{"lease", name}, {"epoch", l.epoch}}.dump());
    } else if (!l.held && before.held) {
      log->warn("cluster: lease '{}' lost to '{}' (epoch {})", name, l.holder, l.epoch);
      if (record_)
        record_("lease_lost",
                nlohmann::json{{"lease", name}, {"holder", l.holder}, {"epoch", l.epoch}}.dump());
    }
  }
}

std::vector<std::string> coordinator::live_analysis_nodes() {
  std::set<std::string> fresh; // renewing in the database
  for (auto& m : store_->members())
    if (m.status == "up" && m.now - m.renewed_at <= o_.lease_ttl.count())
      fresh.insert(m.name);
  std::vector<std::string> out;
  for (auto& n : view_->nodes())
    if ((n.self || n.up) && has(n.roles, "analysis") && fresh.count(n.name) > 0)
      out.push_back(n.name);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<assignment> coordinator::plan(std::int64_t epoch, std::vector<assignment> current) {
  std::vector<std::string> series;
  for (auto& [sym, iv] : store_->candle_series())
    if (!o_.tracked || o_.tracked(sym, iv))
      series.push_back(o_.series_id(sym, iv));
  std::sort(series.begin(), series.end());
  series.erase(std::unique(series.begin(), series.end()), series.end());
  auto live = live_analysis_nodes();
  auto now = board::clock::now();
  auto popts = o_.placement;
  bool may_rebalance = now - last_rebalance_ >= o_.rebalance_interval;
  if (!may_rebalance)
    popts.max_moves_per_step = 0; // only series of lost nodes move now
  auto moves = plan_moves(current, series, live, wall_ms(), popts);
  if (moves.empty())
    return current;
  std::vector<db::series_owner> rows;
  auto j = nlohmann::json::array();
  std::set<std::string> up(live.begin(), live.end());
  bool gradual = false;
  for (auto& m : moves) {
    rows.push_back({m.series, m.owner, m.epoch, m.moved_at});
    std::string from;
    for (auto& c : current)
      if (c.series == m.series)
        from = c.owner;
    if (!from.empty() && up.count(from) > 0)
      gradual = true; // from a live node: counts against the interval
    j.push_back({{"series", m.series}, {"from", from}, {"to", m.owner}, {"epoch", m.epoch}});
  }
  if (!store_->assign_series(rows, o_.node, epoch)) {
    logging::get("cluster")->warn("cluster: {} series moves refused: the coordinator lease "
                                  "(epoch {}) is no longer this node's",
                                  moves.size(), epoch);
    board_->drop_lease("coordinator");
    return current;
  }
  if (gradual)
    last_rebalance_ = now;
  board_->count_moves(moves.size());
  logging::get("cluster")->info("cluster: assigned {} series (coordinator epoch {}): {}",
                                moves.size(), epoch, j.dump());
  if (record_)
    record_("assigned", nlohmann::json{{"epoch", epoch}, {"nodes", live}, {"moves", j}}.dump());
  // What the database holds now: the moves applied (each raised the epoch,
  // so none was refused by another coordinator's newer write).
  for (auto& m : moves) {
    auto it = std::find_if(current.begin(), current.end(),
                           [&](const assignment& a) { return a.series == m.series; });
    if (it == current.end())
      current.push_back(m);
    else
      *it = m;
  }
  return current;
}

void coordinator::step() {
  leases();
  std::vector<assignment> all;
  for (auto& r : store_->series_owners())
    all.push_back({r.series, r.owner, r.epoch, r.moved_at});
  auto c = board_->lease("coordinator");
  if (c.held)
    all = plan(c.epoch, std::move(all));
  board_->set_assignments(std::move(all));
}

void coordinator::release_all() {
  for (auto& name : wanted_) {
    if (!board_->lease(name).held)
      continue;
    board_->drop_lease(name);
    try {
      store_->release_lease(name, o_.node);
    } catch (const std::exception& e) {
      logging::get("cluster")->warn("cluster: could not release lease '{}': {}", name, e.what());
    }
  }
}

} // namespace herald::cluster
