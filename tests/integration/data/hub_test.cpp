// The market-data hub with real subscribers and a real persistence agent.

#include <catch2/catch.hpp>

#include <caf/all.hpp>

#include "actors/data/hub.hpp"
#include "actors/data/persistence.hpp"
#include "config/loader.hpp"
#include "db/storage.hpp"
#include "market/interval.hpp"
#include "support/event_log.hpp"

#include <cstdio>
#include <unistd.h>

using namespace herald;
using namespace herald::data;
using namespace std::chrono_literals;

namespace {

candle bar(const std::string& symbol, std::int64_t i, double price = 100) {
  candle c;
  c.symbol = symbol;
  c.interval = "1m";
  c.open_time = market::bar_start(1'700'000'000'000, market::hour_ms) + i * 60'000;
  c.open = price;
  c.high = price + 1;
  c.low = price - 1;
  c.close = price + 0.5;
  c.volume = 2;
  c.close_time = c.open_time + 59'999;
  return c;
}

/// A subscriber that records "SYMBOL interval open_time" of each candle.
candle_sink_actor::behavior_type recorder(candle_sink_actor::pointer,
                                          std::shared_ptr<test::event_log> log) {
  return {[log](candle& c) {
    log->add(c.symbol + " " + c.interval + " " + std::to_string(c.open_time));
  }};
}

struct fixture {
  config::herald_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  std::shared_ptr<supervision::agent_directory> dir
    = std::make_shared<supervision::agent_directory>();

  hub_actor hub(hub_options o = {}) {
    o.persist = o.persist && dir->find("data.persistence");
    auto h = spawn_hub(sys, o, dir);
    dir->started("data.hub", h.address(), false);
    return h;
  }

  std::uint64_t send(const hub_actor& h, std::vector<candle> cs) {
    std::uint64_t n = 0;
    self->request(h, 10s, std::move(cs))
      .receive([&](std::uint64_t x) { n = x; }, [&](caf::error& e) { FAIL(sys.render(e)); });
    return n;
  }

  void subscribe(const hub_actor& h, std::string sym, std::string iv,
                 std::shared_ptr<test::event_log> log) {
    auto sink = sys.spawn(recorder, log);
    self->request(h, 10s, subscribe_atom::value, sym, iv, sink)
      .receive([](bool ok) { REQUIRE(ok); }, [&](caf::error& e) { FAIL(sys.render(e)); });
  }
};

} // namespace

TEST_CASE_METHOD(fixture, "closed candles fan out to the subscribers of their series",
                 "[data][hub]") {
  hub_options o;
  o.resample_to = {};
  o.persist = false;
  auto h = hub(o);
  auto btc = std::make_shared<test::event_log>();
  auto all = std::make_shared<test::event_log>();
  auto eth = std::make_shared<test::event_log>();
  subscribe(h, "BTCUSDT", "1m", btc);
  subscribe(h, "*", "*", all);
  subscribe(h, "ETHUSDT", "*", eth);
  CHECK(send(h, {bar("BTCUSDT", 0), bar("ETHUSDT", 0), bar("BTCUSDT", 1)}) == 3);
  REQUIRE(all->wait_size(3));
  REQUIRE(btc->wait_size(2));
  REQUIRE(eth->wait_size(1));
  CHECK(btc->events()[1] == "BTCUSDT 1m " + std::to_string(bar("BTCUSDT", 1).open_time));
  CHECK(eth->events()[0].rfind("ETHUSDT 1m", 0) == 0);
  CHECK(all->events().size() == 3);
}

TEST_CASE_METHOD(fixture, "the hub drops duplicates, rejects bad candles and counts both",
                 "[data][hub]") {
  hub_options o;
  o.resample_to = {};
  o.persist = false;
  auto h = hub(o);
  auto bad = bar("BTCUSDT", 2);
  bad.high = bad.low - 1;
  CHECK(send(h, {bar("BTCUSDT", 0), bar("BTCUSDT", 0), bad, bar("BTCUSDT", 5)}) == 2);
  std::vector<series_stats> stats;
  self->request(h, 10s, stats_atom::value).receive([&](std::vector<series_stats>& x) { stats = x; },
                                                    [](caf::error&) {});
  REQUIRE(stats.size() == 1);
  CHECK(stats[0].accepted == 2);
  CHECK(stats[0].duplicates == 1);
  CHECK(stats[0].rejected == 1);
  CHECK(stats[0].gaps == 1);
}

TEST_CASE_METHOD(fixture, "snapshots return the last N candles and higher intervals are built",
                 "[data][hub]") {
  hub_options o;
  o.depth = 50;
  o.resample_to = {"5m"};
  o.persist = false;
  auto h = hub(o);
  auto five = std::make_shared<test::event_log>();
  subscribe(h, "BTCUSDT", "5m", five);
  std::vector<candle> cs;
  for (int i = 0; i < 100; ++i)
    cs.push_back(bar("BTCUSDT", i, 100 + i));
  CHECK(send(h, cs) == 100);
  std::vector<candle> last;
  self->request(h, 10s, caf::get_atom::value, std::string{"BTCUSDT"}, std::string{"1m"},
                std::uint32_t{10})
    .receive([&](std::vector<candle>& x) { last = x; }, [](caf::error&) {});
  REQUIRE(last.size() == 10);
  CHECK(last.front().open_time == cs[90].open_time);
  CHECK(last.back().open_time == cs[99].open_time);
  // 100 minutes: all 20 5m bars are out, the last one with its fifth minute
  // (not only when a 101st minute starts the next bar)
  REQUIRE(five->wait_size(20));
  std::vector<candle> fives;
  self->request(h, 10s, caf::get_atom::value, std::string{"BTCUSDT"}, std::string{"5m"},
                std::uint32_t{100})
    .receive([&](std::vector<candle>& x) { fives = x; }, [](caf::error&) {});
  REQUIRE(fives.size() == 20);
  CHECK(fives.back().open_time == cs[95].open_time);
  CHECK(fives.back().close == cs[99].close);
  CHECK(fives[0].open == 100);
  CHECK(fives[0].close == 104.5);
  CHECK(fives[0].volume == 10);
}

TEST_CASE_METHOD(fixture, "accepted candles are persisted through data.persistence",
                 "[data][hub][db]") {
  auto path = "/tmp/herald-hub-" + std::to_string(::getpid()) + ".db";
  std::remove(path.c_str());
  db::db_url url;
  REQUIRE(db::parse_url("sqlite://" + path, url).empty());
  std::shared_ptr<db::storage> store = db::open_storage(url, {});
  store->migrate();
  persistence_options po;
  po.batch_interval = 1h;
  auto p = spawn_persistence(sys, store, po);
  dir->started("data.persistence", p.address(), false);
  hub_options o;
  o.resample_to = {"5m"};
  o.persist_interval = 1h; // only the flush writes
  auto h = hub(o);
  std::vector<candle> cs;
  for (int i = 0; i < 30; ++i)
    cs.push_back(bar("SOLUSDT", i));
  cs.push_back(bar("SOLUSDT", 3)); // out of order: rejected, not stored
  CHECK(send(h, cs) == 30);
  bool stored = false;
  self->request(h, 30s, caf::flush_atom::value)
    .receive([&](bool b) { stored = b; }, [&](caf::error& e) { FAIL(sys.render(e)); });
  CHECK(stored);
  CHECK(store->count_candles("SOLUSDT", "1m") == 30);
  CHECK(store->count_candles("SOLUSDT", "5m") == 6); // 30 minutes: six complete 5m bars
  caf::anon_send_exit(p, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
  std::remove(path.c_str());
}
