// The analytics agent's tables (issue 18): metrics snapshots written once
// per piece and offset, page views per page and hour, and reaction counts
// per message as last seen.
#include "db/sql.hpp"

#include <nlohmann/json.hpp>

namespace herald::db::sql {

namespace {

constexpr const char* snapshot_columns =
  "post_id, channel, offset_ms, due_at, taken_at, status, impressions, engagements, rate, "
  "formula, counts, kind, variant, symbol, hour, published_at";

metric_snapshot snapshot_of(const row& r) {
  metric_snapshot m;
  m.post_id = r[0].as_text();
  m.channel = r[1].as_text();
  m.offset_ms = r[2].as_int();
  m.due_at = r[3].as_int();
  m.taken_at = r[4].as_int();
  m.status = r[5].as_text();
  m.impressions = r[6].is_null() ? -1 : r[6].as_int();
  m.engagements = r[7].as_int();
  m.rate = r[8].is_null() ? -1 : r[8].as_real();
  m.formula = r[9].as_text();
  m.counts_json = r[10].as_text();
  m.kind = r[11].as_text();
  m.variant = r[12].as_text();
  m.symbol = r[13].as_text();
  m.hour = r[14].as_int();
  m.published_at = r[15].as_int();
  return m;
}

void check_key(const std::string& what, const std::string& v) {
  if (v.empty() || v.size() > max_key_bytes)
    throw storage_error(false, what + " is empty or over " + std::to_string(max_key_bytes)
                                 + " bytes");
}

} // namespace

std::vector<published_post> sql_storage::published_since(std::int64_t from, std::size_t n) {
  auto rows = query("SELECT id, COALESCE(plan_id, ''), channel, channel_message_id, url, body, "
                    "metrics, published_at FROM published_content WHERE published_at >= $1 "
                    "ORDER BY published_at, id, channel LIMIT $2",
                    {from, static_cast<std::int64_t>(n)});
  std::vector<published_post> out;
  for (auto& r : rows)
    out.push_back(published_post{r[0].as_text(), r[1].as_text(), r[2].as_text(), r[3].as_text(),
                                 r[4].as_text(), r[5].as_text(), r[6].as_text(), r[7].as_int()});
  return out;
}

bool sql_storage::write_snapshot(const metric_snapshot& m) {
  check_key("post_metrics.post_id", m.post_id);
  check_key("post_metrics.channel", m.channel);
  if (!nlohmann::json::accept(m.counts_json))
    throw storage_error(false, "post_metrics " + m.post_id.substr(0, 80)
                                 + ": counts are not valid JSON");
  auto rows = query(std::string{"INSERT INTO post_metrics ("} + snapshot_columns
                      + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
                        "$15, $16) ON CONFLICT (post_id, channel, offset_ms) DO NOTHING "
                        "RETURNING post_id",
                    {m.post_id, m.channel, m.offset_ms, m.due_at, m.taken_at, m.status,
                     m.impressions < 0 ? value::null() : value{m.impressions}, m.engagements,
                     m.rate < 0 ? value::null() : value{m.rate}, m.formula, m.counts_json, m.kind,
                     m.variant, m.symbol, m.hour, m.published_at});
  return !rows.empty();
}

std::vector<metric_snapshot> sql_storage::snapshots_between(std::int64_t from, std::int64_t to) {
  auto rows = query(std::string{"SELECT "} + snapshot_columns
                      + " FROM post_metrics WHERE published_at >= $1 AND published_at < $2 "
                        "ORDER BY published_at, post_id, channel, offset_ms",
                    {from, to});
  std::vector<metric_snapshot> out;
  out.reserve(rows.size());
  for (auto& r : rows)
    out.push_back(snapshot_of(r));
  return out;
}

void sql_storage::add_page_views(const std::string& page, std::int64_t hour_ms, std::int64_t n) {
  check_key("page_views.page", page);
  query("INSERT INTO page_views (page, hour, views) VALUES ($1, $2, $3) ON CONFLICT (page, hour) "
        "DO UPDATE SET views = page_views.views + excluded.views RETURNING views",
        {page, hour_ms, n});
}

std::int64_t sql_storage::page_views(const std::string& page) {
  auto rows = query("SELECT COALESCE(SUM(views), 0) FROM page_views WHERE page = $1", {page});
  return rows.empty() || rows[0][0].is_null() ? 0 : rows[0][0].as_int();
}

void sql_storage::store_reactions(const std::string& platform, const std::string& chat_id,
                                  const std::string& message_id, std::int64_t total,
                                  const std::string& counts_json, std::int64_t at) {
  check_key("message_reactions.platform", platform);
  check_key("message_reactions.chat_id", chat_id);
  check_key("message_reactions.message_id", message_id);
  if (!nlohmann::json::accept(counts_json))
    throw storage_error(false, "message_reactions: counts are not valid JSON");
  // An older update (redelivered) never replaces a newer count.
  query("INSERT INTO message_reactions (platform, chat_id, message_id, total, counts, "
        "updated_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (platform, chat_id, message_id) "
        "DO UPDATE SET total = excluded.total, counts = excluded.counts, updated_at = "
        "excluded.updated_at WHERE excluded.updated_at >= message_reactions.updated_at "
        "RETURNING total",
        {platform, chat_id, message_id, total, counts_json, at});
}

std::optional<std::pair<std::int64_t, std::string>>
sql_storage::reactions_of(const std::string& platform, const std::string& chat_id,
                          const std::string& message_id) {
  auto rows = query("SELECT total, counts FROM message_reactions WHERE platform = $1 AND "
                    "chat_id = $2 AND message_id = $3",
                    {platform, chat_id, message_id});
  if (rows.empty())
    return std::nullopt;
  return std::make_pair(rows[0][0].as_int(), rows[0][1].as_text());
}

} // namespace herald::db::sql
