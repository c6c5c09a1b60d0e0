// The strategist ("content.strategist"): subscribes to the hub (candles,
// news) and to the risk manager (reports), keeps the market view, plans
// alerts, recaps and reports with content::strategist, and sends the creator
// a brief for every plan that is due. Crash-safe: a fresh strategist catches
// up from the risk manager and the hub (see strategist_state).
#include "actors/content/content.hpp"
#include "actors/ops/instrumented.hpp"

#include <deque>
#include <map>
#include <optional>
#include <set>

#include <caf/all.hpp>

#include "actors/analysis/risk.hpp"
#include "actors/data/hub.hpp"
#include "content/ledger.hpp"
#include "learning/scorecard.hpp" // scorecard_step
#include "io/logging.hpp"
#include "market/interval.hpp"

namespace herald::content_actors {

using namespace std::chrono_literals;

namespace {


struct strategist_state {
  static inline const char* name = "herald.content.strategist";
  strategist_actor::pointer self = nullptr;
  std::shared_ptr<const content_options> o;
  std::shared_ptr<supervision::agent_directory> dir;
  std::shared_ptr<spdlog::logger> log;
  std::unique_ptr<content::market_view> view;
  std::unique_ptr<content::strategist> planner;
  std::multimap<std::int64_t, content::plan> pending; ///< by scheduled time
  /// Facts, title and chart of pending alerts, taken when they were planned
  /// (the view moves on and forgets old candles).
  struct alert_material {
    std::string facts_json, title;
    content::chart_data chart;
  };
  std::map<std::string, alert_material> material; ///< by insight id
  std::set<std::string> pending_ids;
  std::chrono::steady_clock::time_point scorecard_waited{}; ///< last `wait`
  bool draining = false; ///< release() at the end of a bounded run
  std::set<std::string> scorecard_jobs; ///< plan ids whose scorecard job runs
  /// Drains waiting for the scorecard jobs of the closing release.
  std::vector<caf::typed_response_promise<std::vector<channel_tally>>> after_scorecards;
  caf::actor_addr hub_addr, risk_addr;
  bool timer = false;

  // -- crash safety ---------------------------------------------------------------
  //
  // A fresh strategist rebuilds what it knew: it asks the risk manager where
  // it stands, takes the candles and news of the last `lookback` before that
  // from the hub (the hub reads older ones from the database), and then
  // subscribes to the risk manager with a catch-up from the same time: one
  // report of every signal and insight since, decided exactly as before. It
  // replays them as if live; plans whose pieces are already in the ledger
  // are not sent again. Candles and news reach the market view only up to
  // the candle time of the signal being handled, and reports are handled one
  // candle time at a time, so what the strategist writes does not depend on
  // how the pipeline batched its reports: a rebuilt strategist writes what
  // the one it replaces would have written.
  static constexpr std::int64_t lookback_ms = 8 * 86'400'000LL;
  static constexpr std::uint32_t max_catch_up = 20'000; ///< candles per series
  bool caught_up = false, catching_up = false;
  std::uint64_t epoch = 0;
  std::int64_t since = INT64_MIN; ///< where this incarnation's view starts
  analysis::signal_key seen;      ///< the last signal handled
  /// Candles and news waiting for the analysis clock, by time.
  std::map<std::string, std::map<std::int64_t, candle>> ahead; ///< per "SYMBOL:interval"
  std::map<std::string, std::int64_t> fed; ///< newest candle given to the view, per series
  std::multimap<std::int64_t, db::news_article> news_ahead;
  std::set<std::string> news_ids;

  /// Back-pressure: the hub's candle batches and the risk manager's reports
  /// are answered when this strategist has room (candles waiting for the
  /// analysis clock, candle times waiting to be handled), so a strategist
  /// behind its inputs slows the sources instead of growing without bound.
  static constexpr std::size_t max_ahead = 50'000;
  static constexpr std::size_t max_steps = 5'000;
  std::vector<caf::typed_response_promise<bool>> candle_acks, report_acks;

  std::size_t ahead_count() const {
    std::size_t n = 0;
    for (auto& [key, q] : ahead)
      n += q.size();
    return n;
  }

  bool reports_full() const { return steps.size() + held_reports.size() >= max_steps; }

  void release_acks() {
    if (!candle_acks.empty() && ahead_count() < max_ahead)
      for (auto& rp : std::exchange(candle_acks, {}))
        rp.deliver(true);
    if (!report_acks.empty() && !reports_full())
      for (auto& rp : std::exchange(report_acks, {}))
        rp.deliver(true);
  }

  void queue(const candle& c) {
    auto key = c.symbol + ":" + c.interval;
    auto f = fed.find(key);
    if (f != fed.end() && c.open_time <= f->second)
      return;
    ahead[key].emplace(c.open_time, c);
    if (!steps.empty())
      run_steps();
  }

  void queue(const db::news_article& a) {
    if (news_ids.insert(a.id).second)
      news_ahead.emplace(a.published_at, a);
  }

  /// Hands the view every candle and article up to `t`.
  void feed(std::int64_t t) {
    for (auto& [key, q] : ahead) {
      auto end = q.upper_bound(t);
      for (auto it = q.begin(); it != end; ++it) {
        view->on_candle(it->second);
        fed[key] = it->first;
      }
      q.erase(q.begin(), end);
    }
    auto end = news_ahead.upper_bound(t);
    for (auto it = news_ahead.begin(); it != end; ++it)
      view->on_news(it->second);
    news_ahead.erase(news_ahead.begin(), end);
  }

  /// Start (and a new risk manager): where to begin, then the catch-up.
  void catch_up() {
    if (catching_up)
      return;
    auto risk = caf::actor_cast<analysis_actors::risk_actor>(dir->find("analysis.risk"));
    auto hub = caf::actor_cast<data::hub_actor>(dir->find("data.hub"));
    if (!risk || !hub) {
      arm(200ms);
      return;
    }
    catching_up = true;
    auto e = ++epoch;
    auto fail = [this, e](const char* what) {
      return [this, e, what](caf::error& err) {
        if (e != epoch)
          return;
        log->info("catch-up: {} ({}); trying again", what, caf::to_string(err));
        catching_up = false;
        arm(200ms);
      };
    };
    if (caught_up) { // a new risk manager: only reports, from the last signal seen
      subscribe_risk(risk, seen.none() ? INT64_MIN : seen.time);
      return;
    }
    self->request(risk, 30s, through_atom::value)
      .then(
        [this, e, hub, risk, fail](std::int64_t t, std::string&) {
          if (e != epoch)
            return;
          since = t == INT64_MIN ? INT64_MIN : t - lookback_ms;
          self->request(hub, 30s, caf::get_atom::value, news_atom::value, std::string{"*"})
            .then(
              [this, e](std::vector<db::news_article>& xs) {
                if (e == epoch)
                  for (auto& a : xs)
                    if (since == INT64_MIN || a.published_at >= since)
                      queue(a);
              },
              [](caf::error&) {});
          self->request(hub, 30s, stats_atom::value)
            .then(
              [this, e, hub, risk, fail](std::vector<series_stats>& all) {
                if (e != epoch)
                  return;
                auto left = std::make_shared<std::size_t>(all.size());
                if (all.empty()) {
                  subscribe_risk(risk, since);
                  return;
                }
                for (auto& x : all) {
                  // The view keeps candles behind the clock: take those too.
                  auto ms = market::interval_ms(x.interval).value_or(60'000);
                  auto from = since == INT64_MIN
                                ? INT64_MIN
                                : since - static_cast<std::int64_t>(o->view.keep) * ms;
                  self->request(hub, 60s, caf::get_atom::value, since_atom::value, x.symbol,
                                x.interval, from, max_catch_up)
                    .then(
                      [this, e, left, risk](std::vector<candle>& cs) {
                        if (e != epoch)
                          return;
                        for (auto& c : cs)
                          queue(c);
                        if (--*left == 0)
                          subscribe_risk(risk, since);
                      },
                      fail("the hub did not hand back candles"));
                }
              },
              fail("the hub did not list its series"));
        },
        fail("the risk manager's position is unknown"));
  }

  std::vector<caf::typed_response_promise<std::vector<channel_tally>>> drains;

  /// Drains wait until this strategist is caught up and has handled every
  /// signal the risk manager took (a report may still be on its way, or a
  /// restarted risk manager's catch-up).
  void try_drains() {
    if (drains.empty() || !caught_up || catching_up || refilling > 0 || drain_checking)
      return;
    if (!steps.empty()) { // reports still wait for their candles
      arm(50ms);
      return;
    }
    auto risk = caf::actor_cast<analysis_actors::risk_actor>(dir->find("analysis.risk"));
    if (!risk) {
      arm(50ms);
      return;
    }
    drain_checking = true;
    self->request(risk, 10s, through_atom::value)
      .then(
        [this](std::int64_t t, std::string& sid) {
          drain_checking = false;
          if (!(analysis::signal_key{t, sid} == seen) || !caught_up || catching_up
              || refilling > 0 || !steps.empty()) {
            arm(20ms);
            return;
          }
          for (auto& rp : std::exchange(drains, {}))
            drain(rp);
        },
        [this](caf::error&) {
          drain_checking = false;
          arm(50ms);
        });
  }

  bool drain_checking = false;

  /// End of a bounded run: closing recap and report, every plan released,
  /// then the creator's drain (which waits for the publisher's).
  void drain(caf::typed_response_promise<std::vector<channel_tally>> rp) {
    feed(INT64_MAX);
    if (view->clock() != INT64_MIN)
      add(planner->closing(view->clock()));
    draining = true; // the database has every candle and signal now
    release(INT64_MAX);
    draining = false;
    if (!scorecard_jobs.empty()) { // their pieces belong to this run
      after_scorecards.push_back(rp);
      return;
    }
    drain_creator(rp);
  }

  /// The creator's drain (which waits for the publisher's), answered to `rp`.
  void drain_creator(caf::typed_response_promise<std::vector<channel_tally>> rp) {
    auto creator = caf::actor_cast<creator_actor>(dir->find("content.creator"));
    if (!creator) { // restarting: ask again shortly
      drains.push_back(rp);
      arm(50ms);
      return;
    }
    self->request(creator, caf::infinite, drain_atom::value)
      .then([rp](std::vector<channel_tally>& t) mutable { rp.deliver(std::move(t)); },
            [rp](caf::error& e) mutable { rp.deliver(std::move(e)); });
  }

  /// After a hub restart: the candles the new hub took before this
  /// strategist subscribed. Reports wait meanwhile (they would find the view
  /// without the candles they speak of).
  void refill(data::hub_actor hub, bool held_already) {
    if (!held_already)
      ++refilling;
    self->request(hub, 30s, caf::get_atom::value, news_atom::value, std::string{"*"})
      .then(
        [this](std::vector<db::news_article>& xs) {
          for (auto& a : xs)
            if (since == INT64_MIN || a.published_at >= since)
              queue(a);
        },
        [](caf::error&) {});
    auto done = [this] {
      if (--refilling > 0)
        return;
      for (auto& r : std::exchange(held_reports, {}))
        on_report(r);
      release_acks();
      try_drains();
    };
    self->request(hub, 30s, stats_atom::value)
      .then(
        [this, hub, done](std::vector<series_stats>& all) {
          auto left = std::make_shared<std::size_t>(all.size());
          if (all.empty()) {
            done();
            return;
          }
          for (auto& x : all) {
            auto key = x.symbol + ":" + x.interval;
            auto from = since;
            if (auto f = fed.find(key); f != fed.end())
              from = f->second + 1;
            self->request(hub, 60s, caf::get_atom::value, since_atom::value, x.symbol,
                          x.interval, from, max_catch_up)
              .then(
                [this, left, done](std::vector<candle>& cs) {
                  for (auto& c : cs)
                    queue(c);
                  if (--*left == 0)
                    done();
                },
                [this, left, done](caf::error& e) {
                  log->info("hub did not hand back candles ({})", caf::to_string(e));
                  if (--*left == 0)
                    done(); // its successor is asked when this hub's down arrives
                });
          }
        },
        [this, done](caf::error& e) {
          log->info("hub did not list its series ({})", caf::to_string(e));
          done();
        });
  }

  int refilling = 0;
  bool hub_lost = false; ///< reports are held from the loss until the refill
  std::vector<risk_report> held_reports;

  void subscribe_risk(analysis_actors::risk_actor risk, std::int64_t from) {
    auto e = epoch;
    risk_addr = risk.address();
    self->monitor(risk);
    self->request(risk, 60s, subscribe_atom::value,
                  caf::actor_cast<analysis_actors::risk_sink_actor>(self), from)
      .then(
        [this, e](bool) {
          if (e != epoch)
            return;
          catching_up = false;
          caught_up = true;
          try_drains();
        },
        [this, e](caf::error& err) {
          if (e != epoch)
            return;
          log->error("cannot subscribe to the risk manager: {}", caf::to_string(err));
          risk_addr = nullptr;
          catching_up = false;
          arm(500ms);
        });
  }

  /// A report, one candle time at a time; signals seen already are skipped
  /// (a catch-up overlaps what a restarted risk manager sends again).
  void on_report(risk_report& r) {
    std::size_t i = 0, n = r.signals.size();
    while (i < n) {
      auto t = r.signals[i].time;
      std::vector<analysis::signal> sigs;
      std::vector<analysis::insight> ins;
      for (; i < n && r.signals[i].time == t; ++i) {
        auto key = analysis::signal_key::of(r.signals[i]);
        if (!seen.none() && key <= seen)
          continue;
        seen = key;
        if (i < r.insight_of.size() && r.insight_of[i] >= 0
            && static_cast<std::size_t>(r.insight_of[i]) < r.insights.size())
          ins.push_back(r.insights[static_cast<std::size_t>(r.insight_of[i])]);
        sigs.push_back(std::move(r.signals[i]));
      }
      if (!sigs.empty())
        steps.push_back({t, std::move(sigs), std::move(ins)});
    }
    run_steps();
  }

  /// A candle time's signals and insights, waiting for their candles.
  struct pending_step {
    std::int64_t t;
    std::vector<analysis::signal> sigs;
    std::vector<analysis::insight> ins;
  };
  std::deque<pending_step> steps;
  std::optional<std::chrono::steady_clock::time_point> waiting_since;

  /// Whether the candle each signal speaks of has reached this strategist,
  /// or can no longer come (a later candle of its series is here: a gap).
  bool has_candles(const pending_step& st) const {
    for (auto& sg : st.sigs) {
      auto key = sg.symbol + ":" + sg.interval;
      auto f = fed.find(key);
      if (f != fed.end() && f->second >= st.t)
        continue;
      auto q = ahead.find(key);
      if (q != ahead.end() && q->second.lower_bound(st.t) != q->second.end())
        continue;
      return false;
    }
    return true;
  }

  /// Handles the waiting steps in order; a step whose candles have not
  /// arrived yet (a report can overtake them: a catch-up after a hub
  /// restart, whose sources are still sending again what it had not
  /// stored) waits for them, at most 10 s (then it goes on without, logged).
  void run_steps() {
    while (!steps.empty()) {
      auto& front = steps.front();
      if (!has_candles(front)) {
        auto now = std::chrono::steady_clock::now();
        if (!waiting_since)
          waiting_since = now;
        if (now - *waiting_since < std::chrono::seconds{10}) {
          arm(50ms);
          return;
        }
        log->warn("the candles of {} {} did not arrive within 10 s; going on without them",
                  front.sigs.front().symbol, front.t);
      }
      waiting_since.reset();
      auto st = std::move(front);
      steps.pop_front();
      step(st.t, st.sigs, st.ins);
    }
    release_acks();
  }

  void step(std::int64_t t, const std::vector<analysis::signal>& sigs,
            const std::vector<analysis::insight>& ins) {
    feed(t);
    view->on_report(sigs, ins);
    std::vector<analysis::insight> approved;
    for (auto& i : ins)
      if (i.approved)
        approved.push_back(i);
    std::vector<content::skipped> why;
    auto plans = planner->on_insights(approved, &why);
    for (auto& w : why)
      log->debug("not published: {} ({})", w.insight_id, w.reason);
    for (auto& i : approved) {
      auto id = i.id();
      bool planned = std::any_of(plans.begin(), plans.end(),
                                 [&](auto& p) { return p.insight_id == id; });
      if (!planned || material.count(id))
        continue;
      try {
        alert_material m;
        m.facts_json = content::facts_to_json(view->alert_facts(i));
        m.title = i.symbol + " " + i.interval + ": "
                  + (i.dir == analysis::direction::long_ ? "bullish" : "bearish") + " signal at "
                  + market::format_utc(i.time).substr(0, 16) + " UTC";
        m.chart = view->chart(i.symbol, i.interval, i.time);
        material[id] = std::move(m);
      } catch (const std::exception& e) {
        log->error("alert for {} cannot be prepared and is skipped: {}", id, e.what());
      }
    }
    add(std::move(plans));
    add(planner->on_time(view->clock()));
    release(view->clock());
  }

  void arm(std::chrono::milliseconds after) {
    if (timer)
      return;
    timer = true;
    self->delayed_send(self, after, caf::tick_atom::value);
  }

  void subscribe() {
    if (!hub_addr)
      if (auto hub = caf::actor_cast<data::hub_actor>(dir->find("data.hub"))) {
        hub_addr = hub.address();
        self->monitor(hub);
        auto me = caf::actor_cast<data::candle_batch_sink_actor>(self);
        auto news = caf::actor_cast<data::news_sink_actor>(self);
        self->request(hub, 10s, subscribe_atom::value, std::string{"*"}, std::string{"*"}, me)
          .then([](bool) {}, [this](caf::error& e) {
            log->error("cannot subscribe to the hub's candles: {}", caf::to_string(e));
          });
        self->request(hub, 10s, subscribe_atom::value, std::string{"*"}, news)
          .then([](bool) {}, [](caf::error&) {});
        if (caught_up) { // a new hub: what it sent before this subscription
          refill(hub, hub_lost);
          hub_lost = false;
        }
      }
    if (!risk_addr)
      catch_up();
    if (!hub_addr || !risk_addr)
      arm(500ms);
  }

  std::unique_ptr<content::ledger> book; ///< null without a database

  /// Plans for a later time are written as `scheduled` rows, so that a stop
  /// before their time does not lose them (reloaded at start).
  void add(std::vector<content::plan> plans) {
    for (auto& p : plans) {
      if (book && p.scheduled_at > view->clock()) {
        try {
          if (!book->find(p.id)) {
            content::piece_record r;
            r.id = p.id;
            r.piece = p.piece;
            r.type = content::content_type_name(p.type);
            r.channel = content::channel_name(p.ch);
            r.insight_id = p.insight_id;
            r.scheduled_at = p.scheduled_at;
            r.state = content::state::scheduled;
            if (auto m = material.find(p.insight_id); m != material.end()) {
              r.facts_json = m->second.facts_json;
              r.title = m->second.title;
            }
            book->save(r);
            log->info("{} is scheduled for {}", r.id, market::format_utc(r.scheduled_at));
          }
        } catch (const std::exception& e) {
          log->warn("{}: cannot record it as scheduled ({}); it is kept in memory only", p.id,
                    e.what());
        }
      }
      if (pending_ids.insert(p.id).second)
        pending.emplace(p.scheduled_at, std::move(p));
    }
  }

  /// Scheduled rows of an earlier run: due ones go out with the first report.
  void reload() {
    if (!book)
      return;
    try {
      for (auto& r : book->in_state(content::state::scheduled)) {
        auto t = content::parse_content_type(r.type);
        auto ch = content::parse_channel(r.channel);
        if (!t || !ch)
          continue;
        content::plan p;
        p.id = r.id;
        p.piece = r.piece;
        p.type = *t;
        p.ch = *ch;
        p.scheduled_at = r.scheduled_at;
        p.insight_id = r.insight_id;
        if (!r.insight_id.empty() && !material.count(r.insight_id))
          material[r.insight_id] = {r.facts_json, r.title, {}};
        if (pending_ids.insert(p.id).second)
          pending.emplace(p.scheduled_at, std::move(p));
        log->info("{} was scheduled for {} before the restart; it goes out when due", r.id,
                  market::format_utc(r.scheduled_at));
      }
    } catch (const std::exception& e) {
      log->error("cannot reload scheduled pieces: {}", e.what());
    }
  }

  /// Briefs for every plan due by `now` (market time) to the creator.
  void release(std::int64_t now) {
    auto creator = caf::actor_cast<creator_actor>(dir->find("content.creator"));
    std::vector<content::plan> later; // scorecards waiting for the database
    while (!pending.empty() && pending.begin()->first <= now) {
      auto p = std::move(pending.begin()->second);
      pending.erase(pending.begin());
      pending_ids.erase(p.id);
      if (recorded(p.id)) { // a rebuilt strategist plans again what went out
        if (!p.insight_id.empty() && !still_pending(p.insight_id))
          material.erase(p.insight_id);
        continue;
      }
      content_brief b;
      try {
        b = brief(p);
        if (p.type == content::content_type::scorecard) {
          start_scorecard(std::move(p), std::move(b), later);
          continue;
        }
      } catch (const std::exception& e) {
        // A bug or an input no one foresaw costs this piece, logged with its
        // id, not the strategist (a restart would meet it again).
        log->error("{} cannot be written and is skipped: {}", p.id, e.what());
        continue;
      }
      if (!p.insight_id.empty()) {
        bool more = false; // the same insight planned for another channel
        for (auto& [t, q] : pending)
          more = more || q.insight_id == p.insight_id;
        if (!more)
          material.erase(p.insight_id);
      }
      if (creator)
        self->send(creator, std::move(b));
      else
        log->error("no content.creator: piece {} is lost for this run", p.id);
    }
    for (auto& p : later) {
      pending_ids.insert(p.id);
      pending.emplace(p.scheduled_at, std::move(p));
    }
  }

  /// A due scorecard goes to a scorecard job (detached: it reads months of
  /// signals); its answer comes back to on_scorecard. While the database
  /// lags it waits in `later` (checked at most once a second, at once in a
  /// bounded run's drain).
  void start_scorecard(content::plan p, content_brief b, std::vector<content::plan>& later) {
    if (scorecard_jobs.count(p.id))
      return; // its job answers (and requeues it if need be)
    auto now = std::chrono::steady_clock::now();
    if (!draining && now - scorecard_waited < 1s) {
      later.push_back(std::move(p));
      return;
    }
    scorecard_jobs.insert(p.id);
    auto job = spawn_scorecard_job(self, o);
    self->request(job, 10min, std::move(b))
      .then(
        [this, p](std::int32_t step, content_brief& filled, std::string& why) {
          on_scorecard(p, static_cast<learning::scorecard_step>(step), std::move(filled), why);
        },
        [this, p](caf::error& e) {
          log->warn("{}: the scorecard job failed ({}); tried again", p.id, caf::to_string(e));
          scorecard_waited = std::chrono::steady_clock::now();
          on_scorecard(p, learning::scorecard_step::wait, {}, caf::to_string(e));
        });
  }

  /// A scorecard job's answer: `ready` goes to the creator; `wait` is
  /// pending again; with nothing to say it is recorded `rejected` with the
  /// reason, so that no restart plans it again.
  void on_scorecard(const content::plan& p, learning::scorecard_step step, content_brief b,
                    const std::string& why) {
    scorecard_jobs.erase(p.id);
    bool ending = !after_scorecards.empty(); // a bounded run's drain waits for this
    if (step == learning::scorecard_step::ready && !recorded(p.id)) {
      if (auto creator = caf::actor_cast<creator_actor>(dir->find("content.creator")))
        self->send(creator, std::move(b));
      else
        log->error("no content.creator: piece {} is lost for this run", p.id);
    } else if (step == learning::scorecard_step::wait) {
      scorecard_waited = std::chrono::steady_clock::now();
      if (ending)
        log->info("{} is not published in this run ({}); it goes out when due after the next "
                  "start", p.id, why);
      else
        log->debug("{} waits: {}", p.id, why);
      if (pending_ids.insert(p.id).second)
        pending.emplace(p.scheduled_at, p);
    } else if (step == learning::scorecard_step::nothing) {
      log->info("{}: nothing to publish: {}", p.id, why);
      try {
        if (book)
          if (auto r = book->find(p.id); r && r->state == content::state::scheduled) {
            r->state = content::state::rejected;
            r->last_error = "nothing to score: " + why;
            book->save(*r);
          }
      } catch (const std::exception& e) {
        log->warn("{}: cannot record it as rejected ({}); planned again after a restart", p.id,
                  e.what());
      }
    }
    if (scorecard_jobs.empty())
      for (auto& rp : std::exchange(after_scorecards, {}))
        drain_creator(rp);
  }

  /// In the ledger beyond `scheduled`: the publisher has it.
  bool recorded(const std::string& id) {
    if (!book)
      return false;
    try {
      auto r = book->find(id);
      return r && r->state != content::state::scheduled;
    } catch (const std::exception& e) {
      log->warn("{}: cannot read the ledger ({}); planning it (the publisher drops a repeat)",
                id, e.what());
      return false;
    }
  }

  bool still_pending(const std::string& insight_id) const {
    for (auto& [t, q] : pending)
      if (q.insight_id == insight_id)
        return true;
    return false;
  }

  content_brief brief(const content::plan& p) {
    content_brief b;
    b.id = p.id;
    b.piece = p.piece;
    b.type = content::content_type_name(p.type);
    b.channel = content::channel_name(p.ch);
    b.insight_id = p.insight_id;
    b.scheduled_at = p.scheduled_at;
    bool images = p.ch != content::channel::x; // X media upload is not implemented
    switch (p.type) {
      case content::content_type::alert: {
        auto i = material.find(p.insight_id);
        if (i == material.end())
          break;
        b.facts_json = i->second.facts_json;
        b.title = i->second.title;
        b.with_chart = images;
        if (images)
          b.chart = i->second.chart;
        break;
      }
      case content::content_type::recap: {
        auto f = view->recap_facts(p.scheduled_at);
        // The daily recap is titled by its day; a closing recap (the end of
        // a bounded run) by the minute it runs to, so no two recaps share a
        // title.
        // A recap over less than a day says how long it covers.
        bool closing = p.piece.find(":closing:") != std::string::npos;
        auto hours = f.find("hours") ? std::get<std::int64_t>(*f.find("hours")) : 0;
        b.title = closing ? "Recap to " + content::minute_utc(p.scheduled_at)
                  : hours >= 23
                    ? "Daily recap " + market::format_utc(p.scheduled_at).substr(0, 10)
                    : "Recap of the " + std::to_string(std::max<std::int64_t>(hours, 1))
                        + " h to " + content::minute_utc(p.scheduled_at);
        f.set("heading", b.title);
        b.facts_json = content::facts_to_json(f);
        break;
      }
      case content::content_type::report:
      case content::content_type::thread: {
        std::string title;
        content::facts used;
        auto md = view->research_report(p.scheduled_at, &title, &used);
        if (md.rfind("# ", 0) == 0) // the page shows the title itself
          md = md.substr(md.find('\n') + 1);
        auto first = md.find_first_not_of('\n');
        md = first == std::string::npos ? std::string{} : md.substr(first);
        b.title = title;
        b.markdown = md;
        b.digest = view->report_digest(p.scheduled_at, &used);
        // Every number and date the report prints, for the fact check.
        content::facts f = used;
        f.set("title", title)
          .set("date", market::format_utc(p.scheduled_at).substr(0, 10))
          .set("series", static_cast<std::int64_t>(view->series().size()))
          .set("summary", b.digest)
          .set("body", md)
          .set("period_hours", view->report_hours(p.scheduled_at));
        b.facts_json = content::facts_to_json(f);
        b.with_chart = images && p.ch == content::channel::articles;
        if (b.with_chart)
          b.chart = view->chart("", "", p.scheduled_at);
        break;
      }
      case content::content_type::scorecard:
        break; // scorecard(): from the database
    }
    return b;
  }
};

strategist_actor::behavior_type strategist_impl(
  ops::instrumented_stateful<strategist_actor, strategist_state>* self,
  std::shared_ptr<const content_options> o, std::shared_ptr<supervision::agent_directory> dir) {
  auto& st = self->state;
  st.self = self;
  st.o = o;
  st.dir = std::move(dir);
  st.log = logging::get("content.strategist");
  st.view = std::make_unique<content::market_view>(o->view);
  st.planner = std::make_unique<content::strategist>(o->strategist);
  if (o->storage) {
    st.book = std::make_unique<content::ledger>(o->storage);
    st.book->fence(o->fence);
  }
  st.reload();
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    if (dm.source == st.hub_addr) {
      st.hub_addr = nullptr;
      if (st.caught_up && !st.hub_lost) {
        // Hold reports from now on: they may speak of candles the new hub
        // sends before this strategist is subscribed to it.
        st.hub_lost = true;
        ++st.refilling;
      }
    }
    if (dm.source == st.risk_addr) {
      st.risk_addr = nullptr;
      st.catching_up = false;
      ++st.epoch;
    }
    st.arm(20ms); // resubscribe soon: reports wait meanwhile
  });
  st.subscribe();
  return {
    [self](candle_batch& b) -> caf::result<bool> {
      auto& st = self->state;
      for (auto& c : b.candles)
        st.queue(c);
      if (st.ahead_count() < st.max_ahead)
        return true;
      st.candle_acks.push_back(self->make_response_promise<bool>());
      return st.candle_acks.back();
    },
    [self](db::news_article& a) { self->state.queue(a); },
    [self](risk_report& r) -> caf::result<bool> {
      // A repeat from a restarted risk manager is skipped by signal key.
      auto& st = self->state;
      if (st.refilling > 0)
        st.held_reports.push_back(std::move(r));
      else
        st.on_report(r);
      if (!st.reports_full())
        return true;
      st.report_acks.push_back(self->make_response_promise<bool>());
      return st.report_acks.back();
    },
    [self](drain_atom) -> caf::result<std::vector<channel_tally>> {
      auto& st = self->state;
      auto rp = self->make_response_promise<std::vector<channel_tally>>();
      st.drains.push_back(rp); // the closing pieces need the whole history
      st.try_drains();
      return rp;
    },
    [self](caf::tick_atom) {
      self->state.timer = false;
      self->state.subscribe();
      self->state.run_steps();
      self->state.try_drains();
    },
  };
}

} // namespace

strategist_actor spawn_strategist(caf::local_actor* parent, std::shared_ptr<const content_options> o,
                                  std::shared_ptr<supervision::agent_directory> dir) {
  return parent->spawn(strategist_impl, std::move(o), std::move(dir));
}

} // namespace herald::content_actors
