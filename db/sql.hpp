#pragma once
// Internal to db/: the small SQL connection interface both backends
// implement, the connection pool, and the storage implementation shared by
// both (the statements are the same text: both dialects take $1..$N
// placeholders and ON CONFLICT clauses).

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "db/storage.hpp"

namespace herald::db::sql {

/// A parameter or result cell.
struct value {
  enum class type { null, integer, real, text } t = type::null;
  std::int64_t i = 0;
  double d = 0;
  std::string s;

  static value null() { return {}; }
  value() = default;
  value(std::int64_t x) : t(type::integer), i(x) {}
  value(double x) : t(type::real), d(x) {}
  value(std::string x) : t(type::text), s(std::move(x)) {}
  /// Empty string -> NULL (optional references).
  static value text_or_null(const std::string& x) { return x.empty() ? value{} : value{x}; }

  bool is_null() const { return t == type::null; }
  std::int64_t as_int() const;
  double as_real() const;
  const std::string& as_text() const;
};

using row = std::vector<value>;
using params = std::vector<value>;

enum class dialect { sqlite, postgresql };

class connection {
public:
  virtual ~connection() = default;
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;
  /// Runs a script of statements without parameters.
  virtual void exec_script(const std::string& sql) = 0;
  /// Runs one statement (prepared once per connection and cached).
  virtual void exec(const std::string& sql, const params& ps) = 0;
  virtual std::vector<row> query(const std::string& sql, const params& ps) = 0;
  /// Inserts candles (ignoring existing keys) inside the open transaction.
  virtual void insert_candles(const std::vector<candle>& cs) = 0;
  /// Serialises concurrent migrations (inside the open transaction).
  virtual void lock_for_migration() = 0;
  /// Whether the table exists.
  virtual bool has_table(const std::string& name) = 0;
  /// False after a connection failure: the pool then discards it.
  virtual bool usable() const = 0;
};

/// A bounded pool of connections, created on demand.
class pool {
public:
  using factory = std::function<std::unique_ptr<connection>()>;
  pool(std::size_t size, factory make) : size_(size == 0 ? 1 : size), make_(std::move(make)) {}

  class lease {
  public:
    lease(pool& p, std::unique_ptr<connection> c) : pool_(&p), conn_(std::move(c)) {}
    lease(lease&&) = default;
    ~lease() {
      if (pool_ && conn_)
        pool_->give_back(std::move(conn_));
    }
    connection* operator->() { return conn_.get(); }
    connection& operator*() { return *conn_; }

  private:
    pool* pool_;
    std::unique_ptr<connection> conn_;
  };

  lease take();

private:
  void give_back(std::unique_ptr<connection> c);
  std::size_t size_;
  factory make_;
  std::mutex mtx_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<connection>> idle_;
  std::size_t out_ = 0;
};

/// The database's clock in ms since the epoch, as an SQL expression.
std::string now_ms_sql(dialect d);

/// The storage implementation over a pool of connections.
class sql_storage : public storage {
public:
  sql_storage(dialect d, std::string location, std::size_t pool_size, pool::factory make);

  const char* backend() const override;
  std::string location() const override { return location_; }
  int schema_version() override;
  migrate_report migrate() override;
  void write(const write_batch& batch) override;
  void write_fenced(const write_batch& batch, const lease_fence& fence) override;
  std::vector<candle> last_candles(const std::string& symbol, const std::string& interval,
                                   std::size_t n) override;
  std::vector<candle> candles_between(const std::string& symbol, const std::string& interval,
                                      std::int64_t from, std::int64_t to) override;
  std::int64_t count_candles(const std::string& symbol, const std::string& interval) override;
  std::vector<std::pair<std::string, std::string>> candle_series() override;
  std::vector<signal_record> signals_since(std::int64_t from, std::size_t limit) override;
  std::vector<news_article> news_since(std::int64_t from, std::size_t limit) override;
  std::vector<sentiment_point> sentiment_between(const std::string& symbol, std::int64_t from,
                                                 std::int64_t to) override;
  std::vector<analysis_result> analysis_for(const std::string& symbol,
                                            const std::string& interval,
                                            std::int64_t open_time) override;
  std::vector<signal_record> latest_signals(std::size_t n, const std::string& symbol) override;
  std::vector<insight_record> latest_insights(std::size_t n) override;
  std::optional<insight_record> insight_by_id(const std::string& id) override;
  std::vector<content_plan> plans_of_kind(const std::string& kind, const std::string& state,
                                          std::int64_t from, std::size_t limit) override;
  std::vector<content_plan> content_by_state(const std::string& state,
                                             std::size_t limit) override;
  std::optional<content_plan> content_plan_by_id(const std::string& id) override;
  std::vector<published_post> published_on(const std::string& channel,
                                           std::size_t limit) override;
  std::vector<agent_log> agent_logs_of(const std::string& agent, std::size_t limit) override;
  void write_audit(const audit_entry& e) override;
  std::vector<audit_entry> audit_log(std::size_t limit) override;
  std::optional<ab_test> experiment(const std::string& test_id) override;
  std::vector<ab_variant> experiment_variants(const std::string& test_id) override;
  lease_state acquire_lease(const std::string& name, const std::string& holder,
                            std::int64_t ttl_ms) override;
  void release_lease(const std::string& name, const std::string& holder) override;
  bool lease_valid(const std::string& name, const std::string& holder,
                   std::int64_t epoch) override;
  std::vector<lease_state> leases() override;
  std::vector<series_owner> series_owners() override;
  bool assign_series(const std::vector<series_owner>& changes, const std::string& holder,
                     std::int64_t epoch) override;
  void join_member(const member_state& m) override;
  bool renew_member(const std::string& name, const std::string& incarnation) override;
  void leave_member(const std::string& name, const std::string& incarnation) override;
  std::vector<member_state> members() override;
  void log_deployment(const std::string& node, const std::string& version,
                      const std::string& event, const std::string& details_json) override;
  std::vector<std::vector<std::string>> deployment_log(std::size_t limit) override;
  void write_registry(const std::string& node, const std::vector<registry_row>& rows) override;
  std::vector<registry_row> registry() override;
  std::size_t store_inbound(const std::string& source,
                            const std::vector<interaction_record>& items,
                            const std::string& cursor) override;
  std::string inbound_cursor(const std::string& source) override;
  std::vector<stored_interaction> interactions_since(const std::string& platform, std::int64_t from,
                                                     std::size_t limit) override;
  std::optional<community_user> find_user(const std::string& platform,
                                          const std::string& external_id) override;
  bool insert_reply(const reply_row& r) override;
  bool update_reply(const reply_row& r, const std::string& from) override;
  std::optional<reply_row> find_reply(const std::string& id) override;
  std::vector<published_post> published_since(std::int64_t from, std::size_t limit) override;
  bool write_snapshot(const metric_snapshot& m) override;
  std::vector<metric_snapshot> snapshots_between(std::int64_t from, std::int64_t to) override;
  void add_page_views(const std::string& page, std::int64_t hour_ms, std::int64_t n) override;
  std::int64_t page_views(const std::string& page) override;
  void store_reactions(const std::string& platform, const std::string& chat_id,
                       const std::string& message_id, std::int64_t total,
                       const std::string& counts_json, std::int64_t at) override;
  std::optional<std::pair<std::int64_t, std::string>>
  reactions_of(const std::string& platform, const std::string& chat_id,
               const std::string& message_id) override;
  std::vector<reply_row> replies(const std::string& state, std::int64_t from,
                                 std::size_t limit) override;
  bool create_experiment(const ab_experiment_row& e) override;
  std::vector<ab_experiment_row> experiments() override;
  std::pair<ab_assignment_row, bool> assign_unit(const ab_assignment_row& a) override;
  bool set_experiment_status(const std::string& id, const std::string& status) override;
  std::vector<ab_assignment_row> open_assignments(const std::string& test_id, std::int64_t before,
                                                  std::size_t limit) override;
  std::size_t save_update(const ab_experiment_row& e,
                          const std::vector<ab_assignment_row>& settled) override;
  std::optional<metric_snapshot> snapshot_at(const std::string& post_id,
                                             const std::string& channel,
                                             std::int64_t offset_ms) override;
  std::int64_t add_weight_set(const weight_set_row& w) override;
  std::vector<weight_set_row> weight_sets(std::size_t limit) override;
  std::optional<weight_set_row> weight_set(std::int64_t version) override;
  bool apply_weight_set(std::int64_t version, std::int64_t parent, std::int64_t effective_from,
                        std::int64_t at) override;
  std::vector<weight_set_row> applied_weight_sets() override;
  bool record_run(const learning_run_row& r) override;
  std::vector<learning_run_row> learning_runs(const std::string& loop, std::size_t limit) override;
  std::optional<learning_run_row> learning_run(const std::string& id) override;
  std::int64_t latest_candle_time() override;
  void write_performance(const std::string& scope, const std::string& key, std::int64_t ts,
                         const std::string& metrics_json) override;
  std::vector<std::tuple<std::string, std::int64_t, std::string>>
  performance_snapshots(const std::string& scope, std::int64_t from, std::int64_t to) override;

private:
  std::vector<row> query(const std::string& sql, const params& ps);
  void write_checked(const write_batch& b, const lease_fence* fence);
  dialect dialect_;
  std::string location_;
  pool pool_;
};

} // namespace herald::db::sql
