// The analysis pipeline through its actors: signals for every candle,
// partial results when an analyzer is late, identical signals with and
// without chaos kills of analyzer actors, and identical signals whatever the
// batching (thread scheduling and message interleaving differ).

#include <catch2/catch.hpp>

#include <chrono>
#include <random>

#include <caf/all.hpp>

#include "actors/analysis/pipeline.hpp"
#include "actors/analysis/risk.hpp"
#include "actors/data/hub.hpp"
#include "config/loader.hpp"
#include "market/simulator.hpp"

using namespace herald;
using namespace std::chrono_literals;

namespace {

std::vector<candle> simulated(std::size_t n, std::uint64_t seed = 7) {
  market::sim_options o;
  o.symbols = {{"BTCUSDT", 42000, 0.0015, 40}};
  o.start_time = 1'700'000'040'000 - 1'700'000'040'000 % 60'000;
  o.seed = seed;
  market::simulator sim{o};
  std::vector<candle> out;
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(sim.next()[0]);
  return out;
}

struct run_result {
  std::vector<analysis::signal> signals;
  std::vector<analysis::insight> insights;
  std::uint64_t late = 0, failed = 0, retried = 0;
  std::uint64_t kills = 0;
};

/// Feeds `candles` in chunks through hub -> pipeline -> analyzers -> risk and
/// collects everything the risk manager reports. `between_chunks` runs after
/// each chunk is handed to the hub (chaos).
run_result run_pipeline(const std::vector<candle>& candles, std::size_t chunk,
                        analysis_actors::analysis_tree_options o,
                        const std::function<void(supervision::agent_directory&)>& between = {}) {
  config::herald_system_config cfg;
  run_result out;
  caf::actor_system sys{cfg};
  auto dir = std::make_shared<supervision::agent_directory>();
  o.persist = false;
  o.pipeline.symbols = {"BTCUSDT"};
  o.pipeline.intervals = {"1m"};
  o.pipeline.max_batch = chunk;
  o.flags.intensity = 1'000'000; // chaos must not escalate
  o.series_flags.intensity = 1'000'000;
  o.backoff.min = 1ms;
  o.backoff.max = 5ms;
  data::hub_options ho;
  ho.persist = false;
  ho.resample_to.clear();
  ho.depth = 20'000;
  auto hub = data::spawn_hub(sys, ho, dir);
  dir->started("data.hub", hub.address(), false);
  auto tree = supervision::spawn_supervisor(sys, analysis_actors::analysis_tree(o, dir));
  caf::scoped_actor self{sys};
  self->request(tree, 30s, ready_atom::value).receive([](bool) {}, [](caf::error&) {});
  auto risk = caf::actor_cast<analysis_actors::risk_actor>(dir->find("analysis.risk"));
  REQUIRE(risk);
  self->request(risk, 10s, subscribe_atom::value,
                caf::actor_cast<analysis_actors::risk_sink_actor>(self))
    .receive([](bool) {}, [](caf::error&) { FAIL("subscribe"); });
  auto collect = [&](risk_report& r) {
    for (auto& s : r.signals)
      out.signals.push_back(s);
    for (auto& i : r.insights)
      out.insights.push_back(i);
  };
  for (std::size_t i = 0; i < candles.size(); i += chunk) {
    std::vector<candle> part(candles.begin() + static_cast<std::ptrdiff_t>(i),
                             candles.begin()
                               + static_cast<std::ptrdiff_t>(std::min(i + chunk, candles.size())));
    self->request(hub, 10s, std::move(part)).receive([](std::uint64_t) {}, [](caf::error&) {});
    if (between)
      between(*dir);
    // drain what is there without waiting
    bool more = true;
    while (more)
      self->receive([&](risk_report& r) { collect(r); return true; }, caf::after(0s) >> [&] { more = false; });
  }
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (out.signals.size() < candles.size() && std::chrono::steady_clock::now() < deadline)
    self->receive([&](risk_report& r) { collect(r); return true; }, caf::after(1s) >> [] {});
  auto pl = caf::actor_cast<analysis_actors::pipeline_actor>(dir->find("analysis.pipeline"));
  self->request(pl, 10s, stats_atom::value)
    .receive([&](std::uint64_t, std::uint64_t, std::uint64_t l, std::uint64_t f,
                 std::uint64_t r) { out.late = l, out.failed = f, out.retried = r; },
             [](caf::error&) {});
  self->send_exit(tree, caf::exit_reason::user_shutdown);
  self->send_exit(hub, caf::exit_reason::user_shutdown);
  return out;
}

} // namespace

TEST_CASE("every candle becomes a signal, in order, gated by the risk manager",
          "[analysis][pipeline]") {
  auto candles = simulated(1500);
  auto r = run_pipeline(candles, 100, {});
  REQUIRE(r.signals.size() == candles.size());
  for (std::size_t i = 0; i < candles.size(); ++i) {
    REQUIRE(r.signals[i].time == candles[i].open_time);
    REQUIRE(r.signals[i].contributions.size() == analysis::kind_count);
    REQUIRE(r.signals[i].missing == 0);
  }
  std::size_t directional = 0;
  for (auto& s : r.signals)
    directional += s.dir != analysis::direction::neutral;
  CHECK(directional > 0);
  CHECK(r.insights.size() == directional); // one insight per directional signal
  CHECK(r.late == 0);
}

TEST_CASE("a late analyzer is left out: the signal comes with lower confidence",
          "[analysis][pipeline]") {
  auto candles = simulated(400);
  auto normal = run_pipeline(candles, 50, {});
  analysis_actors::analysis_tree_options o;
  o.pipeline.deadline = 300ms; // generous: only the stalled analyzer may miss it
  o.stall[static_cast<std::size_t>(analysis::kind::momentum)] = 1000ms;
  auto slow = run_pipeline(candles, 50, o);
  REQUIRE(slow.signals.size() == candles.size());
  CHECK(slow.late == candles.size() / 50); // every job of the momentum analyzer
  constexpr auto m = static_cast<std::size_t>(analysis::kind::momentum);
  std::size_t lower = 0;
  for (std::size_t i = 0; i < candles.size(); ++i) {
    auto& s = slow.signals[i];
    REQUIRE(s.missing == 1);
    REQUIRE_FALSE(s.contributions[m].present);
    REQUIRE(s.confidence <= normal.signals[i].confidence + 1e-9);
    lower += s.confidence < normal.signals[i].confidence;
  }
  CHECK(lower > 0);
}

TEST_CASE("signals are identical with and without chaos kills of analyzer actors",
          "[analysis][pipeline][chaos]") {
  auto candles = simulated(3000, 11);
  auto calm = run_pipeline(candles, 32, {});
  REQUIRE(calm.signals.size() == candles.size());
  std::mt19937 rng{42};
  std::uint64_t kills = 0;
  auto chaos = run_pipeline(candles, 32, {}, [&](supervision::agent_directory& dir) {
    // kill one or two analyzer actors after every chunk
    for (int k = 0; k < 2; ++k) {
      auto kind = analysis::kind_at(rng() % analysis::kind_count);
      auto a = dir.find(std::string{"analysis.series.BTCUSDT_1m."} + analysis::kind_name(kind));
      if (a) {
        caf::anon_send_exit(a, caf::exit_reason::kill);
        ++kills;
      }
    }
  });
  INFO("kills " << kills << ", retried jobs " << chaos.retried);
  CHECK(kills > 20);
  // Each kill makes the next job go to a fresh incarnation that rebuilds its
  // state from the hub's window; a job in flight at the kill is asked again.
  CHECK(chaos.failed == 0);
  REQUIRE(chaos.signals.size() == calm.signals.size());
  std::size_t differ = 0;
  for (std::size_t i = 0; i < calm.signals.size(); ++i)
    differ += !(chaos.signals[i] == calm.signals[i]);
  CHECK(differ == 0);
  CHECK(chaos.insights == calm.insights);
}

TEST_CASE("runs are deterministic whatever the batching and scheduling",
          "[analysis][pipeline]") {
  auto candles = simulated(2000, 5);
  auto a = run_pipeline(candles, 1, {});   // one candle per job: many interleavings
  auto b = run_pipeline(candles, 500, {}); // big batches
  REQUIRE(a.signals.size() == b.signals.size());
  std::size_t differ = 0;
  for (std::size_t i = 0; i < a.signals.size(); ++i)
    differ += !(a.signals[i] == b.signals[i]);
  CHECK(differ == 0);
  CHECK(a.insights == b.insights);
}

TEST_CASE("a weight hot swap loses no candle: signals before it keep the old weights, after it "
          "the new ones",
          "[analysis][pipeline][learning]") {
  auto candles = simulated(1200);
  weight_epoch e;
  e.version = 1;
  e.effective_from = candles[700].open_time;
  e.weights = {2, 0, 1.5, 1, 1, 0.5, 0, 3};
  e.threshold = 0.05;
  bool sent = false;
  std::size_t chunks = 0;
  auto swapped = run_pipeline(candles, 100, {}, [&](supervision::agent_directory& dir) {
    // Mid-stream: after the fifth batch was handed over, while jobs run.
    if (++chunks == 5 && !sent) {
      auto pl = caf::actor_cast<analysis_actors::pipeline_actor>(dir.find("analysis.pipeline"));
      REQUIRE(pl);
      caf::anon_send(pl, e);
      sent = true;
    }
  });
  REQUIRE(sent);
  REQUIRE(swapped.signals.size() == candles.size());
  std::size_t directional_after = 0;
  for (std::size_t i = 0; i < candles.size(); ++i) {
    auto& s = swapped.signals[i];
    REQUIRE(s.time == candles[i].open_time);
    REQUIRE(s.contributions.size() == analysis::kind_count);
    for (auto& c : s.contributions)
      REQUIRE(c.weight == (i < 700 ? 1.0 : e.weights[c.analyzer]));
    if (i >= 700)
      directional_after += s.dir != analysis::direction::neutral;
  }
  CHECK(directional_after > 0);
  // A pipeline that reads the epoch when it starts (a restart after the
  // swap) makes exactly the same signals.
  analysis_actors::analysis_tree_options o;
  o.pipeline.weight_history = [e] { return std::vector<weight_epoch>{e}; };
  auto loaded = run_pipeline(candles, 100, o);
  REQUIRE(loaded.signals.size() == swapped.signals.size());
  for (std::size_t i = 0; i < candles.size(); ++i) {
    REQUIRE(loaded.signals[i].score == swapped.signals[i].score);
    REQUIRE(loaded.signals[i].dir == swapped.signals[i].dir);
  }
}
