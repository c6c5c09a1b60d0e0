// PostgreSQL backend on libpqxx 6.4: a connection per pool slot, statements
// prepared once per connection, candles in bulk through COPY.

#include <charconv>
#include <map>
#include <set>

#include <pqxx/pqxx>
#include <pqxx/tablewriter>

#include "db/sql.hpp"

namespace herald::db::sql {

namespace {

/// Appends a double in the shortest form that reads back exactly.
void append_double(std::string& out, double x) {
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof(buf), x);
  out.append(buf, res.ptr);
}

void append_int(std::string& out, std::int64_t x) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), x);
  out.append(buf, res.ptr);
}

/// COPY text format escaping.
void append_text(std::string& out, const std::string& s) {
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
}

bool transient_state(const std::string& sqlstate) {
  // 08: connection exception; 57P0x: server shutting down / crashed;
  // 40001/40P01: serialization failure / deadlock; 53: insufficient resources.
  return sqlstate.rfind("08", 0) == 0 || sqlstate.rfind("57P", 0) == 0
         || sqlstate == "40001" || sqlstate == "40P01" || sqlstate.rfind("53", 0) == 0;
}

class pg_connection final : public connection {
public:
  pg_connection(const std::string& conninfo, std::string where) : where_(std::move(where)) {
    try {
      conn_ = std::make_unique<pqxx::connection>(conninfo);
    } catch (const std::exception& e) {
      throw storage_error(true, "cannot connect to PostgreSQL at " + where_ + ": " + e.what());
    }
  }

  ~pg_connection() override {
    txn_.reset();
  }

  void begin() override {
    guard([&] { txn_ = std::make_unique<pqxx::work>(*conn_); });
  }

  void commit() override {
    guard([&] {
      txn_->commit();
      txn_.reset();
    });
  }

  void rollback() noexcept override {
    try {
      if (txn_)
        txn_->abort();
    } catch (...) {
    }
    txn_.reset();
  }

  void exec_script(const std::string& sql) override {
    guard([&] {
      if (txn_) {
        txn_->exec(sql);
      } else {
        pqxx::nontransaction n{*conn_};
        n.exec(sql);
      }
    });
  }

  void exec(const std::string& sql, const params& ps) override {
    run(sql, ps);
  }

  std::vector<row> query(const std::string& sql, const params& ps) override {
    auto res = run(sql, ps);
    std::vector<row> out;
    out.reserve(res.size());
    for (auto const& r : res) {
      row x;
      x.reserve(r.size());
      for (auto const& f : r) {
        if (f.is_null()) {
          x.emplace_back();
          continue;
        }
        auto oid = f.type();
        // int8, int4, int2 / float8, float4 / everything else as text
        if (oid == 20 || oid == 23 || oid == 21)
          x.emplace_back(std::int64_t{f.as<long long>()});
        else if (oid == 701 || oid == 700)
          x.emplace_back(f.as<double>());
        else
          x.emplace_back(std::string{f.c_str(), f.size()});
      }
      out.push_back(std::move(x));
    }
    return out;
  }

  void insert_candles(const std::vector<candle>& cs) override {
    guard([&] {
      // New data (the common case: ingest, live candles) goes straight into
      // market_data with COPY. If any row may already exist, COPY goes to a
      // temporary table and INSERT ... ON CONFLICT DO NOTHING moves it over.
      bool direct = only_new(cs);
      const char* target = "market_data";
      if (!direct) {
        txn_->exec("CREATE TEMP TABLE IF NOT EXISTS herald_candles_in (LIKE market_data "
                   "INCLUDING DEFAULTS) ON COMMIT DELETE ROWS");
        target = "herald_candles_in";
      }
      copy(cs, target);
      if (!direct)
        txn_->exec("INSERT INTO market_data SELECT * FROM herald_candles_in "
                   "ON CONFLICT DO NOTHING");
    });
  }

  void lock_for_migration() override {
    guard([&] { txn_->exec("SELECT pg_advisory_xact_lock(7412359036001)"); });
  }

  bool has_table(const std::string& name) override {
    return !query("SELECT 1 FROM information_schema.tables WHERE table_schema = "
                  "current_schema() AND table_name = $1",
                  {name})
              .empty();
  }

  bool usable() const override { return usable_ && conn_ && conn_->is_open(); }

private:
  /// Whether every candle is newer than what is stored for its series and
  /// the batch holds no key twice (strictly increasing times per series).
  bool only_new(const std::vector<candle>& cs) {
    std::map<std::pair<std::string, std::string>, std::int64_t> last;
    for (auto& c : cs) {
      auto key = std::make_pair(c.symbol, c.interval);
      auto i = last.find(key);
      if (i != last.end() && c.open_time <= i->second)
        return false;
      if (i == last.end())
        last.emplace(key, c.open_time);
      else
        i->second = c.open_time;
    }
    std::map<std::pair<std::string, std::string>, std::int64_t> first;
    for (auto& c : cs) {
      auto key = std::make_pair(c.symbol, c.interval);
      if (!first.count(key))
        first.emplace(key, c.open_time);
    }
    for (auto& [key, t] : first) {
      auto r = txn_->exec_params("SELECT MAX(open_time) FROM market_data WHERE symbol = $1 "
                                 "AND \"interval\" = $2",
                                 key.first, key.second);
      if (!r[0][0].is_null() && r[0][0].as<long long>() >= t)
        return false;
    }
    return true;
  }

  void copy(const std::vector<candle>& cs, const char* table) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    static const std::vector<std::string> cols
      = {"symbol",     "interval",     "open_time",      "open",           "high",
         "low",        "close",        "volume",         "close_time",     "quote_volume",
         "trades",     "taker_buy_base", "taker_buy_quote"};
    pqxx::tablewriter w{*txn_, table, cols.begin(), cols.end()};
    std::string chunk;
    chunk.reserve(1 << 20);
    std::size_t in_chunk = 0;
    for (auto& c : cs) {
      if (in_chunk > 0)
        chunk += '\n';
      append_text(chunk, c.symbol);
      chunk += '\t';
      append_text(chunk, c.interval);
      chunk += '\t';
      append_int(chunk, c.open_time);
      for (double x : {c.open, c.high, c.low, c.close, c.volume}) {
        chunk += '\t';
        append_double(chunk, x);
      }
      chunk += '\t';
      append_int(chunk, c.close_time);
      if (c.has_extras) {
        chunk += '\t';
        append_double(chunk, c.quote_volume);
        chunk += '\t';
        append_int(chunk, c.trades);
        chunk += '\t';
        append_double(chunk, c.taker_buy_base);
        chunk += '\t';
        append_double(chunk, c.taker_buy_quote);
      } else {
        chunk += "\t\\N\t\\N\t\\N\t\\N";
      }
      // write_raw_line appends the final newline of each chunk.
      if (++in_chunk == 4096) {
        w.write_raw_line(chunk);
        chunk.clear();
        in_chunk = 0;
      }
    }
    if (in_chunk > 0)
      w.write_raw_line(chunk);
    w.complete();
#pragma GCC diagnostic pop
  }

  pqxx::result run(const std::string& sql, const params& ps) {
    pqxx::result res;
    guard([&] {
      auto i = prepared_.find(sql);
      std::string name;
      if (i == prepared_.end()) {
        name = "s" + std::to_string(prepared_.size());
        conn_->prepare(name, sql);
        prepared_.emplace(sql, name);
      } else {
        name = i->second;
      }
      // Parameters travel as text; nullptr is NULL.
      std::vector<std::string> storage;
      storage.reserve(ps.size());
      std::vector<const char*> args;
      args.reserve(ps.size());
      for (auto& p : ps) {
        switch (p.t) {
          case value::type::null: storage.emplace_back(); break;
          case value::type::integer: storage.push_back(std::to_string(p.i)); break;
          case value::type::real: {
            std::string s;
            append_double(s, p.d);
            storage.push_back(std::move(s));
            break;
          }
          case value::type::text: storage.push_back(p.s); break;
        }
      }
      for (std::size_t k = 0; k < ps.size(); ++k)
        args.push_back(ps[k].is_null() ? nullptr : storage[k].c_str());
      auto params = pqxx::prepare::make_dynamic_params(args);
      if (txn_) {
        res = txn_->exec_prepared(name, params);
      } else {
        pqxx::nontransaction n{*conn_};
        res = n.exec_prepared(name, params);
      }
    });
    return res;
  }

  /// Translates libpqxx's exceptions into storage_error at the boundary.
  template <class F>
  void guard(F&& f) {
    try {
      f();
    } catch (const pqxx::broken_connection& e) {
      usable_ = false;
      txn_.reset();
      throw storage_error(true, "PostgreSQL connection to " + where_ + " lost: " + e.what());
    } catch (const pqxx::in_doubt_error& e) {
      usable_ = false;
      txn_.reset();
      throw storage_error(true, "PostgreSQL commit in doubt at " + where_ + ": " + e.what());
    } catch (const pqxx::sql_error& e) {
      bool t = transient_state(e.sqlstate());
      if (t)
        usable_ = false;
      throw storage_error(t, "PostgreSQL at " + where_ + " [" + e.sqlstate() + "]: " + e.what());
    } catch (const storage_error&) {
      throw;
    } catch (const std::exception& e) {
      usable_ = false;
      throw storage_error(true, "PostgreSQL at " + where_ + ": " + e.what());
    }
  }

  std::string where_;
  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<pqxx::work> txn_;
  std::map<std::string, std::string> prepared_;
  bool usable_ = true;
};

std::string quote_conninfo(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "'";
}

} // namespace

std::unique_ptr<storage> open_postgresql(const db_url& url, const storage_options& opts) {
  std::string conninfo = "host=" + quote_conninfo(url.host) + " port=" + std::to_string(url.port)
                         + " dbname=" + quote_conninfo(url.dbname)
                         + " connect_timeout=" + std::to_string(opts.connect_timeout_seconds)
                         + " application_name=herald"
                         + " keepalives=1 keepalives_idle=10 keepalives_interval=5"
                           " keepalives_count=3 tcp_user_timeout="
                         + std::to_string(opts.statement_timeout_ms) + " options="
                         + quote_conninfo("-c statement_timeout="
                                          + std::to_string(opts.statement_timeout_ms)
                                          + " -c idle_in_transaction_session_timeout="
                                          + std::to_string(opts.idle_in_transaction_ms));
  if (!url.user.empty())
    conninfo += " user=" + quote_conninfo(url.user);
  if (!opts.password.empty())
    conninfo += " password=" + quote_conninfo(opts.password);
  for (auto& [k, v] : url.params)
    conninfo += " " + k + "=" + quote_conninfo(v);
  auto where = url.text;
  return std::make_unique<sql_storage>(dialect::postgresql, url.text, opts.pool_size,
                                       [conninfo, where] {
                                         return std::make_unique<pg_connection>(conninfo, where);
                                       });
}

} // namespace herald::db::sql
