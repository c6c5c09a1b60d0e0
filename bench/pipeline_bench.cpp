// Issue 5 benchmarks (b) and (c), through the actors (hub -> pipeline ->
// analyzer actors -> risk manager), persistence off:
//  (b) latency from a candle handed to the hub to the risk manager's report
//      of its signal, p50 / p99, for 1 and 100 symbols (one candle per symbol
//      per round, rounds sent one after another);
//  (c) backtest throughput: candles/s of one series replayed in batches with
//      the backtest's flow control.
//   herald_bench_pipeline [throughput-candles [latency|throughput|all [CAF options]]]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>

#include <caf/all.hpp>
#include <caf/actor_registry.hpp>

#include "actors/ops/instrumented.hpp"

#include "actors/analysis/pipeline.hpp"
#include "actors/analysis/risk.hpp"
#include "actors/data/hub.hpp"
#include "config/loader.hpp"
#include "market/simulator.hpp"

using namespace herald;
using namespace std::chrono_literals;
using clk = std::chrono::steady_clock;

namespace {

struct rig {
  caf::actor_system& sys;
  std::shared_ptr<supervision::agent_directory> dir = std::make_shared<supervision::agent_directory>();
  data::hub_actor hub;
  supervision::supervisor_actor tree;
  caf::scoped_actor self{sys};

  rig(caf::actor_system& s, std::size_t max_batch) : sys(s) {
    analysis_actors::analysis_tree_options o;
    o.persist = false;
    o.pipeline.symbols = {"*"};
    o.pipeline.intervals = {"1m"};
    o.pipeline.max_batch = max_batch;
    o.pipeline.order_wait = 0ms;
    o.flags.intensity = 100;
    o.series_flags.intensity = 100;
    data::hub_options ho;
    ho.persist = false;
    ho.resample_to.clear();
    ho.depth = 5000 + 8 * max_batch;
    hub = data::spawn_hub(sys, ho, dir);
    dir->started("data.hub", hub.address(), false);
    tree = supervision::spawn_supervisor(sys, analysis_actors::analysis_tree(o, dir));
    self->request(tree, 30s, ready_atom::value).receive([](bool) {}, [](caf::error&) {});
    auto risk = caf::actor_cast<analysis_actors::risk_actor>(dir->find("analysis.risk"));
    self->request(risk, 10s, subscribe_atom::value,
                  caf::actor_cast<analysis_actors::risk_sink_actor>(self))
      .receive([](bool) {}, [](caf::error&) {});
  }
  ~rig() {
    self->send_exit(tree, caf::exit_reason::user_shutdown);
    self->send_exit(hub, caf::exit_reason::user_shutdown);
  }
  void feed(std::vector<candle> cs) {
    self->request(hub, 60s, std::move(cs)).receive([](std::uint64_t) {}, [](caf::error&) {});
  }
  std::size_t receive_signals() {
    std::size_t n = 0;
    self->receive([&](risk_report& r) { n = r.signals.size(); },
                  caf::after(30s) >> [] { std::fprintf(stderr, "stalled\n"); std::exit(1); });
    return n;
  }
};

std::vector<std::vector<candle>> rounds(std::size_t symbols, std::size_t n) {
  market::sim_options o;
  for (std::size_t i = 0; i < symbols; ++i)
    o.symbols.push_back({"S" + std::to_string(i) + "USDT", 100.0 + static_cast<double>(i), 0.0015, 40});
  o.start_time = 1'700'000'040'000 - 1'700'000'040'000 % 60'000;
  market::simulator sim{o};
  std::vector<std::vector<candle>> out;
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(sim.next());
  return out;
}

void latency(caf::actor_system& sys, std::size_t symbols, std::size_t n, std::size_t warm) {
  rig r{sys, 4096};
  auto data = rounds(symbols, n + warm);
  std::vector<double> lat;
  for (std::size_t i = 0; i < data.size(); ++i) {
    auto t0 = clk::now();
    r.feed(data[i]);
    std::size_t got = 0;
    while (got < symbols) {
      got += r.receive_signals();
      if (i >= warm) // every signal of this report came in now
        lat.push_back(std::chrono::duration<double, std::micro>(clk::now() - t0).count());
    }
  }
  std::sort(lat.begin(), lat.end());
  auto pct = [&](double p) { return lat[static_cast<std::size_t>(p * (lat.size() - 1))]; };
  std::printf("  %3zu symbol(s): p50 %8.1f us  p99 %8.1f us  (%zu rounds after %zu warm-up)\n",
              symbols, pct(0.5), pct(0.99), n, warm);
}

void throughput(caf::actor_system& sys, std::size_t n) {
  const std::size_t chunk = 4096, window = 4 * chunk;
  rig r{sys, chunk};
  auto data = rounds(1, n);
  std::vector<candle> all;
  for (auto& d : data)
    all.push_back(d[0]);
  // warm the series up (its actors start with the first candles)
  std::size_t fed = 0, done = 0;
  auto t0 = clk::now();
  while (fed < all.size()) {
    auto k = std::min(chunk, all.size() - fed);
    r.feed(std::vector<candle>(all.begin() + static_cast<std::ptrdiff_t>(fed),
                               all.begin() + static_cast<std::ptrdiff_t>(fed + k)));
    fed += k;
    while (fed > done + window)
      done += r.receive_signals();
  }
  while (done < fed)
    done += r.receive_signals();
  double secs = std::chrono::duration<double>(clk::now() - t0).count();
  std::printf("  backtest replay: %zu candles in %.2f s = %.0f candles/s (target 1,000,000)\n", n,
              secs, n / secs);
}

} // namespace

int main(int argc, char** argv) {
  std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 500'000;
  config::herald_system_config cfg;
  // Further arguments are CAF options, e.g. --scheduler.max-threads=2.
  if (argc > 3) {
    if (auto err = cfg.parse(argc - 2, argv + 2)) {
      std::fprintf(stderr, "bad CAF option: %s\n", caf::to_string(err).c_str());
      return 2;
    }
  }
  // HERALD_BENCH_STATS=off measures without the per-actor statistics
  // (ops.actor-stats=false); on (default) counts every message and reports to
  // an inspector stand-in that receives the reports, as in `herald run`.
  const char* stats_env = std::getenv("HERALD_BENCH_STATS");
  cfg.actor_stats = !(stats_env && std::string{stats_env} == "off");
  caf::actor_system sys{cfg};
  caf::actor sink;
  if (cfg.actor_stats) {
    sink = sys.spawn([]() -> caf::behavior { return {[](herald::actor_stats&) {}}; });
    sys.registry().put(herald::ops::inspector_key(), sink);
  }
  std::printf("analysis pipeline through the actors (%zu scheduler threads, actor stats %s):\n",
              sys.scheduler().num_workers(), cfg.actor_stats ? "on" : "off");
  std::string only = argc > 2 ? argv[2] : "";
  if (only != "throughput") {
    std::printf("(b) latency, candle to the gated signal:\n");
    latency(sys, 1, 2000, 200);
    latency(sys, 100, 200, 30);
  }
  if (only == "latency")
    return 0;
  std::printf("(c) throughput:\n");
  throughput(sys, n);
  if (sink) {
    sys.registry().erase(herald::ops::inspector_key());
    caf::anon_send_exit(sink, caf::exit_reason::user_shutdown);
  }
  return 0;
}
