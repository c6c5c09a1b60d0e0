#include "actors/app_tree.hpp"

#include <filesystem>

#include <caf/all.hpp>

#include "market/interval.hpp"

#include "actors/analysis/pipeline.hpp"
#include "actors/analysis/backtest_host.hpp"
#include "actors/cluster/placement_agent.hpp"
#include "actors/data/binance_source.hpp"
#include "analysis/sentiment.hpp"
#include "actors/data/news.hpp"
#include "io/news/feed.hpp"
#include "actors/data/sources.hpp"
#include "actors/ops/chaos.hpp"
#include "actors/ops/health.hpp"
#include "config/schema.hpp"
#include "io/llm/anthropic.hpp"

namespace herald {

using namespace supervision;

supervisor_flags supervisor_flags_for(const config::settings& s, const std::string& name,
                                      strategy strat) {
  auto sec = "supervision." + name + ".";
  supervisor_flags f;
  f.strat = strat;
  f.intensity = s.get_int(sec + "intensity");
  f.period = s.get_duration(sec + "period");
  return f;
}

backoff_options backoff_for(const config::settings& s, const std::string& name) {
  auto sec = "supervision." + name + ".";
  backoff_options b;
  b.min = s.get_duration(sec + "backoff-min");
  b.max = s.get_duration(sec + "backoff-max");
  b.random_factor = s.get_real(sec + "backoff-random-factor");
  b.reset_after = s.get_duration(sec + "backoff-reset");
  return b;
}

namespace {

child_spec worker(const config::settings& s, const std::string& sup, std::string name,
                  std::function<caf::actor(caf::local_actor*, const std::string&)> start) {
  return permanent_worker(std::move(name), std::move(start),
                          s.get_duration("supervision." + sup + ".shutdown-timeout"),
                          backoff_for(s, sup));
}

supervisor_config domain(const config::settings& s, const std::string& name, strategy strat,
                         std::shared_ptr<agent_directory> dir, std::vector<child_spec> kids) {
  supervisor_config c;
  c.name = name;
  c.path = name;
  c.flags = supervisor_flags_for(s, name, strat);
  c.children = std::move(kids);
  c.directory = std::move(dir);
  return c;
}

} // namespace

data::persistence_options persistence_options_from(const config::settings& s) {
  data::persistence_options o;
  o.batch_size = static_cast<std::size_t>(s.get_int("db.batch-size"));
  o.batch_interval = s.get_duration("db.batch-interval");
  o.queue_capacity = static_cast<std::size_t>(s.get_int("db.queue-capacity"));
  o.retry_min = s.get_duration("db.retry-min");
  o.retry_max = s.get_duration("db.retry-max");
  o.shutdown_flush_timeout = s.get_duration("db.shutdown-flush-timeout");
  o.spill_file = s.get_string("db.spill-file");
  return o;
}

data::hub_options hub_options_from(const config::settings& s) {
  data::hub_options o;
  o.depth = static_cast<std::size_t>(s.get_int("hub.depth"));
  o.resample_to = s.get_list("hub.resample-to");
  o.persist = s.get_bool("hub.persist");
  o.persist_buffer = static_cast<std::size_t>(s.get_int("hub.max-unstored"));
  return o;
}

analysis_actors::analysis_tree_options analysis_options_from(const config::settings& s) {
  analysis_actors::analysis_tree_options o;
  auto& p = o.pipeline;
  p.symbols = s.get_list("analysis.symbols");
  p.intervals = s.get_list("analysis.intervals");
  p.enabled.fill(false);
  for (auto& name : s.get_list("analysis.analyzers"))
    if (auto k = analysis::kind_from_name(name))
      p.enabled[static_cast<std::size_t>(*k)] = true;
  using std::chrono::duration_cast;
  using ms = std::chrono::milliseconds;
  p.deadline = duration_cast<ms>(s.get_duration("analysis.deadline"));
  p.restart_wait = duration_cast<ms>(s.get_duration("analysis.restart-wait"));
  p.order_wait = duration_cast<ms>(s.get_duration("analysis.order-wait"));
  p.max_batch = static_cast<std::size_t>(s.get_int("analysis.max-batch"));
  p.max_backlog = static_cast<std::size_t>(s.get_int("analysis.max-backlog"));
  p.aggregate.threshold = s.get_real("analysis.threshold");
  p.aggregate.scale_low = s.get_real("analysis.regime-scale-low");
  p.aggregate.scale_high = s.get_real("analysis.regime-scale-high");
  for (std::size_t k = 0; k < analysis::kind_count; ++k) {
    std::string name = analysis::kind_name(analysis::kind_at(k));
    std::replace(name.begin(), name.end(), '_', '-');
    auto key = "analysis." + name + ".weight";
    if (s.contains(key))
      p.aggregate.weights[k] = s.get_real(key);
  }
  o.rebuild_candles = static_cast<std::uint32_t>(s.get_int("analysis.rebuild-candles"));
  o.persist = s.get_bool("analysis.persist");
  auto& a = o.analyzers;
  auto sz = [&](const char* k) { return static_cast<std::size_t>(s.get_int(k)); };
  a.market_structure_opts = {sz("analysis.market-structure.fast"),
                             sz("analysis.market-structure.slow"),
                             sz("analysis.market-structure.swing")};
  a.order_flow_opts = {sz("analysis.order-flow.volume-period"), sz("analysis.order-flow.obv-slope")};
  a.momentum_opts = {sz("analysis.momentum.rsi-period"), s.get_real("analysis.momentum.overbought"),
                     s.get_real("analysis.momentum.oversold")};
  a.volatility_regime_opts = {sz("analysis.volatility-regime.atr-period"),
                              sz("analysis.volatility-regime.lookback"),
                              s.get_real("analysis.volatility-regime.low"),
                              s.get_real("analysis.volatility-regime.high")};
  a.news_sentiment_opts.half_life_ms
    = duration_cast<ms>(s.get_duration("analysis.news-sentiment.half-life")).count();
  a.news_sentiment_opts.prior = s.get_real("analysis.news-sentiment.prior");
  a.multi_timeframe_opts.higher_ms.clear();
  for (auto& iv : s.get_list("analysis.multi-timeframe.intervals"))
    if (auto ms_ = market::interval_ms(iv))
      a.multi_timeframe_opts.higher_ms.push_back(*ms_);
  a.multi_timeframe_opts.fast = sz("analysis.multi-timeframe.fast");
  a.multi_timeframe_opts.slow = sz("analysis.multi-timeframe.slow");
  a.pattern_recognition_opts = {sz("analysis.pattern-recognition.breakout-bars"),
                                s.get_real("analysis.pattern-recognition.double-tolerance"),
                                sz("analysis.pattern-recognition.double-window")};
  a.statistical_edge_opts = {sz("analysis.statistical-edge.period"),
                             s.get_real("analysis.statistical-edge.full-scale")};
  auto& r = o.risk;
  r.initial_equity = s.get_real("risk.initial-equity");
  r.position_fraction = s.get_real("risk.position-fraction");
  r.max_symbol_exposure = s.get_real("risk.max-symbol-exposure");
  r.max_total_exposure = s.get_real("risk.max-total-exposure");
  r.reduce_drawdown = s.get_real("risk.reduce-drawdown");
  r.halt_drawdown = s.get_real("risk.halt-drawdown");
  r.reduce_factor = s.get_real("risk.reduce-factor");
  r.halt_bars = s.get_int("risk.halt-bars");
  r.hold_bars = s.get_int("risk.hold-bars");
  r.cooldown_losses = static_cast<int>(s.get_int("risk.cooldown-losses"));
  r.cooldown_window = s.get_int("risk.cooldown-window");
  r.cooldown_bars = s.get_int("risk.cooldown-bars");
  r.min_confidence = s.get_real("risk.min-confidence");
  r.veto_high_volatility = s.get_bool("risk.veto-high-volatility");
  r.fee = s.get_real("risk.fee");
  o.flags = supervisor_flags_for(s, "analysis", strategy::one_for_one);
  o.series_flags = o.flags;
  o.backoff = backoff_for(s, "analysis");
  o.shutdown_timeout = s.get_duration("supervision.analysis.shutdown-timeout");
  return o;
}

namespace {

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace

ops::inspector_options inspector_options_from(const config::settings& s) {
  ops::inspector_options o;
  o.interval = std::chrono::duration_cast<std::chrono::milliseconds>(
    s.get_duration("ops.stats-interval"));
  o.node_name = s.get_string("herald.node-name");
  o.publish = s.get_bool("inspector.enabled");
  o.publish_address = s.get_string("inspector.address");
  o.publish_port = static_cast<std::uint16_t>(s.get_int("inspector.port"));
  o.sources.push_back("data.scanner");
  o.expect_pipeline = s.get_bool("analysis.enabled");
  if (!s.get_list("news.feeds").empty())
    o.sources.push_back("data.news");
  return o;
}

namespace {

/// Cluster: the content subtree as the only member of the pool
/// "content-gate" (whose path is "root", so the member keeps the path
/// "content"), started by the placement agent only while this node holds
/// the publisher lease; every ledger transition is fenced by that lease.
supervisor_config content_gate(const config::settings& s, const app_services& services,
                               std::shared_ptr<agent_directory> dir) {
  auto co = std::make_shared<content_actors::content_options>(*services.content);
  co->fence = [board = services.board]() -> std::optional<db::lease_fence> {
    auto l = board->lease("publisher");
    if (!l.held)
      return std::nullopt;
    return db::lease_fence{"publisher", board->self(), l.epoch};
  };
  auto tree = content_actors::content_tree(
    *co, dir, supervisor_flags_for(s, "content", strategy::rest_for_one), backoff_for(s, "content"),
    s.get_duration("supervision.content.shutdown-timeout"));
  supervisor_config gate;
  gate.name = "content-gate";
  gate.path = "root";
  gate.flags = supervisor_flags_for(s, "content", strategy::simple_one_for_one);
  gate.flags.strat = strategy::simple_one_for_one;
  gate.directory = dir;
  gate.pool = supervisor_pool_member([tree](const std::string&) { return tree; });
  return gate;
}

/// Cluster: the community subtree as the only member of the pool
/// "community-gate" (path "root": the member keeps the path "community"),
/// started with the content subtree while this node holds the publisher
/// lease: two content nodes must not both poll Telegram (getUpdates answers
/// a second poller with 409 Conflict) nor answer the same people.
/// The same for the learning subtree ("learning-gate"): the A/B agent runs
/// beside the creator that asks it.
supervisor_config gate_of(const config::settings& s, const std::string& domain_name,
                          std::shared_ptr<agent_directory> dir, std::vector<child_spec> kids) {
  auto tree = domain(s, domain_name, strategy::one_for_one, dir, std::move(kids));
  supervisor_config gate;
  gate.name = domain_name + "-gate";
  gate.path = "root";
  gate.flags = supervisor_flags_for(s, domain_name, strategy::simple_one_for_one);
  gate.flags.strat = strategy::simple_one_for_one;
  gate.directory = dir;
  gate.pool = supervisor_pool_member([tree](const std::string&) { return tree; });
  return gate;
}

} // namespace

supervisor_config make_root_config(const config::settings& s, const app_services& services) {
  auto dir = services.directory;
  auto has_role = [&](const char* r) {
    return services.roles.empty()
           || std::find(services.roles.begin(), services.roles.end(), r) != services.roles.end();
  };
  // -- ops ----------------------------------------------------------------------
  std::vector<child_spec> ops;
  if (services.inspector) {
    auto iopts = services.inspector;
    ops.push_back(worker(s, "ops", "inspector", [iopts](caf::local_actor* self,
                                                        const std::string&) {
      return caf::actor_cast<caf::actor>(ops::spawn_inspector(self, *iopts));
    }));
  }
  auto interval = s.get_duration("ops.health-interval");
  ops.push_back(worker(s, "ops", "health", [interval, dir](caf::local_actor* self,
                                                           const std::string&) {
    return caf::actor_cast<caf::actor>(ops::spawn_health(self, interval, dir));
  }));
  if (s.get_real("chaos.kill-rate") > 0 && has_role("ops")) {
    ops::chaos_options copts;
    copts.kill_rate = s.get_real("chaos.kill-rate");
    copts.pattern = s.get_string("chaos.kill-pattern");
    copts.seed = static_cast<std::uint64_t>(s.get_int("chaos.seed"));
    copts.self_path = "ops.chaos";
    ops.push_back(worker(s, "ops", "chaos", [copts, dir](caf::local_actor* self,
                                                         const std::string&) {
      return caf::actor_cast<caf::actor>(ops::spawn_chaos(self, copts, dir));
    }));
  }

  // -- data -------------------------------------------------------------------
  std::vector<child_spec> data_children;
  // Cluster: the placement agent runs what this node's leases and series
  // assignments say (the analysis lead, the content subtree, the series).
  bool analysis_here = services.progress && s.get_bool("analysis.enabled") && has_role("analysis");
  bool content_here = services.content && services.progress && has_role("content");
  if (services.board && (analysis_here || content_here)) {
    cluster_actors::placement_options po;
    po.board = services.board;
    po.node = services.node_name;
    po.directory = dir;
    po.series_pool = analysis_here ? "analysis.series" : "";
    if (analysis_here)
      po.gates.push_back({"analysis", "analysis.lead", "analysis.", {"risk", "pipeline"}});
    if (content_here) {
      po.gates.push_back({"publisher", "content-gate", "", {"content"}});
      if (services.community && services.community->storage)
        po.gates.push_back({"publisher", "community-gate", "", {"community"}});
      if ((services.ab && services.ab->storage)
          || (services.coordinator && services.coordinator->storage))
        po.gates.push_back({"publisher", "learning-gate", "", {"learning"}});
    }
    ops.push_back(worker(s, "ops", "placement", [po](caf::local_actor* self,
                                                     const std::string&) {
      return cluster_actors::spawn_placement_agent(self, po);
    }));
  }
  if (services.board && analysis_here) { // distributed backtests' analyzers
    auto ao = analysis_options_from(s);
    analysis_actors::backtest_host_options bo;
    bo.analyzers = ao.analyzers;
    bo.rebuild_candles = ao.rebuild_candles;
    bo.enabled = ao.pipeline.enabled;
    ops.push_back(worker(s, "ops", "backtests", [bo](caf::local_actor* self,
                                                     const std::string&) {
      return analysis_actors::spawn_backtest_host(self, bo);
    }));
  }
  bool data_role = has_role("data");
  if (services.storage && data_role) {
    auto store = services.storage;
    auto popts = persistence_options_from(s);
    if (services.unwritten)
      popts.unwritten = services.unwritten;
    auto persistence = worker(s, "data", "persistence", [store, popts](caf::local_actor* self,
                                                                       const std::string&) {
      return caf::actor_cast<caf::actor>(data::spawn_persistence(self, store, popts));
    });
    // It flushes every accepted record before it exits: give it the time.
    persistence.shutdown_timeout = std::max(persistence.shutdown_timeout,
                                            popts.shutdown_flush_timeout
                                              + std::chrono::seconds{2});
    data_children.push_back(std::move(persistence));
  }
  if (services.progress && data_role) {
    auto hopts = hub_options_from(s);
    hopts.persist = hopts.persist && services.storage != nullptr;
    if (hopts.persist) // what it stored is what a restarted hub rebuilds from
      hopts.storage = services.storage;
    hopts.flow = services.flow;
    data_children.push_back(worker(s, "data", "hub", [hopts, dir](caf::local_actor* self,
                                                                  const std::string&) {
      return caf::actor_cast<caf::actor>(data::spawn_hub(self, hopts, dir));
    }));
    auto progress = services.progress;
    auto max = static_cast<std::uint64_t>(s.get_int("scanner.max-candles"));
    auto speed = s.get_real("scanner.speed");
    if (s.get_string("scanner.source") == "binance") {
      data::binance_source_options bo;
      bo.rest.base_url = s.get_string("binance.rest-url");
      bo.rest.weight_share = s.get_real("binance.weight-share");
      bo.rest.cancelled = [progress] { return progress->stopping(); };
      bo.max_buffer = static_cast<std::size_t>(s.get_int("binance.max-buffer"));
      bo.ws_url = s.get_string("binance.ws-url");
      bo.symbols = s.get_list("scanner.symbols");
      bo.interval = s.get_string("scanner.interval");
      bo.backfill = std::chrono::duration_cast<std::chrono::milliseconds>(
        s.get_duration("binance.backfill"));
      bo.max_candles = max;
      data_children.push_back(worker(s, "data", "scanner", [bo, dir, progress](
                                                               caf::local_actor* self,
                                                               const std::string&) {
        return caf::actor_cast<caf::actor>(data::spawn_binance_source(self, bo, dir, progress));
      }));
    } else if (s.get_string("scanner.source") == "replay") {
      data::replay_source_options ro;
      ro.files = s.get_list("scanner.files");
      ro.symbols = s.get_list("scanner.symbols");
      ro.symbol = ro.symbols.empty() ? "" : ro.symbols[0];
      ro.speed = speed;
      ro.max_candles = max;
      data_children.push_back(worker(s, "data", "scanner", [ro, dir, progress](
                                                               caf::local_actor* self,
                                                               const std::string&) {
        return caf::actor_cast<caf::actor>(data::spawn_replay_source(self, ro, dir, progress));
      }));
    } else {
      data::sim_source_options so;
      auto interval = s.get_string("scanner.interval");
      auto ms = *market::interval_ms(interval);
      for (auto& sym : s.get_list("scanner.symbols"))
        so.sim.symbols.push_back(data::default_sim_symbol(sym, ms));
      so.sim.interval = interval;
      so.sim.seed = static_cast<std::uint64_t>(s.get_int("scanner.seed"));
      auto start = s.get_int("scanner.start-time");
      so.speed = speed;
      so.max_candles = max;
      auto backfill = start != 0 ? 0 : s.get_int("scanner.backfill");
      so.backfill = static_cast<std::uint64_t>(backfill);
      data_children.push_back(worker(s, "data", "scanner", [so, start, ms, backfill, dir, progress](
                                                               caf::local_actor* self,
                                                               const std::string&) mutable {
        // Live runs start `backfill` bars before now; a restarted source
        // resumes at the current time.
        so.sim.start_time = start != 0 ? start : now_ms() - backfill * ms;
        return caf::actor_cast<caf::actor>(data::spawn_sim_source(self, so, dir, progress));
      }));
    }
  }

  if (services.progress && data_role && !s.get_list("news.feeds").empty()) {
    data::news_options no;
    no.feeds = s.get_list("news.feeds");
    no.poll_interval = s.get_duration("news.poll-interval");
    no.aliases = io::news::parse_aliases(s.get_list("news.aliases"));
    auto lex = s.get_string("analysis.news-sentiment.lexicon");
    if (!lex.empty()) // checked by config validation: loads here
      no.lexicon = std::make_shared<analysis::lexicon>(analysis::lexicon::load(lex));
    data_children.push_back(worker(s, "data", "news", [no, dir](caf::local_actor* self,
                                                                const std::string&) {
      return caf::actor_cast<caf::actor>(data::spawn_news(self, no, dir));
    }));
  }

  auto aopts = analysis_options_from(s);
  aopts.persist = aopts.persist && services.storage != nullptr;
  aopts.pipeline.flow = services.flow;
  if (aopts.persist)
    aopts.storage = services.storage;
  if (services.coordinator && services.coordinator->storage) {
    // The applied weight epochs (issue 19): a (re)started pipeline
    // aggregates each candle with the weights in force at its time.
    auto store = services.coordinator->storage;
    auto configured = services.coordinator->loops.configured;
    aopts.pipeline.weight_history = [store, configured] {
      std::vector<weight_epoch> out;
      for (auto& row : store->applied_weight_sets())
        out.push_back(learning::epoch_of(row, configured));
      return out;
    };
  }
  if (services.board) {
    aopts.pipeline.board = services.board;
    aopts.pipeline.node = services.node_name;
  }
  // Community: the listeners run where content runs (they answer for the
  // same accounts), with a database.
  std::vector<child_spec> community;
  if (services.community && services.community->storage && services.progress
      && has_role("content")) {
    auto store = services.community->storage;
    for (auto& l : services.community->listeners)
      community.push_back(worker(s, "community", l.name, [l, store, dir](caf::local_actor* self,
                                                                         const std::string&) {
        return caf::actor_cast<caf::actor>(community_actors::spawn_listener(self, l, store, dir));
      }));
    if (services.community->engagement) {
      auto copts = services.community;
      community.push_back(worker(s, "community", "engagement", [copts, dir](caf::local_actor* self,
                                                                            const std::string&) {
        return caf::actor_cast<caf::actor>(community_actors::spawn_engagement(self, copts, dir));
      }));
    }
    if (services.community->analytics.enabled) {
      auto copts = services.community;
      community.push_back(worker(s, "community", "analytics", [copts, dir](caf::local_actor* self,
                                                                           const std::string&) {
        return caf::actor_cast<caf::actor>(community_actors::spawn_analytics(self, copts, dir));
      }));
    }
    if (services.community->track_record.enabled) {
      auto copts = services.community;
      community.push_back(worker(s, "community", "track_record", [copts, dir](caf::local_actor* self,
                                                                              const std::string&) {
        return caf::actor_cast<caf::actor>(community_actors::spawn_track_record(self, copts, dir));
      }));
    }
    if (services.community->repurpose.enabled) {
      auto copts = services.community;
      community.push_back(worker(s, "community", "repurpose", [copts, dir](caf::local_actor* self,
                                                                           const std::string&) {
        return caf::actor_cast<caf::actor>(community_actors::spawn_repurpose(self, copts, dir));
      }));
    }
  }
  // Learning: the A/B agent runs where content runs (the creator asks it),
  // and so do the coordinator and its loop agents (tuning, performance),
  // with a database; in a cluster, only on the node holding the publisher
  // lease, with the creator.
  std::vector<child_spec> learning;
  if (services.ab && services.ab->storage && content_here) {
    auto ab = services.ab;
    learning.push_back(worker(s, "learning", "ab", [ab](caf::local_actor* self,
                                                        const std::string&) {
      return caf::actor_cast<caf::actor>(learning_actors::spawn_ab(self, ab));
    }));
  }
  if (services.coordinator && services.coordinator->storage && content_here) {
    auto co = services.coordinator;
    // The loop agents first: the coordinator asks them at its first tick.
    learning.push_back(worker(s, "learning", "tuning", [co](caf::local_actor* self,
                                                            const std::string&) {
      return caf::actor_cast<caf::actor>(learning_actors::spawn_tuning(self, co));
    }));
    learning.push_back(worker(s, "learning", "performance", [co](caf::local_actor* self,
                                                                 const std::string&) {
      return caf::actor_cast<caf::actor>(learning_actors::spawn_performance(self, co));
    }));
    learning.push_back(worker(s, "learning", "coordinator", [co, dir](caf::local_actor* self,
                                                                      const std::string&) {
      return caf::actor_cast<caf::actor>(learning_actors::spawn_coordinator(self, co, dir));
    }));
  }
  supervisor_config root;
  root.name = "root";
  root.path = "root";
  root.flags = supervisor_flags_for(s, "root", strategy::one_for_one);
  root.directory = dir;
  root.children = {
    supervisor_child(domain(s, "ops", strategy::one_for_one, dir, std::move(ops))),
    supervisor_child(domain(s, "data", strategy::rest_for_one, dir, std::move(data_children))),
    services.progress && s.get_bool("analysis.enabled") && has_role("analysis")
      ? supervisor_child(analysis_actors::analysis_tree(aopts, dir))
      : supervisor_child(domain(s, "analysis", strategy::one_for_one, dir, {})),
    content_here && !services.board
      ? supervisor_child(content_actors::content_tree(
        *services.content, dir, supervisor_flags_for(s, "content", strategy::rest_for_one),
        backoff_for(s, "content"), s.get_duration("supervision.content.shutdown-timeout")))
    : content_here
      ? supervisor_child(content_gate(s, services, dir))
      : supervisor_child(domain(s, "content", strategy::rest_for_one, dir, {})),
    services.board && !community.empty()
      ? supervisor_child(gate_of(s, "community", dir, std::move(community)))
      : supervisor_child(domain(s, "community", strategy::one_for_one, dir, std::move(community))),
    services.board && !learning.empty()
      ? supervisor_child(gate_of(s, "learning", dir, std::move(learning)))
      : supervisor_child(domain(s, "learning", strategy::one_for_one, dir, std::move(learning))),
  };
  return root;
}

} // namespace herald
