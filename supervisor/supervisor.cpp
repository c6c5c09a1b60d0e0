#include "supervisor/supervisor.hpp"
#include "actors/ops/instrumented.hpp"

#include <algorithm>
#include <deque>
#include <random>

#include <caf/all.hpp>

#include "io/logging.hpp"

namespace herald::supervision {

std::string describe_reason(const caf::error& reason) {
  if (!reason)
    return "normal";
  if (reason.category() == caf::atom("exit"))
    return caf::to_string(static_cast<caf::exit_reason>(reason.code()));
  if (reason.category() == caf::atom("herald"))
    return "herald: " + herald::to_string(static_cast<herald_errc>(reason.code()));
  return caf::to_string(reason);
}

namespace {

bool is_abnormal(const caf::error& reason) {
  // OTP: `normal` and `shutdown` are normal exits for transient children.
  return reason && reason != caf::exit_reason::user_shutdown;
}

std::int64_t wall_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// -- state ----------------------------------------------------------------------

struct child_state {
  child_spec spec;
  std::string id;  ///< spec.name, or the pool id
  std::string arg; ///< pool argument
  std::string path;
  caf::actor handle;
  bool running = false;
  bool pending_start = false; ///< waiting for a (delayed) restart
  std::uint64_t incarnation = 0;
  std::uint32_t restarts = 0;
  std::string last_exit_reason;
  time_point started{};
  std::int64_t started_ms = 0;
  backoff bo{backoff_options{}};
};

struct supervisor_state {
  static inline const char* name = "herald.supervisor";

  ops::instrumented_stateful<supervisor_actor, supervisor_state>* self = nullptr;
  supervisor_config cfg;
  std::shared_ptr<spdlog::logger> log;
  std::vector<child_state> children; ///< start order
  restart_intensity intensity{1, std::chrono::seconds{5}};
  std::mt19937_64 rng;

  // A sequential stop of several children (group restart or shutdown).
  bool stopping = false;
  std::deque<std::string> stop_queue;
  std::string stopping_id;
  std::uint64_t stop_token = 0;
  std::function<void()> after_stop;

  bool shutting_down = false;
  caf::error shutdown_reason;

  // A sequential start of several children.
  bool starting = false;
  std::deque<std::string> start_queue;
  bool start_is_restart = false;
  bool start_initial = false;
  std::uint64_t start_token = 0;
  std::function<void()> after_start;

  // Whether the initial children are up; requests waiting for that.
  bool initialized = false;
  std::vector<caf::typed_response_promise<bool>> ready_waiters;

  // Exits of children seen while a stop or start sequence was in progress.
  struct deferred_exit {
    std::string id;
    std::uint64_t incarnation;
    caf::error reason;
  };
  std::deque<deferred_exit> deferred;

  std::uint64_t restart_gen = 0;

  /// Addresses of the running children, shared with the functor attached to
  /// the supervisor: whatever ends the supervisor (even an untrappable kill)
  /// ends its subtree too.
  std::shared_ptr<std::vector<caf::actor_addr>> live
    = std::make_shared<std::vector<caf::actor_addr>>();

  // -- lookup -----------------------------------------------------------------

  child_state* find(const std::string& id) {
    auto i = std::find_if(children.begin(), children.end(),
                          [&](const child_state& c) { return c.id == id; });
    return i == children.end() ? nullptr : &*i;
  }

  child_state* find(const caf::actor_addr& addr) {
    if (!addr)
      return nullptr;
    auto i = std::find_if(children.begin(), children.end(), [&](const child_state& c) {
      return c.handle && c.handle.address() == addr;
    });
    return i == children.end() ? nullptr : &*i;
  }

  std::string child_path(const std::string& id) const {
    return cfg.path == "root" ? id : cfg.path + "." + id;
  }

  void remove(const std::string& id) {
    if (cfg.directory)
      cfg.directory->removed(child_path(id));
    children.erase(std::remove_if(children.begin(), children.end(),
                                  [&](const child_state& c) { return c.id == id; }),
                   children.end());
  }

  // -- starting ---------------------------------------------------------------

  /// Starts a child; returns false when its start function failed.
  bool start(child_state& c, bool is_restart) {
    caf::actor h;
    try {
      h = c.spec.start(self, c.arg);
    } catch (const std::exception& e) {
      log->error("child '{}' failed to start: {}", c.path, e.what());
    }
    c.pending_start = false;
    if (!h) {
      c.running = false;
      c.last_exit_reason = "start failed";
      return false;
    }
    c.handle = h;
    c.running = true;
    ++c.incarnation;
    c.started = clock_type::now();
    c.started_ms = wall_ms();
    self->monitor(h);
    live->push_back(h.address());
    if (cfg.directory) {
      cfg.directory->started(c.path, h.address(), c.spec.is_supervisor);
      if (is_restart)
        cfg.directory->restarted(c.path);
    }
    if (is_restart) {
      ++c.restarts;
      log->warn("restarted child '{}' (last exit: {}, restart #{})", c.path,
                c.last_exit_reason, c.restarts);
    } else {
      log->debug("started child '{}'", c.path);
    }
    return true;
  }

  /// Starts the given children one after the other: the next child is
  /// spawned only when the previous one finished its initialisation (it
  /// answered CAF's built-in `sys/get/"info"` request), as OTP's synchronous
  /// start_link guarantees. A start failure counts as a crash of that child.
  /// During the initial start it makes the supervisor fail (OTP).
  void start_chain(std::vector<std::string> ids, bool is_restart, bool initial,
                   std::function<void()> then) {
    starting = true;
    start_queue.assign(ids.begin(), ids.end());
    start_is_restart = is_restart;
    start_initial = initial;
    after_start = std::move(then);
    start_next();
  }

  void start_next() {
    while (!start_queue.empty()) {
      if (shutting_down)
        return;
      auto id = start_queue.front();
      start_queue.pop_front();
      auto c = find(id);
      if (c == nullptr || c->running)
        continue;
      if (!start(*c, start_is_restart)) {
        if (start_initial) {
          log->error("child '{}' could not be started; supervisor '{}' fails", c->path,
                     cfg.path);
          starting = false;
          begin_shutdown(make_error(herald_errc::child_start_failed));
          return;
        }
        deferred.push_back({c->id, c->incarnation, make_error(herald_errc::child_start_failed)});
        continue;
      }
      auto token = ++start_token;
      auto on_ready = [this, token] {
        if (token == start_token && !shutting_down)
          start_next();
      };
      // An error means the child died during init: its down_msg follows.
      if (c->spec.is_supervisor)
        self
          ->request(caf::actor_cast<supervisor_actor>(c->handle), caf::infinite,
                    ready_atom::value)
          .then([on_ready](bool) { on_ready(); }, [on_ready](caf::error&) { on_ready(); });
      else
        self
          ->request(c->handle, caf::infinite, caf::sys_atom::value, caf::get_atom::value,
                    std::string{"info"})
          .then([on_ready](caf::ok_atom, std::string&, caf::strong_actor_ptr&,
                           std::string&) { on_ready(); },
                [on_ready](caf::error&) { on_ready(); });
      return;
    }
    starting = false;
    if (after_start) {
      auto k = std::move(after_start);
      after_start = nullptr;
      k();
    }
  }

  bool busy() const { return stopping || starting; }

  void mark_ready() {
    initialized = true;
    for (auto& rp : ready_waiters)
      rp.deliver(true);
    ready_waiters.clear();
  }

  void init_children() {
    if (cfg.flags.strat == strategy::simple_one_for_one) {
      mark_ready();
      return;
    }
    std::vector<std::string> ids;
    for (auto& spec : cfg.children) {
      child_state c;
      c.spec = spec;
      c.id = spec.name;
      c.path = child_path(spec.name);
      c.bo = backoff{spec.backoff};
      ids.push_back(c.id);
      children.push_back(std::move(c));
    }
    start_chain(ids, false, true, [this] {
      mark_ready();
      process_deferred();
    });
  }

  // -- failures ---------------------------------------------------------------

  void forget(const caf::actor& h) {
    if (!h)
      return;
    auto addr = h.address();
    live->erase(std::remove(live->begin(), live->end(), addr), live->end());
  }

  /// Records that a child is gone (whether it failed or was stopped).
  void mark_down(child_state& c, const caf::error& reason) {
    forget(c.handle);
    auto desc = describe_reason(reason);
    c.running = false;
    c.handle = caf::actor{};
    c.last_exit_reason = desc;
    if (cfg.directory)
      cfg.directory->exited(c.path, desc);
  }

  void on_child_down(child_state& c, const caf::error& reason) {
    mark_down(c, reason);
    if (shutting_down)
      return;
    if (busy()) {
      deferred.push_back({c.id, c.incarnation, reason});
      return;
    }
    handle_failure(c.id, reason);
  }

  void handle_failure(const std::string& id, const caf::error& reason) {
    auto idx = static_cast<std::size_t>(
      std::find_if(children.begin(), children.end(),
                   [&](const child_state& c) { return c.id == id; })
      - children.begin());
    if (idx >= children.size())
      return;
    std::vector<child_view> views;
    for (auto& c : children)
      views.push_back({c.id, c.spec.restart, c.running});
    auto decision = decide(cfg.flags.strat, views, idx, is_abnormal(reason));
    auto& failed = children[idx];
    if (!decision.restart) {
      log->info("child '{}' exited ({}); {} child not restarted", failed.path,
                describe_reason(reason), to_string(failed.spec.restart));
      for (auto& r : decision.to_remove)
        remove(r);
      return;
    }
    auto now = clock_type::now();
    if (!intensity.record(now)) {
      log->error("supervisor '{}': more than {} restarts within {} ms (last: '{}' exited "
                 "with {}); stopping all children and escalating",
                 cfg.path, cfg.flags.intensity,
                 std::chrono::duration_cast<std::chrono::milliseconds>(cfg.flags.period).count(),
                 failed.path, describe_reason(reason));
      begin_shutdown(make_error(herald_errc::restart_intensity_exceeded));
      return;
    }
    log->info("child '{}' exited with {}; {} restarts {}", failed.path,
              describe_reason(reason), to_string(cfg.flags.strat),
              decision.to_start.size() == 1 ? "it" : std::to_string(decision.to_start.size())
                                                       + " children");
    std::uniform_real_distribution<double> uni{0.0, 1.0};
    // A kill is an outside decision (chaos, an operator's kill), not the
    // child failing on its own: it is restarted at once and does not grow
    // the backoff, which is there to slow crash loops. (With backoff after
    // kills, 50 kills a second kept agents waiting out 5 s backoffs most of
    // the time and a chaos run made no progress.)
    auto delay = reason == caf::exit_reason::kill
                   ? duration{0}
                   : failed.bo.next_delay(failed.started, now, uni(rng));
    auto to_start = decision.to_start;
    auto to_remove = decision.to_remove;
    stop_children(decision.to_stop, [this, to_start, to_remove, delay] {
      for (auto& r : to_remove)
        remove(r);
      if (delay.count() == 0) {
        start_chain(to_start, true, false, [this] { process_deferred(); });
        return;
      } else {
        auto gen = ++restart_gen;
        for (auto& id : to_start)
          if (auto c = find(id))
            c->pending_start = true;
        log->info("restart of '{}' delayed by {} ms (backoff)", child_path(to_start.front()),
                  std::chrono::duration_cast<std::chrono::milliseconds>(delay).count());
        self->delayed_send(self, delay, restart_atom::value, to_start.front(), gen);
      }
      process_deferred();
    });
  }

  void process_deferred() {
    while (!deferred.empty() && !busy() && !shutting_down) {
      auto d = deferred.front();
      deferred.pop_front();
      auto c = find(d.id);
      // Ignore exits of incarnations that were restarted meanwhile.
      if (c == nullptr || c->running || c->pending_start || c->incarnation != d.incarnation)
        continue;
      handle_failure(d.id, d.reason);
    }
  }

  void on_restart_timer(const std::string& id, std::uint64_t gen) {
    if (gen != restart_gen || shutting_down)
      return;
    if (busy()) {
      // Another stop or start sequence runs: try again right after it.
      self->delayed_send(self, std::chrono::milliseconds{10}, restart_atom::value, id, gen);
      return;
    }
    std::vector<std::string> ids;
    for (auto& c : children)
      if (c.pending_start)
        ids.push_back(c.id);
    start_chain(ids, true, false, [this] { process_deferred(); });
  }

  // -- stopping ---------------------------------------------------------------

  void stop_children(std::vector<std::string> ids, std::function<void()> then) {
    stopping = true;
    stop_queue.assign(ids.begin(), ids.end());
    after_stop = std::move(then);
    if (stopping_id.empty())
      stop_next();
  }

  void stop_next() {
    while (!stop_queue.empty()) {
      auto id = stop_queue.front();
      stop_queue.pop_front();
      auto c = find(id);
      if (c == nullptr || !c->running)
        continue;
      stopping_id = id;
      auto token = ++stop_token;
      log->debug("stopping child '{}'", c->path);
      self->send_exit(c->handle, caf::exit_reason::user_shutdown);
      self->delayed_send(self, c->spec.shutdown_timeout, stop_timeout_atom::value, token);
      return;
    }
    stopping_id.clear();
    stopping = false;
    if (after_stop) {
      auto k = std::move(after_stop);
      after_stop = nullptr;
      k();
    }
  }

  void on_stop_timeout(std::uint64_t token) {
    if (token != stop_token || stopping_id.empty())
      return;
    if (auto c = find(stopping_id); c && c->running) {
      log->warn("child '{}' did not stop within {} ms; killing it", c->path,
                std::chrono::duration_cast<std::chrono::milliseconds>(c->spec.shutdown_timeout)
                  .count());
      self->send_exit(c->handle, caf::exit_reason::kill);
    }
  }

  void on_stopped(child_state& c, const caf::error& reason) {
    mark_down(c, reason);
    stopping_id.clear();
    stop_next();
  }

  void begin_shutdown(caf::error reason) {
    if (shutting_down)
      return;
    shutting_down = true;
    shutdown_reason = std::move(reason);
    ++restart_gen; // cancels pending restarts
    for (auto& c : children)
      c.pending_start = false;
    std::vector<std::string> ids;
    for (auto i = children.rbegin(); i != children.rend(); ++i)
      if (i->running && i->id != stopping_id)
        ids.push_back(i->id);
    log->info("supervisor '{}' shutting down ({}), stopping {} children", cfg.path,
              describe_reason(shutdown_reason), ids.size() + (stopping_id.empty() ? 0 : 1));
    stop_children(std::move(ids), [this] {
      log->info("supervisor '{}' stopped", cfg.path);
      self->quit(shutdown_reason);
    });
  }

  // -- queries ----------------------------------------------------------------

  std::vector<child_info> which_children() const {
    std::vector<child_info> out;
    for (auto& c : children) {
      child_info ci;
      ci.name = c.id;
      ci.path = c.path;
      ci.is_supervisor = c.spec.is_supervisor;
      ci.restart = to_string(c.spec.restart);
      ci.running = c.running;
      if (c.handle)
        ci.handle = c.handle;
      ci.restarts = c.restarts;
      ci.last_exit_reason = c.last_exit_reason;
      ci.started_at_ms = c.started_ms;
      out.push_back(std::move(ci));
    }
    return out;
  }
};

supervisor_actor::behavior_type
supervisor_impl(ops::instrumented_stateful<supervisor_actor, supervisor_state>* self,
                supervisor_config cfg) {
  auto& st = self->state;
  st.self = self;
  st.log = logging::get("supervisor." + cfg.path);
  st.intensity = restart_intensity{cfg.flags.intensity, cfg.flags.period};
  st.rng.seed(cfg.seed != 0 ? cfg.seed : std::random_device{}());
  st.cfg = std::move(cfg);
  // Children are monitored, not linked: CAF's `kill` cannot be trapped, so a
  // link would let a killed child take its supervisor down with it.
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    auto c = st.find(msg.source);
    if (c == nullptr)
      return; // an incarnation we already forgot
    if (c->id == st.stopping_id)
      st.on_stopped(*c, msg.reason);
    else
      st.on_child_down(*c, msg.reason);
  });
  // An exit message is a shutdown request from the parent or the application.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    self->state.begin_shutdown(msg.reason ? msg.reason
                                          : caf::error{caf::exit_reason::user_shutdown});
  });
  self->attach_functor([live = st.live](const caf::error& reason) {
    for (auto& addr : *live)
      if (auto child = caf::actor_cast<caf::actor>(addr))
        caf::anon_send_exit(child, reason ? caf::exit_reason::kill
                                          : caf::exit_reason::user_shutdown);
  });
  // Children are started from the first message the supervisor processes, so
  // that the spawner already holds its handle (and links) before any child runs.
  self->send(self, restart_atom::value, std::string{}, std::uint64_t{0});
  return {
    [self](which_children_atom) { return self->state.which_children(); },
    [self](start_child& req) -> caf::result<caf::actor> {
      auto& st = self->state;
      if (st.cfg.flags.strat != strategy::simple_one_for_one)
        return herald::make_error(herald_errc::invalid_request,
                                  "start_child: supervisor '" + st.cfg.path
                                    + "' is not simple_one_for_one");
      if (st.shutting_down)
        return herald::make_error(herald_errc::supervisor_busy, "supervisor is shutting down");
      if (st.find(req.id) != nullptr)
        return herald::make_error(herald_errc::invalid_request,
                                  "start_child: id '" + req.id + "' already exists");
      if (st.busy())
        return herald::make_error(herald_errc::supervisor_busy,
                                  "start_child: supervisor busy, retry");
      child_state c;
      c.spec = st.cfg.pool;
      c.id = req.id;
      c.arg = req.arg;
      c.path = st.child_path(req.id);
      c.bo = backoff{c.spec.backoff};
      st.children.push_back(std::move(c));
      auto rp = self->make_response_promise<caf::actor>();
      auto id = req.id;
      st.start_chain({id}, false, false, [self, id, rp]() mutable {
        auto& st = self->state;
        auto c = st.find(id);
        if (c != nullptr && c->running) {
          rp.deliver(c->handle);
        } else {
          if (c != nullptr && c->incarnation == 0)
            st.children.erase(std::remove_if(st.children.begin(), st.children.end(),
                                             [&](const child_state& x) { return x.id == id; }),
                              st.children.end());
          rp.deliver(herald::make_error(herald_errc::child_start_failed,
                                        "start_child: '" + id + "' failed to start"));
        }
        st.process_deferred();
      });
      return rp;
    },
    [self](terminate_child& req) -> caf::result<bool> {
      auto& st = self->state;
      auto c = st.find(req.id);
      if (c == nullptr)
        return herald::make_error(herald_errc::invalid_request,
                                  "terminate_child: no child '" + req.id + "'");
      if (st.busy() || st.shutting_down)
        return herald::make_error(herald_errc::supervisor_busy,
                                  "terminate_child: supervisor busy, retry");
      bool was_running = c->running;
      c->pending_start = false;
      auto rp = self->make_response_promise<bool>();
      auto id = req.id;
      st.stop_children({id}, [self, id, was_running, rp]() mutable {
        auto& st = self->state;
        if (auto c = st.find(id)) {
          // Pool members leave; temporary children too (OTP).
          if (st.cfg.flags.strat == strategy::simple_one_for_one
              || c->spec.restart == restart_type::temporary)
            st.remove(id);
        }
        rp.deliver(was_running);
        st.process_deferred();
      });
      return rp;
    },
    [self](caf::get_atom, const std::string& id) -> caf::result<caf::actor> {
      auto c = self->state.find(id);
      if (c == nullptr || !c->running)
        return herald::make_error(herald_errc::invalid_request,
                                  "no running child '" + id + "'");
      return c->handle;
    },
    [self](ready_atom) -> caf::result<bool> {
      auto& st = self->state;
      if (st.initialized)
        return true;
      auto rp = self->make_response_promise<bool>();
      st.ready_waiters.push_back(rp);
      return rp;
    },
    [self](restart_atom, const std::string& id, std::uint64_t gen) {
      auto& st = self->state;
      if (id.empty() && gen == 0) {
        st.init_children();
        return;
      }
      st.on_restart_timer(id, gen);
    },
    [self](stop_timeout_atom, std::uint64_t token) { self->state.on_stop_timeout(token); },
  };
}

} // namespace

supervisor_actor spawn_supervisor(caf::actor_system& sys, supervisor_config cfg) {
  auto dir = cfg.directory;
  auto path = cfg.path;
  auto sup = sys.spawn(supervisor_impl, std::move(cfg));
  if (dir) {
    dir->started(path, sup.address(), true);
    sup->attach_functor([dir, path](const caf::error& reason) {
      dir->exited(path, describe_reason(reason));
    });
  }
  return sup;
}

child_spec permanent_worker(std::string name,
                            std::function<caf::actor(caf::local_actor*, const std::string&)> start,
                            duration shutdown_timeout, backoff_options backoff) {
  child_spec c;
  c.name = std::move(name);
  c.start = std::move(start);
  c.restart = restart_type::permanent;
  c.shutdown_timeout = shutdown_timeout;
  c.backoff = backoff;
  return c;
}

child_spec supervisor_child(supervisor_config cfg, restart_type restart) {
  child_spec spec;
  spec.name = cfg.name;
  spec.restart = restart;
  spec.is_supervisor = true;
  // A supervisor stops its own subtree, each child within its own timeout;
  // the application's shutdown grace bounds the whole.
  spec.shutdown_timeout = std::chrono::hours{1};
  spec.start = [cfg](caf::local_actor* parent, const std::string&) {
    return caf::actor_cast<caf::actor>(parent->spawn(supervisor_impl, cfg));
  };
  return spec;
}

child_spec supervisor_pool_member(
  std::function<supervisor_config(const std::string& arg)> make) {
  child_spec spec;
  spec.name = "member";
  spec.restart = restart_type::permanent;
  spec.is_supervisor = true;
  spec.shutdown_timeout = std::chrono::hours{1};
  spec.start = [make](caf::local_actor* parent, const std::string& arg) {
    return caf::actor_cast<caf::actor>(parent->spawn(supervisor_impl, make(arg)));
  };
  return spec;
}

} // namespace herald::supervision
