#include "actors/analysis/pipeline_state.hpp"

namespace herald::analysis_actors {

namespace {

using namespace pipeline_detail;

pipeline_actor::behavior_type pipeline_impl(ops::instrumented_stateful<pipeline_actor, pipeline_state>* self,
                                            pipeline_options o,
                                            std::shared_ptr<supervision::agent_directory> dir) {
  auto& st = self->state;
  st.self = self;
  st.o = std::move(o);
  st.dir = std::move(dir);
  st.log = logging::get("analysis.pipeline");
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    if (dm.source == st.hub_addr) {
      st.hub_addr = nullptr;
      st.subscribed = false; // resubscribing rewinds
      st.rewinding = true;   // no new jobs from the old hub's candles meanwhile
      st.arm(std::chrono::milliseconds{100});
    } else if (dm.source == st.risk_addr) {
      st.log->info("risk manager lost ({}): rewinding to its successor's position",
                   caf::to_string(dm.reason));
      st.risk_addr = nullptr;
      st.rewind();
    } else if (st.watched.count(dm.source) > 0) {
      st.on_worker_down(dm.source);
    }
  });
  if (st.o.weight_history) {
    // One read at start: a restarted pipeline aggregates every candle with
    // the weights in force at its time (a failed read keeps the configured
    // weights and says so; the coordinator sends the current set again).
    try {
      for (auto& e : st.o.weight_history())
        st.add_epoch(e);
      if (!st.epochs.empty())
        st.log->info("{} weight epochs; version {} from {}", st.epochs.size(),
                     st.epochs.back().version, st.epochs.back().effective_from);
    } catch (const std::exception& e) {
      st.log->warn("weight history not read ({}): the configured weights until the "
                   "coordinator sends the current ones",
                   e.what());
    }
  }
  st.rewinding = true; // until the first rewind: drains wait for it
  st.subscribe();
  if (st.o.board)
    st.arm(std::chrono::milliseconds{100}); // the assignments are checked every tick
  return {
    [self](candle_batch& b) -> caf::result<bool> {
      auto& st = self->state;
      if (st.rewinding)
        st.held_batches.push_back(std::move(b));
      else
        st.take(std::move(b.candles));
      auto n = st.backlog();
      if (st.o.flow)
        st.o.flow->pipeline.set(static_cast<std::int64_t>(n),
                                static_cast<std::int64_t>(st.o.max_backlog));
      if (n < st.o.max_backlog)
        return true;
      // Back-pressure: the hub holds its sources until this answer comes.
      if (st.o.flow)
        st.o.flow->pipeline.holding(true, ops::wall_ms());
      st.acks.push_back(self->make_response_promise<bool>());
      return st.acks.back();
    },
    [self](weight_epoch& e) {
      auto& st = self->state;
      bool known = false;
      for (auto& x : st.epochs)
        known = known || x.version == e.version;
      if (!known)
        st.log->info("weights version {} in force from candle time {} (threshold {})", e.version,
                     e.effective_from, e.threshold);
      st.add_epoch(e);
    },
    [self](db::news_article& a) {
      auto& st = self->state;
      if (st.rewinding)
        st.held_news.push_back(std::move(a));
      else
        st.on_news(a);
    },
    [self](stats_atom) {
      auto& n = self->state.n;
      return caf::make_result(n.candles, n.signals, n.late, n.failed, n.retried);
    },
    [self](stats_atom, caf::get_atom) {
      const auto& h = self->state.latency;
      actor_stats out; // the pipeline's latency, in the actor_stats shape
      out.messages = h.total;
      out.busy_ns = h.sum_ns;
      out.buckets.assign(h.counts.begin(), h.counts.end());
      return out;
    },
    [self](drain_atom) -> caf::result<bool> {
      auto& st = self->state;
      st.drains.push_back(self->make_response_promise<bool>());
      auto rp = st.drains.back();
      st.answer_drains();
      st.arm();
      return rp;
    },
    [self](retry_atom, const std::string& id, std::uint64_t seq, std::uint8_t k) {
      self->state.retry(id, seq, k);
    },
    [self](caf::tick_atom) {
      auto& st = self->state;
      st.timer_armed = false;
      if (!st.subscribed)
        st.subscribe();
      else if (st.rewind_armed)
        st.rewind();
      st.apply_assignments();
      for (auto& [id, s] : st.series)
        if (!s.started && !s.starting && !s.pending.empty())
          st.start_series(s), st.dispatch(s);
      st.release();
      if (st.o.board)
        st.arm(std::chrono::milliseconds{100});
    },
  };
}

} // namespace

pipeline_actor spawn_pipeline(caf::local_actor* parent, pipeline_options o,
                              std::shared_ptr<supervision::agent_directory> dir) {
  return parent->spawn(pipeline_impl, std::move(o), std::move(dir));
}

supervision::supervisor_config analysis_tree(const analysis_tree_options& o,
                                             std::shared_ptr<supervision::agent_directory> dir) {
  using namespace supervision;
  // By value: the pool's factory below runs long after this function
  // returned (a reference to `o` there read freed memory: restarts of
  // analyzers were delayed by garbage backoffs, found by the console test).
  auto worker_spec = [timeout = o.shutdown_timeout, backoff = o.backoff](std::string name,
                                                                          auto start) {
    return permanent_worker(std::move(name), std::move(start), timeout, backoff);
  };
  supervisor_config pool;
  pool.name = "series";
  pool.path = "analysis.series";
  pool.flags = o.flags;
  pool.flags.strat = strategy::simple_one_for_one;
  pool.directory = dir;
  pool.pool = supervisor_pool_member([o, dir, worker_spec](const std::string& arg) {
    auto space = arg.find(' ');
    auto symbol = arg.substr(0, space), interval = arg.substr(space + 1);
    supervisor_config s;
    s.name = series_id(symbol, interval);
    s.path = "analysis.series." + s.name;
    s.flags = o.series_flags;
    s.flags.strat = strategy::one_for_one;
    s.directory = dir;
    for (std::size_t k = 0; k < analysis::kind_count; ++k) {
      if (!o.pipeline.enabled[k])
        continue;
      auto w = worker_for(analysis::kind_at(k), symbol, interval, o.analyzers, o.rebuild_candles);
      w.stall = o.stall[k];
      s.children.push_back(worker_spec(analysis::kind_name(w.k),
                                       [w, dir](caf::local_actor* self, const std::string&) {
                                         return caf::actor_cast<caf::actor>(
                                           spawn_worker(self, w, dir));
                                       }));
    }
    return s;
  });
  supervisor_config root;
  root.name = "analysis";
  root.path = "analysis";
  root.flags = o.flags;
  root.flags.strat = strategy::one_for_one;
  root.directory = dir;
  auto risk_opts = o.risk;
  auto persist = o.persist;
  auto storage = o.persist ? o.storage : nullptr;
  auto flow = o.pipeline.flow;
  auto start_risk = [risk_opts, persist, storage, dir, flow](caf::local_actor* self,
                                                             const std::string&) {
    return caf::actor_cast<caf::actor>(spawn_risk(self, risk_opts, persist, storage, dir, flow));
  };
  auto popts = o.pipeline;
  popts.persist = persist;
  auto start_pipeline = [popts, dir](caf::local_actor* self, const std::string&) {
    return caf::actor_cast<caf::actor>(spawn_pipeline(self, popts, dir));
  };
  if (!o.pipeline.board || !o.lead_pool) {
    root.children.push_back(worker_spec("risk", start_risk));
    root.children.push_back(supervisor_child(pool));
    root.children.push_back(worker_spec("pipeline", start_pipeline));
    return root;
  }
  // Cluster: the pool "analysis.lead" names its members "analysis.<id>"
  // (its path is "analysis"), so that risk and pipeline keep their paths.
  supervisor_config lead;
  lead.name = "lead";
  lead.path = "analysis";
  lead.flags = o.flags;
  lead.flags.strat = strategy::simple_one_for_one;
  lead.directory = dir;
  lead.pool = worker_spec("member", [start_risk, start_pipeline](caf::local_actor* self,
                                                                 const std::string& arg) {
    return arg == "risk" ? start_risk(self, arg) : start_pipeline(self, arg);
  });
  root.children.push_back(supervisor_child(pool));
  root.children.push_back(supervisor_child(lead));
  for (auto& c : o.extra)
    root.children.push_back(c);
  return root;
}

} // namespace herald::analysis_actors
