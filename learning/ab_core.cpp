#include "learning/ab_core.hpp"

#include <algorithm>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace herald::learning {

namespace {

std::string weights_json(const std::vector<double>& w) {
  return nlohmann::json(w).dump();
}

std::vector<double> weights_from(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  std::vector<double> w;
  if (j.is_array())
    for (auto& x : j)
      if (x.is_number())
        w.push_back(x.get<double>());
  return w;
}

std::size_t arm_index(const experiment_def& d, const std::string& arm) {
  auto it = std::find(d.arms.begin(), d.arms.end(), arm);
  return it == d.arms.end() ? d.arms.size() : static_cast<std::size_t>(it - d.arms.begin());
}

} // namespace

experiment_state state_of(const db::ab_experiment_row& row) {
  auto def = def_from_json(row.definition_json);
  if (def.id != row.id)
    throw std::invalid_argument("experiment '" + row.id + "': its definition names '" + def.id
                                + "'");
  auto s = start(def);
  s.status = row.status;
  s.updates = row.updates;
  s.lost = row.lost;
  s.reweighted_at = row.reweighted_at;
  if (row.arms.size() != def.arms.size())
    throw std::invalid_argument("experiment '" + row.id + "': " + std::to_string(row.arms.size())
                                + " arms stored, the definition has "
                                + std::to_string(def.arms.size()));
  bool weighted = false;
  for (std::size_t i = 0; i < row.arms.size(); ++i) {
    auto& a = row.arms[i];
    if (a.arm != def.arms[i])
      throw std::invalid_argument("experiment '" + row.id + "': stored arm '" + a.arm
                                  + "' is not the definition's '" + def.arms[i] + "'");
    s.arms[i] = arm_counts{a.exposures, a.successes, a.assigned};
    s.expected[i] = a.expected;
    s.weights[i] = a.weight;
    weighted = weighted || a.weight > 0;
  }
  if (!weighted) // never reweighted: the starting weights
    s.weights = start(def).weights;
  return s;
}

db::ab_experiment_row row_of(const experiment_state& s, std::int64_t started_at) {
  db::ab_experiment_row r;
  r.id = s.def.id;
  r.name = s.def.name.empty() ? s.def.id : s.def.name;
  r.status = s.status;
  r.definition_json = to_json(s.def);
  r.started_at = started_at;
  r.updates = s.updates;
  r.lost = s.lost;
  r.reweighted_at = s.reweighted_at;
  for (std::size_t i = 0; i < s.def.arms.size(); ++i)
    r.arms.push_back(db::ab_arm_row{s.def.arms[i], s.arms[i].exposures, s.arms[i].successes,
                                    s.arms[i].assigned, s.weights[i], s.expected[i]});
  return r;
}

bool overlaps(const experiment_def& a, const experiment_def& b) {
  auto meet = [](const std::string& x, const std::string& y) {
    return x.empty() || y.empty() || x == y;
  };
  return a.factor == b.factor && meet(a.content_type, b.content_type) && meet(a.channel, b.channel);
}

ab_core::ab_core(db::storage& store, bandit_options o, def_check check)
  : store_(store), o_(o), check_(std::move(check)) {}

std::vector<std::string> ab_core::define(const std::vector<experiment_def>& from_config,
                                         std::int64_t now_ms) {
  std::vector<std::string> notes;
  auto stored = store_.experiments();
  for (auto& d : from_config) {
    auto it = std::find_if(stored.begin(), stored.end(), [&](auto& r) { return r.id == d.id; });
    if (it != stored.end()) {
      if (it->definition_json != to_json(d)) {
        try {
          if (to_json(def_from_json(it->definition_json)) != to_json(d))
            notes.push_back("experiment '" + d.id
                            + "': the config differs from the stored definition, which is kept "
                              "(a running experiment's arms and metric cannot change; give the "
                              "new one another id)");
        } catch (const std::exception&) {
        }
      }
      continue;
    }
    auto s = start(d);
    store_.create_experiment(row_of(s, now_ms));
  }
  return notes;
}

std::vector<std::string> ab_core::load() {
  std::vector<std::string> notes;
  std::map<std::string, experiment_state> live;
  std::vector<const experiment_def*> taken;
  for (auto& row : store_.experiments()) {
    if (row.status != "running")
      continue;
    std::string why;
    try {
      auto s = state_of(row);
      if (check_)
        why = check_(s.def);
      if (why.empty())
        for (auto& [id, other] : live)
          if (overlaps(other.def, s.def)) {
            why = "experiment '" + row.id + "' decides the same " + factor_name(s.def.factor)
                  + " choice as the older '" + id + "'; it is not used until that one stops";
            break;
          }
      if (why.empty()) {
        live.emplace(row.id, std::move(s));
        refused_.erase(row.id);
        continue;
      }
    } catch (const std::exception& e) {
      why = e.what();
    }
    auto& last = refused_[row.id];
    if (last != why)
      notes.push_back(why);
    last = why;
  }
  live_ = std::move(live);
  return notes;
}

std::vector<ab_choice> ab_core::choose(const std::string& unit, const std::string& type,
                                       const std::string& channel, bool chart_possible,
                                       std::int64_t now_ms, bool posting_hour) {
  std::vector<ab_choice> out;
  for (auto& [id, s] : live_) {
    if ((s.def.factor == factor::posting_hour) != posting_hour)
      continue;
    if (!applies(s.def, type, channel))
      continue;
    if (s.def.factor == factor::chart && !chart_possible)
      continue;
    // Stale weights (no outcome for max-age) give way to the starting ones;
    // the unit records the weights it was assigned under either way.
    auto w = allocation(s, now_ms, o_.max_age_ms);
    auto arm = assign(s, unit, w);
    db::ab_assignment_row a;
    a.test_id = id;
    a.unit = unit;
    a.arm = s.def.arms[arm];
    a.weights_json = weights_json(w);
    a.assigned_at = now_ms;
    auto [stored, fresh] = store_.assign_unit(a);
    if (fresh)
      count_assignment(s, arm);
    out.push_back(ab_choice{id, factor_name(s.def.factor), stored.arm});
  }
  return out;
}

settle_report ab_core::settle(std::int64_t now_ms) {
  settle_report rep;
  for (auto& [id, s] : live_) {
    auto open = store_.open_assignments(id, now_ms - s.def.snapshot_ms, 1000);
    auto next = s;
    std::vector<db::ab_assignment_row> settled;
    for (auto& a : open) {
      auto at = a.unit.rfind('@');
      if (at == std::string::npos)
        continue;
      auto piece = a.unit.substr(0, at), channel = a.unit.substr(at + 1);
      auto snap = store_.snapshot_at(piece, channel, s.def.snapshot_ms);
      std::optional<bool> outcome;
      if (snap)
        outcome = outcome_of(s.def, snap->status, snap->engagements, snap->rate);
      else if (now_ms < a.assigned_at + s.def.snapshot_ms + s.def.grace_ms)
        continue; // not measured yet
      auto arm = arm_index(s.def, a.arm);
      learning::settle(next, arm, weights_from(a.weights_json), outcome);
      a.state = !outcome ? "lost" : *outcome ? "success" : "failure";
      a.settled_at = now_ms;
      rep.successes += outcome && *outcome;
      rep.lost += !outcome;
      settled.push_back(a);
    }
    if (settled.empty())
      continue;
    reweight(next, o_);
    next.reweighted_at = now_ms;
    if (store_.save_update(row_of(next, 0), settled) == 0) {
      // Another writer settled them first: the stored counts include them.
      continue;
    }
    s = std::move(next);
    rep.settled += settled.size();
    ++rep.experiments;
  }
  return rep;
}

std::string experiments_json(const std::vector<db::ab_experiment_row>& rows) {
  auto out = nlohmann::json::array();
  for (auto& row : rows) {
    nlohmann::json e{{"id", row.id}, {"name", row.name}, {"status", row.status},
                     {"started_at", row.started_at}, {"updates", row.updates},
                     {"lost", row.lost}, {"reweighted_at", row.reweighted_at}};
    try {
      auto s = state_of(row);
      auto v = judge(s);
      e["definition"] = nlohmann::json::parse(to_json(s.def));
      e["verdict"] = v.state;
      e["srm_p"] = v.srm_p;
      e["leader"] = v.leader;
      e["warning"] = v.warning;
      auto arms = nlohmann::json::array();
      for (std::size_t i = 0; i < s.def.arms.size(); ++i)
        arms.push_back({{"arm", s.def.arms[i]},
                        {"control", s.def.arms[i] == s.def.control},
                        {"assigned", s.arms[i].assigned},
                        {"exposures", s.arms[i].exposures},
                        {"successes", s.arms[i].successes},
                        {"weight", s.weights[i]},
                        {"expected", s.expected[i]},
                        {"mean", v.arms[i].mean},
                        {"ci95", {v.arms[i].lo, v.arms[i].hi}},
                        {"p_beat_control", v.arms[i].p_beat_control},
                        {"p_best", v.arms[i].p_best}});
      e["arms"] = std::move(arms);
    } catch (const std::exception& ex) {
      e["error"] = ex.what();
    }
    out.push_back(std::move(e));
  }
  return out.dump();
}

} // namespace herald::learning
