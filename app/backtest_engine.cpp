#include "app/backtest_engine.hpp"

#include <atomic>
#include <chrono>
#include <set>

#include <unistd.h>

#include <caf/all.hpp>

#include "actors/analysis/risk.hpp"
#include "actors/app_tree.hpp"
#include "actors/data/hub.hpp"
#include "cluster/board.hpp"
#include "cluster/placement.hpp"
#include "io/logging.hpp"
#include "market/interval.hpp"

#include <nlohmann/json.hpp>

namespace herald::app {

namespace {

template <class F>
std::vector<std::string> distinct(const std::vector<candle>& cs, F f) {
  std::set<std::string> s;
  for (auto& c : cs)
    s.insert(f(c));
  return {s.begin(), s.end()};
}

/// The driver's pipeline names itself so; never a host's name, so that every
/// analyzer is looked up as remote.
const char* driver_node = "backtest-driver";

/// Places the series over the hosts and asks each for its analyzers;
/// fills `dir` (remote entries) and `board` (epoch 1). "" or what failed.
std::string place(caf::scoped_actor& self, const std::string& run,
                  const std::vector<candle>& candles, const backtest_hosts& hosts,
                  const data::hub_actor& hub, supervision::agent_directory& dir,
                  cluster::board& board, std::map<std::string, std::string>& placement) {
  std::map<std::string, std::pair<std::string, std::string>> series; // id -> symbol, interval
  for (auto& c : candles)
    series.emplace(analysis::series_id(c.symbol, c.interval), std::pair{c.symbol, c.interval});
  std::vector<std::string> ids, nodes;
  for (auto& [id, si] : series)
    ids.push_back(id);
  std::map<std::string, caf::actor> host_of;
  for (auto& [node, h] : hosts) {
    nodes.push_back(node);
    host_of[node] = h;
  }
  cluster::placement_options po;
  auto plan = cluster::plan_moves({}, ids, nodes, 0, po);
  std::map<std::string, std::vector<supervision::remote_agent_record>> records;
  std::string error;
  for (auto& a : plan) {
    auto& [symbol, interval] = series[a.series];
    self
      ->request(host_of[a.owner], std::chrono::seconds{30}, backtest_atom::value, run, symbol,
                interval, caf::actor_cast<caf::actor>(hub))
      .receive(
        [&](std::vector<caf::actor>& analyzers) {
          for (std::size_t k = 0; k < analyzers.size() && k < analysis::kind_count; ++k) {
            if (!analyzers[k])
              continue;
            supervision::remote_agent_record r;
            r.path = "analysis.series." + a.series + "." + analysis::kind_name(analysis::kind_at(k));
            r.node = a.owner;
            r.addr = analyzers[k].address();
            records[a.owner].push_back(std::move(r));
          }
        },
        [&](caf::error& e) {
          error = "node " + a.owner + " did not start the analyzers of " + a.series + ": "
                  + self->system().render(e);
        });
    if (!error.empty())
      return error;
    placement[a.series] = a.owner;
  }
  for (auto& [node, rs] : records)
    dir.set_remote(node, std::move(rs));
  std::vector<cluster::assignment> all;
  for (auto& a : plan)
    all.push_back({a.series, a.owner, 1, 0});
  board.set_assignments(std::move(all));
  return {};
}

} // namespace

std::vector<std::string> symbols_of(const std::vector<candle>& candles) {
  return distinct(candles, [](const candle& c) { return c.symbol; });
}

std::vector<std::string> intervals_of(const std::vector<candle>& candles) {
  return distinct(candles, [](const candle& c) { return c.interval; });
}

backtest_result run_backtest(caf::actor_system& sys, analysis_actors::analysis_tree_options opts,
                             const backtest_job& job, const backtest_hosts& hosts,
                             const std::function<void(std::uint64_t)>& progress) {
  backtest_result out;
  out.report = analysis::backtest_report{job.horizon};
  auto& report = out.report;
  if (job.candles.empty()) {
    out.error = "no candles";
    return out;
  }
  static std::atomic<std::uint64_t> runs{0};
  auto run = std::to_string(::getpid()) + "-" + std::to_string(++runs);
  opts.persist = false;
  opts.pipeline.symbols = symbols_of(job.candles);
  opts.pipeline.intervals = intervals_of(job.candles);
  opts.pipeline.order_wait = std::chrono::milliseconds{0};
  opts.pipeline.strict_order = true;
  const std::size_t chunk = opts.pipeline.max_batch;
  const std::size_t window = 4 * chunk; // candles fed but not yet analysed
  auto dir = std::make_shared<supervision::agent_directory>();
  std::shared_ptr<cluster::board> board;
  if (!hosts.empty()) {
    board = std::make_shared<cluster::board>(driver_node);
    opts.pipeline.board = board;
    opts.pipeline.node = driver_node;
    opts.lead_pool = false;
  }
  std::uint64_t expected = 0, done = 0;
  caf::scoped_actor self{sys};
  data::hub_options ho;
  ho.persist = false;
  ho.resample_to.clear();
  ho.depth = opts.rebuild_candles + window + chunk;
  auto hub = data::spawn_hub(sys, ho, dir);
  dir->started("data.hub", hub.address(), false);
  if (board) {
    out.error = place(self, run, job.candles, hosts, hub, *dir, *board, out.placement);
    if (!out.error.empty()) {
      for (auto& [node, h] : hosts)
        self->send(h, backtest_atom::value, run);
      self->send_exit(hub, caf::exit_reason::user_shutdown);
      return out;
    }
  }
  auto tree = supervision::spawn_supervisor(sys, analysis_actors::analysis_tree(opts, dir));
  auto finish = [&] {
    self->send_exit(tree, caf::exit_reason::user_shutdown);
    self->send_exit(hub, caf::exit_reason::user_shutdown);
    for (auto& [node, h] : hosts)
      self->send(h, backtest_atom::value, run);
  };
  self->request(tree, std::chrono::seconds{30}, ready_atom::value)
    .receive([](bool) {}, [&](caf::error& e) {
      out.error = "the analysis agents did not start: " + sys.render(e);
    });
  auto risk = caf::actor_cast<analysis_actors::risk_actor>(dir->find("analysis.risk"));
  if (out.error.empty() && risk)
    self->request(risk, std::chrono::seconds{10}, subscribe_atom::value,
                  caf::actor_cast<analysis_actors::risk_sink_actor>(self))
      .receive([](bool) {}, [&](caf::error& e) {
        out.error = "the risk manager refused the subscription: " + sys.render(e);
      });
  if (!out.error.empty()) {
    finish();
    return out;
  }
  double equity = opts.risk.initial_equity, max_dd = 0;
  std::uint64_t trades = 0;
  bool stalled = false;
  auto take = [&](risk_report& r) {
    for (std::size_t i = 0; i < r.signals.size(); ++i) {
      std::optional<analysis::insight> in;
      if (r.insight_of[i] >= 0)
        in = r.insights[static_cast<std::size_t>(r.insight_of[i])];
      report.add(r.signals[i], in);
    }
    done += r.signals.size();
    equity = r.equity;
    max_dd = r.max_drawdown;
    trades = r.trades;
    if (progress)
      progress(done);
  };
  auto wait_for = [&](std::uint64_t target) {
    while (!stalled && done < target)
      self->receive([&](risk_report& r) { take(r); return true; },
                    caf::after(std::chrono::seconds{60}) >> [&] { stalled = true; });
  };
  std::size_t fed = 0;
  const auto& candles = job.candles;
  while (out.error.empty() && fed < candles.size() && !stalled) {
    auto n = std::min(chunk, candles.size() - fed);
    std::vector<candle> batch(candles.begin() + static_cast<std::ptrdiff_t>(fed),
                              candles.begin() + static_cast<std::ptrdiff_t>(fed + n));
    fed += n;
    self->request(hub, std::chrono::seconds{60}, std::move(batch))
      .receive([&](std::uint64_t accepted) { expected += accepted; },
               [&](caf::error& e) { out.error = "the hub refused candles: " + sys.render(e); });
    if (expected > window)
      wait_for(expected - window);
  }
  wait_for(expected);
  report.set_portfolio(opts.risk.initial_equity, equity, max_dd, trades);
  if (auto pl = caf::actor_cast<analysis_actors::pipeline_actor>(dir->find("analysis.pipeline")))
    self->request(pl, std::chrono::seconds{10}, stats_atom::value)
      .receive([&](std::uint64_t, std::uint64_t, std::uint64_t l, std::uint64_t f,
                   std::uint64_t) { out.late = l, out.failed = f; },
               [](caf::error&) {});
  finish();
  out.accepted = expected;
  if (out.error.empty() && stalled)
    out.error = "the pipeline stopped answering after " + std::to_string(done) + " of "
                + std::to_string(expected) + " candles";
  return out;
}

std::string backtest_headline(const std::vector<candle>& candles, std::int64_t horizon,
                              std::uint64_t accepted) {
  std::string names, intervals;
  for (auto& x : symbols_of(candles))
    names += (names.empty() ? "" : ",") + x;
  for (auto& x : intervals_of(candles))
    intervals += (intervals.empty() ? "" : ",") + x;
  auto first = candles.empty() ? 0 : candles.front().open_time;
  auto last = candles.empty() ? 0 : candles.back().open_time;
  return "backtest of " + names + " " + intervals + ", " + market::format_utc(first) + " .. "
         + market::format_utc(last) + ", horizon " + std::to_string(horizon) + " bars ("
         + std::to_string(accepted) + " candles accepted of " + std::to_string(candles.size())
         + ")\n";
}

std::function<io::http::backtest_answer(const io::http::backtest_request&)>
backtest_service(caf::actor_system& sys, std::shared_ptr<supervision::agent_directory> dir,
                 std::shared_ptr<db::storage> store,
                 analysis_actors::analysis_tree_options opts, std::string node) {
  return [&sys, dir, store, opts, node](const io::http::backtest_request& r) {
    io::http::backtest_answer a;
    auto log = logging::get("analysis.backtests");
    if (!store) {
      a.status = 503;
      a.body = "no database on this node";
      return a;
    }
    backtest_job job;
    job.horizon = r.horizon;
    try {
      for (auto& sym : r.symbols) {
        auto cs = store->candles_between(sym, r.interval, r.from, r.to);
        job.candles.insert(job.candles.end(), std::make_move_iterator(cs.begin()),
                           std::make_move_iterator(cs.end()));
      }
    } catch (const std::exception& e) {
      a.status = 503;
      a.body = std::string{"cannot read the candles: "} + e.what();
      return a;
    }
    if (job.candles.empty()) {
      a.status = 400;
      a.body = "no " + r.interval + " candles of these symbols in the range";
      return a;
    }
    std::stable_sort(job.candles.begin(), job.candles.end(),
                     [](const candle& x, const candle& y) { return x.open_time < y.open_time; });
    backtest_hosts hosts;
    if (auto here = dir->find_local("ops.backtests"))
      hosts.emplace_back(node, caf::actor_cast<caf::actor>(here));
    for (auto& rec : dir->remote_snapshot())
      if (rec.path == "ops.backtests" && rec.addr)
        hosts.emplace_back(rec.node, caf::actor_cast<caf::actor>(rec.addr));
    std::sort(hosts.begin(), hosts.end(),
              [](const auto& x, const auto& y) { return x.first < y.first; });
    if (hosts.empty()) {
      a.status = 503;
      a.body = "no analysis node is up to run the analyzers";
      return a;
    }
    log->info("backtests: {} candles of {} series over {} analysis node(s)", job.candles.size(),
              symbols_of(job.candles).size(), hosts.size());
    auto res = run_backtest(sys, opts, job, hosts);
    if (!res.error.empty()) {
      log->warn("backtests: failed: {}", res.error);
      a.status = 500;
      a.body = res.error;
      return a;
    }
    auto placed = nlohmann::json::object();
    for (auto& [id, n] : res.placement)
      placed[id] = n;
    nlohmann::json out{{"report", nlohmann::json::parse(res.report.json())},
                       {"text", backtest_headline(job.candles, r.horizon, res.accepted)
                                  + res.report.text()},
                       {"candles", job.candles.size()},
                       {"accepted", res.accepted},
                       {"late", res.late},
                       {"failed", res.failed},
                       {"placement", placed}};
    a.body = out.dump();
    return a;
  };
}

} // namespace herald::app
