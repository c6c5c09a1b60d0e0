#include "actors/analysis/backtest_host.hpp"

#include <algorithm>
#include <map>
#include <vector>

#include <caf/all.hpp>

#include "io/logging.hpp"
#include "messages/type_ids.hpp"

namespace herald::analysis_actors {

namespace {

struct run_state {
  caf::actor_addr driver;
  std::vector<caf::actor> workers;
};

struct host_state {
  static inline const char* name = "herald.backtest_host";
  backtest_host_options o;
  std::map<std::string, run_state> runs;
  /// Every analyzer started, also for the host's own exit (a restarted
  /// host knows no runs: its drivers see their analyzers go and fail).
  std::shared_ptr<std::vector<caf::actor>> all = std::make_shared<std::vector<caf::actor>>();
  std::shared_ptr<spdlog::logger> log;

  void stop(caf::event_based_actor* self, const std::string& run, const char* why) {
    auto i = runs.find(run);
    if (i == runs.end())
      return;
    for (auto& w : i->second.workers)
      if (w)
        self->send_exit(w, caf::exit_reason::user_shutdown);
    log->info("backtests: run {} ended ({}); {} analyzers stopped", run, why,
              i->second.workers.size());
    auto& w = i->second.workers;
    all->erase(std::remove_if(all->begin(), all->end(),
                              [&](const caf::actor& a) {
                                return std::find(w.begin(), w.end(), a) != w.end();
                              }),
               all->end());
    runs.erase(i);
  }
};

caf::behavior host_impl(caf::stateful_actor<host_state>* self, backtest_host_options o) {
  auto& st = self->state;
  st.o = std::move(o);
  st.log = logging::get("analysis.backtests");
  self->attach_functor([all = st.all] {
    for (auto& w : *all)
      caf::anon_send_exit(w, caf::exit_reason::user_shutdown);
  });
  self->set_down_handler([self](caf::down_msg& dm) {
    std::vector<std::string> gone;
    for (auto& [run, r] : self->state.runs)
      if (r.driver == dm.source)
        gone.push_back(run);
    for (auto& run : gone)
      self->state.stop(self, run, "its driver is gone");
  });
  return {
    [self](backtest_atom, const std::string& run, const std::string& symbol,
           const std::string& interval, std::uint32_t rebuild,
           const caf::actor& hub) -> std::vector<caf::actor> {
      auto& st = self->state;
      auto& r = st.runs[run];
      if (!r.driver) {
        r.driver = caf::actor_cast<caf::actor_addr>(self->current_sender());
        if (auto d = caf::actor_cast<caf::actor>(r.driver))
          self->monitor(d);
      }
      // A private directory: "data.hub" is the driver's hub.
      auto dir = std::make_shared<supervision::agent_directory>();
      dir->started("data.hub", hub.address(), false);
      std::vector<caf::actor> out(analysis::kind_count);
      for (std::size_t k = 0; k < analysis::kind_count; ++k) {
        if (!st.o.enabled[k])
          continue;
        auto w = worker_for(analysis::kind_at(k), symbol, interval, st.o.analyzers,
                            rebuild > 0 ? rebuild : st.o.rebuild_candles);
        out[k] = caf::actor_cast<caf::actor>(spawn_worker(self, w, dir));
        r.workers.push_back(out[k]);
        st.all->push_back(out[k]);
      }
      st.log->info("backtests: run {}: analyzers of {} {} started for {}", run, symbol, interval,
                   caf::to_string(r.driver.node()));
      return out;
    },
    [self](backtest_atom, const std::string& run) { self->state.stop(self, run, "done"); },
  };
}

} // namespace

caf::actor spawn_backtest_host(caf::local_actor* parent, backtest_host_options o) {
  return parent->spawn(host_impl, std::move(o));
}

} // namespace herald::analysis_actors
