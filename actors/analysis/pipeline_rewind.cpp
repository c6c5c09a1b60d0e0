// The pipeline's rewind: where the risk manager stands, then every tracked
// series taken back from the hub from there (see pipeline_state.hpp).
#include "actors/analysis/pipeline_state.hpp"

namespace herald::analysis_actors::pipeline_detail {

void pipeline_state::rewind() {
  ++rewind_epoch;
  rewinding = true;
  rewind_armed = false;
  ++rewinds;
  // Everything held is in the hub's window (or its database) and is taken
  // back below; what arrives from now on is held until then.
  held_batches.clear();
  held_news.clear();
  series.clear();
  ready_count = 0;
  blocked_since.reset();
  ++risk_epoch;
  risk_in_flight = 0;
  release_acks();
  auto risk = caf::actor_cast<risk_actor>(dir->find("analysis.risk"));
  auto hub = caf::actor_cast<data::hub_actor>(dir->find("data.hub"));
  if (!risk || !hub) {
    rewind_later();
    return;
  }
  if (risk.address() != risk_addr) {
    risk_addr = risk.address();
    self->monitor(risk);
  }
  auto epoch = rewind_epoch;
  self->request(risk, std::chrono::seconds{30}, through_atom::value)
    .then(
      [this, epoch, hub](std::int64_t t, std::string& sid) {
        if (epoch != rewind_epoch)
          return;
        take_back(hub, analysis::signal_key{t, std::move(sid)});
      },
      [this, epoch](caf::error& e) {
        if (epoch != rewind_epoch)
          return;
        log->info("risk manager's position unknown ({}); asking again", caf::to_string(e));
        rewind_later();
      });
}

void pipeline_state::rewind_later() {
  if (rewind_armed)
    return;
  rewind_armed = true;
  self->delayed_send(self, std::chrono::milliseconds{100}, caf::tick_atom::value);
}

void pipeline_state::take_back(data::hub_actor hub, analysis::signal_key at) {
  auto epoch = rewind_epoch;
  self->request(hub, std::chrono::seconds{30}, stats_atom::value)
    .then(
      [this, epoch, hub, at](std::vector<series_stats>& all) {
        if (epoch != rewind_epoch)
          return;
        auto got = std::make_shared<std::map<std::string, std::vector<candle>>>();
        auto left = std::make_shared<std::size_t>(0);
        std::vector<std::pair<std::string, std::string>> wanted;
        for (auto& x : all) {
          candle probe;
          probe.symbol = x.symbol;
          probe.interval = x.interval;
          if (tracked(probe))
            wanted.emplace_back(x.symbol, x.interval);
        }
        *left = wanted.size();
        if (wanted.empty()) {
          finish_rewind(at, {});
          return;
        }
        auto from = at.none() ? none : at.time;
        for (auto& [sym, iv] : wanted)
          self->request(hub, std::chrono::seconds{60}, caf::get_atom::value, since_atom::value,
                        sym, iv, from, max_rewind)
            .then(
              [this, epoch, at, got, left, id = series_id(sym, iv)](std::vector<candle>& cs) {
                if (epoch != rewind_epoch)
                  return;
                (*got)[id] = std::move(cs);
                if (--*left == 0)
                  finish_rewind(at, std::move(*got));
              },
              [this, epoch](caf::error& e) {
                if (epoch != rewind_epoch)
                  return;
                log->info("hub did not hand back candles ({}); rewinding again",
                          caf::to_string(e));
                rewind_later();
              });
      },
      [this, epoch](caf::error& e) {
        if (epoch != rewind_epoch)
          return;
        log->info("hub did not list its series ({}); rewinding again", caf::to_string(e));
        rewind_later();
      });
}

void pipeline_state::finish_rewind(const analysis::signal_key& at,
                                   std::map<std::string, std::vector<candle>> back) {
  rewinding = false;
  released = at;
  skip_through = at;
  std::size_t n = 0;
  for (auto& [id, cs] : back) {
    if (cs.empty())
      continue;
    if (cs.size() == max_rewind)
      log->warn("{}: analysis resumes at {} (at most {} candles are taken back)", id,
                cs.front().open_time, max_rewind);
    n += cs.size();
    take(std::move(cs));
  }
  if (rewinds > 1 || n > 0)
    log->info("rewound to {} {}: {} candles taken back", at.none() ? "the start" : at.series,
              at.none() ? 0 : at.time, n);
  auto held = std::move(held_batches);
  held_batches.clear();
  for (auto& b : held)
    take(std::move(b.candles));
  for (auto& a : std::exchange(held_news, {}))
    on_news(a);
  answer_drains();
  release_acks();
}

} // namespace herald::analysis_actors::pipeline_detail
