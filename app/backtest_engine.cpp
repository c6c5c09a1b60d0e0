#include "app/backtest_engine.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
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

/// The candles of the longest series.
std::size_t longest_series(const std::vector<candle>& candles) {
  std::map<std::string, std::size_t> per_series;
  std::size_t most = 0;
  for (auto& c : candles)
    most = std::max(most, ++per_series[analysis::series_id(c.symbol, c.interval)]);
  return most;
}

/// The driver's pipeline names itself so; never a host's name, so that every
/// analyzer is looked up as remote.
const char* driver_node = "backtest-driver";

/// Where a distributed backtest's series are analysed: places them over
/// the hosts (bounded-load rendezvous, as live series), asks each host for
/// the analyzers, and fills the driver's private directory (remote entries)
/// and board. When a host's node is lost mid-run, its series are placed
/// again on the others with a new epoch: the pipeline sends their jobs in
/// flight there and the new analyzers rebuild from the driver's hub, as
/// after a crash, so the report does not change.
class placement_book {
public:
  placement_book(caf::scoped_actor& self, std::string run, const std::vector<candle>& candles,
                 const backtest_hosts& hosts, caf::actor hub, supervision::agent_directory& dir,
                 cluster::board& board)
    : self_(self), run_(std::move(run)), hub_(std::move(hub)), dir_(dir), board_(board) {
    for (auto& c : candles)
      series_.emplace(analysis::series_id(c.symbol, c.interval), std::pair{c.symbol, c.interval});
    rebuild_ = static_cast<std::uint32_t>(longest_series(candles));
    for (auto& [node, h] : hosts) {
      hosts_[node] = h;
      self_->monitor(h);
    }
  }

  /// Places every series without a live host; "" or what failed.
  std::string place() {
    std::vector<std::string> ids, nodes;
    for (auto& [id, si] : series_)
      ids.push_back(id);
    for (auto& [node, h] : hosts_)
      nodes.push_back(node);
    if (nodes.empty())
      return "every analysis node running this backtest was lost";
    cluster::placement_options po;
    po.max_moves_per_step = 0; // only what has no live host
    auto moves = cluster::plan_moves(current_, ids, nodes, 0, po);
    for (auto& m : moves) {
      auto& [symbol, interval] = series_[m.series];
      std::string error;
      self_
        ->request(hosts_[m.owner], std::chrono::seconds{30}, backtest_atom::value, run_, symbol,
                  interval, rebuild_, hub_)
        .receive(
          [&](std::vector<caf::actor>& analyzers) {
            auto& rs = records_[m.owner];
            for (std::size_t k = 0; k < analyzers.size() && k < analysis::kind_count; ++k) {
              if (!analyzers[k])
                continue;
              supervision::remote_agent_record r;
              r.path = "analysis.series." + m.series + "."
                       + analysis::kind_name(analysis::kind_at(k));
              r.node = m.owner;
              r.addr = analyzers[k].address();
              rs.push_back(std::move(r));
            }
          },
          [&](caf::error& e) {
            error = "node " + m.owner + " did not start the analyzers of " + m.series + ": "
                    + self_->system().render(e);
          });
      if (!error.empty())
        return error;
      auto it = std::find_if(current_.begin(), current_.end(),
                             [&](const cluster::assignment& a) { return a.series == m.series; });
      logging::get("analysis.backtests")
        ->info("backtests: run {}: {} on {} (epoch {})", run_, m.series, m.owner, m.epoch);
      if (it == current_.end())
        current_.push_back(m);
      else
        *it = m;
    }
    for (auto& [node, rs] : records_)
      dir_.set_remote(node, rs);
    board_.set_assignments(current_);
    return {};
  }

  /// A host died (its node was lost): its series go to the others.
  /// Returns "" (also when it was not one of ours) or what failed.
  std::string lost(const caf::actor_addr& who) {
    for (auto it = hosts_.begin(); it != hosts_.end(); ++it)
      if (it->second.address() == who) {
        auto node = it->first;
        logging::get("analysis.backtests")
          ->warn("backtests: run {}: node {} lost; its series move to the others", run_, node);
        hosts_.erase(it);
        records_.erase(node);
        dir_.drop_remote(node);
        return place();
      }
    return {};
  }

  std::map<std::string, std::string> placement() const {
    std::map<std::string, std::string> out;
    for (auto& a : current_)
      out[a.series] = a.owner;
    return out;
  }

  void end() {
    for (auto& [node, h] : hosts_)
      self_->send(h, backtest_atom::value, run_);
  }

private:
  caf::scoped_actor& self_;
  std::string run_;
  caf::actor hub_;
  /// A series' whole history: analyzers that replace a lost node's rebuild
  /// from all of it, so they reach the very state the lost ones had.
  std::uint32_t rebuild_ = 0;
  supervision::agent_directory& dir_;
  cluster::board& board_;
  std::map<std::string, std::pair<std::string, std::string>> series_; ///< id -> symbol, interval
  std::map<std::string, caf::actor> hosts_;
  std::map<std::string, std::vector<supervision::remote_agent_record>> records_;
  std::vector<cluster::assignment> current_;
};

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
  if (!hosts.empty()) // (see placement_book::rebuild_)
    ho.depth = std::max<std::size_t>(ho.depth, longest_series(job.candles) + window + chunk);
  auto hub = data::spawn_hub(sys, ho, dir);
  dir->started("data.hub", hub.address(), false);
  std::optional<placement_book> book;
  if (board) {
    book.emplace(self, run, job.candles, hosts, caf::actor_cast<caf::actor>(hub), *dir, *board);
    out.error = book->place();
    if (!out.error.empty()) {
      book->end();
      self->send_exit(hub, caf::exit_reason::user_shutdown);
      return out;
    }
  }
  auto tree = supervision::spawn_supervisor(sys, analysis_actors::analysis_tree(opts, dir));
  auto finish = [&] {
    self->send_exit(tree, caf::exit_reason::user_shutdown);
    self->send_exit(hub, caf::exit_reason::user_shutdown);
    if (book) {
      out.placement = book->placement();
      book->end();
    }
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
  // The strategist's decisions, step by step as the content strategist
  // takes them: the approved insights of one candle time, then the time.
  std::optional<content::strategist> planner;
  if (job.alerts) {
    planner.emplace(*job.alerts);
    report.track_alerts();
  }
  auto take = [&](risk_report& r) {
    std::set<std::string> alerts;
    if (planner) {
      std::map<std::int64_t, std::vector<analysis::insight>> by_time;
      for (std::size_t i = 0; i < r.signals.size(); ++i)
        if (r.insight_of[i] >= 0) {
          auto& in = r.insights[static_cast<std::size_t>(r.insight_of[i])];
          auto& at = by_time[in.time];
          if (in.approved)
            at.push_back(in);
        } else
          by_time[r.signals[i].time];
      for (auto& [t, ins] : by_time) {
        for (auto& p : planner->on_insights(ins))
          alerts.insert(p.insight_id);
        planner->on_time(t);
      }
    }
    for (std::size_t i = 0; i < r.signals.size(); ++i) {
      std::optional<analysis::insight> in;
      if (r.insight_of[i] >= 0)
        in = r.insights[static_cast<std::size_t>(r.insight_of[i])];
      report.add(r.signals[i], in, in && alerts.count(in->id()) > 0);
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
                    [&](caf::down_msg& dm) {
                      if (!book)
                        return;
                      auto why = book->lost(dm.source);
                      if (!why.empty() && out.error.empty()) {
                        out.error = why;
                        stalled = true;
                      }
                    },
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
                 analysis_actors::analysis_tree_options opts, std::string node,
                 std::optional<content::strategist_options> alerts) {
  return [&sys, dir, store, opts, node, alerts](const io::http::backtest_request& r) {
    io::http::backtest_answer a;
    auto log = logging::get("analysis.backtests");
    if (!store) {
      a.status = 503;
      a.body = "no database on this node";
      return a;
    }
    backtest_job job;
    job.horizon = r.horizon;
    job.alerts = alerts;
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
    auto by_time = [](const candle& x, const candle& y) { return x.open_time < y.open_time; };
    if (!std::is_sorted(job.candles.begin(), job.candles.end(), by_time))
      std::stable_sort(job.candles.begin(), job.candles.end(), by_time);
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
