// The coordinator with its loop agents in an actor system (SQLite, an
// injected clock): the tuning and performance runs are done by
// learning.tuning and learning.performance and recorded once by the
// coordinator; a due run whose agent is down is not recorded but tried
// again, and done once the agent is back.
#include <catch2/catch.hpp>

#include <atomic>

#include <caf/all.hpp>

#include "actors/learning/loop_agents.hpp"
#include "config/loader.hpp"
#include "supervisor/agent_directory.hpp"
#include "support/learning_seed.hpp"
#include "support/sqlite_file.hpp"

using namespace herald;
using namespace std::chrono_literals;

namespace {

std::uint64_t drain(caf::scoped_actor& self, const learning_actors::coordinator_actor& c) {
  std::uint64_t n = 0;
  self->request(c, 60s, drain_atom::value)
    .receive([&](std::uint64_t x) { n = x; }, [&](caf::error& e) { FAIL(caf::to_string(e)); });
  return n;
}

} // namespace

TEST_CASE("the coordinator has learning.tuning and learning.performance run their loops, and "
          "tries a run again when its agent is down",
          "[learning][actors][coordinator]") {
  test::sqlite_file db{"herald-loops"};
  test::seed(*db.store);
  constexpr std::int64_t hour = test::seed_hour, day = 24 * hour;
  auto now = std::make_shared<std::atomic<std::int64_t>>(test::seed_t0 + 3002 * hour);
  learning_actors::coordinator_options o;
  o.storage = db.store;
  o.tick = 1h; // runs only by drain here
  o.clock = [now] { return now->load(); };
  o.loops.ab_every_ms = 0;
  o.loops.expiry_every_ms = 0;
  o.loops.tuning_every_ms = day;
  o.loops.performance_every_ms = hour;
  o.loops.window_ms = 1000 * day;
  o.loops.performance_window_ms = 1000 * day;
  o.loops.proposal.holdout = 500;
  o.loops.proposal.min_outcomes = 500;
  auto opts = std::make_shared<const learning_actors::coordinator_options>(o);

  config::herald_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  auto dir = std::make_shared<supervision::agent_directory>();
  auto tuning = learning_actors::spawn_tuning(self.ptr(), opts);
  auto perf = learning_actors::spawn_performance(self.ptr(), opts);
  dir->started("learning.tuning", tuning.address(), false);
  dir->started("learning.performance", perf.address(), false);
  auto coord = learning_actors::spawn_coordinator(self.ptr(), opts, dir);

  // Both loops are due: the coordinator's first tick (sent when it starts,
  // on its own thread) or this drain runs them, whichever comes first.
  auto first = drain(self, coord);
  CHECK((first == 2 || first == 0));
  auto t = db.store->learning_runs("tuning", 10);
  auto p = db.store->learning_runs("performance", 10);
  REQUIRE(t.size() == 1);
  REQUIRE(p.size() == 1);
  CHECK(t[0].status == "ok");
  CHECK(t[0].result_json.find("\"decision\"") != std::string::npos);
  CHECK(p[0].status == "ok");
  CHECK(db.store->performance_snapshots("analysis.all", 0, 0).size() == analysis::kind_count + 1);
  CHECK(drain(self, coord) == 0); // nothing twice

  // The performance agent is down at the next due hour: nothing recorded.
  self->send_exit(perf, caf::exit_reason::kill);
  dir->exited("learning.performance", "killed");
  now->store(now->load() + hour);
  CHECK(drain(self, coord) == 0);
  CHECK(db.store->learning_runs("performance", 10).size() == 1);
  // Back: the same due hour is run then, once.
  perf = learning_actors::spawn_performance(self.ptr(), opts);
  dir->started("learning.performance", perf.address(), false);
  CHECK(drain(self, coord) == 1);
  auto after = db.store->learning_runs("performance", 10);
  REQUIRE(after.size() == 2);
  CHECK(after[0].scheduled_at == p[0].scheduled_at + hour);
  for (auto a : {caf::actor_cast<caf::actor>(coord), caf::actor_cast<caf::actor>(tuning),
                 caf::actor_cast<caf::actor>(perf)})
    self->send_exit(a, caf::exit_reason::kill);
}
