// The tuning loop's weight sets as an operator and the API see them:
// apply, rollback, replay of a logged run, and the loops' status.
#include "learning/loops.hpp"

#include <stdexcept>

#include <nlohmann/json.hpp>

namespace herald::learning {

using json = nlohmann::json;
using detail::effective_from_now;
using detail::new_set;

std::string status_json(db::storage& store, const loop_settings& s, std::int64_t now_ms) {
  coordinator_core c(store, s, {}, {});
  auto loops = json::array();
  for (auto& st : c.status(now_ms)) {
    json l{{"loop", st.loop}, {"every_ms", st.every_ms}, {"next_at", st.next_at}};
    if (st.last) {
      auto result = json::parse(st.last->result_json, nullptr, false);
      l["last"] = {{"id", st.last->id},
                   {"status", st.last->status},
                   {"scheduled_at", st.last->scheduled_at},
                   {"finished_at", st.last->finished_at},
                   {"result", result.is_discarded() ? json{} : result}};
    } else {
      l["last"] = nullptr;
    }
    loops.push_back(std::move(l));
  }
  auto [version, w] = c.current();
  auto sets = json::array();
  for (auto& row : store.weight_sets(20)) {
    auto evidence = json::parse(row.evidence_json, nullptr, false);
    sets.push_back({{"version", row.version},
                    {"state", row.state},
                    {"source", row.source},
                    {"parent", row.parent},
                    {"weights", json::parse(row.weights_json, nullptr, false)},
                    {"threshold", row.threshold},
                    {"created_at", row.created_at},
                    {"effective_from", row.effective_from},
                    {"applied_at", row.applied_at},
                    {"evidence", evidence.is_discarded() ? json{} : evidence}});
  }
  std::size_t trials = 0, proposals = 0;
  for (auto& r : store.learning_runs("tuning", 100000)) {
    auto res = json::parse(r.result_json, nullptr, false);
    if (res.is_object() && res.contains("trials")) {
      trials += res["trials"].get<std::size_t>();
      proposals += res["trials"].get<std::size_t>() > 0;
    }
  }
  return json{{"loops", loops},
              {"current", {{"version", version},
                           {"weights", json::parse(weights_json(w))},
                           {"threshold", w.threshold}}},
              {"proposals", proposals},
              {"trials", trials},
              {"auto_apply", s.auto_apply},
              {"weight_sets", sets}}
    .dump();
}

proposal replay_tuning(db::storage& store, const db::learning_run_row& run,
                       const loop_settings& s) {
  if (run.loop != "tuning")
    throw std::invalid_argument("run " + run.id + " is a " + run.loop + " run, not a tuning run");
  auto in = json::parse(run.inputs_json, nullptr, false);
  if (!in.is_object() || !in.contains("signals"))
    throw std::invalid_argument("run " + run.id + ": its inputs hold no signal ids");
  auto ids = in["signals"].get<std::vector<std::string>>();
  auto version = in.value("current", std::int64_t{0});
  weight_set current = s.configured;
  if (version > 0) {
    auto row = store.weight_set(version);
    if (!row)
      throw std::invalid_argument("run " + run.id + ": weight set " + std::to_string(version)
                                  + " is not stored");
    current = weights_from_json(row->weights_json, row->threshold, s.configured);
  }
  auto rows = stored_outcomes(store, in.value("from", std::int64_t{0}),
                              in.value("to", std::int64_t{0}), in.value("horizon", s.horizon),
                              ids.size() + 1, nullptr, &ids);
  std::vector<const outcome_row*> ptrs;
  for (auto& r : rows)
    ptrs.push_back(&r);
  return propose(current, ptrs, s.proposal);
}

std::string apply_version(db::storage& store, std::int64_t version, const loop_settings& s,
                          std::int64_t now_ms) {
  auto row = store.weight_set(version);
  if (!row)
    return "no weight set " + std::to_string(version);
  if (row->state != "proposed")
    return "weight set " + std::to_string(version) + " is " + row->state
           + ": only a proposed set (one that beat the weights it was compared with) is applied";
  if (now_ms - row->created_at > s.max_age_ms)
    return "weight set " + std::to_string(version) + " is older than learning.tuning.max-age: "
           "it was compared with outcomes that are out of date";
  auto now_applied = detail::applied_set(store);
  std::int64_t applied = now_applied ? now_applied->version : 0;
  if (row->parent != applied)
    return "weight set " + std::to_string(version) + " was compared with version "
           + std::to_string(row->parent) + ", but version " + std::to_string(applied)
           + " is applied now: it was never compared with the weights it would replace";
  if (!store.apply_weight_set(version, applied, effective_from_now(store, now_ms), now_ms))
    return "weight set " + std::to_string(version) + " changed meanwhile";
  return "";
}

std::int64_t rollback(db::storage& store, std::optional<std::int64_t> to, const loop_settings& s,
                      std::int64_t now_ms) {
  auto now_applied = detail::applied_set(store);
  std::int64_t applied = now_applied ? now_applied->version : 0;
  std::int64_t before = now_applied ? now_applied->parent : 0;
  auto target = to ? *to : before;
  weight_set w = s.configured;
  if (target > 0) {
    auto row = store.weight_set(target);
    if (!row || row->applied_at == 0)
      throw std::invalid_argument("weight set " + std::to_string(target)
                                  + " was never applied: a rollback returns to weights that ran");
    w = weights_from_json(row->weights_json, row->threshold, s.configured);
  }
  if (target == applied)
    throw std::invalid_argument(applied == 0 ? std::string{"the configured weights are in force: "
                                                           "there is nothing to roll back"}
                                             : "weight set " + std::to_string(target)
                                                 + " is applied now");
  auto v = store.add_weight_set(new_set(w, "rollback", applied, "proposed",
                                        json{{"rollback_to", target}, {"from", applied}}.dump(),
                                        now_ms));
  if (!store.apply_weight_set(v, applied, effective_from_now(store, now_ms), now_ms))
    throw std::invalid_argument("the applied weights changed meanwhile; try again");
  return v;
}

} // namespace herald::learning
