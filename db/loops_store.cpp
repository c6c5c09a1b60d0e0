// The feedback loops' tables (issue 19): versioned weight sets (applying one
// supersedes the one before in the same transaction, fenced by the version
// it replaces) and one row per loop run with its inputs' ids.
#include "db/sql.hpp"

#include <nlohmann/json.hpp>

namespace herald::db::sql {

namespace {

constexpr const char* weight_columns = "version, weights, threshold, source, parent, state, "
                                       "evidence, created_at, effective_from, applied_at";
constexpr const char* run_columns =
  "id, loop, scheduled_at, started_at, finished_at, status, inputs, result";

weight_set_row weight_of(const row& r) {
  weight_set_row w;
  w.version = r[0].as_int();
  w.weights_json = r[1].as_text();
  w.threshold = r[2].as_real();
  w.source = r[3].as_text();
  w.parent = r[4].as_int();
  w.state = r[5].as_text();
  w.evidence_json = r[6].as_text();
  w.created_at = r[7].as_int();
  w.effective_from = r[8].is_null() ? 0 : r[8].as_int();
  w.applied_at = r[9].is_null() ? 0 : r[9].as_int();
  return w;
}

learning_run_row run_of(const row& r) {
  return {r[0].as_text(), r[1].as_text(), r[2].as_int(), r[3].as_int(),
          r[4].as_int(),  r[5].as_text(), r[6].as_text(), r[7].as_text()};
}

void check_json(const std::string& what, const std::string& v) {
  if (!nlohmann::json::accept(v))
    throw storage_error(false, what + " is not valid JSON");
}

} // namespace

std::int64_t sql_storage::add_weight_set(const weight_set_row& w) {
  check_json("weight_sets.weights", w.weights_json);
  check_json("weight_sets.evidence", w.evidence_json);
  auto c = pool_.take();
  std::int64_t version = 0;
  c->begin();
  try {
    auto rows = c->query("SELECT COALESCE(MAX(version), 0) FROM weight_sets", {});
    version = rows[0][0].as_int() + 1;
    c->exec(std::string{"INSERT INTO weight_sets ("} + weight_columns
              + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            {version, w.weights_json, w.threshold, w.source, w.parent, w.state, w.evidence_json,
             w.created_at, w.effective_from ? value{w.effective_from} : value::null(),
             w.applied_at ? value{w.applied_at} : value::null()});
    c->commit();
  } catch (...) {
    c->rollback();
    throw;
  }
  return version;
}

std::vector<weight_set_row> sql_storage::weight_sets(std::size_t limit) {
  auto rows = query(std::string{"SELECT "} + weight_columns
                      + " FROM weight_sets ORDER BY version DESC LIMIT $1",
                    {static_cast<std::int64_t>(limit)});
  std::vector<weight_set_row> out;
  for (auto& r : rows)
    out.push_back(weight_of(r));
  return out;
}

std::optional<weight_set_row> sql_storage::weight_set(std::int64_t version) {
  auto rows = query(std::string{"SELECT "} + weight_columns + " FROM weight_sets WHERE version = $1",
                    {version});
  if (rows.empty())
    return std::nullopt;
  return weight_of(rows[0]);
}

bool sql_storage::apply_weight_set(std::int64_t version, std::int64_t parent,
                                   std::int64_t effective_from, std::int64_t at) {
  auto c = pool_.take();
  c->begin();
  try {
    auto current = c->query("SELECT version FROM weight_sets WHERE state = 'applied'", {});
    std::int64_t now_applied = current.empty() ? 0 : current[0][0].as_int();
    if (now_applied != parent) {
      c->rollback();
      return false;
    }
    auto done = c->query("UPDATE weight_sets SET state = 'applied', effective_from = $1, "
                         "applied_at = $2 WHERE version = $3 AND state = 'proposed' RETURNING "
                         "version",
                         {effective_from, at, version});
    if (done.empty()) {
      c->rollback();
      return false;
    }
    if (now_applied != 0)
      c->exec("UPDATE weight_sets SET state = 'superseded' WHERE version = $1", {now_applied});
    c->commit();
  } catch (...) {
    c->rollback();
    throw;
  }
  return true;
}

std::vector<weight_set_row> sql_storage::applied_weight_sets() {
  auto rows = query(std::string{"SELECT "} + weight_columns
                      + " FROM weight_sets WHERE applied_at IS NOT NULL ORDER BY effective_from, "
                        "version",
                    {});
  std::vector<weight_set_row> out;
  for (auto& r : rows)
    out.push_back(weight_of(r));
  return out;
}

bool sql_storage::record_run(const learning_run_row& r) {
  if (r.id.empty() || r.id.size() > max_key_bytes)
    throw storage_error(false, "learning_runs.id is empty or too long");
  check_json("learning_runs.inputs", r.inputs_json);
  check_json("learning_runs.result", r.result_json);
  return !query(std::string{"INSERT INTO learning_runs ("} + run_columns
                  + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING "
                    "RETURNING id",
                {r.id, r.loop, r.scheduled_at, r.started_at, r.finished_at, r.status,
                 r.inputs_json, r.result_json})
            .empty();
}

std::vector<learning_run_row> sql_storage::learning_runs(const std::string& loop,
                                                         std::size_t limit) {
  // (Each $N appears once: the SQLite backend binds them by position.)
  auto rows = loop.empty()
                ? query(std::string{"SELECT "} + run_columns
                          + " FROM learning_runs ORDER BY scheduled_at DESC, id DESC LIMIT $1",
                        {static_cast<std::int64_t>(limit)})
                : query(std::string{"SELECT "} + run_columns
                          + " FROM learning_runs WHERE loop = $1 ORDER BY scheduled_at DESC, id "
                            "DESC LIMIT $2",
                        {loop, static_cast<std::int64_t>(limit)});
  std::vector<learning_run_row> out;
  for (auto& r : rows)
    out.push_back(run_of(r));
  return out;
}

std::optional<learning_run_row> sql_storage::learning_run(const std::string& id) {
  auto rows =
    query(std::string{"SELECT "} + run_columns + " FROM learning_runs WHERE id = $1", {id});
  if (rows.empty())
    return std::nullopt;
  return run_of(rows[0]);
}

std::int64_t sql_storage::latest_candle_time() {
  auto rows = query("SELECT COALESCE(MAX(open_time), 0) FROM market_data", {});
  return rows.empty() || rows[0][0].is_null() ? 0 : rows[0][0].as_int();
}

void sql_storage::write_performance(const std::string& scope, const std::string& key,
                                    std::int64_t ts, const std::string& metrics_json) {
  if (scope.empty() || key.empty() || scope.size() > max_key_bytes || key.size() > max_key_bytes)
    throw storage_error(false, "performance_snapshots: scope and key must be 1 to "
                                 + std::to_string(max_key_bytes) + " bytes");
  check_json("performance_snapshots.metrics", metrics_json);
  query("INSERT INTO performance_snapshots (scope, \"key\", ts, metrics) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (scope, \"key\", ts) DO UPDATE SET metrics = excluded.metrics RETURNING ts",
        {scope, key, ts, metrics_json});
}

std::vector<std::tuple<std::string, std::int64_t, std::string>>
sql_storage::performance_snapshots(const std::string& scope, std::int64_t from, std::int64_t to) {
  auto rows = query("SELECT \"key\", ts, metrics FROM performance_snapshots WHERE scope = $1 AND "
                    "ts >= $2 AND ts <= $3 ORDER BY ts, \"key\"",
                    {scope, from, to});
  std::vector<std::tuple<std::string, std::int64_t, std::string>> out;
  for (auto& r : rows)
    out.emplace_back(r[0].as_text(), r[1].as_int(), r[2].as_text());
  return out;
}

} // namespace herald::db::sql
