#include "actors/ops/inspector.hpp"
#include "ops/cluster_json.hpp"

#include <caf/actor_registry.hpp>
#include <caf/all.hpp>
#include <caf/io/middleman.hpp>

#include <algorithm>
#include <deque>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "actors/analysis/pipeline.hpp"
#include "actors/analysis/risk.hpp"
#include "actors/content/content.hpp"
#include "actors/data/hub.hpp"
#include "actors/data/persistence.hpp"
#include "actors/ops/instrumented.hpp"
#include "io/logging.hpp"
#include "ops/candle_events.hpp"
#include "ops/json_views.hpp"
#include "ops/stats_table.hpp"

namespace herald::ops {

namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

/// At most `per_second` events of one kind per second (a replay produces
/// millions of signals; the live feed shows a sample and says so).
struct event_budget {
  std::uint64_t per_second = 50;
  std::int64_t second = 0;
  std::uint64_t used = 0, dropped = 0;
  bool take(std::int64_t now_ms) {
    if (now_ms / 1000 != second) {
      second = now_ms / 1000;
      used = 0;
    }
    if (used >= per_second) {
      ++dropped;
      return false;
    }
    ++used;
    return true;
  }
};

json signal_json(const analysis::signal& s) {
  return json{{"id", s.id()},           {"symbol", s.symbol},
              {"interval", s.interval}, {"time", s.time},
              {"price", s.price},       {"direction", analysis::to_string(s.dir)},
              {"score", s.score},       {"confidence", s.confidence},
              {"regime", s.regime},     {"missing", s.missing}};
}

json insight_json(const analysis::insight& i) {
  return json{{"id", i.id()},
              {"signal_id", i.signal_id},
              {"symbol", i.symbol},
              {"interval", i.interval},
              {"time", i.time},
              {"direction", analysis::to_string(i.dir)},
              {"strength", i.strength},
              {"confidence", i.confidence},
              {"price", i.price},
              {"approved", i.approved},
              {"reason", i.reason},
              {"equity", i.equity},
              {"drawdown", i.drawdown}};
}

struct inspector_state {
  static inline const char* name = "herald.inspector";
  inspector_actor::pointer self = nullptr;
  inspector_options o;
  std::shared_ptr<spdlog::logger> log;
  stats_table table;
  // latest polls
  std::vector<series_view> series;
  std::vector<channel_view> channels;
  db::db_status db;
  bool db_known = false;
  std::int64_t db_answered_ms = 0;
  static constexpr std::int64_t db_silence_ms = 10000;
  actor_stats latency;
  std::map<std::string, std::uint64_t> signals_by_direction, insights_by_outcome;
  std::map<std::string, std::uint64_t> restarts_seen;
  std::map<std::string, std::int64_t> last_candle_event;
  std::deque<analysis::signal> recent_signals;
  std::deque<analysis::insight> recent_insights;
  event_budget signal_events, insight_events;
  event_budget candle_events{200};
  caf::actor_addr hub_subscribed, risk_subscribed;

  /// Whether a published snapshot was ready yet. Until then (for at most
  /// 10 s after start) the inspector ticks every 50 ms, so /ready turns 200
  /// as soon as the tree is up and the checks pass, not a statistics
  /// interval or two later.
  bool ready_seen = false;
  std::int64_t started_ms = steady_ms();
  std::chrono::milliseconds next_tick() const {
    bool starting = !ready_seen && steady_ms() - started_ms < 10'000;
    return starting ? std::min<std::chrono::milliseconds>(o.interval, 50ms) : o.interval;
  }

  void tick() {
    subscribe();
    poll();
    publish();
  }

  void subscribe() {
    auto hub_addr = o.directory->find("data.hub");
    if (hub_addr && hub_addr != hub_subscribed) {
      auto hub = caf::actor_cast<data::hub_actor>(hub_addr);
      auto me = caf::actor_cast<data::candle_batch_sink_actor>(self);
      self->request(hub, 10s, subscribe_atom::value, std::string{"*"}, std::string{"*"}, me)
        .then([this, hub_addr](bool) { hub_subscribed = hub_addr; },
              [this](caf::error& e) {
                log->warn("cannot subscribe to the hub: {}", caf::to_string(e));
              });
    }
    auto risk_addr = o.directory->find("analysis.risk");
    if (risk_addr && risk_addr != risk_subscribed) {
      auto risk = caf::actor_cast<analysis_actors::risk_actor>(risk_addr);
      auto me = caf::actor_cast<analysis_actors::risk_sink_actor>(self);
      self->request(risk, 10s, subscribe_atom::value, me)
        .then([this, risk_addr](bool) { risk_subscribed = risk_addr; },
              [this](caf::error& e) {
                log->warn("cannot subscribe to the risk manager: {}", caf::to_string(e));
              });
    }
  }

  void poll() {
    auto timeout = std::max<std::chrono::milliseconds>(o.interval, 500ms);
    if (auto hub = caf::actor_cast<data::hub_actor>(o.directory->find("data.hub")))
      self->request(hub, timeout, stats_atom::value)
        .then(
          [this](std::vector<series_stats>& xs) {
            series.clear();
            for (auto& x : xs)
              series.push_back(series_view{x.symbol, x.interval, x.accepted, x.duplicates,
                                           x.rejected, x.gaps, x.last_open_time});
          },
          [](caf::error&) {});
    if (auto p = caf::actor_cast<data::persistence_actor>(o.directory->find("data.persistence")))
      self->request(p, timeout, caf::get_atom::value)
        .then(
          [this](db::db_status& st) {
            db = std::move(st);
            db_known = true;
            db_answered_ms = steady_ms();
            if (!ready_seen)
              publish(); // at start: /ready as soon as the database answers
          },
          [this](caf::error& e) {
            // A write-behind agent busy with a large batch answers late; only
            // silence for longer than db_silence_ms means the database is down.
            db_known = true;
            if (steady_ms() - db_answered_ms > db_silence_ms) {
              db.available = false;
              db.last_error = "persistence agent did not answer: " + caf::to_string(e);
            }
          });
    else if (o.expect_database) {
      db_known = true;
      db.available = false;
      db.last_error = "persistence agent not running";
    }
    if (auto p = caf::actor_cast<analysis_actors::pipeline_actor>(
          o.directory->find("analysis.pipeline")))
      self->request(p, timeout, stats_atom::value, caf::get_atom::value)
        .then([this](actor_stats& st) { latency = std::move(st); }, [](caf::error&) {});
    if (auto p = caf::actor_cast<content_actors::publisher_actor>(
          o.directory->find("content.publisher")))
      self->request(p, timeout, stats_atom::value)
        .then(
          [this](std::vector<channel_tally>& xs) {
            channels.clear();
            for (auto& t : xs)
              channels.push_back(channel_view{t.channel, t.mode, t.published, t.failed,
                                              t.pending_approval, t.dry_run, t.in_doubt,
                                              t.queued, t.refused});
          },
          [](caf::error&) {});
  }

  /// The directory in tree order: root first, then by path (a depth-first walk).
  std::vector<directory_entry> directory() const {
    std::vector<directory_entry> out;
    for (auto& r : o.directory->snapshot()) {
      directory_entry d;
      d.path = r.path;
      d.is_supervisor = r.is_supervisor;
      d.running = r.running;
      d.actor_id = r.running && r.addr ? r.addr.id() : 0;
      d.restarts = r.restarts;
      d.last_exit_reason = r.last_exit_reason;
      d.started_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          r.started_at.time_since_epoch())
                          .count();
      out.push_back(std::move(d));
    }
    std::stable_sort(out.begin(), out.end(), [](const directory_entry& a, const directory_entry& b) {
      if ((a.path == "root") != (b.path == "root"))
        return a.path == "root";
      return a.path < b.path;
    });
    return out;
  }

  void publish() {
    auto s = std::make_shared<snapshot>();
    s->taken_at_ms = wall_ms();
    s->actors = table.build(directory(), steady_ms());
    for (const auto& a : s->actors) {
      auto& seen = restarts_seen[a.path];
      if (a.restarts > seen)
        o.journal_->push("restart", json{{"path", a.path},
                                         {"restarts", a.restarts},
                                         {"reason", a.last_exit_reason}}
                                      .dump());
      seen = a.restarts;
    }
    s->series = series;
    s->channels = channels;
    s->db_known = db_known;
    s->db_backend = db.backend;
    s->db_available = db_known && db.available;
    s->db_pending = db.pending;
    s->db_written = db.written;
    s->db_failures = db.failures;
    s->db_rejected = db.rejected;
    s->db_last_error = db.last_error;
    s->pipeline_latency = latency.buckets;
    s->pipeline_latency_sum = static_cast<double>(latency.busy_ns) / 1e9;
    s->signals_by_direction = signals_by_direction;
    s->insights_by_outcome = insights_by_outcome;
    // Readiness: database, data sources, pipeline.
    // In a cluster an agent may run on another node (the directory's
    // remote part, kept by the node agent).
    auto running = [&](const std::string& path) {
      auto* a = s->find(path);
      return (a && a->running) || o.directory->is_remote(path);
    };
    if (o.expect_database)
      s->checks.push_back(readiness_check{
        "database", s->db_available,
        !db_known ? "no status yet"
                  : (s->db_available ? db.backend + ", " + std::to_string(db.pending) + " pending"
                                     : db.last_error)});
    for (const auto& src : o.sources)
      s->checks.push_back(
        readiness_check{src, running(src), running(src) ? "running" : "not running"});
    if (o.expect_pipeline) {
      bool pipe = running("analysis.pipeline");
      s->checks.push_back(
        readiness_check{"analysis.pipeline", pipe, pipe ? "running" : "not running"});
    }
    if (o.flow) {
      // Back-pressure: saturation is normal at full speed (the system runs
      // as fast as its slowest stage); a stage that has held back the one
      // before it for a minute is stuck (a database down, a stage hung).
      auto now = wall_ms();
      std::string detail;
      bool stuck = false;
      auto add = [&](const char* name, const stage_gauge& g, const char* what) {
        flow_view v{name, g.queued.load(), g.limit.load(), 0, g.holds.load()};
        auto since = g.holding_since_ms.load();
        if (since > 0) {
          v.holding_ms = std::max<std::int64_t>(0, now - since);
          stuck = stuck || v.holding_ms > 60'000;
          detail += (detail.empty() ? "" : "; ") + std::string{name} + " holds back " + what
                    + " (" + std::to_string(v.queued) + "/" + std::to_string(v.limit) + ", "
                    + std::to_string(v.holding_ms / 1000) + " s)";
        }
        s->flow.push_back(std::move(v));
      };
      add("hub", o.flow->hub, "the sources");
      add("pipeline", o.flow->pipeline, "the hub");
      add("risk", o.flow->risk, "the pipeline");
      s->checks.push_back(
        readiness_check{"flow", !stuck, detail.empty() ? "flowing" : "saturated: " + detail});
    }
    if (o.cluster) {
      auto missing = o.cluster->missing_roles();
      std::string detail;
      for (auto& r : missing)
        detail += (detail.empty() ? "" : ", ") + r;
      bool ok = missing.empty();
      s->checks.push_back(readiness_check{
        "cluster", ok,
        !missing.empty()
          ? "no node that is up holds the role(s): " + detail
          : std::to_string(o.cluster->up_names().size()) + " node(s) up, every role held"});
    }
    ready_seen = ready_seen || s->ready();
    o.board_->publish(std::move(s));
  }

  void on_batch(const candle_batch& b) {
    auto now = steady_ms();
    // The newest candle of each series in the batch, at most 4 events a
    // second per series and candle_events.per_second in all (a console
    // cannot show 10,000 series ticking; linear in the batch, see
    // ops/candle_events.hpp).
    for (const auto* c : ops::newest_per_series(b.candles)) {
      auto& last = last_candle_event[c->symbol + "_" + c->interval];
      if (last != 0 && now - last < 250)
        continue;
      if (!candle_events.take(now))
        continue;
      last = now;
      o.journal_->push("candle", json{{"symbol", c->symbol},
                                      {"interval", c->interval},
                                      {"open_time", c->open_time},
                                      {"open", c->open},
                                      {"high", c->high},
                                      {"low", c->low},
                                      {"close", c->close},
                                      {"volume", c->volume}}
                                   .dump());
    }
  }

  void on_report(const risk_report& r) {
    auto now = steady_ms();
    for (const auto& s : r.signals) {
      ++signals_by_direction[analysis::to_string(s.dir)];
      if (s.dir == analysis::direction::neutral)
        continue;
      // JSON only for what is shown: a replay brings millions of signals.
      if (signal_events.take(now))
        o.journal_->push("signal", signal_json(s).dump());
      recent_signals.push_back(s);
      if (recent_signals.size() > 500)
        recent_signals.pop_front();
    }
    for (const auto& i : r.insights) {
      ++insights_by_outcome[i.approved ? "approved" : "vetoed"];
      if (insight_events.take(now))
        o.journal_->push("insight", insight_json(i).dump());
      recent_insights.push_back(i);
      if (recent_insights.size() > 500)
        recent_insights.pop_front();
    }
  }

  std::string command(const console_command& cmd) {
    if (!o.tokens || o.tokens->empty())
      return error_body("unauthorized", "no API tokens are configured on this node");
    auto who = o.tokens->authenticate(cmd.token);
    if (!who)
      return error_body("unauthorized", "invalid token");
    std::istringstream in{cmd.line};
    std::vector<std::string> words;
    for (std::string w; in >> w;)
      words.push_back(w);
    if (words.empty())
      return error_body("bad_request", "empty command");
    const auto& verb = words[0];
    auto snap = o.board_->get();
    if (verb == "tree" || verb == "top")
      return tree_json(*snap).dump();
    if (verb == "info")
      return json{{"node", o.node_name}, {"version", HERALD_VERSION},
                  {"principal", who->name}, {"role", to_string(who->level)},
                  {"ready", readiness_json(*snap)}}
        .dump();
    if (verb == "cluster") {
      // Every node of the cluster (this node's view + the membership table),
      // or one node's agents from agent_registry.
      try {
        if (words.size() > 2 && words[1] == "agents") {
          if (!o.storage)
            return error_body("unavailable", "no database");
          return cluster_agents_json(*o.storage, words[2]).dump();
        }
        return cluster_json(o.cluster.get(), o.storage.get(), o.node_name, o.cluster_ttl_ms)
          .dump();
      } catch (const std::exception& e) {
        return error_body("unavailable", e.what());
      }
    }
    if (verb == "stats") {
      if (words.size() < 2)
        return error_body("bad_request", "usage: stats ACTOR");
      auto* a = snap->find(words[1]);
      if (!a)
        return error_body("not_found", "no actor '" + words[1] + "'");
      auto j = to_json(*a);
      j["buckets"] = a->buckets;
      return j.dump();
    }
    if (verb == "signals" || verb == "insights") {
      std::size_t n = 20;
      if (words.size() > 1) {
        try {
          n = static_cast<std::size_t>(std::stoul(words[1]));
        } catch (...) {
          return error_body("bad_request", "usage: " + verb + " [N]");
        }
      }
      auto items = json::array();
      if (verb == "signals")
        for (auto it = recent_signals.rbegin(); it != recent_signals.rend() && items.size() < n; ++it)
          items.push_back(signal_json(*it));
      else
        for (auto it = recent_insights.rbegin(); it != recent_insights.rend() && items.size() < n;
             ++it)
          items.push_back(insight_json(*it));
      return json{{"items", items}}.dump();
    }
    if (verb == "events") {
      std::uint64_t after = 0;
      if (words.size() > 1) {
        try {
          after = std::stoull(words[1]);
        } catch (...) {
          return error_body("bad_request", "usage: events [AFTER_SEQ]");
        }
      }
      auto items = json::array();
      for (auto& e : o.journal_->since(after, 200))
        items.push_back(json{{"seq", e.seq}, {"ts", e.ts_ms}, {"type", e.type},
                             {"data", json::parse(e.data, nullptr, false)}});
      return json{{"items", items}, {"last_seq", o.journal_->last_seq()}}.dump();
    }
    if (verb == "restart" || verb == "kill" || verb == "pause" || verb == "resume") {
      if (words.size() < 2)
        return error_body("bad_request", "usage: " + verb + " ACTOR");
      const auto& target = words[1];
      std::string source = "console";
      if (auto sender = self->current_sender())
        source = "console@" + caf::to_string(sender->node());
      if (who->level < role::operator_) {
        audit(who->name, "agent." + verb, target, source, "denied");
        return error_body("forbidden", "'" + verb + "' needs the operator role; token '"
                                         + who->name + "' is a viewer");
      }
      auto r = o.control->act(verb, target);
      audit(who->name, "agent." + verb, target, source, r.ok ? "ok" : "error: " + r.message);
      if (!r.ok)
        return error_body(r.status == 404 ? "not_found" : "conflict", r.message);
      return json{{"ok", true}, {"action", verb}, {"target", target}, {"message", r.message}}
        .dump();
    }
    return error_body("bad_request", "unknown command '" + verb + "' (try help)");
  }

  void audit(const std::string& who, const std::string& action, const std::string& target,
             const std::string& source, const std::string& outcome) {
    if (!o.storage)
      return;
    db::audit_entry e{who, action, target, outcome, json{{"source", source}}.dump(), wall_ms()};
    try {
      o.storage->write_audit(e);
    } catch (const std::exception& ex) {
      log->error("audit row for {} {} by {} not written: {}", action, target, who, ex.what());
    }
  }
};

inspector_actor::behavior_type inspector_impl(
  instrumented_stateful<inspector_actor, inspector_state>* self, inspector_options o) {
  auto& st = self->state;
  st.self = self;
  st.o = std::move(o);
  st.log = logging::get("ops.inspector");
  auto& sys = self->home_system();
  sys.registry().put(inspector_key(), caf::actor_cast<caf::strong_actor_ptr>(self));
  self->attach_functor([&sys, me = self->address()] {
    // Only remove the name if it is still ours (a new incarnation may have it).
    auto cur = sys.registry().get<caf::actor>(inspector_key());
    if (cur && cur.address() == me)
      sys.registry().erase(inspector_key());
  });
  if (st.o.publish) {
    auto port = sys.middleman().publish(caf::actor_cast<inspector_actor>(self), st.o.publish_port,
                                        st.o.publish_address.c_str(), true);
    if (port) {
      st.log->info("inspector published for `herald console` on {}:{}", st.o.publish_address,
                   *port);
      // middleman::unpublish takes a handle (anything with address()).
      struct by_address {
        caf::actor_addr addr;
        const caf::actor_addr& address() const { return addr; }
      };
      self->attach_functor([&sys, me = by_address{self->address()}, port = *port] {
        sys.middleman().unpublish(me, port);
      });
    } else {
      st.log->error("cannot publish the inspector on {}:{}: {} (the terminal console will not "
                    "connect; check [inspector] port)",
                    st.o.publish_address, st.o.publish_port, sys.render(port.error()));
    }
  }
  st.tick();
  self->delayed_send(self, st.next_tick(), caf::tick_atom::value);
  return {
    [self](actor_stats& r) {
      self->state.table.on_report(
        stats_report{r.actor_id, r.messages, r.busy_ns, r.mailbox, std::move(r.buckets), r.paused},
        steady_ms());
    },
    // Answered at once: the answer returns the sender's credit (a slow
    // inspector slows the pipeline instead of growing its mailbox).
    [self](const risk_report& r) {
      self->state.on_report(r);
      return true;
    },
    [self](const candle_batch& b) {
      self->state.on_batch(b);
      return true;
    },
    [self](caf::tick_atom) {
      self->state.tick();
      self->delayed_send(self, self->state.next_tick(), caf::tick_atom::value);
    },
    [self](const console_command& cmd) -> std::string { return self->state.command(cmd); },
  };
}

class system_control : public agent_control {
public:
  system_control(caf::actor_system& sys, std::shared_ptr<supervision::agent_directory> dir)
    : sys_(sys), dir_(std::move(dir)) {}

  control_outcome act(const std::string& action, const std::string& path) override {
    bool known = false, supervisor = false, running = false;
    for (auto& r : dir_->snapshot())
      if (r.path == path) {
        known = true;
        supervisor = r.is_supervisor;
        running = r.running;
      }
    if (!known)
      return {false, 404, "no agent '" + path + "'"};
    auto handle = caf::actor_cast<caf::actor>(dir_->find(path));
    if (!running || !handle)
      return {false, 409, "'" + path + "' is not running"};
    if (action == "pause" || action == "resume") {
      if (supervisor)
        return {false, 409, "'" + path + "' is a supervisor; pause its workers instead"};
      if (action == "pause")
        caf::anon_send(handle, pause_atom::value);
      else
        caf::anon_send(handle, resume_atom::value);
      return {true, 200, path + (action == "pause" ? " paused" : " resumed")};
    }
    if (action == "restart" || action == "kill") {
      if (path == "root")
        return {false, 409, "the root supervisor cannot be restarted; stop herald instead"};
      caf::anon_send_exit(handle, action == "kill" ? caf::exit_reason::kill
                                                  : caf::exit_reason::user_shutdown);
      return {true, 200,
              path + (action == "kill" ? " killed (its supervisor restarts it)"
                                       : " stopped (its supervisor restarts it)")};
    }
    return {false, 400, "unknown action '" + action + "' (pause, resume, restart, kill)"};
  }

private:
  caf::actor_system& sys_;
  std::shared_ptr<supervision::agent_directory> dir_;
};

} // namespace

inspector_actor spawn_inspector(caf::local_actor* parent, inspector_options o) {
  return parent->spawn(inspector_impl, std::move(o));
}

std::shared_ptr<agent_control> make_agent_control(caf::actor_system& sys,
                                                  std::shared_ptr<supervision::agent_directory> dir) {
  return std::make_shared<system_control>(sys, std::move(dir));
}

} // namespace herald::ops
