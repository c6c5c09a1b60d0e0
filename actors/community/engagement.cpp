#include "actors/community/engagement.hpp"

#include <chrono>

#include <caf/all.hpp>

#include "actors/ops/instrumented.hpp"
#include "content/briefing.hpp"
#include "io/logging.hpp"

namespace herald::community_actors {

namespace {

using ms = std::chrono::milliseconds;

std::int64_t now_ms() {
  return std::chrono::duration_cast<ms>(std::chrono::system_clock::now().time_since_epoch())
    .count();
}

struct engagement_state {
  static inline const char* name = "herald.community.engagement";
  std::shared_ptr<const community_options> opts;
  std::unique_ptr<community::engagement_core> core;
  std::map<std::string, community::send_fn> senders;
  std::shared_ptr<spdlog::logger> log;
  bool started = false;

  /// What an answer about `symbol` may state: its candles and last signal
  /// from the database.
  content::facts facts(const std::string& symbol) const {
    content::market_view v;
    auto& store = *opts->storage;
    auto cs = store.last_candles(symbol, opts->interval, 1500);
    for (auto& c : cs)
      v.on_candle(c);
    if (cs.empty())
      return {};
    std::vector<analysis::signal> sigs;
    for (auto& r : store.latest_signals(1, symbol)) {
      analysis::signal g;
      g.symbol = r.symbol;
      g.interval = r.interval;
      g.time = r.open_time;
      g.confidence = r.confidence;
      g.score = r.score;
      g.dir = r.direction == "long"    ? analysis::direction::long_
              : r.direction == "short" ? analysis::direction::short_
                                       : analysis::direction::neutral;
      if (g.interval == opts->interval)
        sigs.push_back(g);
    }
    if (!sigs.empty())
      v.on_report(sigs, {});
    return v.symbol_facts(symbol, cs.back().open_time);
  }

  void tick() {
    auto now = now_ms();
    try {
      if (!started) {
        auto doubt = core->start(now);
        started = true;
        if (doubt > 0)
          log->warn("{} replies were being sent when the agent stopped: in doubt, see "
                    "/api/v1/replies?state=in_doubt (X resends are refused as duplicates)",
                    doubt);
      }
      auto send = [this](const db::reply_row& r) {
        auto it = senders.find(r.platform);
        if (it == senders.end()) {
          community::send_result res;
          res.error = "no sender for " + r.platform;
          return res;
        }
        return it->second(r);
      };
      auto rep = core->process([this](const std::string& s) { return facts(s); }, send, now);
      if (rep.decided > 0 || rep.sent > 0 || rep.failed > 0 || rep.in_doubt > 0
          || rep.retrying > 0) {
        std::string skipped;
        for (auto& [rule, n] : rep.skipped)
          skipped += (skipped.empty() ? "" : ", ") + rule + " " + std::to_string(n);
        log->info("decided {}: sent {}, held {}, dry-run {}, to retry {}, failed {}, in doubt {}, "
                  "skipped [{}]",
                  rep.decided, rep.sent, rep.held, rep.dry_run, rep.retrying, rep.failed,
                  rep.in_doubt, skipped);
      }
    } catch (const std::exception& e) {
      // The database or a platform failed mid-way: the ledger holds what
      // was decided; the next tick goes on from there.
      log->warn("engagement: {}; next try in {} ms", e.what(), opts->tick.count());
    }
  }
};

engagement_actor::behavior_type
engagement_impl(ops::instrumented_stateful<engagement_actor, engagement_state>* self,
                std::shared_ptr<const community_options> opts,
                std::shared_ptr<supervision::agent_directory>) {
  auto& st = self->state;
  st.opts = opts;
  st.log = logging::get("community.engagement");
  st.core = std::make_unique<community::engagement_core>(
    opts->settings, opts->own_ids, *opts->templates, opts->aliases, opts->tracked, *opts->storage);
  for (auto& [platform, so] : opts->senders)
    st.senders[platform] = io::community::reply_sender(platform, so);
  st.log->info("answering in {} mode (max-turns {}, cooldown {} s, reply window {} s)",
               opts->settings.mode, opts->settings.gate.max_turns,
               opts->settings.gate.cooldown_ms / 1000, opts->settings.reply_window_ms / 1000);
  self->send(self, caf::tick_atom::value);
  return {
    [self](drain_atom) {
      self->state.tick();
      return true;
    },
    [self](caf::tick_atom) {
      self->state.tick();
      self->delayed_send(self, self->state.opts->tick, caf::tick_atom::value);
    },
  };
}

} // namespace

engagement_actor spawn_engagement(caf::local_actor* parent,
                                  std::shared_ptr<const community_options> opts,
                                  std::shared_ptr<supervision::agent_directory> dir) {
  return parent->spawn<caf::detached>(engagement_impl, std::move(opts), std::move(dir));
}

} // namespace herald::community_actors
