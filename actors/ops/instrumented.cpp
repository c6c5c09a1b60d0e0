#include "actors/ops/instrumented.hpp"

#include <caf/actor_registry.hpp>
#include <caf/all.hpp>

#include "config/loader.hpp"

namespace herald::ops {

stats_settings stats_settings_of(const caf::actor_system& sys) {
  stats_settings out;
  if (auto* hc = dynamic_cast<const config::herald_system_config*>(&sys.config())) {
    out.enabled = hc->actor_stats;
    out.interval = hc->stats_interval;
  }
  return out;
}

caf::atom_value inspector_key() {
  return caf::atom("inspector");
}

void send_stats(caf::actor_system& sys, actor_stats&& report) {
  auto inspector = sys.registry().get<caf::actor>(inspector_key());
  if (inspector)
    caf::anon_send(inspector, std::move(report));
}

bool runs_while_paused(const caf::mailbox_element& x) {
  if (x.mid.is_response())
    return true;
  const auto& c = x.content();
  if (c.match_elements<caf::exit_msg>() || c.match_elements<caf::down_msg>()
      || c.match_elements<caf::timeout_msg>() || c.match_elements<caf::error>())
    return true;
  return c.size() > 0 && c.match_element<caf::atom_value>(0)
         && c.get_as<caf::atom_value>(0) == caf::sys_atom::value;
}


} // namespace herald::ops
