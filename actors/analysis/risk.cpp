#include "actors/analysis/risk.hpp"
#include "actors/ops/instrumented.hpp"

#include <caf/all.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "actors/data/outbox.hpp"
#include "actors/data/persistence.hpp"
#include "io/logging.hpp"

namespace herald::analysis_actors {

namespace {

db::insight_record to_record(const analysis::insight& in) {
  db::insight_record r;
  r.id = in.id();
  r.signal_id = in.signal_id;
  r.symbol = in.symbol;
  r.kind = in.approved ? "signal_approved" : "signal_vetoed";
  r.title = fmt::format("{} {} ({})", in.symbol, analysis::to_string(in.dir), in.interval);
  r.body = in.approved ? fmt::format("approved at {:.8g}, notional {:.2f}", in.price, in.notional)
                       : "vetoed: " + in.reason;
  r.importance = in.strength * in.confidence / 100;
  nlohmann::json j = {{"direction", analysis::to_string(in.dir)},
                      {"strength", in.strength},
                      {"confidence", in.confidence},
                      {"price", in.price},
                      {"approved", in.approved},
                      {"reason", in.reason},
                      {"notional", in.notional},
                      {"risk_state", analysis::to_string(in.state)},
                      {"equity", in.equity},
                      {"drawdown", in.drawdown}};
  r.payload_json = j.dump();
  r.created_at = in.time;
  return r;
}

struct risk_state_ {
  static inline const char* name = "herald.risk";
  std::unique_ptr<analysis::risk_manager> rm;
  bool persist = true;
  std::unique_ptr<data::outbox<risk_actor::base>> writes; ///< insights until committed
  std::shared_ptr<supervision::agent_directory> dir;
  std::shared_ptr<spdlog::logger> log;
  std::vector<risk_sink_actor> sinks;
  analysis::risk_state last = analysis::risk_state::active;
};

risk_actor::behavior_type risk_impl(ops::instrumented_stateful<risk_actor, risk_state_>* self,
                                    analysis::risk_options o, bool persist,
                                    std::shared_ptr<supervision::agent_directory> dir) {
  auto& st = self->state;
  st.rm = std::make_unique<analysis::risk_manager>(o);
  st.persist = persist;
  st.dir = std::move(dir);
  st.log = logging::get("analysis.risk");
  st.writes = std::make_unique<data::outbox<risk_actor::base>>(self, st.dir, st.log, "insights");
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& s = self->state.sinks;
    s.erase(std::remove_if(s.begin(), s.end(), [&](auto& x) { return x.address() == dm.source; }),
            s.end());
  });
  return {
    [self](std::vector<analysis::signal>& signals) {
      auto& st = self->state;
      risk_report rep;
      rep.insight_of.reserve(signals.size());
      db::write_batch batch;
      for (auto& s : signals) {
        auto in = st.rm->on_signal(s);
        if (in) {
          rep.insight_of.push_back(static_cast<std::int32_t>(rep.insights.size()));
          if (st.persist)
            batch.insights.push_back(to_record(*in));
          rep.insights.push_back(std::move(*in));
        } else {
          rep.insight_of.push_back(-1);
        }
        if (st.rm->state() != st.last) {
          st.log->warn("risk state {} -> {} at {} (drawdown {:.2f}%)", analysis::to_string(st.last),
                       analysis::to_string(st.rm->state()), s.time, 100 * st.rm->drawdown());
          st.last = st.rm->state();
        }
      }
      rep.signals = std::move(signals);
      rep.equity = st.rm->equity();
      rep.max_drawdown = st.rm->max_drawdown();
      rep.trades = st.rm->trades();
      if (!batch.empty())
        st.writes->push(std::move(batch)); // kept until committed
      if (!st.sinks.empty()) { // one shared message, not a copy per subscriber
        auto msg = caf::make_message(std::move(rep));
        for (std::size_t i = 0; i + 1 < st.sinks.size(); ++i)
          caf::anon_send(caf::actor_cast<caf::actor>(st.sinks[i]), msg);
        caf::anon_send(caf::actor_cast<caf::actor>(st.sinks.back()), std::move(msg));
      }
    },
    [](drain_atom) { return true; },
    [self](persist_retry_atom) { self->state.writes->retry(); },
    [self](subscribe_atom, risk_sink_actor& sink) {
      if (!sink)
        return false;
      self->monitor(sink);
      self->state.sinks.push_back(std::move(sink));
      return true;
    },
  };
}

} // namespace

risk_actor spawn_risk(caf::local_actor* parent, analysis::risk_options o, bool persist,
                      std::shared_ptr<supervision::agent_directory> dir) {
  return parent->spawn(risk_impl, o, persist, std::move(dir));
}

} // namespace herald::analysis_actors
