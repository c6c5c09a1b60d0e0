// The strategy-tuning agent ("learning.tuning") and the performance-analytics
// agent ("learning.performance"): one behaviour, the loop it runs being the
// difference (see loop_agents.hpp).
#include "actors/learning/loop_agents.hpp"

#include <caf/all.hpp>

#include "actors/ops/instrumented.hpp"
#include "io/logging.hpp"

namespace herald::learning_actors {

namespace {

using run_member = db::learning_run_row (learning::coordinator_core::*)(std::int64_t, std::int64_t);

struct loop_agent_state {
  static inline const char* name = "herald.learning.loop";
  std::unique_ptr<learning::coordinator_core> core;
  run_member run = nullptr;
  std::string loop;
  std::shared_ptr<spdlog::logger> log;
};

loop_agent_actor::behavior_type
loop_agent_impl(ops::instrumented_stateful<loop_agent_actor, loop_agent_state>* self,
                std::shared_ptr<const coordinator_options> opts, std::string loop, run_member run) {
  auto& st = self->state;
  st.loop = loop;
  st.run = run;
  st.log = logging::get("learning." + loop);
  st.core = std::make_unique<learning::coordinator_core>(*opts->storage, opts->loops,
                                                         learning::coordinator_core::settle_fn{},
                                                         learning::coordinator_core::push_fn{});
  return {
    [self](learning_run_atom, std::int64_t due,
           std::int64_t now) -> caf::result<db::learning_run_row> {
      auto& st = self->state;
      try {
        auto r = ((*st.core).*st.run)(due, now);
        st.log->info("{}: {} {}", r.id, r.status, r.result_json.substr(0, 300));
        return r;
      } catch (const std::exception& e) {
        st.log->warn("{} run due at {}: {}", st.loop, due, e.what());
        return caf::make_error(caf::sec::runtime_error, e.what());
      }
    },
  };
}

} // namespace

loop_agent_actor spawn_tuning(caf::local_actor* parent,
                              std::shared_ptr<const coordinator_options> opts) {
  return parent->spawn<caf::detached>(loop_agent_impl, std::move(opts), std::string{"tuning"},
                                      &learning::coordinator_core::run_tuning);
}

loop_agent_actor spawn_performance(caf::local_actor* parent,
                                   std::shared_ptr<const coordinator_options> opts) {
  return parent->spawn<caf::detached>(loop_agent_impl, std::move(opts),
                                      std::string{"performance"},
                                      &learning::coordinator_core::run_performance);
}

} // namespace herald::learning_actors
