// The community agents' tables (issue 18): inbound interactions stored once
// with their authors, and the listeners' cursors moved in the same
// transaction, so that a listener killed at any moment reads nothing twice
// and skips nothing.
#include "db/sql.hpp"

#include <nlohmann/json.hpp>

namespace herald::db::sql {

std::string now_ms_sql(dialect d);

namespace {

/// Validates a record before the transaction: the same limits as the batch
/// writer (keys bounded, metadata JSON).
void check(const interaction_record& r, std::size_t i) {
  auto where = "interaction #" + std::to_string(i);
  if (r.id.empty() || r.platform.empty() || r.author_id.empty())
    throw storage_error(false, where + ": id, platform and author_id are required");
  for (auto* f : {&r.id, &r.author_id, &r.author_handle, &r.platform})
    if (f->size() > max_key_bytes)
      throw storage_error(false, where + ": a key field is over " + std::to_string(max_key_bytes)
                                   + " bytes");
  if (!nlohmann::json::accept(r.metadata_json))
    throw storage_error(false, where + ": metadata is not valid JSON");
}

} // namespace

std::size_t sql_storage::store_inbound(const std::string& source,
                                       const std::vector<interaction_record>& items,
                                       const std::string& cursor) {
  if (source.empty() || source.size() > max_key_bytes)
    throw storage_error(false, "store_inbound: the source name is empty or too long");
  for (std::size_t i = 0; i < items.size(); ++i)
    check(items[i], i);
  auto c = pool_.take();
  std::size_t fresh = 0;
  c->begin();
  try {
    for (auto& r : items) {
      if (!c->query("SELECT 1 FROM user_interactions WHERE id = $1", {r.id}).empty())
        continue;
      auto user = c->query(
        "INSERT INTO community_users (platform, external_id, handle, display_name, first_seen, "
        "last_seen, is_bot, messages) VALUES ($1, $2, $3, $4, $5, $5, $6, 1) ON CONFLICT "
        "(platform, external_id) DO UPDATE SET handle = CASE WHEN excluded.handle = '' THEN "
        "community_users.handle ELSE excluded.handle END, display_name = CASE WHEN "
        "excluded.display_name = '' THEN community_users.display_name ELSE excluded.display_name "
        "END, last_seen = CASE WHEN excluded.last_seen > community_users.last_seen THEN "
        "excluded.last_seen ELSE community_users.last_seen END, first_seen = CASE WHEN "
        "excluded.first_seen < community_users.first_seen THEN excluded.first_seen ELSE "
        "community_users.first_seen END, is_bot = excluded.is_bot, messages = "
        "community_users.messages + 1 RETURNING id",
        {r.platform, r.author_id, r.author_handle, r.author_name, r.ts,
         std::int64_t{r.author_is_bot ? 1 : 0}});
      if (user.empty())
        throw storage_error(true, "community_users: no id returned for " + r.author_id);
      c->exec("INSERT INTO user_interactions (id, user_id, channel, kind, content_id, \"text\", ts, "
              "metadata) VALUES ($1, $2, $3, $4, NULL, $5, $6, $7)",
              {r.id, user[0][0].as_int(), r.platform, r.kind, r.text, r.ts, r.metadata_json});
      ++fresh;
    }
    if (!cursor.empty())
      c->exec("INSERT INTO community_cursors (source, cursor, updated_at) VALUES ($1, $2, "
                + now_ms_sql(dialect_)
                + ") ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor, updated_at = "
                  "excluded.updated_at",
              {source, cursor});
    c->commit();
  } catch (...) {
    c->rollback();
    throw;
  }
  return fresh;
}

std::string sql_storage::inbound_cursor(const std::string& source) {
  auto rows = query("SELECT cursor FROM community_cursors WHERE source = $1", {source});
  return rows.empty() ? std::string{} : rows[0][0].as_text();
}

std::vector<stored_interaction> sql_storage::interactions_since(const std::string& platform,
                                                                std::int64_t from,
                                                                std::size_t limit) {
  auto rows = query(
    "SELECT i.id, i.channel, u.external_id, u.handle, u.display_name, u.is_bot, i.kind, "
    "i.\"text\", i.ts, i.metadata, u.id FROM user_interactions i JOIN community_users u ON "
    "u.id = i.user_id WHERE ($1 = '' OR i.channel = $1) AND i.ts >= $2 ORDER BY i.ts, i.id "
    "LIMIT $3",
    {platform, from, static_cast<std::int64_t>(limit)});
  std::vector<stored_interaction> out;
  for (auto& r : rows) {
    stored_interaction s;
    s.rec.id = r[0].as_text();
    s.rec.platform = r[1].as_text();
    s.rec.author_id = r[2].as_text();
    s.rec.author_handle = r[3].as_text();
    s.rec.author_name = r[4].as_text();
    s.rec.author_is_bot = r[5].as_int() != 0;
    s.rec.kind = r[6].as_text();
    s.rec.text = r[7].as_text();
    s.rec.ts = r[8].as_int();
    s.rec.metadata_json = r[9].as_text();
    s.user_id = r[10].as_int();
    out.push_back(std::move(s));
  }
  return out;
}

std::optional<community_user> sql_storage::find_user(const std::string& platform,
                                                     const std::string& external_id) {
  auto rows = query("SELECT id, platform, external_id, handle, display_name, is_bot, first_seen, "
                    "last_seen, messages, replies_sent FROM community_users WHERE platform = $1 "
                    "AND external_id = $2",
                    {platform, external_id});
  if (rows.empty())
    return std::nullopt;
  auto& r = rows[0];
  community_user u;
  u.id = r[0].as_int();
  u.platform = r[1].as_text();
  u.external_id = r[2].as_text();
  u.handle = r[3].as_text();
  u.display_name = r[4].as_text();
  u.is_bot = r[5].as_int() != 0;
  u.first_seen = r[6].as_int();
  u.last_seen = r[7].as_int();
  u.messages = r[8].as_int();
  u.replies_sent = r[9].as_int();
  return u;
}

namespace {

const char* reply_columns = "id, platform, conversation_id, in_reply_to, author_id, intent, "
                            "state, rule, \"text\", remote_id, error, attempts, retry_at, created_at, updated_at";

reply_row reply_of(const row& r) {
  reply_row x;
  x.id = r[0].as_text();
  x.platform = r[1].as_text();
  x.conversation_id = r[2].as_text();
  x.in_reply_to = r[3].as_text();
  x.author_id = r[4].as_text();
  x.intent = r[5].as_text();
  x.state = r[6].as_text();
  x.rule = r[7].as_text();
  x.text = r[8].as_text();
  x.remote_id = r[9].as_text();
  x.error = r[10].as_text();
  x.attempts = r[11].as_int();
  x.retry_at = r[12].as_int();
  x.created_at = r[13].as_int();
  x.updated_at = r[14].as_int();
  return x;
}

void check_reply(const reply_row& r) {
  if (r.id.empty() || r.platform.empty() || r.state.empty())
    throw storage_error(false, "community_replies: id, platform and state are required");
  for (auto* f : {&r.id, &r.conversation_id, &r.in_reply_to, &r.author_id})
    if (f->size() > max_key_bytes)
      throw storage_error(false, "community_replies " + r.id.substr(0, 80)
                                   + ": a key field is over " + std::to_string(max_key_bytes)
                                   + " bytes");
}

} // namespace

bool sql_storage::insert_reply(const reply_row& r) {
  check_reply(r);
  auto rows = query(std::string{"INSERT INTO community_replies ("} + reply_columns
                      + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) "
                        "ON CONFLICT (id) DO NOTHING RETURNING id",
                    {r.id, r.platform, r.conversation_id, r.in_reply_to, r.author_id, r.intent,
                     r.state, r.rule, r.text, r.remote_id, r.error, r.attempts, r.retry_at,
                     r.created_at, r.updated_at});
  return !rows.empty();
}

bool sql_storage::update_reply(const reply_row& r, const std::string& from) {
  check_reply(r);
  auto rows = query("UPDATE community_replies SET state = $1, \"text\" = $2, remote_id = $3, "
                    "error = $4, updated_at = $5, attempts = $6, retry_at = $7 WHERE id = $8 AND "
                    "state = $9 RETURNING id",
                    {r.state, r.text, r.remote_id, r.error, r.updated_at, r.attempts, r.retry_at,
                     r.id, from});
  if (!rows.empty() && r.state == "sent")
    query("UPDATE community_users SET replies_sent = replies_sent + 1 WHERE platform = $1 AND "
          "external_id = $2 RETURNING id",
          {r.platform, r.author_id});
  return !rows.empty();
}

std::optional<reply_row> sql_storage::find_reply(const std::string& id) {
  auto rows = query(std::string{"SELECT "} + reply_columns + " FROM community_replies WHERE id = $1",
                    {id});
  if (rows.empty())
    return std::nullopt;
  return reply_of(rows[0]);
}

std::vector<reply_row> sql_storage::replies(const std::string& state, std::int64_t from,
                                            std::size_t limit) {
  auto rows = query(std::string{"SELECT "} + reply_columns
                      + " FROM community_replies WHERE ($1 = '' OR state = $1) AND created_at >= $2 "
                        "ORDER BY created_at, id LIMIT $3",
                    {state, from, static_cast<std::int64_t>(limit)});
  std::vector<reply_row> out;
  for (auto& r : rows)
    out.push_back(reply_of(r));
  return out;
}

} // namespace herald::db::sql
