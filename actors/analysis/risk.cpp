#include "actors/analysis/risk.hpp"
#include "actors/ops/instrumented.hpp"

#include <deque>
#include <map>

#include <caf/all.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "actors/data/outbox.hpp"
#include "actors/data/persistence.hpp"
#include "io/logging.hpp"
#include "market/interval.hpp"

namespace herald::analysis_actors {

namespace {

db::insight_record to_record(const analysis::insight& in) {
  db::insight_record r;
  r.id = in.id();
  r.signal_id = in.signal_id;
  r.symbol = in.symbol;
  r.kind = in.approved ? "signal_approved" : "signal_vetoed";
  r.title = fmt::format("{} {} ({})", in.symbol, analysis::to_string(in.dir), in.interval);
  r.body = in.approved ? fmt::format("approved at {:.8g}, notional {:.2f}", in.price, in.notional)
                       : "vetoed: " + in.reason;
  r.importance = in.strength * in.confidence / 100;
  nlohmann::json j = {{"direction", analysis::to_string(in.dir)},
                      {"strength", in.strength},
                      {"confidence", in.confidence},
                      {"price", in.price},
                      {"approved", in.approved},
                      {"reason", in.reason},
                      {"notional", in.notional},
                      {"risk_state", analysis::to_string(in.state)},
                      {"equity", in.equity},
                      {"drawdown", in.drawdown}};
  r.payload_json = j.dump();
  r.created_at = in.time;
  return r;
}

db::signal_record to_record(const analysis::signal& s) {
  auto ms = market::interval_ms(s.interval);
  return {s.id(),          s.symbol,     s.interval,         s.time,
          analysis::to_string(s.dir), s.score, s.confidence, s.payload_json(),
          s.time + (ms ? *ms : 0) - 1};
}

struct risk_state_ {
  static inline const char* name = "herald.risk";
  std::unique_ptr<analysis::risk_manager> rm;
  bool persist = true;
  std::unique_ptr<data::outbox<risk_actor::base>> writes; ///< signals + insights until committed
  std::shared_ptr<supervision::agent_directory> dir;
  std::shared_ptr<spdlog::logger> log;
  std::vector<risk_sink_actor> sinks;
  /// Reports sent to each sink and not yet answered.
  std::map<caf::actor_addr, int> sink_in_flight;
  /// The pipeline's batches whose answer waits for room (back-pressure).
  std::vector<caf::typed_response_promise<bool>> acks;
  /// Records (results, signals, insights) not yet committed beyond which
  /// the pipeline waits.
  static constexpr std::uint64_t max_unstored = 100'000;
  static constexpr int sink_window = 2;
  risk_actor::pointer self = nullptr;
  analysis::risk_state last = analysis::risk_state::active;
  analysis::signal_key through; ///< the last signal taken
  std::uint64_t refused = 0;    ///< batches that did not continue at `through`

  analysis::risk_options opts;
  std::shared_ptr<db::storage> storage;
  /// The signals this incarnation took, newest last (bounded): with the
  /// stored ones, what a catch-up for a (re)subscribing sink is made of
  /// (the newest may not be committed yet).
  std::deque<analysis::signal> taken;
  static constexpr std::size_t keep_taken = 50'000;

  bool saturated() const {
    if (writes->records() >= max_unstored)
      return true;
    for (auto& [addr, n] : sink_in_flight)
      if (n >= sink_window)
        return true;
    return false;
  }

  std::shared_ptr<ops::flow_gauges> flow;

  void gauge() {
    if (flow)
      flow->risk.set(static_cast<std::int64_t>(writes->records()),
                     static_cast<std::int64_t>(max_unstored));
  }

  void release_acks() {
    gauge();
    if (acks.empty() || saturated())
      return;
    for (auto& rp : std::exchange(acks, {}))
      rp.deliver(true);
    if (flow)
      flow->risk.holding(false, 0);
  }

  /// Sends a report to a sink as a request; its answer returns the credit.
  void report_to(const risk_sink_actor& sink, const caf::message& msg) {
    auto addr = sink.address();
    ++sink_in_flight[addr];
    auto back = [this, addr] {
      auto it = sink_in_flight.find(addr);
      if (it != sink_in_flight.end() && it->second > 0)
        --it->second;
      release_acks();
    };
    self->request(caf::actor_cast<caf::actor>(sink), std::chrono::seconds{60}, msg)
      .then([back](bool) { back(); },
            [this, back, addr](caf::error& e) {
              if (e == caf::sec::request_timeout && sink_in_flight.count(addr) > 0)
                log->warn("a report subscriber has not taken a report for 60 s; sending on");
              back();
            });
  }

  /// Every stored signal, in (time, series) order.
  std::vector<analysis::signal> stored_signals(db::storage& store) {
    std::vector<db::signal_record> all;
    constexpr std::size_t page = 20'000;
    std::int64_t from = INT64_MIN;
    for (;;) {
      auto rows = store.signals_since(from, page);
      bool last_page = rows.size() < page;
      if (!last_page) {
        // Keyset paging on open_time: the rows of the page's last time may
        // continue on the next page, so they are read again there.
        auto t = rows.back().open_time;
        if (rows.front().open_time == t)
          throw std::runtime_error{"more than " + std::to_string(page)
                                   + " signals share one candle time"};
        while (rows.back().open_time == t)
          rows.pop_back();
        from = t;
      }
      all.insert(all.end(), std::make_move_iterator(rows.begin()),
                 std::make_move_iterator(rows.end()));
      if (last_page)
        break;
    }
    std::vector<analysis::signal> sigs;
    sigs.reserve(all.size());
    for (auto& r : all) {
      try {
        sigs.push_back(analysis::parse_signal(r.symbol, r.interval, r.open_time, r.direction,
                                              r.confidence, r.payload_json));
      } catch (const std::invalid_argument& e) {
        log->error("stored {} cannot be replayed and is skipped: {}", r.id, e.what());
      }
    }
    std::stable_sort(sigs.begin(), sigs.end(), [](const auto& a, const auto& b) {
      return analysis::signal_key::of(a) < analysis::signal_key::of(b);
    });
    return sigs;
  }

  /// Replays every stored signal through the risk manager: the state its
  /// predecessor had at the last committed signal.
  void rebuild(db::storage& store) {
    auto t0 = std::chrono::steady_clock::now();
    auto sigs = stored_signals(store);
    for (auto& s : sigs)
      rm->on_signal(s);
    last = rm->state();
    if (!sigs.empty()) {
      through = analysis::signal_key::of(sigs.back());
      log->info("rebuilt from {} stored signals through {} {} in {} ms: equity {:.2f}, "
                "state {}",
                sigs.size(), through.series, through.time,
                std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - t0)
                  .count(),
                rm->equity(), analysis::to_string(rm->state()));
    }
  }
};

risk_actor::behavior_type risk_impl(ops::instrumented_stateful<risk_actor, risk_state_>* self,
                                    analysis::risk_options o, bool persist,
                                    std::shared_ptr<db::storage> storage,
                                    std::shared_ptr<supervision::agent_directory> dir,
                                    std::shared_ptr<ops::flow_gauges> flow) {
  auto& st = self->state;
  st.flow = std::move(flow);
  st.rm = std::make_unique<analysis::risk_manager>(o);
  st.persist = persist;
  st.dir = std::move(dir);
  st.log = logging::get("analysis.risk");
  st.writes = std::make_unique<data::outbox<risk_actor::base>>(self, st.dir, st.log,
                                                               "signals and insights", true);
  // A database that cannot be read throws: the agent dies and its
  // supervisor tries again after its backoff (crash-only).
  if (storage)
    st.rebuild(*storage);
  st.opts = o;
  st.storage = storage;
  st.self = self;
  st.writes->on_progress([self] { self->state.release_acks(); });
  self->set_down_handler([self](caf::down_msg& dm) {
    if (self->state.writes->on_down(dm))
      return;
    auto& s = self->state.sinks;
    s.erase(std::remove_if(s.begin(), s.end(), [&](auto& x) { return x.address() == dm.source; }),
            s.end());
    self->state.sink_in_flight.erase(dm.source);
    self->state.release_acks();
  });
  return {
    [self](signal_batch& b) -> caf::result<bool> {
      auto& st = self->state;
      if (b.prev_time != st.through.time || b.prev_series != st.through.series) {
        // Not where this risk manager stands (it restarted, or the batch was
        // sent before the pipeline rewound): taking it would skip signals.
        // The pipeline rewinds to `through` when it notices.
        if (st.refused++ % 1000 == 0)
          st.log->info("signals after {} {} refused: this risk manager stands at {} {}",
                       b.prev_series, b.prev_time, st.through.series, st.through.time);
        return false;
      }
      auto& signals = b.signals;
      if (signals.empty())
        return true;
      for (auto& x : signals) {
        st.taken.push_back(x);
        if (st.taken.size() > risk_state_::keep_taken)
          st.taken.pop_front();
      }
      st.through = analysis::signal_key::of(signals.back());
      risk_report rep;
      rep.insight_of.reserve(signals.size());
      // Written in small batches, each holding whole signals (results,
      // signal, insight): the ordered outbox merges them up to what the
      // persistence queue takes, and a prefix of them is always consistent.
      db::write_batch batch;
      std::size_t next_record = 0;
      auto& records = b.analysis;
      for (auto& s : signals) {
        if (st.persist) {
          while (next_record < records.size() && records[next_record].open_time == s.time
                 && records[next_record].symbol == s.symbol
                 && records[next_record].interval == s.interval)
            batch.analysis.push_back(std::move(records[next_record++]));
          batch.signals.push_back(to_record(s));
        }
        auto in = st.rm->on_signal(s);
        if (in) {
          rep.insight_of.push_back(static_cast<std::int32_t>(rep.insights.size()));
          if (st.persist)
            batch.insights.push_back(to_record(*in));
          rep.insights.push_back(std::move(*in));
        } else {
          rep.insight_of.push_back(-1);
        }
        if (st.rm->state() != st.last) {
          st.log->warn("risk state {} -> {} at {} (drawdown {:.2f}%)", analysis::to_string(st.last),
                       analysis::to_string(st.rm->state()), s.time, 100 * st.rm->drawdown());
          st.last = st.rm->state();
        }
        if (batch.size() >= 1000)
          st.writes->push(std::exchange(batch, db::write_batch{}));
      }
      if (st.persist && next_record < records.size()) // results of no released signal
        st.log->warn("{} analysis results without their signal were not stored",
                     records.size() - next_record);
      rep.signals = std::move(signals);
      rep.equity = st.rm->equity();
      rep.max_drawdown = st.rm->max_drawdown();
      rep.trades = st.rm->trades();
      if (!batch.empty())
        st.writes->push(std::move(batch)); // kept until committed
      if (!st.sinks.empty()) { // one shared message, not a copy per subscriber
        auto msg = caf::make_message(std::move(rep));
        for (auto& sink : st.sinks)
          st.report_to(sink, msg);
      }
      if (!st.saturated())
        return true;
      // Back-pressure: the pipeline sends more when the database or the
      // slowest subscriber caught up.
      st.gauge();
      if (st.flow)
        st.flow->risk.holding(true, ops::wall_ms());
      st.acks.push_back(self->make_response_promise<bool>());
      return st.acks.back();
    },
    [self](drain_atom) -> caf::result<bool> {
      // Answered once everything taken so far is committed.
      auto rp = self->make_response_promise<bool>();
      self->state.writes->when_empty([rp]() mutable { rp.deliver(true); });
      return rp;
    },
    [self](through_atom) {
      auto& t = self->state.through;
      return caf::make_result(t.time, t.series);
    },
    [self](persist_retry_atom) { self->state.writes->retry(); },
    [self](subscribe_atom, risk_sink_actor& sink, std::int64_t from) -> bool {
      // A (re)starting sink: one report of every signal from `from` on
      // (stored, then taken here), decided by a scratch risk manager over
      // the whole history (the same decisions), before any live report.
      auto& st = self->state;
      if (!sink)
        return false;
      std::vector<analysis::signal> all;
      if (st.storage) {
        try {
          all = st.stored_signals(*st.storage);
        } catch (const std::exception& e) {
          st.log->warn("catch-up for a subscriber without stored signals: {}", e.what());
        }
      }
      auto last = all.empty() ? analysis::signal_key{} : analysis::signal_key::of(all.back());
      if (st.taken.size() == risk_state_::keep_taken
          && (last.none() || last < analysis::signal_key::of(st.taken.front())))
        st.log->warn("catch-up has a hole: signals between {} {} and {} {} are neither stored "
                     "nor kept",
                     last.series, last.time, st.taken.front().symbol, st.taken.front().time);
      for (auto& s : st.taken)
        if (last.none() || last < analysis::signal_key::of(s))
          all.push_back(s);
      analysis::risk_manager scratch{st.opts};
      risk_report rep;
      for (auto& s : all) {
        auto in = scratch.on_signal(s);
        if (s.time < from)
          continue;
        rep.insight_of.push_back(in ? static_cast<std::int32_t>(rep.insights.size()) : -1);
        if (in)
          rep.insights.push_back(std::move(*in));
        rep.signals.push_back(s);
      }
      rep.equity = scratch.equity();
      rep.max_drawdown = scratch.max_drawdown();
      rep.trades = scratch.trades();
      if (!rep.signals.empty())
        st.log->info("catch-up for a subscriber: {} signals, {} insights from {}",
                     rep.signals.size(), rep.insights.size(), from);
      self->monitor(sink);
      st.report_to(sink, caf::make_message(std::move(rep))); // before any live report (FIFO)
      st.sinks.push_back(std::move(sink));
      return true;
    },
    [self](subscribe_atom, risk_sink_actor& sink) {
      if (!sink)
        return false;
      self->monitor(sink);
      self->state.sinks.push_back(std::move(sink));
      return true;
    },
  };
}

} // namespace

risk_actor spawn_risk(caf::local_actor* parent, analysis::risk_options o, bool persist,
                      std::shared_ptr<db::storage> storage,
                      std::shared_ptr<supervision::agent_directory> dir,
                      std::shared_ptr<ops::flow_gauges> flow) {
  return parent->spawn(risk_impl, o, persist, std::move(storage), std::move(dir), std::move(flow));
}

} // namespace herald::analysis_actors
