// Bulk insert of candles through Herald's storage API, next to the raw
// baselines of each backend, into the same migrated schema:
//   SQLite:      one prepared INSERT in one transaction (sqlite3 C API)
//   PostgreSQL:  psql \copy of the same rows from a CSV file
// Herald: storage::write in batches of --batch rows (and, for reference,
// through the write-behind agent with db.batch-size = --batch).
//
//   herald_bench_storage [--rows N] [--batch N] [--pg-url URL] [--dir DIR]
// Prints rows/s and Herald's share of the baseline (target: 80% or more).

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <caf/all.hpp>
#include <sqlite3.h>
#include <unistd.h>

#include "actors/data/persistence.hpp"
#include "config/loader.hpp"
#include "db/storage.hpp"
#include "io/logging.hpp"

using namespace herald;
using clk = std::chrono::steady_clock;

namespace {

std::vector<candle> make_candles(std::size_t n) {
  std::vector<candle> out;
  out.reserve(n);
  double price = 29000;
  for (std::size_t i = 0; i < n; ++i) {
    candle c;
    c.symbol = "BTCUSDT";
    c.interval = "1m";
    c.open_time = 1'600'000'000'000 + static_cast<std::int64_t>(i) * 60'000;
    c.open = price;
    price += (static_cast<double>((i * 7919) % 200) - 99.5) * 0.37;
    c.close = price;
    c.high = std::max(c.open, c.close) + 3.25;
    c.low = std::min(c.open, c.close) - 2.75;
    c.volume = 10.0 + static_cast<double>(i % 1000) / 7.0;
    c.close_time = c.open_time + 59'999;
    c.has_extras = true;
    c.quote_volume = c.volume * price;
    c.trades = static_cast<std::int64_t>(100 + i % 900);
    c.taker_buy_base = c.volume / 2;
    c.taker_buy_quote = c.quote_volume / 2;
    out.push_back(c);
  }
  return out;
}

std::unique_ptr<db::storage> open(const std::string& url_text) {
  db::db_url url;
  if (auto err = db::parse_url(url_text, url); !err.empty()) {
    std::fprintf(stderr, "%s\n", err.c_str());
    std::exit(2);
  }
  db::storage_options o;
  o.pool_size = 2;
  auto s = db::open_storage(url, o);
  s->migrate();
  return s;
}

double seconds_since(clk::time_point t0) {
  return std::chrono::duration<double>(clk::now() - t0).count();
}

double herald_api(const std::string& url, const std::vector<candle>& cs, std::size_t batch) {
  auto s = open(url);
  auto t0 = clk::now();
  for (std::size_t i = 0; i < cs.size(); i += batch) {
    db::write_batch b;
    b.candles.assign(cs.begin() + static_cast<std::ptrdiff_t>(i),
                     cs.begin() + static_cast<std::ptrdiff_t>(std::min(cs.size(), i + batch)));
    s->write(b);
  }
  auto secs = seconds_since(t0);
  if (s->count_candles("BTCUSDT", "1m") != static_cast<std::int64_t>(cs.size()))
    std::fprintf(stderr, "row count mismatch!\n");
  return secs;
}

double herald_actor(const std::string& url, const std::vector<candle>& cs, std::size_t batch) {
  std::shared_ptr<db::storage> s = open(url);
  config::herald_system_config cfg;
  caf::actor_system sys{cfg};
  data::persistence_options o;
  o.batch_size = batch;
  o.queue_capacity = cs.size();
  auto p = data::spawn_persistence(sys, s, o);
  caf::scoped_actor self{sys};
  auto t0 = clk::now();
  // Senders send batches of 1,000 records, as agents would.
  for (std::size_t i = 0; i < cs.size(); i += 1000) {
    db::write_batch b;
    b.candles.assign(cs.begin() + static_cast<std::ptrdiff_t>(i),
                     cs.begin() + static_cast<std::ptrdiff_t>(std::min(cs.size(), i + 1000)));
    self->send(p, std::move(b));
  }
  // Drain the acks, then flush.
  for (std::size_t i = 0; i < cs.size(); i += 1000)
    self->receive([](db::write_ack&) {}, [](caf::error&) { std::fprintf(stderr, "refused\n"); });
  self->request(p, std::chrono::minutes{10}, caf::flush_atom::value)
    .receive([](db::db_status&) {}, [](caf::error&) {});
  auto secs = seconds_since(t0);
  caf::anon_send_exit(p, caf::exit_reason::user_shutdown);
  return secs;
}

double sqlite_baseline(const std::string& path, const std::vector<candle>& cs) {
  open("sqlite://" + path); // same schema, then closed
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", nullptr, nullptr,
               nullptr);
  auto t0 = clk::now();
  sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db,
                     "INSERT INTO market_data (symbol, \"interval\", open_time, \"open\", "
                     "\"high\", \"low\", \"close\", volume, close_time, quote_volume, trades, "
                     "taker_buy_base, taker_buy_quote) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                     -1, &st, nullptr);
  for (auto& c : cs) {
    sqlite3_bind_text(st, 1, c.symbol.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, c.interval.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, c.open_time);
    sqlite3_bind_double(st, 4, c.open);
    sqlite3_bind_double(st, 5, c.high);
    sqlite3_bind_double(st, 6, c.low);
    sqlite3_bind_double(st, 7, c.close);
    sqlite3_bind_double(st, 8, c.volume);
    sqlite3_bind_int64(st, 9, c.close_time);
    sqlite3_bind_double(st, 10, c.quote_volume);
    sqlite3_bind_int64(st, 11, c.trades);
    sqlite3_bind_double(st, 12, c.taker_buy_base);
    sqlite3_bind_double(st, 13, c.taker_buy_quote);
    sqlite3_step(st);
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  auto secs = seconds_since(t0);
  sqlite3_close(db);
  return secs;
}

double pg_baseline(const std::string& url, const std::vector<candle>& cs, const std::string& dir) {
  open(url); // same schema
  auto csv = dir + "/herald-bench-candles.csv";
  {
    std::ofstream out{csv};
    char buf[512];
    for (auto& c : cs) {
      std::snprintf(buf, sizeof(buf), "%s,%s,%lld,%.17g,%.17g,%.17g,%.17g,%.17g,%lld,%.17g,%lld,%.17g,%.17g\n",
                    c.symbol.c_str(), c.interval.c_str(), static_cast<long long>(c.open_time),
                    c.open, c.high, c.low, c.close, c.volume,
                    static_cast<long long>(c.close_time), c.quote_volume,
                    static_cast<long long>(c.trades), c.taker_buy_base, c.taker_buy_quote);
      out << buf;
    }
  }
  auto cmd = "psql -q '" + url + "' -c \"\\copy market_data (symbol, \\\"interval\\\", open_time, "
             "\\\"open\\\", \\\"high\\\", \\\"low\\\", \\\"close\\\", volume, close_time, quote_volume, "
             "trades, taker_buy_base, taker_buy_quote) FROM '" + csv + "' WITH (FORMAT csv)\"";
  auto t0 = clk::now();
  int rc = std::system(cmd.c_str());
  auto secs = seconds_since(t0);
  std::remove(csv.c_str());
  if (rc != 0)
    std::fprintf(stderr, "psql \\copy failed\n");
  return secs;
}

void report(const char* what, std::size_t rows, double secs, double baseline_secs) {
  std::printf("  %-44s %9.0f rows/s  (%.2f s)", what, rows / secs, secs);
  if (baseline_secs > 0)
    std::printf("  %5.1f%% of baseline", 100.0 * baseline_secs / secs);
  std::printf("\n");
}

std::string new_pg_db(const std::string& pg_dir) {
  std::string cmd = std::string{HERALD_SOURCE_DIR} + "/scripts/pg-throwaway newdb " + pg_dir;
  std::string out;
  if (auto p = popen(cmd.c_str(), "r")) {
    char buf[512];
    if (fgets(buf, sizeof(buf), p))
      out = buf;
    pclose(p);
  }
  while (!out.empty() && out.back() == '\n')
    out.pop_back();
  return out;
}

} // namespace

int main(int argc, char** argv) {
  std::size_t rows = 1'000'000, batch = 100'000;
  std::string pg_dir, dir = "/tmp";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--rows")
      rows = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--batch")
      batch = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--pg-dir")
      pg_dir = argv[i + 1];
    else if (a == "--dir")
      dir = argv[i + 1];
  }
  logging::options quiet;
  quiet.level = "warn";
  logging::setup(quiet);
  auto cs = make_candles(rows);
  std::printf("bulk insert of %zu candles (batch %zu)\n", rows, batch);

  auto file = [&](const char* tag) {
    auto p = dir + "/herald-bench-" + tag + "-" + std::to_string(::getpid()) + ".db";
    std::remove(p.c_str());
    return p;
  };
  std::printf("SQLite (WAL, synchronous=NORMAL):\n");
  auto f1 = file("base");
  auto base = sqlite_baseline(f1, cs);
  report("baseline: one prepared INSERT, one txn", rows, base, 0);
  auto f2 = file("api");
  report("herald storage::write", rows, herald_api("sqlite://" + f2, cs, batch), base);
  auto f3 = file("actor");
  report("herald write-behind agent", rows, herald_actor("sqlite://" + f3, cs, batch), base);
  for (auto& f : std::vector<std::string>{f1, f2, f3})
    for (auto suffix : {"", "-wal", "-shm"})
      std::remove((f + suffix).c_str());

  if (pg_dir.empty()) {
    std::printf("PostgreSQL: skipped (pass --pg-dir of a scripts/pg-throwaway server)\n");
    return 0;
  }
  std::printf("PostgreSQL:\n");
  auto pbase = pg_baseline(new_pg_db(pg_dir), cs, dir);
  report("baseline: psql \\copy (CSV)", rows, pbase, 0);
  report("herald storage::write (COPY)", rows, herald_api(new_pg_db(pg_dir), cs, batch), pbase);
  report("herald write-behind agent", rows, herald_actor(new_pg_db(pg_dir), cs, batch), pbase);
  return 0;
}
