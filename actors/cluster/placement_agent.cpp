#include "actors/cluster/placement_agent.hpp"

#include <algorithm>
#include <set>

#include <caf/all.hpp>

#include "io/logging.hpp"
#include "messages/type_ids.hpp"
#include "supervisor/supervisor.hpp"

namespace herald::cluster_actors {

std::string series_pool_arg(const std::string& id) {
  auto cut = id.rfind('_');
  if (cut == std::string::npos)
    return id;
  return id.substr(0, cut) + " " + id.substr(cut + 1);
}

namespace {

struct placement_state {
  static inline const char* name = "herald.placement";
  caf::event_based_actor* self = nullptr;
  placement_options o;
  std::shared_ptr<spdlog::logger> log;
  bool in_flight = false;
  std::set<std::string> failed_logged;
  std::set<std::string> stopping_logged; ///< "lease pool" whose gate stop was logged

  supervision::supervisor_actor pool(const std::string& path) const {
    return caf::actor_cast<supervision::supervisor_actor>(o.directory->find_local(path));
  }

  /// Series supervisors running here, by id.
  std::set<std::string> local_series() const {
    std::set<std::string> out;
    auto prefix = o.series_pool + ".";
    for (auto& a : o.directory->snapshot()) {
      if (a.path.compare(0, prefix.size(), prefix) != 0 || !a.is_supervisor)
        continue;
      auto rest = a.path.substr(prefix.size());
      if (rest.find('.') == std::string::npos)
        out.insert(rest);
    }
    return out;
  }

  template <class Request, class Answer>
  void ask_pool(supervision::supervisor_actor p, Request req, std::string what) {
    in_flight = true;
    self->request(p, std::chrono::seconds{30}, std::move(req))
      .then(
        [this, what](Answer&) {
          in_flight = false;
          failed_logged.erase(what);
          log->info("placement: {}", what);
          step();
        },
        [this, what](caf::error& e) {
          in_flight = false;
          // Busy pools and children still restarting are expected: retried.
          if (failed_logged.insert(what).second)
            log->debug("placement: {} not done yet: {}", what, caf::to_string(e));
        });
  }

  void start(supervision::supervisor_actor p, start_child req, std::string what) {
    ask_pool<start_child, caf::actor>(std::move(p), std::move(req), std::move(what));
  }

  void stop(supervision::supervisor_actor p, terminate_child req, std::string what) {
    ask_pool<terminate_child, bool>(std::move(p), std::move(req), std::move(what));
  }

  bool gates_step() {
    for (auto& g : o.gates) {
      bool held = o.board->lease(g.lease).held;
      auto p = pool(g.pool);
      if (!p)
        continue;
      if (held) {
        stopping_logged.erase(g.lease + " " + g.pool);
        for (auto& c : g.children)
          if (!o.directory->find_local(g.prefix + c)) {
            start(p, start_child{c, c},
                     "lease '" + g.lease + "' held: started " + g.prefix + c);
            return true;
          }
      } else {
        for (auto it = g.children.rbegin(); it != g.children.rend(); ++it)
          if (o.directory->find_local(g.prefix + *it)) {
            // Logged now: the stop may wait for an agent blocked in a call
            // (a frozen database link) until that call times out; the
            // agents act on the lease's own clock meanwhile.
            if (stopping_logged.insert(g.lease + " " + g.pool).second)
              log->info("placement: lease '{}' not held: stopping {}{}", g.lease, g.prefix, *it);
            stop(p, terminate_child{*it},
                     "lease '" + g.lease + "' not held: stopped " + g.prefix + *it);
            return true;
          }
      }
    }
    return false;
  }

  void series_step() {
    if (o.series_pool.empty())
      return;
    auto p = pool(o.series_pool);
    if (!p)
      return;
    auto owned = o.board->owned_by(o.node);
    auto running = local_series();
    for (auto& id : owned)
      if (running.count(id) == 0) {
        auto e = o.board->owner_of(id);
        start(p, start_child{id, series_pool_arg(id)},
                 "series " + id + " assigned here (epoch "
                   + std::to_string(e ? e->epoch : 0) + "): analyzers started");
        return;
      }
    for (auto& id : running) {
      auto e = o.board->owner_of(id);
      if (e && e->owner != o.node) {
        stop(p, terminate_child{id},
                 "series " + id + " moved to node '" + e->owner + "' (epoch "
                   + std::to_string(e->epoch) + "): analyzers stopped");
        return;
      }
    }
  }

  void step() {
    if (in_flight)
      return;
    if (!gates_step())
      series_step();
  }
};

caf::behavior placement_impl(caf::stateful_actor<placement_state>* self, placement_options o) {
  auto& st = self->state;
  st.self = self;
  st.o = std::move(o);
  st.log = logging::get("cluster");
  self->send(self, caf::tick_atom::value);
  return {
    [self](caf::tick_atom) {
      self->state.step();
      self->delayed_send(self, self->state.o.tick, caf::tick_atom::value);
    },
  };
}

} // namespace

caf::actor spawn_placement_agent(caf::local_actor* parent, placement_options o) {
  return parent->spawn(placement_impl, std::move(o));
}

} // namespace herald::cluster_actors
