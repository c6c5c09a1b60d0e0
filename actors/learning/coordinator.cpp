#include "actors/learning/coordinator.hpp"

#include <caf/all.hpp>

#include "actors/analysis/pipeline.hpp"
#include "actors/app_tree.hpp"
#include "actors/learning/ab.hpp"
#include "actors/learning/loop_agents.hpp"
#include "actors/ops/instrumented.hpp"
#include "config/schema.hpp"
#include "config/settings.hpp"
#include "io/logging.hpp"
#include "ops/flow.hpp"
#include "supervisor/agent_directory.hpp"

namespace herald::learning_actors {

namespace {

struct coordinator_state {
  static inline const char* name = "herald.learning.coordinator";
  coordinator_actor::pointer self = nullptr;
  std::shared_ptr<const coordinator_options> opts;
  std::shared_ptr<supervision::agent_directory> dir;
  std::unique_ptr<learning::coordinator_core> core;
  std::function<std::int64_t()> clock;
  std::shared_ptr<spdlog::logger> log;
  std::string last_error;
  caf::actor_addr pipeline; ///< the one last sent epochs

  std::uint64_t tick() {
    try {
      // A new pipeline (restarted, or moved) reads the applied epochs from
      // the database; it is sent what is applied after that.
      auto now_pipeline = dir->find("analysis.pipeline");
      if (now_pipeline && now_pipeline != pipeline) {
        pipeline = now_pipeline;
        core->resend();
      }
      auto runs = core->step(clock());
      for (auto& r : runs)
        log->info("{} run {}: {} {}", r.loop, r.id, r.status, r.result_json.substr(0, 400));
      std::string waiting;
      for (auto& w : core->waiting())
        waiting += (waiting.empty() ? "" : "; ") + w;
      if (!waiting.empty() && waiting != last_error)
        log->warn("{} (tried again on the next tick)", waiting);
      last_error = waiting;
      return runs.size();
    } catch (const std::exception& e) {
      if (last_error != e.what())
        log->warn("loops: {} (retried on the next tick)", e.what());
      last_error = e.what();
      return 0;
    }
  }
};

coordinator_actor::behavior_type
coordinator_impl(ops::instrumented_stateful<coordinator_actor, coordinator_state>* self,
                 std::shared_ptr<const coordinator_options> opts,
                 std::shared_ptr<supervision::agent_directory> dir) {
  auto& st = self->state;
  st.self = self;
  st.opts = opts;
  st.dir = dir;
  st.log = logging::get("learning.coordinator");
  st.clock = opts->clock ? opts->clock : std::function<std::int64_t()>{ops::wall_ms};
  auto settle = [self, opts, dir]() -> std::uint64_t {
    auto ab = caf::actor_cast<ab_actor>(dir->find("learning.ab"));
    if (!ab)
      throw std::runtime_error("learning.ab is not running");
    std::uint64_t n = 0;
    std::string err;
    caf::scoped_actor waiter{self->system()};
    waiter->request(ab, opts->ab_timeout, drain_atom::value)
      .receive([&](std::uint64_t x) { n = x; }, [&](caf::error& e) { err = caf::to_string(e); });
    if (!err.empty())
      throw std::runtime_error("learning.ab: " + err);
    return n;
  };
  auto push = [self, dir](const weight_epoch& e) {
    auto p = dir->find("analysis.pipeline");
    if (!p)
      return; // it reads the applied epochs when it starts
    caf::anon_send(caf::actor_cast<analysis_actors::pipeline_actor>(p), e);
    self->state.log->info("weights version {} sent to the pipeline (from candle time {})",
                          e.version, e.effective_from);
  };
  st.core = std::make_unique<learning::coordinator_core>(*opts->storage, opts->loops, settle, push);
  for (const char* loop : {"tuning", "performance"}) {
    auto name = std::string{"learning."} + loop;
    st.core->delegate(loop, [self, opts, dir, name](std::int64_t due, std::int64_t now) {
      auto agent = caf::actor_cast<loop_agent_actor>(dir->find(name));
      if (!agent)
        throw learning::coordinator_core::agent_unavailable(name + " is not running");
      db::learning_run_row run;
      caf::error err;
      caf::scoped_actor waiter{self->system()};
      waiter->request(agent, opts->agent_timeout, learning_run_atom::value, due, now)
        .receive([&](db::learning_run_row& r) { run = std::move(r); },
                 [&](caf::error& e) { err = std::move(e); });
      if (!err)
        return run;
      if (err == caf::sec::request_receiver_down || err == caf::exit_reason::kill
          || err == caf::exit_reason::user_shutdown)
        throw learning::coordinator_core::agent_unavailable(name + " went down: "
                                                            + caf::to_string(err));
      throw std::runtime_error(name + ": " + caf::to_string(err));
    });
  }
  self->send(self, caf::tick_atom::value);
  return {
    [self](caf::tick_atom) {
      self->state.tick();
      self->delayed_send(self, self->state.opts->tick, caf::tick_atom::value);
    },
    [self](drain_atom) -> std::uint64_t { return self->state.tick(); },
  };
}

std::int64_t span(const config::settings& s, const char* key) {
  auto v = s.get_string(key);
  return v == "0" ? 0 : config::parse_span_ms(v);
}

} // namespace

learning::loop_settings loop_settings_from(const config::settings& s) {
  learning::loop_settings l;
  l.ab_every_ms = span(s, "learning.loops.ab-every");
  l.tuning_every_ms = span(s, "learning.loops.tuning-every");
  l.expiry_every_ms = span(s, "learning.loops.expiry-every");
  l.performance_every_ms = span(s, "learning.loops.performance-every");
  l.performance_window_ms = span(s, "learning.performance.window");
  l.window_ms = span(s, "learning.tuning.window");
  l.horizon = static_cast<int>(s.get_int("learning.tuning.horizon"));
  l.proposal.holdout = static_cast<std::size_t>(s.get_int("learning.tuning.holdout"));
  l.proposal.min_outcomes = static_cast<std::size_t>(s.get_int("learning.tuning.min-outcomes"));
  l.proposal.max_step = s.get_real("learning.tuning.max-step");
  l.proposal.max_threshold_step = s.get_real("learning.tuning.max-threshold-step");
  l.auto_apply = s.get_bool("learning.tuning.auto-apply");
  l.max_age_ms = span(s, "learning.tuning.max-age");
  auto a = analysis_options_from(s).pipeline.aggregate;
  l.configured.weights = a.weights;
  l.configured.threshold = a.threshold;
  return l;
}

coordinator_options coordinator_options_from(const config::settings& s,
                                             std::shared_ptr<db::storage> storage) {
  coordinator_options o;
  o.storage = std::move(storage);
  o.loops = loop_settings_from(s);
  o.tick = std::chrono::duration_cast<std::chrono::milliseconds>(
    s.get_duration("learning.coordinator.tick"));
  return o;
}

coordinator_actor spawn_coordinator(caf::local_actor* parent,
                                    std::shared_ptr<const coordinator_options> opts,
                                    std::shared_ptr<supervision::agent_directory> dir) {
  return parent->spawn<caf::detached>(coordinator_impl, std::move(opts), std::move(dir));
}

} // namespace herald::learning_actors
