#include "actors/ops/chaos.hpp"
#include "actors/ops/instrumented.hpp"

#include <random>

#include <caf/all.hpp>

#include "actors/ops/chaos_policy.hpp"
#include "io/logging.hpp"

namespace herald::ops {

namespace {

struct chaos_state {
  static inline const char* name = "herald.chaos";
  std::unique_ptr<chaos_policy> policy;
  chaos_options opts;
  std::shared_ptr<supervision::agent_directory> dir;
  std::shared_ptr<spdlog::logger> log;
  std::uint64_t kills = 0;
};

chaos_actor::behavior_type chaos_impl(ops::instrumented_stateful<chaos_actor, chaos_state>* self,
                                      chaos_options opts,
                                      std::shared_ptr<supervision::agent_directory> dir) {
  auto& st = self->state;
  auto seed = opts.seed != 0 ? opts.seed : std::random_device{}();
  st.policy = std::make_unique<chaos_policy>(opts.kill_rate, opts.pattern, seed);
  st.opts = std::move(opts);
  st.dir = std::move(dir);
  st.log = logging::get("ops.chaos");
  if (st.policy->enabled()) {
    st.log->warn("chaos enabled: {} kills/s of agents matching '{}'", st.opts.kill_rate,
                 st.opts.pattern);
    self->delayed_send(self, st.policy->next_interval(), caf::tick_atom::value);
  }
  return {
    [self](caf::tick_atom) {
      auto& st = self->state;
      std::vector<std::string> paths;
      std::vector<caf::actor_addr> addrs;
      for (auto& rec : st.dir->snapshot()) {
        if (rec.is_supervisor || !rec.running || rec.path == st.opts.self_path)
          continue;
        paths.push_back(rec.path);
        addrs.push_back(rec.addr);
      }
      if (auto victim = st.policy->pick(paths)) {
        if (auto target = caf::actor_cast<caf::actor>(addrs[*victim])) {
          ++st.kills;
          st.log->info("chaos: killing '{}' (kill #{})", paths[*victim], st.kills);
          self->send_exit(target, caf::exit_reason::kill);
        }
      }
      self->delayed_send(self, st.policy->next_interval(), caf::tick_atom::value);
    },
  };
}

} // namespace

chaos_actor spawn_chaos(caf::local_actor* parent, chaos_options opts,
                        std::shared_ptr<supervision::agent_directory> dir) {
  return parent->spawn(chaos_impl, std::move(opts), std::move(dir));
}

} // namespace herald::ops
