// The pipeline's jobs: series started through the pool, jobs asked of every
// analyzer of a series in parallel, results aggregated into signals and
// released to the risk manager in (time, series) order (see
// pipeline_state.hpp).
#include "actors/analysis/pipeline_state.hpp"

namespace herald::analysis_actors::pipeline_detail {

void pipeline_state::answer_drains() {
  if (drains.empty() || !idle() || verifying)
    return;
  auto risk = caf::actor_cast<risk_actor>(dir->find("analysis.risk"));
  auto hub = caf::actor_cast<data::hub_actor>(dir->find("data.hub"));
  if (!risk || !hub) {
    arm(std::chrono::milliseconds{50});
    return;
  }
  verifying = true;
  auto again = [this] {
    verifying = false;
    arm(std::chrono::milliseconds{20});
  };
  self->request(risk, std::chrono::seconds{10}, through_atom::value)
    .then(
      [this, hub, again](std::int64_t t, std::string& sid) {
        if (!(analysis::signal_key{t, sid} == released)) {
          again(); // its down message is on the way: a rewind follows
          return;
        }
        self->request(hub, std::chrono::seconds{10}, stats_atom::value)
          .then(
            [this, again](std::vector<series_stats>& all) {
              for (auto& x : all) {
                candle probe;
                probe.symbol = x.symbol;
                probe.interval = x.interval;
                if (!tracked(probe) || x.accepted == 0)
                  continue;
                auto it = series.find(series_id(x.symbol, x.interval));
                if (it == series.end() || it->second.last_seen < x.last_open_time) {
                  again(); // candles on their way here
                  return;
                }
              }
              verifying = false;
              if (!idle()) {
                arm(std::chrono::milliseconds{20});
                return;
              }
              for (auto& rp : std::exchange(drains, {}))
                rp.deliver(true);
            },
            [again](caf::error&) { again(); });
      },
      [again](caf::error&) { again(); });
}

void pipeline_state::subscribe() {
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
  // A new hub may have taken candles before this subscription: rewind
  // (its requests reach the hub after the subscriptions).
  rewind();
}

void pipeline_state::take(std::vector<candle> cs) {
  std::vector<series_state*> touched;
  for (auto& c : cs) {
    if (!tracked(c))
      continue;
    auto& s = get(c);
    if (c.open_time <= s.last_seen)
      continue;
    s.last_seen = c.open_time;
    if (s.pending.empty())
      s.pending_since = clock_type::now();
    s.pending.push_back(std::move(c));
    if (touched.empty() || touched.back() != &s)
      touched.push_back(&s);
  }
  for (auto* s : touched) {
    if (!s->started)
      start_series(*s);
    dispatch(*s);
  }
}

void pipeline_state::on_news(const db::news_article& a) {
  for (auto& [id, s] : series)
    if (io::news::mentions_symbol(a.symbols_json, s.symbol))
      s.pending_news.push_back(a);
}

series_state& pipeline_state::get(const candle& c) {
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

void pipeline_state::start_series(series_state& s) {
  if (s.starting || s.started)
    return;
  if (o.board) {
    // Cluster: the owner's placement agent starts the analyzers there.
    auto a = o.board->owner_of(s.id);
    if (!a) {
      s.awaiting_owner = true;
      if (!std::exchange(s.wait_logged, true))
        log->info("{} {} waits for its series assignment", s.symbol, s.interval);
      arm(std::chrono::milliseconds{100});
      return;
    }
    s.owner = a->owner;
    s.epoch = a->epoch;
    s.started = true;
    s.fresh = true;
    s.awaiting_owner = false;
    log->info("analysing {} {} on node '{}' (assignment epoch {})", s.symbol, s.interval,
              s.owner, s.epoch);
    return;
  }
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

void pipeline_state::dispatch(series_state& s) {
  if (rewinding || !s.started || s.busy || s.pending.empty())
    return;
  auto k = std::min(o.max_batch, s.pending.size());
  analysis_job job;
  job.want_payload = o.persist;
  job.fresh = std::exchange(s.fresh, false);
  job.candles.assign(std::make_move_iterator(s.pending.begin()),
                     std::make_move_iterator(s.pending.begin() + static_cast<std::ptrdiff_t>(k)));
  s.pending.erase(s.pending.begin(), s.pending.begin() + static_cast<std::ptrdiff_t>(k));
  s.job_arrived = s.pending_since;
  s.pending_since = clock_type::now(); // the rest arrived no earlier than the job started
  job.news = std::move(s.pending_news);
  s.pending_news.clear();
  send_job(s, std::move(job));
}

void pipeline_state::send_job(series_state& s, analysis_job job) {
  s.busy = true;
  s.seq = ++next_seq;
  job.seq = s.seq;
  job.epoch = s.epoch;
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

void pipeline_state::ask(series_state& s, std::uint8_t k) {
  auto& worker = s.workers[k];
  if (!worker || worker.address() == s.failed_handle[k])
    worker = find_worker(s, k);
  auto id = s.id;
  auto seq = s.seq;
  auto at = ++s.attempt[k];
  if (!worker || worker.address() == s.failed_handle[k]) {
    if (o.board)
      s.awaiting_owner = true; // its owner's analyzers are not up (yet)
    self->delayed_send(self, std::chrono::milliseconds{o.board ? 20 : 10}, retry_atom::value,
                       id, seq, k);
    return;
  }
  if (o.board && watched.insert(worker.address()).second)
    self->monitor(worker); // a lost node's analyzers: down at once, not at the deadline
  // A job of many candles gets a deadline per 1000 candles.
  auto scale = 1 + static_cast<long>(s.job().candles.size() / 1000);
  self->request(caf::actor_cast<caf::actor>(worker), o.deadline * scale, s.job_msg)
    .then(
      [this, id, seq, k, at](analysis_reply& r) {
        auto it = series.find(id);
        if (it == series.end() || it->second.seq != seq || it->second.done[k]
            || it->second.attempt[k] != at)
          return;
        if (r.epoch != it->second.epoch) { // a stale owner's output
          ++n.stale;
          log->warn("{}: refused {}'s reply of assignment epoch {} (current {})", id,
                    analysis::kind_name(analysis::kind_at(k)), r.epoch, it->second.epoch);
          self->delayed_send(self, std::chrono::milliseconds{20}, retry_atom::value, id, seq, k);
          return;
        }
        it->second.awaiting_owner = false;
        it->second.replies[k] = std::move(r);
        finish_one(it->second, k);
      },
      [this, id, seq, k, at, addr = worker.address()](caf::error& e) {
        auto it = series.find(id);
        if (it == series.end() || it->second.seq != seq || it->second.done[k]
            || it->second.attempt[k] != at)
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
        auto now = clock_type::now();
        if (e.category() == caf::atom("herald")
            && e.code() == static_cast<std::uint8_t>(herald_errc::not_ready)) {
          // The analyzer waits for a restarted hub to catch up: ask again.
          if (s.first_failure[k] == clock_type::time_point{})
            s.first_failure[k] = now;
          self->delayed_send(self, std::chrono::milliseconds{20}, retry_atom::value, id, seq,
                             k);
          return;
        }
        // The analyzer died: its supervisor restarts it; ask the new one.
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

void pipeline_state::retry(const std::string& id, std::uint64_t seq, std::uint8_t k) {
  auto it = series.find(id);
  if (it == series.end() || it->second.seq != seq || it->second.done[k])
    return;
  auto& s = it->second;
  if (o.board && !find_worker(s, k)) {
    // Cluster: the owner's analyzers are not in the directory (its node was
    // lost and the series waits for a new owner, or they are starting):
    // no analyzer failed, so the restart wait does not run.
    s.first_failure[k] = {};
    s.awaiting_owner = true;
    ++s.attempt[k];
    self->delayed_send(self, std::chrono::milliseconds{20}, retry_atom::value, id, seq, k);
    return;
  }
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

void pipeline_state::finish_one(series_state& s, std::uint8_t k) {
  s.done[k] = true;
  if (--s.outstanding > 0)
    return;
  complete(s);
}

void pipeline_state::complete(series_state& s) {
  auto& cs = s.job().candles;
  std::array<std::size_t, analysis::kind_count> pos{};
  std::vector<analysis::signal> out;
  out.reserve(cs.size());
  std::vector<std::vector<db::analysis_result>> records(o.persist ? cs.size() : 0);
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
          records[i].push_back({c.symbol, c.interval, c.open_time,
                                    analysis::kind_name(analysis::kind_at(k)), x.score,
                                    x.confidence, x.payload.empty() ? "{}" : x.payload,
                                    x.duration_ns});
      }
      parts.push_back(part);
    }
    // The risk agent stores the signal and these results with its
    // insight (one ordered stream: what a restarted risk agent replays;
    // a rewind starts after it).
    out.push_back(analysis::aggregate(aggregate_at(c.open_time), c.symbol, c.interval, c.open_time, c.close,
                                      parts, label));
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
  ready_count += out.size();
  for (std::size_t i = 0; i < out.size(); ++i) {
    s.ready.push_back(std::move(out[i]));
    s.ready_records.push_back(o.persist ? std::move(records[i])
                                        : std::vector<db::analysis_result>{});
  }
  release();
  dispatch(s);
  release_acks();
}

void pipeline_state::release() {
  if (risk_in_flight >= o.risk_window) {
    answer_drains();
    return;
  }
  std::vector<analysis::signal> out;
  std::vector<db::analysis_result> records;
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
    bool wait = false, hard = false;
    for (auto& [id, s] : series) {
      if (s.completed_through >= t)
        continue;
      // A series behind t holds the release while it has work, or for
      // order-wait when it is idle (its candle for t may be on the way).
      bool working = s.busy || !s.pending.empty() || s.starting;
      if (o.strict_order && !working)
        continue;
      if (working || now - s.idle_since < o.order_wait) {
        wait = true;
        hard |= o.strict_order;
        // A series waiting for its owner (cluster) is not slow: it holds
        // the release until it is analysed again.
        hard |= s.awaiting_owner && (s.busy || !s.pending.empty());
        break;
      }
    }
    if (wait && !hard && blocked_since && now - *blocked_since >= o.order_wait)
      wait = false; // waited long enough: a slow series does not stall the others
    if (wait) {
      if (!blocked_since)
        blocked_since = now;
      arm(o.order_wait / 4 + std::chrono::milliseconds{1});
      break;
    }
    if (!skip_through.none() && analysis::signal_key::of(next->ready.front()) <= skip_through)
      ; // the risk manager took it (and stored its results) before the rewind
    else {
      out.push_back(std::move(next->ready.front()));
      auto& rs = next->ready_records.front();
      records.insert(records.end(), std::make_move_iterator(rs.begin()),
                     std::make_move_iterator(rs.end()));
    }
    next->ready.pop_front();
    next->ready_records.pop_front();
    --ready_count;
    blocked_since.reset();
  }
  if (!out.empty()) {
    auto risk = caf::actor_cast<risk_actor>(dir->find("analysis.risk"));
    if (risk && risk.address() == risk_addr) {
      signal_batch b;
      b.prev_time = released.time;
      b.prev_series = released.series;
      released = analysis::signal_key::of(out.back());
      b.signals = std::move(out);
      b.analysis = std::move(records);
      ++risk_in_flight;
      auto back = [this, e = risk_epoch] {
        if (e != risk_epoch)
          return;
        --risk_in_flight;
        release();
        release_acks();
      };
      // Refused (false) or lost batches are re-derived by the rewind the
      // risk manager's down message or a drain check starts.
      self->request(risk, std::chrono::seconds{60}, std::move(b))
        .then([back](bool) { back(); },
              [this, back, ep = risk_epoch](caf::error& e) {
                if (ep == risk_epoch && e == caf::sec::request_timeout)
                  log->warn("the risk manager has not taken signals for 60 s; sending on");
                back();
              });
    } else {
      // Lost or replaced: its down message starts a rewind, which
      // derives these signals again.
      log->debug("{} signals held back: the risk manager is restarting", out.size());
    }
  }
  answer_drains();
}

} // namespace herald::analysis_actors::pipeline_detail

