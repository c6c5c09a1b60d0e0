// The storage's reads, shared by both backends (the writes and migrations
// are in sql_storage.cpp, the cluster tables in cluster_store.cpp).
#include "db/sql.hpp"

namespace herald::db::sql {

// -- reads ----------------------------------------------------------------------

namespace {

const char* candle_columns
  = "symbol, \"interval\", open_time, \"open\", \"high\", \"low\", \"close\", volume, "
    "close_time, quote_volume, trades, taker_buy_base, taker_buy_quote";

candle to_candle(const row& r) {
  candle c;
  c.symbol = r[0].as_text();
  c.interval = r[1].as_text();
  c.open_time = r[2].as_int();
  c.open = r[3].as_real();
  c.high = r[4].as_real();
  c.low = r[5].as_real();
  c.close = r[6].as_real();
  c.volume = r[7].as_real();
  c.close_time = r[8].as_int();
  c.has_extras = !r[9].is_null();
  if (c.has_extras) {
    c.quote_volume = r[9].as_real();
    c.trades = r[10].as_int();
    c.taker_buy_base = r[11].as_real();
    c.taker_buy_quote = r[12].as_real();
  }
  return c;
}

value limit(std::size_t n) {
  return value{static_cast<std::int64_t>(n)};
}

template <class T, class F>
std::vector<T> map_rows(const std::vector<row>& rows, F f) {
  std::vector<T> out;
  out.reserve(rows.size());
  for (auto& r : rows)
    out.push_back(f(r));
  return out;
}

} // namespace

std::vector<candle> sql_storage::last_candles(const std::string& symbol,
                                              const std::string& interval, std::size_t n) {
  auto rows = query(std::string{"SELECT "} + candle_columns
                      + " FROM market_data WHERE symbol = $1 AND \"interval\" = $2 "
                        "ORDER BY open_time DESC LIMIT $3",
                    {symbol, interval, limit(n)});
  auto out = map_rows<candle>(rows, to_candle);
  std::reverse(out.begin(), out.end());
  return out;
}

std::vector<candle> sql_storage::candles_between(const std::string& symbol,
                                                 const std::string& interval,
                                                 std::int64_t from, std::int64_t to) {
  auto rows = query(std::string{"SELECT "} + candle_columns
                      + " FROM market_data WHERE symbol = $1 AND \"interval\" = $2 "
                        "AND open_time >= $3 AND open_time < $4 ORDER BY open_time",
                    {symbol, interval, from, to});
  return map_rows<candle>(rows, to_candle);
}

std::int64_t sql_storage::count_candles(const std::string& symbol,
                                        const std::string& interval) {
  auto rows = query("SELECT COUNT(*) FROM market_data WHERE symbol = $1 AND \"interval\" = $2",
                    {symbol, interval});
  return rows[0][0].as_int();
}

std::vector<std::pair<std::string, std::string>> sql_storage::candle_series() {
  // A loose index scan: one index probe per series instead of reading every
  // candle (the coordinator asks this every renewal; DISTINCT read millions
  // of rows). Row values work in PostgreSQL and SQLite (>= 3.15) alike.
  const char* next = "(SELECT m.%s FROM market_data m WHERE (m.symbol, m.\"interval\") > "
                     "(s.symbol, s.iv) ORDER BY m.symbol, m.\"interval\" LIMIT 1)";
  auto probe = [&](const char* column) {
    std::string out = next;
    out.replace(out.find("%s"), 2, column);
    return out;
  };
  auto rows = query("WITH RECURSIVE s(symbol, iv) AS (SELECT * FROM (SELECT symbol, "
                    "\"interval\" FROM market_data ORDER BY symbol, \"interval\" LIMIT 1) AS "
                    "first UNION ALL SELECT "
                      + probe("symbol") + ", " + probe("\"interval\"")
                      + " FROM s WHERE s.symbol IS NOT NULL) SELECT symbol, iv FROM s WHERE "
                        "symbol IS NOT NULL",
                    {});
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(rows.size());
  for (auto& r : rows)
    out.emplace_back(r[0].as_text(), r[1].as_text());
  return out;
}

std::vector<signal_record> sql_storage::signals_since(std::int64_t from, std::size_t n) {
  auto rows = query("SELECT id, symbol, \"interval\", open_time, direction, score, confidence, "
                    "payload, created_at_ms FROM signals WHERE open_time >= $1 "
                    "ORDER BY open_time, symbol, \"interval\" LIMIT $2",
                    {from, limit(n)});
  return map_rows<signal_record>(rows, [](const row& r) {
    return signal_record{r[0].as_text(), r[1].as_text(), r[2].as_text(),
                         r[3].as_int(),  r[4].as_text(), r[5].as_real(),
                         r[6].as_real(), r[7].as_text(), r[8].as_int()};
  });
}

std::vector<news_article> sql_storage::news_since(std::int64_t from, std::size_t n) {
  auto rows = query("SELECT id, source, url, title, body, symbols, published_at, sentiment "
                    "FROM news_articles WHERE published_at >= $1 ORDER BY published_at, id "
                    "LIMIT $2",
                    {from, limit(n)});
  return map_rows<news_article>(rows, [](const row& r) {
    return news_article{r[0].as_text(), r[1].as_text(), r[2].as_text(), r[3].as_text(),
                        r[4].as_text(), r[5].as_text(), r[6].as_int(),  r[7].as_real()};
  });
}

std::vector<sentiment_point> sql_storage::sentiment_between(const std::string& symbol,
                                                            std::int64_t from,
                                                            std::int64_t to) {
  auto rows = query("SELECT symbol, source, ts, score, samples FROM sentiment_data WHERE "
                    "symbol = $1 AND ts >= $2 AND ts < $3 ORDER BY ts, source",
                    {symbol, from, to});
  return map_rows<sentiment_point>(rows, [](const row& r) {
    return sentiment_point{r[0].as_text(), r[1].as_text(), r[2].as_int(), r[3].as_real(),
                           r[4].as_int()};
  });
}

std::vector<analysis_result> sql_storage::analysis_for(const std::string& symbol,
                                                       const std::string& interval,
                                                       std::int64_t open_time) {
  auto rows = query("SELECT symbol, \"interval\", open_time, analyzer, score, confidence, "
                    "payload, duration_ns FROM analysis_results WHERE symbol = $1 AND "
                    "\"interval\" = $2 AND open_time = $3 ORDER BY analyzer",
                    {symbol, interval, open_time});
  return map_rows<analysis_result>(rows, [](const row& r) {
    return analysis_result{r[0].as_text(), r[1].as_text(), r[2].as_int(),  r[3].as_text(),
                           r[4].as_real(), r[5].as_real(), r[6].as_text(), r[7].as_int()};
  });
}

std::vector<signal_record> sql_storage::latest_signals(std::size_t n,
                                                       const std::string& symbol) {
  auto rows = query("SELECT id, symbol, \"interval\", open_time, direction, score, confidence, "
                    "payload, created_at_ms FROM signals WHERE ($1 = '' OR symbol = $1) "
                    "ORDER BY created_at_ms DESC, id DESC LIMIT $2",
                    {symbol, limit(n)});
  return map_rows<signal_record>(rows, [](const row& r) {
    return signal_record{r[0].as_text(), r[1].as_text(), r[2].as_text(),
                         r[3].as_int(),  r[4].as_text(), r[5].as_real(),
                         r[6].as_real(), r[7].as_text(), r[8].as_int()};
  });
}

std::optional<insight_record> sql_storage::insight_by_id(const std::string& id) {
  auto rows = query("SELECT id, COALESCE(signal_id, ''), symbol, kind, title, body, importance, "
                    "payload, created_at_ms FROM insights WHERE id = $1",
                    {id});
  if (rows.empty())
    return std::nullopt;
  auto& r = rows[0];
  return insight_record{r[0].as_text(), r[1].as_text(), r[2].as_text(),
                        r[3].as_text(), r[4].as_text(), r[5].as_text(),
                        r[6].as_real(), r[7].as_text(), r[8].as_int()};
}

std::vector<content_plan> sql_storage::plans_of_kind(const std::string& kind,
                                                     const std::string& state, std::int64_t from,
                                                     std::size_t n) {
  auto rows = query("SELECT id, COALESCE(insight_id, ''), kind, channel, state, scheduled_at, "
                    "payload, updated_at_ms FROM content_plans WHERE kind = $1 AND ($2 = '' OR "
                    "state = $2) AND scheduled_at >= $3 ORDER BY scheduled_at, id LIMIT $4",
                    {kind, state, from, limit(n)});
  return map_rows<content_plan>(rows, [](const row& r) {
    return content_plan{r[0].as_text(), r[1].as_text(), r[2].as_text(), r[3].as_text(),
                        r[4].as_text(), r[5].as_int(),  r[6].as_text(), r[7].as_int()};
  });
}

std::vector<insight_record> sql_storage::latest_insights(std::size_t n) {
  auto rows = query("SELECT id, COALESCE(signal_id, ''), symbol, kind, title, body, importance, "
                    "payload, created_at_ms FROM insights ORDER BY created_at_ms DESC, id DESC "
                    "LIMIT $1",
                    {limit(n)});
  return map_rows<insight_record>(rows, [](const row& r) {
    return insight_record{r[0].as_text(), r[1].as_text(), r[2].as_text(),
                          r[3].as_text(), r[4].as_text(), r[5].as_text(),
                          r[6].as_real(), r[7].as_text(), r[8].as_int()};
  });
}

std::vector<content_plan> sql_storage::content_by_state(const std::string& state,
                                                        std::size_t n) {
  auto rows = query("SELECT id, COALESCE(insight_id, ''), kind, channel, state, scheduled_at, "
                    "payload, updated_at_ms FROM content_plans WHERE state = $1 "
                    "ORDER BY scheduled_at, id LIMIT $2",
                    {state, limit(n)});
  return map_rows<content_plan>(rows, [](const row& r) {
    return content_plan{r[0].as_text(), r[1].as_text(), r[2].as_text(), r[3].as_text(),
                        r[4].as_text(), r[5].as_int(),  r[6].as_text(), r[7].as_int()};
  });
}

std::optional<content_plan> sql_storage::content_plan_by_id(const std::string& id) {
  auto rows = query("SELECT id, COALESCE(insight_id, ''), kind, channel, state, scheduled_at, "
                    "payload, updated_at_ms FROM content_plans WHERE id = $1",
                    {id});
  auto plans = map_rows<content_plan>(rows, [](const row& r) {
    return content_plan{r[0].as_text(), r[1].as_text(), r[2].as_text(), r[3].as_text(),
                        r[4].as_text(), r[5].as_int(),  r[6].as_text(), r[7].as_int()};
  });
  if (plans.empty())
    return std::nullopt;
  return plans.front();
}

std::vector<published_post> sql_storage::published_on(const std::string& channel,
                                                      std::size_t n) {
  auto rows = query("SELECT id, COALESCE(plan_id, ''), channel, channel_message_id, url, body, "
                    "metrics, published_at FROM published_content WHERE channel = $1 "
                    "ORDER BY published_at DESC, id DESC LIMIT $2",
                    {channel, limit(n)});
  return map_rows<published_post>(rows, [](const row& r) {
    return published_post{r[0].as_text(), r[1].as_text(), r[2].as_text(), r[3].as_text(),
                          r[4].as_text(), r[5].as_text(), r[6].as_text(), r[7].as_int()};
  });
}

std::vector<agent_log> sql_storage::agent_logs_of(const std::string& agent, std::size_t n) {
  auto rows = query("SELECT id, agent, level, message, payload, ts FROM agent_logs WHERE "
                    "agent = $1 ORDER BY ts DESC, id DESC LIMIT $2",
                    {agent, limit(n)});
  return map_rows<agent_log>(rows, [](const row& r) {
    return agent_log{r[0].as_text(), r[1].as_text(), r[2].as_text(),
                     r[3].as_text(), r[4].as_text(), r[5].as_int()};
  });
}

std::vector<audit_entry> sql_storage::audit_log(std::size_t n) {
  auto rows = query("SELECT actor, action, target, outcome, details, ts FROM security_audit_logs "
                    "ORDER BY ts DESC, id DESC LIMIT $1",
                    {limit(n)});
  return map_rows<audit_entry>(rows, [](const row& r) {
    return audit_entry{r[0].as_text(), r[1].as_text(), r[2].as_text(),
                       r[3].as_text(), r[4].as_text(), r[5].as_int()};
  });
}

std::optional<ab_test> sql_storage::experiment(const std::string& test_id) {
  auto rows = query("SELECT id, name, status, started_at FROM ab_tests WHERE id = $1",
                    {test_id});
  if (rows.empty())
    return std::nullopt;
  auto& r = rows[0];
  return ab_test{r[0].as_text(), r[1].as_text(), r[2].as_text(), r[3].as_int()};
}

std::vector<ab_variant> sql_storage::experiment_variants(const std::string& test_id) {
  auto rows = query("SELECT test_id, variant, content, impressions, conversions FROM "
                    "ab_test_variants WHERE test_id = $1 ORDER BY variant",
                    {test_id});
  return map_rows<ab_variant>(rows, [](const row& r) {
    return ab_variant{r[0].as_text(), r[1].as_text(), r[2].as_text(), r[3].as_int(),
                      r[4].as_int()};
  });
}

} // namespace herald::db::sql
