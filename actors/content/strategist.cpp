// The strategist ("content.strategist"): subscribes to the hub (candles,
// news) and to the risk manager (reports), keeps the market view, plans
// alerts, recaps and reports with content::strategist, and sends the creator
// a brief for every plan that is due. Crash-safe: a fresh strategist catches
// up from the risk manager and the hub (see strategist_state). This file:
// the catch-up, the reports and the actor; strategist_plans.cpp: what
// becomes of a plan.
#include "actors/content/strategist_state.hpp"

#include "actors/ops/instrumented.hpp"
#include "market/interval.hpp"

namespace herald::content_actors {

using namespace std::chrono_literals;

namespace strategist_detail {

void strategist_state::release_acks() {
  if (!candle_acks.empty() && ahead_count() < max_ahead)
    for (auto& rp : std::exchange(candle_acks, {}))
      rp.deliver(true);
  if (!report_acks.empty() && !reports_full())
    for (auto& rp : std::exchange(report_acks, {}))
      rp.deliver(true);
}

void strategist_state::queue(const candle& c) {
  auto key = c.symbol + ":" + c.interval;
  auto f = fed.find(key);
  if (f != fed.end() && c.open_time <= f->second)
    return;
  ahead[key].emplace(c.open_time, c);
  if (!steps.empty())
    run_steps();
}

void strategist_state::queue(const db::news_article& a) {
  if (news_ids.insert(a.id).second)
    news_ahead.emplace(a.published_at, a);
}

void strategist_state::feed(std::int64_t t) {
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

void strategist_state::catch_up() {
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

void strategist_state::try_drains() {
  if (drains.empty() || !caught_up || catching_up || refilling > 0 || drain_checking
      || !asking.empty()) // on_hour() tries again
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
            || refilling > 0 || !steps.empty() || !asking.empty()) {
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

void strategist_state::drain(caf::typed_response_promise<std::vector<channel_tally>> rp) {
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

void strategist_state::drain_creator(caf::typed_response_promise<std::vector<channel_tally>> rp) {
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

void strategist_state::refill(data::hub_actor hub, bool held_already) {
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

void strategist_state::subscribe_risk(analysis_actors::risk_actor risk, std::int64_t from) {
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

void strategist_state::on_report(risk_report& r) {
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

bool strategist_state::has_candles(const pending_step& st) const {
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

void strategist_state::run_steps() {
  while (!steps.empty()) {
    if (!asking.empty())
      return; // on_hour() goes on (what is written must not depend on when)
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

void strategist_state::step(std::int64_t t, const std::vector<analysis::signal>& sigs,
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

void strategist_state::arm(std::chrono::milliseconds after) {
  if (timer)
    return;
  timer = true;
  self->delayed_send(self, after, caf::tick_atom::value);
}

void strategist_state::subscribe() {
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

} // namespace strategist_detail

namespace {

using strategist_detail::strategist_state;

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

