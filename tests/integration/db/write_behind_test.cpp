// The write-behind persistence agent against both backends: batching,
// back-pressure, flush on shutdown, isolation of refused records, and a
// PostgreSQL crash in the middle of a stream of writes.

#include <catch2/catch.hpp>

#include <caf/all.hpp>

#include "actors/data/persistence.hpp"
#include "config/loader.hpp"
#include "messages/errors.hpp"
#include "io/logging.hpp"
#include "support/storage.hpp"

using namespace herald;
using namespace herald::data;
using namespace std::chrono_literals;
using herald::test::backend_target;
using herald::test::for_each_backend;

namespace {

std::shared_ptr<db::storage> open_store(const backend_target& t) {
  db::storage_options o;
  o.pool_size = 2;
  o.connect_timeout_seconds = 2;
  return herald::test::open_migrated(t, o);
}

db::write_batch candles(const std::string& symbol, std::int64_t first_index, int n) {
  db::write_batch b;
  for (int i = 0; i < n; ++i) {
    candle c;
    c.symbol = symbol;
    c.interval = "1m";
    c.open_time = (first_index + i) * 60'000;
    c.open = c.high = c.low = c.close = 100 + i;
    c.volume = 1;
    c.close_time = c.open_time + 59'999;
    b.candles.push_back(c);
  }
  return b;
}

struct fixture {
  config::herald_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};

  /// Sends a batch and waits for its answer, which comes once its records
  /// are committed (or at once when it is refused); the error, none when
  /// stored.
  caf::error write(const persistence_actor& p, db::write_batch b) {
    caf::error out;
    self->request(p, 60s, std::move(b))
      .receive([](db::write_ack&) {}, [&](caf::error& e) { out = e; });
    return out;
  }

  using handle = decltype(std::declval<caf::scoped_actor&>()->request(
    std::declval<const persistence_actor&>(), 60s, std::declval<db::write_batch>()));

  /// Sends a batch without waiting for its answer (see await()).
  handle submit(const persistence_actor& p, db::write_batch b,
                std::chrono::seconds timeout = 60s) {
    return self->request(p, timeout, std::move(b));
  }

  /// The answer of a submitted batch: none when it was committed.
  static caf::error await(handle& h) {
    caf::error out;
    h.receive([](db::write_ack&) {}, [&](caf::error& e) { out = e; });
    return out;
  }

  db::db_status status(const persistence_actor& p) {
    db::db_status out;
    self->request(p, 30s, caf::get_atom::value)
      .receive([&](db::db_status& s) { out = s; }, [&](caf::error& e) { FAIL(sys.render(e)); });
    return out;
  }

  db::db_status flush(const persistence_actor& p) {
    db::db_status out;
    self->request(p, 60s, caf::flush_atom::value)
      .receive([&](db::db_status& s) { out = s; }, [&](caf::error& e) { FAIL(sys.render(e)); });
    return out;
  }

  void stop(const persistence_actor& p) {
    self->monitor(p);
    self->send_exit(p, caf::exit_reason::user_shutdown);
    self->receive([](caf::down_msg&) {}, caf::after(60s) >> [] { FAIL("did not stop"); });
  }
};


} // namespace

TEST_CASE_METHOD(fixture, "writes are batched by size", "[db][write-behind]") {
  for_each_backend([&](const backend_target& t) {
    auto store = open_store(t);
    persistence_options o;
    o.batch_size = 100;
    o.batch_interval = 1h; // only size triggers here
    auto p = spawn_persistence(sys, store, o);
    std::vector<handle> hs;
    for (int i = 0; i < 250; ++i)
      hs.push_back(submit(p, candles("BTCUSDT", i, 1)));
    // two full batches are written, 50 records wait for the next trigger
    auto st = status(p);
    CHECK(store->count_candles("BTCUSDT", "1m") == 200);
    CHECK(st.pending == 50);
    CHECK(st.written == 200);
    // the first 200 are answered (committed); the rest only after the flush
    for (int i = 0; i < 200; ++i)
      REQUIRE_FALSE(await(hs[static_cast<std::size_t>(i)]));
    CHECK(flush(p).pending == 0);
    CHECK(store->count_candles("BTCUSDT", "1m") == 250);
    for (int i = 200; i < 250; ++i)
      REQUIRE_FALSE(await(hs[static_cast<std::size_t>(i)]));
    stop(p);
  });
}

TEST_CASE_METHOD(fixture, "writes are flushed after the batch interval", "[db][write-behind]") {
  for_each_backend([&](const backend_target& t) {
    auto store = open_store(t);
    persistence_options o;
    o.batch_size = 1'000'000;
    o.batch_interval = 20ms;
    auto p = spawn_persistence(sys, store, o);
    REQUIRE_FALSE(write(p, candles("ETHUSDT", 0, 10)));
    // wait (with a deadline) for the timer-driven flush
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (status(p).written < 10 && std::chrono::steady_clock::now() < deadline)
      self->receive(caf::after(5ms) >> [] {});
    CHECK(status(p).written == 10);
    CHECK(store->count_candles("ETHUSDT", "1m") == 10);
    stop(p);
  });
}

TEST_CASE_METHOD(fixture, "a full queue refuses writes and tells the sender",
                 "[db][write-behind][backpressure]") {
  for_each_backend([&](const backend_target& t) {
    auto store = open_store(t);
    persistence_options o;
    o.batch_size = 1'000'000;
    o.batch_interval = 1h;
    o.queue_capacity = 100;
    auto p = spawn_persistence(sys, store, o);
    auto first = submit(p, candles("XRPUSDT", 0, 60));
    auto second = submit(p, candles("XRPUSDT", 60, 40));
    auto err = write(p, candles("XRPUSDT", 100, 1)); // refused at once
    REQUIRE(err);
    CHECK(err == make_error(herald_errc::db_overloaded));
    CHECK(sys.render(err).find("queue full: 100 records pending of 100") != std::string::npos);
    CHECK(status(p).pending == 100);
    // once written, the sender's retry is accepted
    CHECK(flush(p).pending == 0);
    CHECK_FALSE(await(first));
    CHECK_FALSE(await(second));
    auto retry = submit(p, candles("XRPUSDT", 100, 1));
    CHECK(flush(p).written == 101);
    CHECK_FALSE(await(retry));
    CHECK(store->count_candles("XRPUSDT", "1m") == 101);
    stop(p);
  });
}

TEST_CASE_METHOD(fixture, "an invalid batch is refused with the field named",
                 "[db][write-behind]") {
  for_each_backend([&](const backend_target& t) {
    auto p = spawn_persistence(sys, open_store(t), persistence_options{});
    db::write_batch b;
    b.logs = {{"e1", "a", "info", "m", "{broken", 1}};
    auto err = write(p, b);
    REQUIRE(err);
    CHECK(err == make_error(herald_errc::db_invalid));
    CHECK(sys.render(err).find("agent_log #0: field 'payload_json' is not valid JSON")
          != std::string::npos);
    CHECK(status(p).pending == 0);
    stop(p);
  });
}

TEST_CASE_METHOD(fixture, "every accepted write is flushed on orderly shutdown",
                 "[db][write-behind][shutdown]") {
  for_each_backend([&](const backend_target& t) {
    auto store = open_store(t);
    persistence_options o;
    o.batch_size = 1'000'000;
    o.batch_interval = 1h;
    auto p = spawn_persistence(sys, store, o);
    std::vector<handle> hs;
    for (int i = 0; i < 50; ++i)
      hs.push_back(submit(p, candles("ADAUSDT", i * 10, 10)));
    CHECK(status(p).pending == 500);
    CHECK(store->count_candles("ADAUSDT", "1m") == 0);
    stop(p);
    CHECK(store->count_candles("ADAUSDT", "1m") == 500);
    // each sender heard back once its records were in the database
    for (auto& h : hs)
      CHECK_FALSE(await(h));
  });
}

TEST_CASE_METHOD(fixture, "a record the database refuses is isolated, the rest is written",
                 "[db][write-behind]") {
  for_each_backend([&](const backend_target& t) {
    auto store = open_store(t);
    persistence_options o;
    o.batch_interval = 1h;
    auto p = spawn_persistence(sys, store, o);
    auto b = candles("DOTUSDT", 0, 20);
    b.insights = {{"orphan", "missing-signal", "DOTUSDT", "alert", "t", "b", 0.5, "{}", 1}};
    auto h = submit(p, b);
    auto st = flush(p);
    CHECK_FALSE(await(h)); // answered: written, the refused record logged
    CHECK(st.pending == 0);
    CHECK(st.rejected == 1);
    CHECK(st.written == 20);
    CHECK(store->count_candles("DOTUSDT", "1m") == 20);
    stop(p);
  });
}

TEST_CASE_METHOD(fixture,
                 "a PostgreSQL crash mid-stream loses nothing and duplicates nothing",
                 "[db][write-behind][outage]") {
  // A private server: killing the shared one would break tests running in
  // parallel with this one.
  auto dir = std::string{HERALD_TEST_PG_DIR} + "-outage-" + std::to_string(::getpid());
  auto script = herald::test::pg_script();
  if (std::system((script + " start " + dir + " >/dev/null").c_str()) != 0) {
    WARN("SKIPPED: could not start a private PostgreSQL for the outage test");
    return;
  }
  struct stop_server {
    std::string cmd;
    ~stop_server() { std::system(cmd.c_str()); }
  } stopper{script + " stop " + dir};
  auto url = herald::test::run_line(script + " newdb " + dir);
  REQUIRE_FALSE(url.empty());
  auto store = open_store({"postgresql", url});
  persistence_options o;
  o.batch_size = 50;
  o.batch_interval = 10ms;
  o.retry_min = 20ms;
  o.retry_max = 200ms;
  o.queue_capacity = 1'000'000;
  auto p = spawn_persistence(sys, store, o);
  const int batches = 40, per_batch = 25;
  bool killed = false;
  std::vector<handle> hs;
  for (int i = 0; i < batches; ++i) {
    hs.push_back(submit(p, candles("BTCUSDT", i * per_batch, per_batch)));
    if (i == batches / 2) {
      REQUIRE(std::system((script + " kill " + dir).c_str()) == 0);
      killed = true;
    }
  }
  REQUIRE(killed);
  // While the server is down, writes keep being accepted and the outage shows.
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (status(p).available && std::chrono::steady_clock::now() < deadline)
    self->receive(caf::after(5ms) >> [] {});
  auto during = status(p);
  CHECK_FALSE(during.available);
  CHECK(during.pending > 0);
  CHECK_FALSE(during.last_error.empty());
  REQUIRE(std::system((script + " restart " + dir).c_str()) == 0);
  auto after = flush(p);
  deadline = std::chrono::steady_clock::now() + 60s;
  while ((after.pending > 0 || !after.available) && std::chrono::steady_clock::now() < deadline)
    after = flush(p);
  CHECK(after.available);
  CHECK(after.pending == 0);
  CHECK(after.failures > 0);
  CHECK(store->count_candles("BTCUSDT", "1m") == batches * per_batch);
  auto all = store->candles_between("BTCUSDT", "1m", 0, std::int64_t{1} << 60);
  REQUIRE(all.size() == static_cast<std::size_t>(batches * per_batch));
  for (std::size_t i = 0; i < all.size(); ++i)
    CHECK(all[i].open_time == static_cast<std::int64_t>(i) * 60'000);
  // every batch was answered, after its records were committed
  for (auto& h : hs)
    CHECK_FALSE(await(h));
  stop(p);
}

TEST_CASE_METHOD(fixture, "a write is acknowledged only once it is committed, so a killed agent "
                          "loses nothing it acknowledged",
                 "[db][write-behind][crash]") {
  for_each_backend([&](const backend_target& t) {
    auto store = open_store(t);
    persistence_options o;
    o.batch_size = 1'000'000;
    o.batch_interval = 1h;
    auto p = spawn_persistence(sys, store, o);
    auto committed = submit(p, candles("LTCUSDT", 0, 10));
    CHECK(flush(p).pending == 0);
    CHECK_FALSE(await(committed));
    CHECK(store->count_candles("LTCUSDT", "1m") == 10);
    // Accepted but not committed when the agent is killed: the sender gets
    // an error, never an acknowledgement, and still holds its records. (CAF
    // 0.17 drops a killed actor's promises: the error is the request's
    // timeout, short here so the test does not wait a minute.)
    auto held = submit(p, candles("LTCUSDT", 10, 10), 3s);
    CHECK(status(p).pending == 10);
    self->monitor(p);
    self->send_exit(p, caf::exit_reason::kill);
    self->receive([](caf::down_msg&) {}, caf::after(60s) >> [] { FAIL("not killed"); });
    CHECK(await(held));
    CHECK(store->count_candles("LTCUSDT", "1m") == 10);
    // The sender's retry to the next incarnation stores them, once.
    auto next = spawn_persistence(sys, store, o);
    auto again = submit(next, candles("LTCUSDT", 10, 10));
    CHECK(flush(next).pending == 0);
    CHECK_FALSE(await(again));
    CHECK(store->count_candles("LTCUSDT", "1m") == 20);
    stop(next);
  });
}
