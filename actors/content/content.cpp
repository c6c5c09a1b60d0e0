#include "actors/content/content.hpp"
#include "actors/ops/instrumented.hpp"

#include <nlohmann/json.hpp>

#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <caf/all.hpp>

#include "actors/analysis/risk.hpp"
#include "actors/data/hub.hpp"
#include "content/chart.hpp"
#include "content/ledger.hpp"
#include "content/site.hpp"
#include "io/logging.hpp"
#include "market/interval.hpp"

namespace herald::content_actors {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const char* mode_name(publish_mode m) {
  switch (m) {
    case publish_mode::dry_run: return "dry-run";
    case publish_mode::approval: return "approval";
    default: return "live";
  }
}

namespace {

std::string channel_agent_path(const std::string& ch) { return "content.channel." + ch; }

// ---------------------------------------------------------------------------
// strategist
// ---------------------------------------------------------------------------

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

  void queue(const candle& c) {
    auto key = c.symbol + ":" + c.interval;
    auto f = fed.find(key);
    if (f != fed.end() && c.open_time <= f->second)
      return;
    ahead[key].emplace(c.open_time, c);
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
              || refilling > 0) {
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
    release(INT64_MAX);
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
        step(t, sigs, ins);
    }
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
      auto& m = material[id];
      m.facts_json = content::facts_to_json(view->alert_facts(i));
      m.title = i.symbol + " " + i.interval + ": "
                + (i.dir == analysis::direction::long_ ? "bullish" : "bearish") + " signal at "
                + market::format_utc(i.time).substr(0, 16) + " UTC";
      m.chart = view->chart(i.symbol, i.interval, i.time);
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
    while (!pending.empty() && pending.begin()->first <= now) {
      auto p = std::move(pending.begin()->second);
      pending.erase(pending.begin());
      pending_ids.erase(p.id);
      if (recorded(p.id)) { // a rebuilt strategist plans again what went out
        if (!p.insight_id.empty() && !still_pending(p.insight_id))
          material.erase(p.insight_id);
        continue;
      }
      auto b = brief(p);
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
  if (o->storage)
    st.book = std::make_unique<content::ledger>(o->storage);
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
    [self](candle_batch& b) {
      for (auto& c : b.candles)
        self->state.queue(c);
    },
    [self](db::news_article& a) { self->state.queue(a); },
    [self](risk_report& r) {
      // Reports come unsigned (anon_send); a repeat from a restarted risk
      // manager is skipped by signal key.
      auto& st = self->state;
      if (st.refilling > 0)
        st.held_reports.push_back(std::move(r));
      else
        st.on_report(r);
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
      self->state.try_drains();
    },
  };
}

// ---------------------------------------------------------------------------
// charts
// ---------------------------------------------------------------------------

charts_actor::behavior_type charts_impl(ops::instrumented_pointer<charts_actor> self) {
  return {
    [self](content::chart_data& d, const std::string& ch) -> caf::result<std::string> {
      auto c = content::parse_channel(ch);
      try {
        return content::render_chart_png(d, content::chart_size_for(c ? *c : content::channel::articles));
      } catch (const std::exception& e) {
        return caf::make_error(caf::sec::runtime_error, e.what());
      }
    },
  };
}

// ---------------------------------------------------------------------------
// creator
// ---------------------------------------------------------------------------

struct creator_state {
  static inline const char* name = "herald.content.creator";
  creator_actor::pointer self = nullptr;
  std::shared_ptr<const content_options> o;
  std::shared_ptr<supervision::agent_directory> dir;
  std::shared_ptr<spdlog::logger> log;
  std::unique_ptr<content::creator> writer;
  std::size_t outstanding = 0;
  std::vector<caf::typed_response_promise<std::vector<channel_tally>>> drains;

  void deliver(content_piece p) {
    if (auto pub = caf::actor_cast<publisher_actor>(dir->find("content.publisher")))
      self->send(pub, std::move(p));
    else
      log->error("no content.publisher: piece {} is lost for this run", p.id);
  }

  /// Asks the chart agent for the piece's chart. A chart agent that died or
  /// is restarting is asked again (its supervisor brings it back); only a
  /// chart that cannot be drawn sends the piece without one.
  void draw(content_piece p, content::chart_data chart, std::int32_t attempt) {
    auto charts = caf::actor_cast<charts_actor>(dir->find("content.charts"));
    if (!charts) {
      again(std::move(p), std::move(chart), attempt, "no chart agent");
      return;
    }
    auto ch = p.channel;
    self->request(charts, 30s, chart, ch)
      .then(
        [this, p](std::string& png) mutable {
          p.chart_png = std::move(png);
          deliver(std::move(p));
          done_one();
        },
        [this, p, chart, attempt](caf::error& e) mutable {
          if (e == caf::sec::runtime_error) { // the chart cannot be drawn
            log->warn("no chart for {}: {}; published without", p.id, caf::to_string(e));
            deliver(std::move(p));
            done_one();
            return;
          }
          again(std::move(p), std::move(chart), attempt, caf::to_string(e));
        });
  }

  void again(content_piece p, content::chart_data chart, std::int32_t attempt,
             const std::string& why) {
    if (attempt >= 50) { // ~25 s: the chart agent is not coming back
      log->warn("no chart for {} after {} attempts ({}); published without", p.id, attempt, why);
      deliver(std::move(p));
      done_one();
      return;
    }
    self->delayed_send(self, std::chrono::milliseconds{attempt < 5 ? 20 : 500}, retry_atom::value,
                       std::move(p), std::move(chart), attempt + 1);
  }

  void done_one() {
    --outstanding;
    if (outstanding == 0 && !drains.empty())
      forward_drains();
  }

  void forward_drains() {
    auto pub = caf::actor_cast<publisher_actor>(dir->find("content.publisher"));
    auto waiting = std::move(drains);
    drains.clear();
    for (auto& rp : waiting) {
      if (!pub) {
        rp.deliver(caf::make_error(caf::sec::invalid_argument, "no content.publisher"));
        continue;
      }
      self->request(pub, caf::infinite, drain_atom::value)
        .then([rp](std::vector<channel_tally>& t) mutable { rp.deliver(std::move(t)); },
              [rp](caf::error& e) mutable { rp.deliver(std::move(e)); });
    }
  }
};

creator_actor::behavior_type creator_impl(ops::instrumented_stateful<creator_actor, creator_state>* self,
                                          std::shared_ptr<const content_options> o,
                                          std::shared_ptr<supervision::agent_directory> dir) {
  auto& st = self->state;
  st.self = self;
  st.o = o;
  st.dir = std::move(dir);
  st.log = logging::get("content.creator");
  st.writer = std::make_unique<content::creator>(*o->templates, o->site_url, o->llm);
  return {
    [self](content_brief& b) {
      auto& st = self->state;
      std::string err;
      auto d = st.writer->write(b, &err);
      if (!d) {
        st.log->error("cannot write {}: {}", b.id, err);
        return;
      }
      if (!d->note.empty())
        st.log->info("{}: {}; the template was used", b.id, d->note);
      content_piece p;
      p.id = b.id;
      p.piece = b.piece;
      p.type = b.type;
      p.channel = b.channel;
      p.insight_id = b.insight_id;
      p.scheduled_at = b.scheduled_at;
      p.title = d->title;
      p.parts = std::move(d->parts);
      p.markdown = std::move(d->markdown);
      p.variant = d->variant;
      p.writer = d->writer;
      p.refused = d->refused;
      auto charts = caf::actor_cast<charts_actor>(st.dir->find("content.charts"));
      if (!b.with_chart || b.chart.candles.empty() || !charts) {
        st.deliver(std::move(p));
        return;
      }
      ++st.outstanding;
      st.draw(std::move(p), std::move(b.chart), 0);
    },
    [self](retry_atom, content_piece& p, content::chart_data& chart, std::int32_t attempt) {
      self->state.draw(std::move(p), std::move(chart), attempt);
    },
    [self](drain_atom) -> caf::result<std::vector<channel_tally>> {
      auto& st = self->state;
      auto rp = self->make_response_promise<std::vector<channel_tally>>();
      st.drains.push_back(rp);
      if (st.outstanding == 0)
        st.forward_drains();
      return rp;
    },
  };
}

// ---------------------------------------------------------------------------
// channel agents
// ---------------------------------------------------------------------------

io::publish::outbound outbound_of(const content::piece_record& r, std::string chart_png) {
  io::publish::outbound m;
  m.id = r.id;
  m.piece = r.piece;
  m.type = r.type;
  m.title = r.title;
  m.parts = r.parts;
  m.markdown = r.markdown;
  m.chart_png = std::move(chart_png);
  // Dated with the time it is published (wall clock); the market time it
  // speaks of is in its text. A simulated run at 60x must not date pages in
  // the future.
  m.at = std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
           .count();
  m.first_part = r.parts_done;
  m.reply_to = r.last_id;
  return m;
}

std::string read_file(const std::string& path) {
  if (path.empty())
    return {};
  std::ifstream in{path, std::ios::binary};
  return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

struct channel_state {
  static inline const char* name = "herald.content.channel";
  channel_actor::pointer self = nullptr;
  std::shared_ptr<supervision::agent_directory> dir;
  std::shared_ptr<spdlog::logger> log;
  std::unique_ptr<io::publish::publisher> pub;
  std::unique_ptr<content::ledger> book;
  std::unique_ptr<content::token_bucket> bucket;
  content::retry_policy retry;
  std::deque<std::string> queue; ///< plan ids
  std::set<std::string> queued;
  bool timer = false;
  int failures = 0; ///< of the head of the queue
  std::uint64_t rng = 0x9e3779b97f4a7c15ULL;
  std::string ch;

  std::int64_t mono_ms() const {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
  }

  void wait(std::int64_t ms) {
    if (timer)
      return;
    timer = true;
    self->delayed_send(self, std::chrono::milliseconds{ms}, caf::tick_atom::value);
  }

  void report(const content::piece_record& r) {
    publish_result res{r.id, r.channel, r.state, r.remote_id, r.url, r.last_error};
    if (auto m = caf::actor_cast<publisher_actor>(dir->find("content.publisher")))
      self->send(m, std::move(res));
  }

  void pop() {
    queued.erase(queue.front());
    queue.pop_front();
    failures = 0;
  }

  /// Works on the head of the queue until it waits or the queue is empty.
  void pump() {
    while (!timer && !queue.empty()) {
      auto id = queue.front();
      std::optional<content::piece_record> rec;
      try {
        rec = book->find(id);
      } catch (const std::exception& e) {
        log->error("{}: cannot read the ledger: {}; retrying", id, e.what());
        wait(1000);
        return;
      }
      if (!rec || (rec->state != content::state::planned
                   && rec->state != content::state::publishing)) {
        pop(); // published, rejected or gone meanwhile
        continue;
      }
      if (auto w = bucket->take(mono_ms())) {
        wait(*w);
        return;
      }
      rec->state = content::state::publishing;
      ++rec->attempts;
      try {
        book->save(*rec); // before the call: a crash now leaves it in doubt, not lost
      } catch (const std::exception& e) {
        log->error("{}: cannot record the attempt: {}; not calling {} yet", id, e.what(), ch);
        wait(1000);
        return;
      }
      auto d = pub->publish(outbound_of(*rec, read_file(rec->chart_path)));
      rec->parts_done = d.parts_done;
      rec->last_id = d.last_id;
      try {
        using st = io::publish::delivery::status;
        if (d.st == st::ok) {
          book->mark_published(*rec, d.remote_id, d.url);
          log->info("published {} on {}{}{}", id, ch, d.url.empty() ? "" : ": ", d.url);
          report(*rec);
          pop();
          continue;
        }
        std::optional<std::int64_t> delay;
        if (d.st == st::retry) {
          if (d.retry_after_ms < 0)
            ++failures;
          delay = content::retry_wait(retry, failures, d.retry_after_ms, rng);
        }
        rec->last_error = d.error;
        if (!delay) {
          rec->state = content::state::failed;
          book->save(*rec);
          log->error("{} parked as failed on {} after {} attempts: {}", id, ch, rec->attempts,
                     d.error);
          report(*rec);
          pop();
          continue;
        }
        rec->state = content::state::planned;
        book->save(*rec);
        if (d.retry_after_ms >= 0)
          bucket->pause_until(mono_ms() + d.retry_after_ms);
        log->warn("{} on {}: {}; retrying in {} ms", id, ch, d.error, *delay);
        wait(*delay);
        return;
      } catch (const std::exception& e) {
        // The remote has it but the ledger does not say so: keep it out of
        // the queue (in `publishing`, reconciled at the next start).
        log->critical("{} delivered to {} but not recorded: {}", id, ch, e.what());
        pop();
      }
    }
  }
};

channel_actor::behavior_type channel_impl(ops::instrumented_stateful<channel_actor, channel_state>* self,
                                          std::shared_ptr<const content_options> o,
                                          channel_setup setup,
                                          std::shared_ptr<supervision::agent_directory> dir) {
  auto& st = self->state;
  st.self = self;
  st.dir = std::move(dir);
  st.ch = content::channel_name(setup.ch);
  st.log = logging::get("content.channel." + st.ch);
  st.pub = setup.make();
  st.book = std::make_unique<content::ledger>(o->storage);
  st.bucket = std::make_unique<content::token_bucket>(setup.burst, setup.per_minute);
  st.retry = o->retry;
  st.rng ^= std::hash<std::string>{}(st.ch);
  return {
    [self](content_piece& p) {
      auto& st = self->state;
      if (st.queued.insert(p.id).second)
        st.queue.push_back(p.id);
      st.pump();
    },
    [self](caf::tick_atom) {
      self->state.timer = false;
      self->state.pump();
    },
  };
}

// ---------------------------------------------------------------------------
// publish manager
// ---------------------------------------------------------------------------

struct publisher_state {
  static inline const char* name = "herald.content.publisher";
  publisher_actor::pointer self = nullptr;
  std::shared_ptr<const content_options> o;
  std::shared_ptr<supervision::agent_directory> dir;
  std::shared_ptr<spdlog::logger> log;
  std::unique_ptr<content::ledger> book;
  std::map<std::string, channel_setup> setups; ///< by channel name
  std::map<std::string, channel_tally> tally;
  std::set<std::string> outstanding; ///< handed to a channel agent, no result yet
  std::vector<caf::typed_response_promise<std::vector<channel_tally>>> drains;

  std::vector<channel_tally> tallies() const {
    std::vector<channel_tally> out;
    for (auto& [k, t] : tally) {
      auto x = t;
      x.queued = 0;
      auto suffix = "@" + k; // plan ids are "<piece>@<channel>"
      for (auto& id : outstanding)
        x.queued += id.size() > suffix.size()
                    && id.compare(id.size() - suffix.size(), suffix.size(), suffix) == 0;
      out.push_back(std::move(x));
    }
    return out;
  }

  void answer_drains() {
    if (!outstanding.empty() || drains.empty())
      return;
    for (auto& rp : drains)
      rp.deliver(tallies());
    drains.clear();
  }

  std::string chart_path(const std::string& id) const {
    std::string name;
    for (char c : id)
      name += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
    return (fs::path{o->chart_dir} / (name + ".png")).string();
  }

  void dispatch(const content::piece_record& r) {
    auto agent = caf::actor_cast<channel_actor>(dir->find(channel_agent_path(r.channel)));
    if (!agent) {
      log->error("{}: no agent for channel {}; it stays planned", r.id, r.channel);
      return;
    }
    outstanding.insert(r.id);
    content_piece p;
    p.id = r.id;
    p.channel = r.channel;
    self->send(agent, std::move(p)); // the agent reads the record from the ledger
  }

  /// Pieces waiting to be sent on live channels (after a restart, or approved).
  void pick_up() {
    try {
      for (auto& r : book->in_state(content::state::planned)) {
        auto s = setups.find(r.channel);
        // Approval channels send what an operator approved; dry-run ones never send.
        if (s != setups.end() && s->second.mode != publish_mode::dry_run && !outstanding.count(r.id))
          dispatch(r);
      }
    } catch (const std::exception& e) {
      log->error("cannot read planned pieces: {}", e.what());
    }
  }

  void on_piece(content_piece& p) {
    auto s = setups.find(p.channel);
    if (s == setups.end()) {
      log->warn("{}: channel {} is not enabled", p.id, p.channel);
      return;
    }
    try {
      if (auto old = book->find(p.id); old && old->state != content::state::scheduled) {
        log->debug("{} is already {}; not planned again", p.id, old->state);
        return;
      }
      content::piece_record r;
      r.id = p.id;
      r.piece = p.piece;
      r.type = p.type;
      r.channel = p.channel;
      r.insight_id = p.insight_id;
      r.scheduled_at = p.scheduled_at;
      r.title = p.title;
      r.parts = p.parts;
      r.markdown = p.markdown;
      r.variant = p.variant;
      r.writer = p.writer;
      if (!p.chart_png.empty()) {
        std::error_code ec;
        fs::create_directories(o->chart_dir, ec);
        r.chart_path = chart_path(p.id);
        std::ofstream out{r.chart_path, std::ios::binary | std::ios::trunc};
        out.write(p.chart_png.data(), static_cast<std::streamsize>(p.chart_png.size()));
        if (!out) {
          log->warn("{}: cannot keep its chart at {}; published without", p.id, r.chart_path);
          r.chart_path.clear();
        }
      }
      auto& t = tally[p.channel];
      if (!p.refused.empty()) {
        // The fact check refused the text: parked, visible, never sent.
        r.state = content::state::failed;
        r.last_error = "refused by the fact check: " + p.refused;
        book->save(r);
        ++t.failed;
        ++t.refused;
        log->error("{} refused by the fact check and parked as failed: {}", p.id, p.refused);
        return;
      }
      switch (s->second.mode) {
        case publish_mode::dry_run:
          r.state = content::state::dry_run;
          book->save(r);
          ++t.dry_run;
          log->info("dry-run {}: would post to {}: {}", p.id, p.channel,
                    r.parts.empty() ? std::string{} : r.parts.front().substr(0, 200));
          return;
        case publish_mode::approval:
          r.state = content::state::pending_approval;
          book->save(r);
          ++t.pending_approval;
          log->info("{} waits for approval (herald content approve {})", p.id, p.id);
          return;
        case publish_mode::live:
          r.state = content::state::planned;
          book->save(r);
          dispatch(r);
          return;
      }
    } catch (const std::exception& e) {
      log->error("{}: cannot record it: {}", p.id, e.what());
    }
  }
};

publisher_actor::behavior_type publisher_impl(ops::instrumented_stateful<publisher_actor, publisher_state>* self,
                                              std::shared_ptr<const content_options> o,
                                              std::shared_ptr<supervision::agent_directory> dir) {
  auto& st = self->state;
  st.self = self;
  st.o = o;
  st.dir = std::move(dir);
  st.log = logging::get("content.publisher");
  st.book = std::make_unique<content::ledger>(o->storage);
  for (auto& c : o->channels) {
    auto name = content::channel_name(c.ch);
    st.setups[name] = c;
    auto& t = st.tally[name];
    t.channel = name;
    t.mode = mode_name(c.mode);
  }
  // After a crash: what was mid-call is resent where the channel dedupes,
  // else held in doubt for an operator.
  try {
    auto changed = st.book->reconcile([&st](const std::string& ch) {
      auto s = st.setups.find(ch);
      return s != st.setups.end() && s->second.resend_safe;
    });
    for (auto& r : changed) {
      if (r.state == content::state::in_doubt) {
        ++st.tally[r.channel].in_doubt;
        st.log->warn("{} was being sent when Herald stopped; {} cannot say whether it arrived, "
                     "so it is held as in_doubt (herald content approve|reject {})",
                     r.id, r.channel, r.id);
      } else
        st.log->info("{} was being sent when Herald stopped; resending ({} drops duplicates)",
                     r.id, r.channel);
    }
  } catch (const std::exception& e) {
    st.log->error("cannot reconcile pieces left in publishing: {}", e.what());
  }
  st.pick_up(); // the channel agents started before this one (rest_for_one order)
  self->delayed_send(self, o->approval_poll, caf::tick_atom::value);
  return {
    [self](content_piece& p) { self->state.on_piece(p); },
    [self](publish_result& r) {
      auto& st = self->state;
      st.outstanding.erase(r.id);
      auto& t = st.tally[r.channel];
      if (r.state == content::state::published) {
        ++t.published;
        if (!r.url.empty() && t.urls.size() < 20)
          t.urls.push_back(r.url);
      } else if (r.state == content::state::failed)
        ++t.failed;
      if (st.o->journal)
        st.o->journal->push("post", nlohmann::json{{"id", r.id},
                                                  {"channel", r.channel},
                                                  {"state", r.state},
                                                  {"url", r.url},
                                                  {"remote_id", r.remote_id},
                                                  {"error", r.error}}
                                     .dump());
      st.answer_drains();
    },
    [self](drain_atom) -> caf::result<std::vector<channel_tally>> {
      auto& st = self->state;
      if (st.outstanding.empty())
        return st.tallies();
      st.drains.push_back(self->make_response_promise<std::vector<channel_tally>>());
      return st.drains.back();
    },
    [self](stats_atom) { return self->state.tallies(); },
    [self](caf::tick_atom) {
      auto& st = self->state;
      st.pick_up();
      self->delayed_send(self, st.o->approval_poll, caf::tick_atom::value);
    },
  };
}

} // namespace

supervision::supervisor_config content_tree(const content_options& opts,
                                            std::shared_ptr<supervision::agent_directory> dir,
                                            supervision::supervisor_flags flags,
                                            supervision::backoff_options backoff,
                                            std::chrono::nanoseconds shutdown_timeout) {
  using namespace supervision;
  auto o = std::make_shared<const content_options>(opts);
  auto worker = [&](std::string name, auto start) {
    return permanent_worker(std::move(name), std::move(start), shutdown_timeout, backoff);
  };
  supervisor_config cfg;
  cfg.name = "content";
  cfg.path = "content";
  cfg.flags = flags;
  cfg.flags.strat = strategy::rest_for_one;
  cfg.directory = dir;
  for (auto& c : o->channels) {
    if (c.mode == publish_mode::dry_run)
      continue; // live and approval channels send (approval: what was approved)
    auto name = std::string{"channel."} + content::channel_name(c.ch);
    cfg.children.push_back(worker(name, [o, c, dir](caf::local_actor* self, const std::string&) {
      // detached: its HTTP calls block their own thread, not the scheduler
      return caf::actor_cast<caf::actor>(self->spawn<caf::detached>(channel_impl, o, c, dir));
    }));
  }
  cfg.children.push_back(worker("publisher", [o, dir](caf::local_actor* self, const std::string&) {
    return caf::actor_cast<caf::actor>(self->spawn(publisher_impl, o, dir));
  }));
  cfg.children.push_back(worker("charts", [](caf::local_actor* self, const std::string&) {
    return caf::actor_cast<caf::actor>(self->spawn(charts_impl));
  }));
  cfg.children.push_back(worker("creator", [o, dir](caf::local_actor* self, const std::string&) {
    // an LLM call blocks: then the creator gets its own thread
    if (o->llm)
      return caf::actor_cast<caf::actor>(self->spawn<caf::detached>(creator_impl, o, dir));
    return caf::actor_cast<caf::actor>(self->spawn(creator_impl, o, dir));
  }));
  cfg.children.push_back(worker("strategist", [o, dir](caf::local_actor* self, const std::string&) {
    return caf::actor_cast<caf::actor>(self->spawn(strategist_impl, o, dir));
  }));
  return cfg;
}

} // namespace herald::content_actors
