// The A/B agent's tables (issue 19): experiments with their arms, and one
// assignment per unit stored once. Settling outcomes and storing the new
// posteriors happen in one transaction, so that an agent killed at any
// moment counts every outcome exactly once.
#include "db/sql.hpp"

#include <nlohmann/json.hpp>

namespace herald::db::sql {

namespace {

void check_key(const std::string& what, const std::string& v) {
  if (v.empty() || v.size() > max_key_bytes)
    throw storage_error(false, what + " is empty or over " + std::to_string(max_key_bytes)
                                 + " bytes");
}

void check_json(const std::string& what, const std::string& v) {
  if (!nlohmann::json::accept(v))
    throw storage_error(false, what + " is not valid JSON");
}

ab_assignment_row assignment_of(const row& r) {
  ab_assignment_row a;
  a.test_id = r[0].as_text();
  a.unit = r[1].as_text();
  a.arm = r[2].as_text();
  a.weights_json = r[3].as_text();
  a.assigned_at = r[4].as_int();
  a.state = r[5].as_text();
  a.settled_at = r[6].is_null() ? 0 : r[6].as_int();
  return a;
}

constexpr const char* assignment_columns =
  "test_id, unit, arm, weights, assigned_at, state, settled_at";

} // namespace

bool sql_storage::create_experiment(const ab_experiment_row& e) {
  check_key("ab_tests.id", e.id);
  check_json("experiment " + e.id.substr(0, 80) + ": the definition", e.definition_json);
  for (auto& a : e.arms)
    check_key("experiment " + e.id.substr(0, 80) + ": an arm's name", a.arm);
  auto c = pool_.take();
  bool created = false;
  c->begin();
  try {
    created = !c->query("INSERT INTO ab_tests (id, name, status, started_at, metadata, updates, "
                        "lost) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING "
                        "RETURNING id",
                        {e.id, e.name, e.status, e.started_at, e.definition_json, e.updates,
                         e.lost})
                 .empty();
    if (created)
      for (std::size_t i = 0; i < e.arms.size(); ++i) {
        auto& a = e.arms[i];
        c->exec("INSERT INTO ab_test_variants (test_id, variant, content, impressions, "
                "conversions, weight, expected, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                {e.id, a.arm, a.arm, a.exposures, a.successes, a.weight, a.expected,
                 static_cast<std::int64_t>(i)});
      }
    c->commit();
  } catch (...) {
    c->rollback();
    throw;
  }
  return created;
}

std::vector<ab_experiment_row> sql_storage::experiments() {
  auto tests = query("SELECT id, name, status, started_at, metadata, updates, lost, reweighted_at "
                     "FROM ab_tests ORDER BY started_at, id",
                     {});
  std::vector<ab_experiment_row> out;
  for (auto& r : tests) {
    ab_experiment_row e;
    e.id = r[0].as_text();
    e.name = r[1].as_text();
    e.status = r[2].as_text();
    e.started_at = r[3].as_int();
    e.definition_json = r[4].as_text();
    e.updates = r[5].as_int();
    e.lost = r[6].as_int();
    e.reweighted_at = r[7].as_int();
    auto arms = query("SELECT v.variant, v.impressions, v.conversions, v.weight, v.expected, "
                      "(SELECT COUNT(*) FROM ab_assignments a WHERE a.test_id = v.test_id AND "
                      "a.arm = v.variant) FROM ab_test_variants v WHERE v.test_id = $1 ORDER BY "
                      "v.position, v.variant",
                      {e.id});
    for (auto& a : arms)
      e.arms.push_back(ab_arm_row{a[0].as_text(), a[1].as_int(), a[2].as_int(), a[5].as_int(),
                                  a[3].as_real(), a[4].as_real()});
    out.push_back(std::move(e));
  }
  return out;
}

std::pair<ab_assignment_row, bool> sql_storage::assign_unit(const ab_assignment_row& a) {
  check_key("ab_assignments.test_id", a.test_id);
  check_key("ab_assignments.unit", a.unit);
  check_key("ab_assignments.arm", a.arm);
  check_json("ab_assignments.weights", a.weights_json);
  auto c = pool_.take();
  bool fresh = !c->query("INSERT INTO ab_assignments (test_id, unit, arm, weights, assigned_at, "
                        "state) VALUES ($1, $2, $3, $4, $5, 'open') ON CONFLICT (test_id, unit) "
                        "DO NOTHING RETURNING unit",
                        {a.test_id, a.unit, a.arm, a.weights_json, a.assigned_at})
                 .empty();
  auto rows = c->query(std::string{"SELECT "} + assignment_columns
                         + " FROM ab_assignments WHERE test_id = $1 AND unit = $2",
                       {a.test_id, a.unit});
  if (rows.empty())
    throw storage_error(true, "ab_assignments: the assignment of " + a.unit.substr(0, 80)
                                + " was not stored");
  return {assignment_of(rows[0]), fresh};
}

bool sql_storage::set_experiment_status(const std::string& id, const std::string& status) {
  return !query("UPDATE ab_tests SET status = $1 WHERE id = $2 RETURNING id", {status, id}).empty();
}

std::vector<ab_assignment_row> sql_storage::open_assignments(const std::string& test_id,
                                                             std::int64_t before,
                                                             std::size_t limit) {
  auto rows = query(std::string{"SELECT "} + assignment_columns
                      + " FROM ab_assignments WHERE test_id = $1 AND state = 'open' AND "
                        "assigned_at < $2 ORDER BY assigned_at, unit LIMIT $3",
                    {test_id, before, static_cast<std::int64_t>(limit)});
  std::vector<ab_assignment_row> out;
  for (auto& r : rows)
    out.push_back(assignment_of(r));
  return out;
}

std::size_t sql_storage::save_update(const ab_experiment_row& e,
                                     const std::vector<ab_assignment_row>& settled) {
  auto c = pool_.take();
  std::size_t n = 0;
  c->begin();
  try {
    for (auto& a : settled) {
      auto done = c->query("UPDATE ab_assignments SET state = $1, settled_at = $2 WHERE test_id "
                           "= $3 AND unit = $4 AND state = 'open' RETURNING unit",
                           {a.state, a.settled_at, a.test_id, a.unit});
      if (done.empty()) {
        // Settled by another writer (an earlier incarnation whose commit
        // this one did not see): its counts are stored; do not add ours.
        c->rollback();
        return 0;
      }
      ++n;
    }
    c->exec("UPDATE ab_tests SET updates = $1, lost = $2, reweighted_at = $3 WHERE id = $4",
            {e.updates, e.lost, e.reweighted_at, e.id});
    for (auto& a : e.arms)
      c->exec("UPDATE ab_test_variants SET impressions = $1, conversions = $2, weight = $3, "
              "expected = $4 WHERE test_id = $5 AND variant = $6",
              {a.exposures, a.successes, a.weight, a.expected, e.id, a.arm});
    c->commit();
  } catch (...) {
    c->rollback();
    throw;
  }
  return n;
}

std::optional<metric_snapshot> sql_storage::snapshot_at(const std::string& post_id,
                                                        const std::string& channel,
                                                        std::int64_t offset_ms) {
  auto rows = query("SELECT status, impressions, engagements, rate, taken_at FROM post_metrics "
                    "WHERE post_id = $1 AND channel = $2 AND offset_ms = $3",
                    {post_id, channel, offset_ms});
  if (rows.empty())
    return std::nullopt;
  metric_snapshot m;
  m.post_id = post_id;
  m.channel = channel;
  m.offset_ms = offset_ms;
  m.status = rows[0][0].as_text();
  m.impressions = rows[0][1].is_null() ? -1 : rows[0][1].as_int();
  m.engagements = rows[0][2].as_int();
  m.rate = rows[0][3].is_null() ? -1 : rows[0][3].as_real();
  m.taken_at = rows[0][4].as_int();
  return m;
}

} // namespace herald::db::sql
