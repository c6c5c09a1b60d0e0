// SQLite backend: one file (WAL mode), foreign keys on, statements prepared
// once per connection.

#include <filesystem>
#include <map>

#include <sqlite3.h>

#include "db/sql.hpp"

namespace herald::db::sql {

namespace {

class sqlite_connection final : public connection {
public:
  explicit sqlite_connection(const std::string& path) : path_(path) {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      db_ = nullptr;
      throw storage_error(false, "cannot open SQLite database '" + path + "': " + msg);
    }
    sqlite3_busy_timeout(db_, 30'000);
    exec_script("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
  }

  ~sqlite_connection() override {
    for (auto& kvp : stmts_)
      sqlite3_finalize(kvp.second);
    sqlite3_close(db_);
  }

  void begin() override { exec_script("BEGIN IMMEDIATE"); }
  void commit() override { exec_script("COMMIT"); }
  void rollback() noexcept override { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }

  void exec_script(const std::string& sql) override {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      fail(msg);
    }
  }

  void exec(const std::string& sql, const params& ps) override {
    auto st = prepare(sql, ps);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
      fail(sqlite3_errmsg(db_));
  }

  std::vector<row> query(const std::string& sql, const params& ps) override {
    auto st = prepare(sql, ps);
    std::vector<row> out;
    int rc;
    int n = sqlite3_column_count(st);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      row r;
      r.reserve(static_cast<std::size_t>(n));
      for (int i = 0; i < n; ++i) {
        switch (sqlite3_column_type(st, i)) {
          case SQLITE_INTEGER: r.emplace_back(std::int64_t{sqlite3_column_int64(st, i)}); break;
          case SQLITE_FLOAT: r.emplace_back(sqlite3_column_double(st, i)); break;
          case SQLITE_NULL: r.emplace_back(); break;
          default: {
            auto p = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
            auto len = static_cast<std::size_t>(sqlite3_column_bytes(st, i));
            r.emplace_back(std::string{p, len});
          }
        }
      }
      out.push_back(std::move(r));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
      fail(sqlite3_errmsg(db_));
    return out;
  }

  void insert_candles(const std::vector<candle>& cs) override {
    static const std::string sql
      = "INSERT INTO market_data (symbol, \"interval\", open_time, \"open\", \"high\", \"low\", "
        "\"close\", volume, close_time, quote_volume, trades, taker_buy_base, taker_buy_quote) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
        "ON CONFLICT DO NOTHING";
    auto st = prepare(sql, {});
    for (auto& c : cs) {
      sqlite3_bind_text(st, 1, c.symbol.data(), static_cast<int>(c.symbol.size()), SQLITE_STATIC);
      sqlite3_bind_text(st, 2, c.interval.data(), static_cast<int>(c.interval.size()),
                        SQLITE_STATIC);
      sqlite3_bind_int64(st, 3, c.open_time);
      sqlite3_bind_double(st, 4, c.open);
      sqlite3_bind_double(st, 5, c.high);
      sqlite3_bind_double(st, 6, c.low);
      sqlite3_bind_double(st, 7, c.close);
      sqlite3_bind_double(st, 8, c.volume);
      sqlite3_bind_int64(st, 9, c.close_time);
      if (c.has_extras) {
        sqlite3_bind_double(st, 10, c.quote_volume);
        sqlite3_bind_int64(st, 11, c.trades);
        sqlite3_bind_double(st, 12, c.taker_buy_base);
        sqlite3_bind_double(st, 13, c.taker_buy_quote);
      } else {
        for (int i = 10; i <= 13; ++i)
          sqlite3_bind_null(st, i);
      }
      int rc = sqlite3_step(st);
      sqlite3_reset(st);
      if (rc != SQLITE_DONE)
        fail(sqlite3_errmsg(db_));
    }
    sqlite3_clear_bindings(st);
  }

  void lock_for_migration() override {
    // BEGIN IMMEDIATE already holds the database's write lock.
  }

  bool has_table(const std::string& name) override {
    return !query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1", {name})
              .empty();
  }

  bool usable() const override { return db_ != nullptr; }

private:
  sqlite3_stmt* prepare(const std::string& sql, const params& ps) {
    auto i = stmts_.find(sql);
    sqlite3_stmt* st = nullptr;
    if (i != stmts_.end()) {
      st = i->second;
    } else {
      if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &st, nullptr)
          != SQLITE_OK)
        fail(sqlite3_errmsg(db_));
      stmts_.emplace(sql, st);
    }
    sqlite3_clear_bindings(st);
    for (std::size_t k = 0; k < ps.size(); ++k) {
      int idx = static_cast<int>(k + 1);
      auto& p = ps[k];
      switch (p.t) {
        case value::type::null: sqlite3_bind_null(st, idx); break;
        case value::type::integer: sqlite3_bind_int64(st, idx, p.i); break;
        case value::type::real: sqlite3_bind_double(st, idx, p.d); break;
        case value::type::text:
          sqlite3_bind_text(st, idx, p.s.data(), static_cast<int>(p.s.size()), SQLITE_STATIC);
          break;
      }
    }
    return st;
  }

  [[noreturn]] void fail(const std::string& msg) {
    int code = sqlite3_errcode(db_);
    // Busy/locked/IO problems may pass; constraint and syntax errors do not.
    bool transient = code == SQLITE_BUSY || code == SQLITE_LOCKED || code == SQLITE_IOERR
                     || code == SQLITE_FULL || code == SQLITE_CANTOPEN;
    throw storage_error(transient, "SQLite (" + path_ + "): " + msg);
  }

  std::string path_;
  sqlite3* db_ = nullptr;
  std::map<std::string, sqlite3_stmt*> stmts_;
};

} // namespace

std::unique_ptr<storage> open_sqlite(const std::string& path, std::size_t pool_size) {
  if (path != ":memory:") {
    auto parent = std::filesystem::path{path}.parent_path();
    std::error_code ec;
    if (!parent.empty())
      std::filesystem::create_directories(parent, ec);
    if (ec)
      throw storage_error(false, "cannot create the directory of SQLite database '" + path
                                   + "': " + ec.message());
  }
  // An in-memory database exists per connection: use exactly one.
  auto size = path == ":memory:" ? std::size_t{1} : pool_size;
  auto s = std::make_unique<sql_storage>(
    dialect::sqlite, path, size, [path] { return std::make_unique<sqlite_connection>(path); });
  return s;
}

} // namespace herald::db::sql
