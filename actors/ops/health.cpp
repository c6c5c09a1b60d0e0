#include "actors/ops/health.hpp"

#include <caf/all.hpp>

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

health_actor::behavior_type health_impl(health_actor::stateful_pointer<health_state> self,
                                        std::chrono::nanoseconds interval,
                                        std::shared_ptr<supervision::agent_directory> dir) {
  auto& st = self->state;
  st.dir = std::move(dir);
  st.log = logging::get("ops.health");
  st.interval = interval;
  self->delayed_send(self, interval, caf::tick_atom::value);
  return {
    [self](caf::tick_atom) {
      self->state.log->info("{}", status_line(self, *self->state.dir));
      self->delayed_send(self, self->state.interval, caf::tick_atom::value);
    },
    [self](caf::get_atom) { return status_line(self, *self->state.dir); },
  };
}

} // namespace

health_actor spawn_health(caf::local_actor* parent, std::chrono::nanoseconds interval,
                          std::shared_ptr<supervision::agent_directory> dir) {
  return parent->spawn(health_impl, interval, std::move(dir));
}

} // namespace herald::ops
