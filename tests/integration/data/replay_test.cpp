// The replay source: files in time order to the hub, then done.

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <unistd.h>

#include <caf/all.hpp>

#include "actors/data/hub.hpp"
#include "actors/data/sources.hpp"
#include "config/loader.hpp"
#include "support/event_log.hpp"

using namespace herald;
using namespace std::chrono_literals;

TEST_CASE("the replay source sends every file's candles in time order and reports done",
          "[data][replay]") {
  // two files of one series, given newest first: the source sorts by time
  auto dir = "/tmp/herald-replay-" + std::to_string(::getpid());
  std::system(("mkdir -p " + dir).c_str());
  auto write = [&](const std::string& name, int from, int n) {
    std::ofstream out{dir + "/" + name};
    for (int i = from; i < from + n; ++i) {
      long long t = 1609459200000LL + i * 60000LL;
      out << t << ",100,101,99,100.5,3," << t + 59999 << ",300,10,1.5,150,0\n";
    }
  };
  write("b.csv", 50, 50);
  write("a.csv", 0, 50);
  config::herald_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  auto directory = std::make_shared<supervision::agent_directory>();
  data::hub_options ho;
  ho.persist = false;
  ho.resample_to = {};
  auto hub = data::spawn_hub(sys, ho, directory);
  directory->started("data.hub", hub.address(), false);
  auto got = std::make_shared<test::event_log>();
  auto sink = sys.spawn([got](data::candle_sink_actor::pointer)
                          -> data::candle_sink_actor::behavior_type {
    return {[got](candle& c) { got->add(std::to_string(c.open_time)); }};
  });
  self->request(hub, 5s, subscribe_atom::value, std::string{"ETHUSDT"}, std::string{"1m"}, sink)
    .receive([](bool) {}, [](caf::error&) {});
  auto progress = std::make_shared<data::run_progress>();
  data::replay_source_options ro;
  ro.files = {dir + "/b.csv", dir + "/a.csv"};
  ro.symbol = "ETHUSDT";
  ro.speed = 0;
  // spawned from within an actor, as its supervisor would
  caf::actor src;
  self->spawn([&](caf::event_based_actor* p) {
    src = caf::actor_cast<caf::actor>(data::spawn_replay_source(p, ro, directory, progress));
  });
  REQUIRE(progress->wait_done(1, std::chrono::steady_clock::now() + 30s));
  REQUIRE(got->wait_size(100));
  auto es = got->events();
  for (int i = 0; i < 100; ++i)
    CHECK(es[static_cast<std::size_t>(i)] == std::to_string(1609459200000LL + i * 60000LL));
  CHECK(progress->done().at("replay") == 100);
  for (auto a : {hub.address(), sink.address(), src.address()})
    caf::anon_send_exit(caf::actor_cast<caf::actor>(a), caf::exit_reason::user_shutdown);
  std::system(("rm -rf " + dir).c_str());
}
