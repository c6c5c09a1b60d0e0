#include "actors/analysis/pipeline.hpp"
#include "actors/ops/instrumented.hpp"

#include <deque>
#include <limits>
#include <map>
#include <optional>

#include <caf/all.hpp>

#include "actors/analysis/risk.hpp"
#include "actors/analysis/worker.hpp"
#include "actors/data/hub.hpp"
#include "actors/data/outbox.hpp"
#include "actors/data/persistence.hpp"
#include "io/logging.hpp"
#include "io/news/feed.hpp"
#include "messages/errors.hpp"

namespace herald::analysis_actors {

namespace {

using clock_type = std::chrono::steady_clock;
constexpr std::int64_t none = std::numeric_limits<std::int64_t>::min();

std::string series_id(const std::string& symbol, const std::string& interval) {
  return symbol + "_" + interval;
}

struct series_state {
  std::string symbol, interval, id, path;
  bool starting = false, started = false;
  std::deque<candle> pending;
  std::vector<db::news_article> pending_news;
  // the job in flight
  bool busy = false;
  std::uint64_t seq = 0;
  caf::message job_msg; ///< the job in flight, as sent to every analyzer
  std::deque<analysis::signal> ready; ///< completed, in time order, not yet released
  const analysis_job& job() const { return job_msg.get_as<analysis_job>(0); }
  std::array<std::optional<analysis_reply>, analysis::kind_count> replies;
  std::array<bool, analysis::kind_count> done{};
  std::array<clock_type::time_point, analysis::kind_count> first_failure{};
  std::array<caf::actor_addr, analysis::kind_count> failed_handle{};
  int outstanding = 0;
  /// Analyzer handles, looked up in the directory once and again only after
  /// a failure (a restarted analyzer has a new handle).
  std::array<analyzer_actor, analysis::kind_count> workers{};
  std::int64_t completed_through = none; ///< open time of the last analysed candle
  /// When the oldest pending candle arrived, and when the job in flight's did.
  clock_type::time_point pending_since{}, job_arrived{};
  clock_type::time_point idle_since = clock_type::now();
};

struct pipeline_state {
  static inline const char* name = "herald.pipeline";
  pipeline_actor::pointer self = nullptr;
  std::unique_ptr<data::outbox<pipeline_actor::base>> writes; ///< until committed
  pipeline_options o;
  std::shared_ptr<supervision::agent_directory> dir;
  std::shared_ptr<spdlog::logger> log;
  std::map<std::string, series_state> series;
  pipeline_counters n;
  /// Candle arrival -> its signal ready for release, per job.
  ops::latency_histogram latency;
  /// Signals waiting for slower series, by (time, series id).
  std::size_t ready_count = 0; ///< signals waiting in the series' `ready` queues
  std::optional<clock_type::time_point> blocked_since;
  bool subscribed = false, timer_armed = false;
  caf::actor_addr hub_addr;
  /// Drain requests waiting for every candle received so far to be released.
  std::vector<caf::typed_response_promise<bool>> drains;

  bool idle() const {
    if (ready_count > 0)
      return false;
    for (auto& [id, s] : series)
      if (s.busy || s.starting || !s.pending.empty())
        return false;
    return true;
  }

  void answer_drains() {
    if (drains.empty() || !idle())
      return;
    for (auto& rp : drains)
      rp.deliver(true);
    drains.clear();
  }

  bool tracked(const candle& c) const {
    auto in = [](const std::vector<std::string>& xs, const std::string& x) {
      for (auto& y : xs)
        if (y == "*" || y == x)
          return true;
      return false;
    };
    return in(o.symbols, c.symbol) && in(o.intervals, c.interval);
  }

  void arm(std::chrono::milliseconds after = std::chrono::milliseconds{50}) {
    if (timer_armed)
      return;
    timer_armed = true;
    self->delayed_send(self, after, caf::tick_atom::value);
  }

  void subscribe() {
    auto hub = caf::actor_cast<data::hub_actor>(dir->find("data.hub"));
    if (!hub) {
      arm(std::chrono::milliseconds{100});
      return;
    }
    hub_addr = hub.address();
    self->monitor(hub);
    auto me = caf::actor_cast<data::candle_batch_sink_actor>(self);
    auto news = caf::actor_cast<data::news_sink_actor>(self);
    for (auto& sym : o.symbols)
      for (auto& iv : o.intervals)
        self->request(hub, std::chrono::seconds{10}, subscribe_atom::value, sym, iv, me)
          .then([](bool) {}, [this](caf::error& e) {
            log->error("cannot subscribe to the hub: {}", caf::to_string(e));
          });
    for (auto& sym : o.symbols)
      self->request(hub, std::chrono::seconds{10}, subscribe_atom::value, sym, news)
        .then([](bool) {}, [](caf::error&) {});
    subscribed = true;
  }

  // -- series lifecycle -------------------------------------------------------------

  series_state& get(const candle& c) {
    auto id = series_id(c.symbol, c.interval);
    auto it = series.find(id);
    if (it != series.end())
      return it->second;
    auto& s = series[id];
    s.symbol = c.symbol;
    s.interval = c.interval;
    s.id = id;
    s.path = "analysis.series." + id;
    return s;
  }

  void start_series(series_state& s) {
    if (s.starting || s.started)
      return;
    if (dir->find(s.path)) { // a previous pipeline incarnation started it
      s.started = true;
      return;
    }
    auto pool = caf::actor_cast<supervision::supervisor_actor>(dir->find("analysis.series"));
    if (!pool) {
      arm(std::chrono::milliseconds{100});
      return;
    }
    s.starting = true;
    auto id = s.id;
    self->request(pool, std::chrono::seconds{30}, start_child{id, s.symbol + " " + s.interval})
      .then(
        [this, id](caf::actor&) {
          auto& s = series[id];
          s.starting = false;
          s.started = true;
          log->info("analysing {} {}", s.symbol, s.interval);
          dispatch(s);
        },
        [this, id](caf::error& e) {
          auto& s = series[id];
          s.starting = false;
          // A busy pool (it is starting another series) is expected at start:
          // not a warning.
          if (e.category() == caf::atom("herald")
              && e.code() == static_cast<std::uint8_t>(herald_errc::supervisor_busy))
            log->debug("analysers of {} wait: the series pool is busy; retrying", id);
          else
            log->warn("cannot start analysers of {}: {}; retrying", id, caf::to_string(e));
          arm(std::chrono::milliseconds{200});
        });
  }

  // -- jobs -----------------------------------------------------------------------

  void dispatch(series_state& s) {
    if (!s.started || s.busy || s.pending.empty())
      return;
    s.busy = true;
    ++s.seq;
    auto k = std::min(o.max_batch, s.pending.size());
    analysis_job job;
    job.seq = s.seq;
    job.want_payload = o.persist;
    job.candles.assign(std::make_move_iterator(s.pending.begin()),
                       std::make_move_iterator(s.pending.begin() + static_cast<std::ptrdiff_t>(k)));
    s.pending.erase(s.pending.begin(), s.pending.begin() + static_cast<std::ptrdiff_t>(k));
    s.job_arrived = s.pending_since;
    s.pending_since = clock_type::now(); // the rest arrived no earlier than the job started
    job.news = std::move(s.pending_news);
    s.pending_news.clear();
    s.outstanding = 0;
    // One message for all analyzers of the series: CAF shares it instead of
    // copying the candles once per analyzer.
    s.job_msg = caf::make_message(std::move(job));
    for (std::size_t i = 0; i < analysis::kind_count; ++i) {
      s.replies[i].reset();
      s.done[i] = !o.enabled[i];
      s.first_failure[i] = {};
      s.failed_handle[i] = nullptr;
      if (o.enabled[i])
        ++s.outstanding;
    }
    for (std::size_t i = 0; i < analysis::kind_count; ++i)
      if (o.enabled[i])
        ask(s, static_cast<std::uint8_t>(i));
  }

  void ask(series_state& s, std::uint8_t k) {
    auto& worker = s.workers[k];
    if (!worker || worker.address() == s.failed_handle[k])
      worker = caf::actor_cast<analyzer_actor>(
        dir->find(s.path + "." + analysis::kind_name(analysis::kind_at(k))));
    auto id = s.id;
    auto seq = s.seq;
    if (!worker || worker.address() == s.failed_handle[k]) {
      self->delayed_send(self, std::chrono::milliseconds{10}, retry_atom::value, id, seq, k);
      return;
    }
    // A job of many candles gets a deadline per 1000 candles.
    auto scale = 1 + static_cast<long>(s.job().candles.size() / 1000);
    self->request(caf::actor_cast<caf::actor>(worker), o.deadline * scale, s.job_msg)
      .then(
        [this, id, seq, k](analysis_reply& r) {
          auto it = series.find(id);
          if (it == series.end() || it->second.seq != seq || it->second.done[k])
            return;
          it->second.replies[k] = std::move(r);
          finish_one(it->second, k);
        },
        [this, id, seq, k, addr = worker.address()](caf::error& e) {
          auto it = series.find(id);
          if (it == series.end() || it->second.seq != seq || it->second.done[k])
            return;
          auto& s = it->second;
          if (e == caf::sec::request_timeout) {
            ++n.late;
            log->warn("{} {}: {} missed its deadline for {} candles from {}: left out", s.symbol,
                      s.interval, analysis::kind_name(analysis::kind_at(k)), s.job().candles.size(),
                      s.job().candles.front().open_time);
            finish_one(s, k);
            return;
          }
          // The analyzer died: its supervisor restarts it; ask the new one.
          auto now = clock_type::now();
          if (s.first_failure[k] == clock_type::time_point{})
            s.first_failure[k] = now;
          s.failed_handle[k] = addr;
          if (now - s.first_failure[k] > o.restart_wait) {
            ++n.failed;
            log->error("{} {}: {} failed ({}) and was not back within {} ms: left out", s.symbol,
                       s.interval, analysis::kind_name(analysis::kind_at(k)),
                       caf::to_string(e), o.restart_wait.count());
            finish_one(s, k);
            return;
          }
          ++n.retried;
          self->delayed_send(self, std::chrono::milliseconds{10}, retry_atom::value, id, seq, k);
        });
  }

  void retry(const std::string& id, std::uint64_t seq, std::uint8_t k) {
    auto it = series.find(id);
    if (it == series.end() || it->second.seq != seq || it->second.done[k])
      return;
    auto& s = it->second;
    if (s.first_failure[k] == clock_type::time_point{})
      s.first_failure[k] = clock_type::now();
    if (clock_type::now() - s.first_failure[k] > o.restart_wait) {
      ++n.failed;
      log->error("{} {}: no {} analyzer within {} ms: left out", s.symbol, s.interval,
                 analysis::kind_name(analysis::kind_at(k)), o.restart_wait.count());
      finish_one(s, k);
      return;
    }
    ask(s, k);
  }

  void finish_one(series_state& s, std::uint8_t k) {
    s.done[k] = true;
    if (--s.outstanding > 0)
      return;
    complete(s);
  }

  void complete(series_state& s) {
    auto& cs = s.job().candles;
    std::array<std::size_t, analysis::kind_count> pos{};
    db::write_batch batch;
    std::vector<analysis::signal> out;
    out.reserve(cs.size());
    constexpr auto regime = static_cast<std::size_t>(analysis::kind::volatility_regime);
    for (std::size_t i = 0; i < cs.size(); ++i) {
      auto& c = cs[i];
      analysis::contribution_set parts;
      std::string label;
      for (std::size_t k = 0; k < analysis::kind_count; ++k) {
        if (!o.enabled[k])
          continue;
        analysis::contribution part;
        part.analyzer = static_cast<std::uint8_t>(k);
        auto& r = s.replies[k];
        if (r && pos[k] < r->results.size() && r->results[pos[k]].time == c.open_time) {
          auto& x = r->results[pos[k]++];
          part.present = true;
          part.score = x.score;
          part.confidence = x.confidence;
          if (k == regime)
            label = x.label;
          if (o.persist)
            batch.analysis.push_back({c.symbol, c.interval, c.open_time,
                                      analysis::kind_name(analysis::kind_at(k)), x.score,
                                      x.confidence, x.payload.empty() ? "{}" : x.payload,
                                      x.duration_ns});
        }
        parts.push_back(part);
      }
      auto sig = analysis::aggregate(o.aggregate, c.symbol, c.interval, c.open_time, c.close,
                                     parts, label);
      if (o.persist)
        batch.signals.push_back({sig.id(), sig.symbol, sig.interval, sig.time,
                                 analysis::to_string(sig.dir), sig.score, sig.confidence,
                                 sig.payload_json(), c.close_time});
      out.push_back(std::move(sig));
    }
    n.candles += cs.size();
    n.signals += out.size();
    latency.observe(static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now() - s.job_arrived)
        .count()));
    if (!cs.empty())
      s.completed_through = cs.back().open_time;
    s.busy = false;
    s.idle_since = clock_type::now();
    if (!batch.empty())
      persist(std::move(batch));
    ready_count += out.size();
    for (auto& sig : out)
      s.ready.push_back(std::move(sig));
    release();
    dispatch(s);
  }

  void persist(db::write_batch batch) { writes->push(std::move(batch)); }

  /// Sends the risk manager every ready signal no slower series can precede.
  void release() {
    std::vector<analysis::signal> out;
    out.reserve(ready_count);
    auto now = clock_type::now();
    while (ready_count > 0) {
      // The next signal in (time, series id) order: the series map is
      // ordered by id, so the first series with the earliest head wins ties.
      series_state* next = nullptr;
      for (auto& [id, s] : series)
        if (!s.ready.empty() && (!next || s.ready.front().time < next->ready.front().time))
          next = &s;
      auto t = next->ready.front().time;
      bool wait = false;
      for (auto& [id, s] : series) {
        if (s.completed_through >= t)
          continue;
        // A series behind t holds the release while it has work, or for
        // order-wait when it is idle (its candle for t may be on the way).
        if (s.busy || !s.pending.empty() || s.starting || now - s.idle_since < o.order_wait) {
          wait = true;
          break;
        }
      }
      if (wait && blocked_since && now - *blocked_since >= o.order_wait)
        wait = false; // waited long enough: a slow series does not stall the others
      if (wait) {
        if (!blocked_since)
          blocked_since = now;
        arm(o.order_wait / 4 + std::chrono::milliseconds{1});
        break;
      }
      out.push_back(std::move(next->ready.front()));
      next->ready.pop_front();
      --ready_count;
      blocked_since.reset();
    }
    if (!out.empty()) {
      auto risk = caf::actor_cast<risk_actor>(dir->find("analysis.risk"));
      if (risk)
        self->send(risk, std::move(out));
      else
        log->warn("{} signals not gated: no risk manager", out.size());
    }
    answer_drains();
  }
};

pipeline_actor::behavior_type pipeline_impl(ops::instrumented_stateful<pipeline_actor, pipeline_state>* self,
                                            pipeline_options o,
                                            std::shared_ptr<supervision::agent_directory> dir) {
  auto& st = self->state;
  st.self = self;
  st.o = std::move(o);
  st.dir = std::move(dir);
  st.log = logging::get("analysis.pipeline");
  st.writes = std::make_unique<data::outbox<pipeline_actor::base>>(self, st.dir, st.log,
                                                                   "analysis records");
  self->set_down_handler([self](caf::down_msg& dm) {
    if (dm.source == self->state.hub_addr) {
      self->state.subscribed = false;
      self->state.arm(std::chrono::milliseconds{100});
    }
  });
  st.subscribe();
  return {
    [self](candle_batch& b) {
      auto& st = self->state;
      std::vector<series_state*> touched;
      for (auto& c : b.candles) {
        if (!st.tracked(c))
          continue;
        auto& s = st.get(c);
        if (s.pending.empty())
          s.pending_since = clock_type::now();
        s.pending.push_back(std::move(c));
        if (touched.empty() || touched.back() != &s)
          touched.push_back(&s);
      }
      for (auto* s : touched) {
        if (!s->started)
          st.start_series(*s);
        st.dispatch(*s);
      }
    },
    [self](db::news_article& a) {
      for (auto& [id, s] : self->state.series)
        if (io::news::mentions_symbol(a.symbols_json, s.symbol))
          s.pending_news.push_back(a);
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
      if (st.idle())
        return true;
      st.drains.push_back(self->make_response_promise<bool>());
      st.arm();
      return st.drains.back();
    },
    [self](retry_atom, const std::string& id, std::uint64_t seq, std::uint8_t k) {
      self->state.retry(id, seq, k);
    },
    [self](persist_retry_atom) { self->state.writes->retry(); },
    [self](caf::tick_atom) {
      auto& st = self->state;
      st.timer_armed = false;
      if (!st.subscribed)
        st.subscribe();
      for (auto& [id, s] : st.series)
        if (!s.started && !s.starting && !s.pending.empty())
          st.start_series(s), st.dispatch(s);
      st.release();
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
      worker_options w;
      w.k = analysis::kind_at(k);
      w.symbol = symbol;
      w.interval = interval;
      w.opts = o.analyzers;
      w.rebuild_candles = o.rebuild_candles;
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
  root.children.push_back(worker_spec("risk", [risk_opts, persist, dir](caf::local_actor* self,
                                                                        const std::string&) {
    return caf::actor_cast<caf::actor>(spawn_risk(self, risk_opts, persist, dir));
  }));
  root.children.push_back(supervisor_child(pool));
  auto popts = o.pipeline;
  popts.persist = persist;
  root.children.push_back(worker_spec("pipeline", [popts, dir](caf::local_actor* self,
                                                               const std::string&) {
    return caf::actor_cast<caf::actor>(spawn_pipeline(self, popts, dir));
  }));
  return root;
}

} // namespace herald::analysis_actors
