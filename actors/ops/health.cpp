#include "actors/ops/health.hpp"
#include "actors/ops/instrumented.hpp"

#include <caf/all.hpp>

#include "actors/data/persistence.hpp"
#include "io/logging.hpp"

namespace herald::ops {

namespace {

struct health_state {
  static inline const char* name = "herald.health";
  std::shared_ptr<supervision::agent_directory> dir;
  std::shared_ptr<spdlog::logger> log;
  std::chrono::nanoseconds interval{};
};

std::string status_line(caf::local_actor* self, const supervision::agent_directory& dir) {
  std::size_t agents = 0, sups = 0, down = 0;
  for (auto& rec : dir.snapshot()) {
    if (!rec.running)
      ++down;
    else if (rec.is_supervisor)
      ++sups;
    else
      ++agents;
  }
  return "health: " + std::to_string(agents) + " agents and " + std::to_string(sups)
         + " supervisors running, " + std::to_string(down) + " down, "
         + std::to_string(dir.total_restarts()) + " restarts, "
         + std::to_string(self->system().registry().running()) + " live actors";
}

std::string describe(const db::db_status& st) {
  if (st.available)
    return "database " + st.backend + " available, " + std::to_string(st.pending)
           + " records pending";
  return "database " + st.backend + " UNAVAILABLE (" + st.last_error + "), "
         + std::to_string(st.pending) + " records pending";
}

/// Builds the status line, asking the persistence agent (found through the
/// directory) for the database's state, and hands it to `k`.
template <class Self, class K>
void with_status(Self* self, K k) {
  auto line = status_line(self, *self->state.dir);
  caf::actor_addr db;
  for (auto& rec : self->state.dir->snapshot())
    if (rec.path == "data.persistence" && rec.running)
      db = rec.addr;
  auto handle = caf::actor_cast<data::persistence_actor>(db);
  if (!handle) {
    k(line);
    return;
  }
  self->request(handle, std::chrono::seconds{2}, caf::get_atom::value)
    .then([k, line](db::db_status& st) mutable { k(line + "; " + describe(st)); },
          [k, line](caf::error&) mutable { k(line + "; database: persistence agent did not answer"); });
}

health_actor::behavior_type health_impl(ops::instrumented_stateful<health_actor, health_state>* self,
                                        std::chrono::nanoseconds interval,
                                        std::shared_ptr<supervision::agent_directory> dir) {
  auto& st = self->state;
  st.dir = std::move(dir);
  st.log = logging::get("ops.health");
  st.interval = interval;
  self->delayed_send(self, interval, caf::tick_atom::value);
  return {
    [self](caf::tick_atom) {
      with_status(self, [self](const std::string& line) {
        if (line.find("UNAVAILABLE") != std::string::npos)
          self->state.log->warn("{}", line);
        else
          self->state.log->info("{}", line);
      });
      self->delayed_send(self, self->state.interval, caf::tick_atom::value);
    },
    [self](caf::get_atom) -> caf::result<std::string> {
      auto rp = self->make_response_promise<std::string>();
      with_status(self, [rp](const std::string& line) mutable { rp.deliver(line); });
      return rp;
    },
  };
}

} // namespace

health_actor spawn_health(caf::local_actor* parent, std::chrono::nanoseconds interval,
                          std::shared_ptr<supervision::agent_directory> dir) {
  return parent->spawn(health_impl, interval, std::move(dir));
}

} // namespace herald::ops
