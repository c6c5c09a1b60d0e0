// The Binance connector against a local server speaking Binance's formats.

#include <catch2/catch.hpp>

#include <caf/all.hpp>

#include "actors/data/binance_source.hpp"
#include "actors/data/hub.hpp"
#include "config/loader.hpp"
#include "io/binance/rest.hpp"
#include "io/logging.hpp"
#include "io/binance/stream.hpp"
#include "support/binance_double.hpp"
#include "support/event_log.hpp"
#include "support/trickle_server.hpp"

#include <future>

using namespace herald;
using namespace herald::io::binance;
using namespace std::chrono_literals;
using herald::test::binance_double;

namespace {

constexpr std::int64_t t0 = 1'700'000'040'000 - 1'700'000'040'000 % 60'000;

struct recorded_sleeps {
  std::vector<std::int64_t> ms;
  rest_client::sleeper sleeper() {
    return [this](std::int64_t x) { ms.push_back(x); };
  }
};

rest_options fast(const binance_double& b) {
  rest_options o;
  o.base_url = b.rest_url();
  o.max_retries = 3;
  o.backoff_min_ms = 10;
  return o;
}

} // namespace

TEST_CASE("backfill pages through 1,000 klines at a time", "[binance][rest]") {
  binance_double b{t0, 60'000, 2500};
  recorded_sleeps sleeps;
  rest_client c{fast(b), sleeps.sleeper()};
  auto ks = c.klines("BTCUSDT", "1m", t0, b.open_time(2499));
  REQUIRE(ks.size() == 2500);
  for (std::size_t i = 0; i < ks.size(); ++i)
    REQUIRE(ks[i].open_time == b.open_time(static_cast<int>(i)));
  CHECK(ks[7].open == b.price(7));
  CHECK(ks[7].trades == 107);
  CHECK(ks[7].has_extras);
  CHECK(b.requests() == 3);
  CHECK(sleeps.ms.empty());
}

TEST_CASE("429 and 418 are honoured with the server's Retry-After", "[binance][rest]") {
  binance_double b{t0, 60'000, 10};
  b.script({{429, R"({"code":-1003,"msg":"Too much request weight used."})", "2"},
            {418, R"({"code":-1003,"msg":"Way too much request weight used; IP banned."})",
             "120"}});
  recorded_sleeps sleeps;
  rest_client c{fast(b), sleeps.sleeper()};
  auto ks = c.klines("BTCUSDT", "1m", t0, b.open_time(9));
  CHECK(ks.size() == 10);
  CHECK(c.stats().rate_limited == 2);
  CHECK(sleeps.ms == std::vector<std::int64_t>{2000, 120000});
}

TEST_CASE("5xx and malformed JSON are retried with backoff", "[binance][rest]") {
  binance_double b{t0, 60'000, 10};
  b.script({{503, "Service Unavailable", ""}, {200, "[[1700000040000,\"1.0\",", ""}});
  recorded_sleeps sleeps;
  rest_client c{fast(b), sleeps.sleeper()};
  auto ks = c.klines("BTCUSDT", "1m", t0, b.open_time(9));
  CHECK(ks.size() == 10);
  CHECK(c.stats().retries == 2);
  CHECK(sleeps.ms.size() == 2);
}

TEST_CASE("a server that keeps answering garbage is given up on, with the reason",
          "[binance][rest]") {
  binance_double b{t0, 60'000, 10};
  b.script({{200, "not json", ""}, {200, "not json", ""}, {200, "not json", ""},
            {200, "not json", ""}, {200, "{\"oops\":1}", ""}});
  recorded_sleeps sleeps;
  rest_client c{fast(b), sleeps.sleeper()};
  try {
    c.klines("BTCUSDT", "1m", t0, b.open_time(9));
    FAIL("accepted garbage");
  } catch (const rest_error& e) {
    CHECK(std::string{e.what()}.find("malformed klines reply") != std::string::npos);
  }
}

TEST_CASE("a Binance error code is final and reported", "[binance][rest]") {
  binance_double b{t0, 60'000, 10};
  b.script({{400, R"({"code":-1121,"msg":"Invalid symbol."})", ""}});
  recorded_sleeps sleeps;
  rest_client c{fast(b), sleeps.sleeper()};
  try {
    c.klines("NOPE", "1m", t0, b.open_time(9));
    FAIL("no error");
  } catch (const rest_error& e) {
    CHECK(std::string{e.what()}.find("HTTP 400 -1121 Invalid symbol.") != std::string::npos);
  }
  CHECK(b.requests() == 1);
}

TEST_CASE("the client stays under its share of the request-weight limit", "[binance][rest]") {
  binance_double b{t0, 60'000, 2500};
  b.set_used_weight(2999); // of 6000, share 0.5
  recorded_sleeps sleeps;
  std::int64_t clock = t0 + 20'000; // 20 s into a minute
  auto o = fast(b);
  rest_client c{o, sleeps.sleeper(), [&] { return clock; }};
  c.klines("BTCUSDT", "1m", t0, b.open_time(2499));
  // after the first reply (2999 used) the next page waits for the next minute
  REQUIRE_FALSE(sleeps.ms.empty());
  CHECK(sleeps.ms[0] == 40'000);
}

TEST_CASE("the stream delivers closed and unclosed klines and reconnects after a drop",
          "[binance][stream]") {
  binance_double b{t0, 60'000, 10};
  auto events = std::make_shared<test::event_log>();
  stream_options so;
  so.base_url = b.ws_url();
  so.streams = {stream_name("BTCUSDT", "1m")};
  so.backoff_min = 20ms;
  kline_stream s{
    so,
    [events](const kline_event& ev) {
      events->add((ev.closed ? "closed " : "open ") + std::to_string(ev.bar.open_time));
    },
    [events](bool up, const std::string&) { events->add(up ? "up" : "down"); },
    [events](const std::string& e) { events->add("error " + e.substr(0, 20)); }};
  s.start();
  REQUIRE(events->wait_for([](auto& es) { return !es.empty() && es.back() == "up"; }));
  REQUIRE(b.wait_connections(1));
  CHECK(b.paths().at(0) == "/ws/btcusdt@kline_1m");
  b.ping_all(); // the client answers the server's pings
  CHECK(b.wait_pongs(1));
  b.send_kline("BTCUSDT", 10, false);
  b.send_kline("BTCUSDT", 10, true);
  b.send_raw("{\"result\":null,\"id\":1}"); // a subscription answer: ignored
  b.send_raw("{\"e\":\"kline\",\"k\":{\"t\":\"x\"}}");
  REQUIRE(events->wait_size(4));
  CHECK(events->events()[1] == "open " + std::to_string(b.open_time(10)));
  CHECK(events->events()[2] == "closed " + std::to_string(b.open_time(10)));
  CHECK(events->events()[3].rfind("error malformed", 0) == 0);
  b.drop_all();
  auto reconnected = events->wait_for([](auto& es) {
    return std::count(es.begin(), es.end(), "up") == 2;
  });
  for (auto& e : events->events())
    UNSCOPED_INFO(e);
  REQUIRE(reconnected);
  CHECK(b.wait_connections(2)); // the server may see it after the client does
  s.stop();
}

TEST_CASE("the binance source backfills, follows the stream, and fills the gap after a drop",
          "[binance][source]") {
  binance_double b{t0, 60'000, 100};
  config::herald_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  auto dir = std::make_shared<supervision::agent_directory>();
  data::hub_options ho;
  ho.persist = false;
  ho.resample_to = {};
  auto hub = data::spawn_hub(sys, ho, dir);
  dir->started("data.hub", hub.address(), false);
  auto got = std::make_shared<test::event_log>();
  auto sink = sys.spawn([got](data::candle_sink_actor::pointer)
                          -> data::candle_sink_actor::behavior_type {
    return {[got](candle& c) { got->add(std::to_string(c.open_time)); }};
  });
  self->request(hub, 5s, subscribe_atom::value, std::string{"BTCUSDT"}, std::string{"1m"}, sink)
    .receive([](bool) {}, [](caf::error&) {});
  data::binance_source_options o;
  o.rest.base_url = b.rest_url();
  o.ws_url = b.ws_url();
  o.symbols = {"BTCUSDT"};
  o.interval = "1m";
  o.backfill = std::chrono::milliseconds{100 * 60'000};
  o.now = [&b] { return b.now(); };
  auto src = data::spawn_binance_source(sys, o, dir, nullptr);
  // 1. the history over REST
  REQUIRE(got->wait_size(100));
  CHECK(got->events().front() == std::to_string(b.open_time(0)));
  CHECK(got->events().back() == std::to_string(b.open_time(99)));
  // 2. live: an unclosed kline is not a candle yet, the closed one is
  REQUIRE(b.wait_connections(1));
  b.advance(1);
  b.send_kline("BTCUSDT", 100, false);
  b.send_kline("BTCUSDT", 100, true);
  REQUIRE(got->wait_size(101));
  CHECK(got->events().back() == std::to_string(b.open_time(100)));
  // 3. a drop: five klines happen while the connection is down; after the
  //    reconnect they are backfilled over REST, in order, without duplicates
  b.drop_all();
  b.advance(5);
  REQUIRE(got->wait_size(106));
  auto es = got->events();
  for (int i = 0; i < 106; ++i)
    CHECK(es[static_cast<std::size_t>(i)] == std::to_string(b.open_time(i)));
  CHECK(b.wait_connections(2));
  caf::anon_send_exit(src, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(hub, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(sink, caf::exit_reason::user_shutdown);
}

TEST_CASE("a hub that holds the live source back: the buffer overflows loudly and REST fills the gap",
          "[binance][source][backpressure]") {
  binance_double b{t0, 60'000, 100};
  config::herald_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  auto dir = std::make_shared<supervision::agent_directory>();
  data::hub_options ho;
  ho.persist = false;
  ho.resample_to = {};
  auto hub = data::spawn_hub(sys, ho, dir);
  dir->started("data.hub", hub.address(), false);
  auto got = std::make_shared<test::event_log>();
  auto sink = sys.spawn([got](data::candle_sink_actor::pointer)
                          -> data::candle_sink_actor::behavior_type {
    return {[got](candle& c) { got->add(std::to_string(c.open_time)); }};
  });
  self->request(hub, 5s, subscribe_atom::value, std::string{"BTCUSDT"}, std::string{"1m"}, sink)
    .receive([](bool) {}, [](caf::error&) {});
  // A batch subscriber that does not answer until told: the hub then holds
  // its answers to the source (back-pressure), as a stalled pipeline would.
  auto held = std::make_shared<std::vector<caf::response_promise>>();
  auto slow = sys.spawn([held](caf::event_based_actor* me) -> caf::behavior {
    auto open = std::make_shared<bool>(false);
    return {[me, held, open](candle_batch&) {
              if (*open)
                return;
              held->push_back(me->make_response_promise());
            },
            [held, open](caf::ok_atom) {
              *open = true;
              for (auto& rp : *held)
                rp.deliver(true);
              held->clear();
            }};
  });
  self->request(hub, 5s, subscribe_atom::value, std::string{"*"}, std::string{"*"},
                caf::actor_cast<data::candle_batch_sink_actor>(slow))
    .receive([](bool) {}, [](caf::error&) {});
  auto errors = std::make_shared<test::event_log>();
  auto log_sink = logging::add_event_sink(
    [errors](const std::string&, const std::string& level, const std::string& msg) {
      if (level == "error" && msg.find("binance.max-buffer") != std::string::npos)
        errors->add(msg);
    });
  data::binance_source_options o;
  o.rest.base_url = b.rest_url();
  o.ws_url = b.ws_url();
  o.symbols = {"BTCUSDT"};
  o.interval = "1m";
  o.backfill = std::chrono::milliseconds{100 * 60'000};
  o.now = [&b] { return b.now(); };
  o.max_buffer = 3;
  auto src = data::spawn_binance_source(sys, o, dir, nullptr);
  REQUIRE(got->wait_size(100)); // the REST history: one batch, unanswered
  REQUIRE(b.wait_connections(1));
  // Ten live klines: the first goes to the hub (its answer is held: two
  // batches unanswered), three wait in the buffer, the fifth overflows it.
  for (int i = 100; i < 110; ++i) {
    b.advance(1);
    b.send_kline("BTCUSDT", i, true);
  }
  REQUIRE(errors->wait_size(1));
  CHECK(errors->events().front().find("dropped") != std::string::npos);
  REQUIRE(got->wait_size(101)); // the first live kline, through the hub
  CHECK(got->events().size() == 101); // the buffered ones never reached the hub
  // The subscriber catches up: the hub answers, the source backfills the
  // gap over REST, and the series is whole, in order, without duplicates.
  caf::anon_send(slow, caf::ok_atom::value);
  REQUIRE(got->wait_size(110));
  auto es = got->events();
  REQUIRE(es.size() == 110);
  for (int i = 0; i < 110; ++i)
    CHECK(es[static_cast<std::size_t>(i)] == std::to_string(b.open_time(i)));
  logging::remove_event_sink(log_sink);
  caf::anon_send_exit(src, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(hub, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(sink, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(slow, caf::exit_reason::user_shutdown);
}

TEST_CASE("the stream reconnects on its own before the connection age limit",
          "[binance][stream]") {
  binance_double b{t0, 60'000, 10};
  auto events = std::make_shared<test::event_log>();
  stream_options so;
  so.base_url = b.ws_url();
  so.streams = {stream_name("BTCUSDT", "1m"), stream_name("ETHUSDT", "1m")};
  so.backoff_min = 20ms;
  so.max_connection_age = 200ms; // Binance: 24 h; shortened for the test
  kline_stream s{so, [](const kline_event&) {},
                 [events](bool up, const std::string& why) {
                   events->add(up ? "up" : "down " + why);
                 },
                 [](const std::string&) {}};
  s.start();
  REQUIRE(b.wait_connections(3));
  CHECK(b.paths().at(0) == "/stream?streams=btcusdt@kline_1m/ethusdt@kline_1m");
  auto es = events->events();
  REQUIRE(es.size() >= 2);
  CHECK(es[1].find("age limit") != std::string::npos);
  s.stop();
}

TEST_CASE("a REST request to a trickling server ends at the timeout for the whole request",
          "[binance][rest][deadline]") {
  test::trickle_server slow;
  rest_options o;
  o.base_url = "http://127.0.0.1:" + std::to_string(slow.port());
  o.timeout_seconds = 1;
  o.max_retries = 0;
  rest_client c{o, [](std::int64_t) {}};
  auto done = std::async(std::launch::async, [&] {
    try {
      c.klines("BTCUSDT", "1m", t0, t0 + 60000);
      return std::string{"no error"};
    } catch (const rest_error& e) {
      return std::string{e.what()};
    }
  });
  REQUIRE(done.wait_for(std::chrono::seconds{30}) == std::future_status::ready);
  CHECK(done.get().find("no complete reply from " + o.base_url + " within 1 s")
        != std::string::npos);
}

TEST_CASE("a stopping caller ends the REST client's waits at once", "[binance][rest][deadline]") {
  binance_double b{t0, 60'000, 10};
  b.script({{429, R"({"code":-1003,"msg":"Too much request weight used."})", "60"}});
  rest_options o;
  o.base_url = b.rest_url();
  std::atomic<bool> stop{false};
  o.cancelled = [&] { return stop.load(); };
  std::atomic<std::int64_t> slept{0};
  rest_client c{o, [&](std::int64_t ms) {
                  slept += ms;
                  if (slept >= 1000)
                    stop = true; // the shutdown comes a second into the 60 s wait
                }};
  CHECK_THROWS_WITH(c.klines("BTCUSDT", "1m", t0, b.open_time(9)), Catch::Contains("stopping"));
  CHECK(slept < 2000);
}
