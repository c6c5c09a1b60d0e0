#include "db/sql.hpp"

#include <nlohmann/json.hpp>

#include "db/migrations.hpp"

namespace herald::db {

// -- storage (backend independent) ------------------------------------------------

std::vector<variant_stats> storage::experiment_stats(const std::string& test_id) {
  std::vector<variant_stats> out;
  for (auto& v : experiment_variants(test_id)) {
    variant_stats s;
    s.variant = v.variant;
    s.impressions = v.impressions;
    s.conversions = v.conversions;
    s.conversion_rate = v.impressions > 0 ? static_cast<double>(v.conversions)
                                              / static_cast<double>(v.impressions)
                                          : 0.0;
    out.push_back(std::move(s));
  }
  return out;
}

namespace {

std::string check_json(const std::string& what, std::size_t index, const std::string& field,
                       const std::string& text) {
  if (!nlohmann::json::accept(text))
    return what + " #" + std::to_string(index) + ": field '" + field + "' is not valid JSON";
  return {};
}

/// Keys and indexed columns are bounded (PostgreSQL's btree rows are < 8 KB).
std::string check_indexed(const std::string& what, std::size_t index, const std::string& field,
                          const std::string& text) {
  if (text.size() > max_key_bytes)
    return what + " #" + std::to_string(index) + ": field '" + field + "' is "
           + std::to_string(text.size()) + " bytes; keys and indexed fields are limited to "
           + std::to_string(max_key_bytes);
  return {};
}

std::string check_key(const std::string& what, std::size_t index, const std::string& field,
                      const std::string& text) {
  if (text.empty())
    return what + " #" + std::to_string(index) + ": key field '" + field + "' is empty";
  return check_indexed(what, index, field, text);
}

} // namespace

std::string validate(const write_batch& b) {
  std::string err;
  auto fail = [&](std::string e) {
    if (err.empty())
      err = std::move(e);
  };
  for (std::size_t i = 0; i < b.candles.size(); ++i) {
    fail(check_key("candle", i, "symbol", b.candles[i].symbol));
    fail(check_key("candle", i, "interval", b.candles[i].interval));
  }
  for (std::size_t i = 0; i < b.news.size(); ++i) {
    fail(check_key("news_article", i, "id", b.news[i].id));
    fail(check_json("news_article", i, "symbols_json", b.news[i].symbols_json));
  }
  for (std::size_t i = 0; i < b.sentiment.size(); ++i) {
    fail(check_key("sentiment_point", i, "symbol", b.sentiment[i].symbol));
    fail(check_indexed("sentiment_point", i, "source", b.sentiment[i].source));
  }
  for (std::size_t i = 0; i < b.analysis.size(); ++i) {
    fail(check_key("analysis_result", i, "symbol", b.analysis[i].symbol));
    fail(check_indexed("analysis_result", i, "interval", b.analysis[i].interval));
    fail(check_key("analysis_result", i, "analyzer", b.analysis[i].analyzer));
    fail(check_json("analysis_result", i, "payload_json", b.analysis[i].payload_json));
  }
  for (std::size_t i = 0; i < b.signals.size(); ++i) {
    fail(check_key("signal_record", i, "id", b.signals[i].id));
    fail(check_indexed("signal_record", i, "symbol", b.signals[i].symbol));
    fail(check_json("signal_record", i, "payload_json", b.signals[i].payload_json));
  }
  for (std::size_t i = 0; i < b.insights.size(); ++i) {
    fail(check_key("insight_record", i, "id", b.insights[i].id));
    fail(check_indexed("insight_record", i, "signal_id", b.insights[i].signal_id));
    fail(check_json("insight_record", i, "payload_json", b.insights[i].payload_json));
  }
  for (std::size_t i = 0; i < b.plans.size(); ++i) {
    fail(check_key("content_plan", i, "id", b.plans[i].id));
    fail(check_indexed("content_plan", i, "insight_id", b.plans[i].insight_id));
    fail(check_indexed("content_plan", i, "state", b.plans[i].state));
    fail(check_json("content_plan", i, "payload_json", b.plans[i].payload_json));
  }
  for (std::size_t i = 0; i < b.posts.size(); ++i) {
    fail(check_key("published_post", i, "id", b.posts[i].id));
    fail(check_key("published_post", i, "channel", b.posts[i].channel));
    fail(check_indexed("published_post", i, "plan_id", b.posts[i].plan_id));
    fail(check_json("published_post", i, "metrics_json", b.posts[i].metrics_json));
  }
  for (std::size_t i = 0; i < b.logs.size(); ++i) {
    fail(check_key("agent_log", i, "id", b.logs[i].id));
    fail(check_indexed("agent_log", i, "agent", b.logs[i].agent));
    fail(check_json("agent_log", i, "payload_json", b.logs[i].payload_json));
  }
  for (std::size_t i = 0; i < b.ab_tests.size(); ++i)
    fail(check_key("ab_test", i, "id", b.ab_tests[i].id));
  for (std::size_t i = 0; i < b.ab_variants.size(); ++i) {
    fail(check_key("ab_variant", i, "test_id", b.ab_variants[i].test_id));
    fail(check_key("ab_variant", i, "variant", b.ab_variants[i].variant));
  }
  return err;
}

namespace sql {

// -- value ----------------------------------------------------------------------

std::int64_t value::as_int() const {
  switch (t) {
    case type::integer: return i;
    case type::real: return static_cast<std::int64_t>(d);
    case type::text: return std::stoll(s);
    default: return 0;
  }
}

double value::as_real() const {
  switch (t) {
    case type::integer: return static_cast<double>(i);
    case type::real: return d;
    case type::text: return std::stod(s);
    default: return 0;
  }
}

const std::string& value::as_text() const {
  static const std::string empty;
  return t == type::text ? s : empty;
}

// -- pool -----------------------------------------------------------------------

pool::lease pool::take() {
  std::unique_lock<std::mutex> lock{mtx_};
  cv_.wait(lock, [this] { return !idle_.empty() || out_ < size_; });
  ++out_;
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return lease{*this, std::move(c)};
  }
  lock.unlock();
  try {
    return lease{*this, make_()};
  } catch (...) {
    std::lock_guard<std::mutex> guard{mtx_};
    --out_;
    cv_.notify_one();
    throw;
  }
}

void pool::give_back(std::unique_ptr<connection> c) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    --out_;
    if (c->usable())
      idle_.push_back(std::move(c));
  }
  cv_.notify_one();
}

// -- sql_storage ----------------------------------------------------------------

sql_storage::sql_storage(dialect d, std::string location, std::size_t pool_size,
                         pool::factory make)
  : dialect_(d), location_(std::move(location)), pool_(pool_size, std::move(make)) {
}

const char* sql_storage::backend() const {
  return dialect_ == dialect::sqlite ? "sqlite" : "postgresql";
}

std::vector<row> sql_storage::query(const std::string& sql, const params& ps) {
  auto c = pool_.take();
  return c->query(sql, ps);
}

namespace {

const char* version_sql = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";

const char* create_migrations_table
  = "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
    "name TEXT NOT NULL, applied_at TEXT NOT NULL)";

/// Runs `body` in a transaction on `c`, rolling back on any exception.
template <class F>
void in_transaction(connection& c, F&& body) {
  c.begin();
  try {
    body();
    c.commit();
  } catch (...) {
    c.rollback();
    throw;
  }
}

std::string utc_now() {
  auto t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string too_new(int db, int binary) {
  return "the database schema is version " + std::to_string(db)
         + ", newer than this herald binary knows (" + std::to_string(binary)
         + "): upgrade herald before using this database";
}

} // namespace

int sql_storage::schema_version() {
  auto c = pool_.take();
  if (!c->has_table("schema_migrations"))
    return 0;
  auto rows = c->query(version_sql, {});
  return rows.empty() ? 0 : static_cast<int>(rows[0][0].as_int());
}

migrate_report sql_storage::migrate() {
  migrate_report report;
  auto c = pool_.take();
  // Under the migration lock: nodes of a cluster start together, and two
  // concurrent CREATE TABLE IF NOT EXISTS collide in PostgreSQL's catalog.
  in_transaction(*c, [&] {
    c->lock_for_migration();
    c->exec_script(create_migrations_table);
  });
  report.from_version = -1;
  for (auto& m : migrations()) {
    bool applied = false;
    in_transaction(*c, [&] {
      c->lock_for_migration();
      auto current = static_cast<int>(c->query(version_sql, {})[0][0].as_int());
      if (report.from_version < 0)
        report.from_version = current;
      if (current > latest_schema_version())
        throw storage_error(false, too_new(current, latest_schema_version()));
      if (current >= m.version)
        return; // applied already (perhaps by another node meanwhile)
      c->exec_script(dialect_ == dialect::sqlite ? m.sqlite_sql : m.postgresql_sql);
      c->exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
              {value{std::int64_t{m.version}}, value{m.name}, value{utc_now()}});
      applied = true;
    });
    if (applied) {
      char buf[16];
      std::snprintf(buf, sizeof(buf), "%04d_", m.version);
      report.applied.push_back(buf + m.name);
    }
  }
  if (report.from_version < 0) {
    report.from_version = static_cast<int>(c->query(version_sql, {})[0][0].as_int());
    if (report.from_version > latest_schema_version())
      throw storage_error(false, too_new(report.from_version, latest_schema_version()));
  }
  report.to_version = static_cast<int>(c->query(version_sql, {})[0][0].as_int());
  return report;
}

// -- writes ---------------------------------------------------------------------

void sql_storage::write(const write_batch& b) { write_checked(b, nullptr); }

void sql_storage::write_fenced(const write_batch& b, const lease_fence& f) {
  write_checked(b, &f);
}

void sql_storage::write_checked(const write_batch& b, const lease_fence* f) {
  if (b.empty())
    return;
  auto c = pool_.take();
  // Parents before children (foreign keys): signals, insights, plans, posts;
  // tests before their variants.
  in_transaction(*c, [&] {
    if (f) {
      // FOR SHARE: a concurrent take of the lease (an UPDATE) waits for this
      // commit, so the write lands before any new holder's (SQLite
      // serializes writers anyway).
      auto ok = c->query("SELECT 1 FROM cluster_leases WHERE name = $1 AND holder = $2 AND "
                         "epoch = $3 AND expires_at > "
                           + now_ms_sql(dialect_)
                           + (dialect_ == dialect::postgresql ? " FOR SHARE" : ""),
                         {f->lease, f->holder, f->epoch});
      if (ok.empty())
        throw fenced_error("fenced: lease '" + f->lease + "' is no longer held by '" + f->holder
                           + "' at epoch " + std::to_string(f->epoch) + "; nothing written");
    }
    if (!b.candles.empty())
      c->insert_candles(b.candles);
    for (auto& x : b.news)
      c->exec("INSERT INTO news_articles (id, source, url, title, body, symbols, published_at, "
              "sentiment) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING",
              {x.id, x.source, x.url, x.title, x.body, x.symbols_json, x.published_at,
               x.sentiment});
    for (auto& x : b.sentiment)
      c->exec("INSERT INTO sentiment_data (symbol, source, ts, score, samples) VALUES ($1, $2, "
              "$3, $4, $5) ON CONFLICT (symbol, source, ts) DO UPDATE SET score = "
              "excluded.score, samples = excluded.samples",
              {x.symbol, x.source, x.ts, x.score, x.samples});
    for (auto& x : b.analysis)
      c->exec("INSERT INTO analysis_results (symbol, \"interval\", open_time, analyzer, score, "
              "confidence, payload, duration_ns) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
              "ON CONFLICT (symbol, \"interval\", open_time, analyzer) DO UPDATE SET score = "
              "excluded.score, confidence = excluded.confidence, payload = excluded.payload, "
              "duration_ns = excluded.duration_ns",
              {x.symbol, x.interval, x.open_time, x.analyzer, x.score, x.confidence,
               x.payload_json, x.duration_ns});
    for (auto& x : b.signals)
      c->exec("INSERT INTO signals (id, symbol, \"interval\", open_time, direction, score, "
              "confidence, payload, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
              "ON CONFLICT (id) DO NOTHING",
              {x.id, x.symbol, x.interval, x.open_time, x.direction, x.score, x.confidence,
               x.payload_json, x.created_at});
    for (auto& x : b.insights)
      c->exec("INSERT INTO insights (id, signal_id, symbol, kind, title, body, importance, "
              "payload, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
              "ON CONFLICT (id) DO NOTHING",
              {x.id, value::text_or_null(x.signal_id), x.symbol, x.kind, x.title, x.body,
               x.importance, x.payload_json, x.created_at});
    // A plan's newer state replaces an older one; a late, older write does not
    // roll it back.
    for (auto& x : b.plans)
      c->exec("INSERT INTO content_plans (id, insight_id, kind, channel, state, scheduled_at, "
              "payload, updated_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
              "ON CONFLICT (id) DO UPDATE SET insight_id = excluded.insight_id, kind = "
              "excluded.kind, channel = excluded.channel, state = excluded.state, "
              "scheduled_at = excluded.scheduled_at, payload = excluded.payload, "
              "updated_at_ms = excluded.updated_at_ms "
              "WHERE excluded.updated_at_ms >= content_plans.updated_at_ms",
              {x.id, value::text_or_null(x.insight_id), x.kind, x.channel, x.state,
               x.scheduled_at, x.payload_json, x.updated_at});
    // The same post on the same channel is stored once; its metrics update.
    for (auto& x : b.posts)
      c->exec("INSERT INTO published_content (id, channel, plan_id, channel_message_id, url, "
              "body, metrics, published_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
              "ON CONFLICT (id, channel) DO UPDATE SET metrics = excluded.metrics",
              {x.id, x.channel, value::text_or_null(x.plan_id), x.channel_message_id, x.url,
               x.body, x.metrics_json, x.published_at});
    for (auto& x : b.logs)
      c->exec("INSERT INTO agent_logs (id, agent, level, message, payload, ts) VALUES ($1, $2, "
              "$3, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
              {x.id, x.agent, x.level, x.message, x.payload_json, x.ts});
    for (auto& x : b.ab_tests)
      c->exec("INSERT INTO ab_tests (id, name, status, started_at) VALUES ($1, $2, $3, $4) "
              "ON CONFLICT (id) DO UPDATE SET name = excluded.name, status = excluded.status",
              {x.id, x.name, x.status, x.started_at});
    for (auto& x : b.ab_variants)
      c->exec("INSERT INTO ab_test_variants (test_id, variant, content, impressions, "
              "conversions) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (test_id, variant) DO "
              "UPDATE SET content = excluded.content, impressions = excluded.impressions, "
              "conversions = excluded.conversions",
              {x.test_id, x.variant, x.content, x.impressions, x.conversions});
  });
}

void sql_storage::write_audit(const audit_entry& e) {
  for (auto err : {check_indexed("audit_entry", 0, "actor", e.actor),
                   check_indexed("audit_entry", 0, "action", e.action),
                   check_indexed("audit_entry", 0, "target", e.target),
                   check_json("audit_entry", 0, "details_json", e.details_json)})
    if (!err.empty())
      throw storage_error(false, err);
  auto c = pool_.take();
  in_transaction(*c, [&] {
    c->exec("INSERT INTO security_audit_logs (actor, action, target, outcome, details, ts) "
            "VALUES ($1, $2, $3, $4, $5, $6)",
            {e.actor, e.action, e.target, e.outcome, e.details_json, e.ts});
  });
}

} // namespace sql
} // namespace herald::db
