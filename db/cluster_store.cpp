// The cluster's authority in the database: leases with fencing epochs and
// the owners of the analysis series. Every time is the database's clock.
#include "db/sql.hpp"

#include <nlohmann/json.hpp>

namespace herald::db::sql {

std::string now_ms_sql(dialect d) {
  return d == dialect::postgresql
           ? "(extract(epoch from clock_timestamp()) * 1000)::bigint"
           : "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)";
}

namespace {

std::string now_ms(dialect d) { return now_ms_sql(d); }

lease_state lease_of(const row& r, const std::string& asking) {
  lease_state l;
  l.name = r[0].as_text();
  l.holder = r[1].as_text();
  l.epoch = r[2].as_int();
  l.expires_at = r[3].as_int();
  l.now = r[4].as_int();
  l.held = l.holder == asking && l.expires_at > l.now;
  return l;
}

} // namespace

lease_state sql_storage::acquire_lease(const std::string& name, const std::string& holder,
                                       std::int64_t ttl_ms) {
  auto now = now_ms(dialect_);
  // One statement: taken when free, expired or already ours; a new holder
  // raises the epoch (the SET expressions read the old row).
  auto rows = query("INSERT INTO cluster_leases (name, holder, epoch, expires_at) VALUES ($1, $2, "
                    "1, "
                      + now + " + $3) ON CONFLICT (name) DO UPDATE SET epoch = CASE WHEN "
                              "cluster_leases.holder = excluded.holder THEN cluster_leases.epoch "
                              "ELSE cluster_leases.epoch + 1 END, holder = excluded.holder, "
                              "expires_at = excluded.expires_at WHERE cluster_leases.holder = "
                              "excluded.holder OR cluster_leases.expires_at <= "
                      + now + " RETURNING name, holder, epoch, expires_at, " + now,
                    {name, holder, ttl_ms});
  bool granted = !rows.empty();
  if (!granted) // someone else holds it
    rows = query("SELECT name, holder, epoch, expires_at, " + now
                   + " FROM cluster_leases WHERE name = $1",
                 {name});
  if (rows.empty())
    throw storage_error(true, "lease " + name + " vanished while it was taken");
  auto l = lease_of(rows[0], holder);
  l.held = granted; // the statement's own answer (at ttl 0 it expires at once)
  return l;
}

void sql_storage::release_lease(const std::string& name, const std::string& holder) {
  auto c = pool_.take();
  c->exec("UPDATE cluster_leases SET expires_at = " + now_ms(dialect_) + " - 1 WHERE name = $1 "
          "AND holder = $2",
          {name, holder});
}

bool sql_storage::lease_valid(const std::string& name, const std::string& holder,
                              std::int64_t epoch) {
  auto rows = query("SELECT 1 FROM cluster_leases WHERE name = $1 AND holder = $2 AND epoch = $3 "
                    "AND expires_at > "
                      + now_ms(dialect_),
                    {name, holder, epoch});
  return !rows.empty();
}

std::vector<lease_state> sql_storage::leases() {
  auto rows = query("SELECT name, holder, epoch, expires_at, " + now_ms(dialect_)
                      + " FROM cluster_leases ORDER BY name",
                    {});
  std::vector<lease_state> out;
  for (auto& r : rows)
    out.push_back(lease_of(r, ""));
  return out;
}

std::vector<series_owner> sql_storage::series_owners() {
  auto rows = query("SELECT series, owner, epoch, moved_at FROM series_assignments ORDER BY series",
                    {});
  std::vector<series_owner> out;
  for (auto& r : rows)
    out.push_back({r[0].as_text(), r[1].as_text(), r[2].as_int(), r[3].as_int()});
  return out;
}

bool sql_storage::assign_series(const std::vector<series_owner>& changes,
                                const std::string& holder, std::int64_t epoch) {
  auto c = pool_.take();
  c->begin();
  try {
    // The fence: the coordinator lease, locked for the transaction on
    // PostgreSQL (a concurrent take waits for the commit); SQLite writers
    // are serialized anyway.
    auto fence = c->query("SELECT 1 FROM cluster_leases WHERE name = 'coordinator' AND holder = "
                          "$1 AND epoch = $2 AND expires_at > "
                            + now_ms(dialect_)
                            + (dialect_ == dialect::postgresql ? " FOR UPDATE" : ""),
                          {holder, epoch});
    if (fence.empty()) {
      c->rollback();
      return false;
    }
    for (auto& a : changes) {
      if (a.series.empty() || a.series.size() > max_key_bytes || a.owner.size() > max_key_bytes)
        throw storage_error(false, "series assignment: series must be 1.." +
                                     std::to_string(max_key_bytes) + " bytes, got '" +
                                     a.series.substr(0, 80) + "'");
      c->exec("INSERT INTO series_assignments (series, owner, epoch, moved_at) VALUES ($1, $2, "
              "$3, $4) ON CONFLICT (series) DO UPDATE SET owner = excluded.owner, epoch = "
              "excluded.epoch, moved_at = excluded.moved_at WHERE series_assignments.epoch < "
              "excluded.epoch",
              {a.series, a.owner, a.epoch, a.moved_at});
    }
    c->commit();
    return true;
  } catch (...) {
    c->rollback();
    throw;
  }
}

namespace {

void check_member_field(const char* field, const std::string& v) {
  if (v.size() > max_key_bytes)
    throw storage_error(false, std::string{"cluster member: "} + field + " is longer than "
                                 + std::to_string(max_key_bytes) + " bytes");
}

} // namespace

void sql_storage::join_member(const member_state& m) {
  if (m.name.empty() || m.incarnation.empty())
    throw storage_error(false, "cluster member: name and incarnation must not be empty");
  for (auto [f, v] : {std::pair<const char*, const std::string*>{"name", &m.name},
                      {"incarnation", &m.incarnation}, {"roles", &m.roles},
                      {"address", &m.address}, {"version", &m.version}})
    check_member_field(f, *v);
  auto now = now_ms(dialect_);
  auto c = pool_.take();
  c->exec("INSERT INTO cluster_members (name, incarnation, roles, address, version, started_at, "
          "renewed_at, status) VALUES ($1, $2, $3, $4, $5, " + now + ", " + now + ", 'up') "
          "ON CONFLICT (name) DO UPDATE SET incarnation = excluded.incarnation, roles = "
          "excluded.roles, address = excluded.address, version = excluded.version, started_at "
          "= excluded.started_at, renewed_at = excluded.renewed_at, status = 'up'",
          {m.name, m.incarnation, m.roles, m.address, m.version});
}

bool sql_storage::renew_member(const std::string& name, const std::string& incarnation) {
  auto rows = query("UPDATE cluster_members SET renewed_at = " + now_ms(dialect_)
                      + ", status = 'up' WHERE name = $1 AND incarnation = $2 RETURNING name",
                    {name, incarnation});
  return !rows.empty();
}

void sql_storage::leave_member(const std::string& name, const std::string& incarnation) {
  auto c = pool_.take();
  c->exec("UPDATE cluster_members SET status = 'left', renewed_at = " + now_ms(dialect_)
            + " WHERE name = $1 AND incarnation = $2",
          {name, incarnation});
}

std::vector<member_state> sql_storage::members() {
  auto rows = query("SELECT name, incarnation, roles, address, version, started_at, renewed_at, "
                    "status, " + now_ms(dialect_) + " FROM cluster_members ORDER BY name",
                    {});
  std::vector<member_state> out;
  for (auto& r : rows)
    out.push_back({r[0].as_text(), r[1].as_text(), r[2].as_text(), r[3].as_text(),
                   r[4].as_text(), r[5].as_int(), r[6].as_int(), r[7].as_text(), r[8].as_int()});
  return out;
}

void sql_storage::log_deployment(const std::string& node, const std::string& version,
                                 const std::string& event, const std::string& details_json) {
  check_member_field("node", node);
  check_member_field("event", event);
  if (!nlohmann::json::accept(details_json))
    throw storage_error(false, "deployment log: details are not valid JSON");
  auto c = pool_.take();
  c->exec("INSERT INTO deployment_logs (node, version, event, details, ts) VALUES ($1, $2, $3, "
          "$4, " + now_ms(dialect_) + ")",
          {node, version, event, details_json});
}

std::vector<std::vector<std::string>> sql_storage::deployment_log(std::size_t limit) {
  auto rows = query("SELECT node, version, event, details, ts FROM deployment_logs ORDER BY id "
                    "DESC LIMIT $1",
                    {static_cast<std::int64_t>(limit)});
  std::vector<std::vector<std::string>> out;
  for (auto& r : rows)
    out.push_back({r[0].as_text(), r[1].as_text(), r[2].as_text(), r[3].as_text(),
                   std::to_string(r[4].as_int())});
  return out;
}

void sql_storage::write_registry(const std::string& node, const std::vector<registry_row>& rows) {
  check_member_field("node", node);
  for (auto& r : rows) {
    if (r.path.empty())
      throw storage_error(false, "agent registry: a path must not be empty");
    check_member_field("path", r.path);
  }
  auto now = now_ms(dialect_);
  auto c = pool_.take();
  c->begin();
  try {
    c->exec("DELETE FROM agent_registry WHERE node = $1", {node});
    for (auto& r : rows)
      c->exec("INSERT INTO agent_registry (path, node, kind, status, restarts, last_exit_reason, "
              "started_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, " + now + ")",
              {r.path, node, r.kind, r.status, r.restarts, r.last_exit_reason, r.started_at});
    c->commit();
  } catch (...) {
    c->rollback();
    throw;
  }
}

std::vector<registry_row> sql_storage::registry() {
  auto rows = query("SELECT node, path, kind, status, restarts, COALESCE(last_exit_reason, ''), "
                    "COALESCE(started_at, 0), updated_at FROM agent_registry ORDER BY node, path",
                    {});
  std::vector<registry_row> out;
  for (auto& r : rows)
    out.push_back({r[0].as_text(), r[1].as_text(), r[2].as_text(), r[3].as_text(), r[4].as_int(),
                   r[5].as_text(), r[6].as_int(), r[7].as_int()});
  return out;
}

} // namespace herald::db::sql
