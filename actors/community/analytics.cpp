#include "actors/community/analytics.hpp"

#include <chrono>

#include <caf/all.hpp>

#include "actors/content/content.hpp"
#include "actors/ops/instrumented.hpp"
#include "content/chart.hpp"
#include "io/community/metrics.hpp"
#include "io/logging.hpp"

namespace herald::community_actors {

namespace {

struct analytics_state {
  static inline const char* name = "herald.community.analytics";
  std::shared_ptr<const community_options> opts;
  std::shared_ptr<supervision::agent_directory> dir;
  std::unique_ptr<community::analytics_core> core;
  std::function<std::int64_t()> clock;
  std::shared_ptr<spdlog::logger> log;
  std::string last_error;

  std::uint64_t tick() {
    auto now = clock();
    try {
      auto rep = core->tick(now);
      if (rep.taken || rep.deleted || rep.missed)
        log->info("snapshots: {} taken, {} of deleted pieces, {} missed; {} to retry", rep.taken,
                  rep.deleted, rep.missed, rep.retrying);
      auto err = rep.errors.empty() ? std::string{} : rep.errors.front();
      if (!err.empty() && err != last_error)
        log->warn("{} (retried later)", err);
      last_error = err;
      performance(now);
      return rep.taken;
    } catch (const std::exception& e) {
      // The database failed mid-way: what was written stays; the next tick
      // goes on from there.
      log->warn("analytics: {}; next try in {} ms", e.what(), opts->analytics.interval.count());
      return 0;
    }
  }

  /// The weekly performance article, sent until the ledger has it.
  void performance(std::int64_t now) {
    auto& a = opts->analytics;
    if (!a.weekly_article || !a.articles)
      return;
    auto release = weekly_release(now, a.report_weekday, a.report_minute);
    if (now < release)
      return;
    constexpr std::int64_t week = 7 * 86'400'000LL;
    auto from = community::week_start(now) - week;
    auto snaps = opts->storage->snapshots_between(from, from + week);
    if (snaps.empty())
      return; // nothing was published (or measured) that week
    auto art = community::weekly_performance(snaps, from);
    auto plan_id = art.id + "@articles";
    if (opts->storage->content_plan_by_id(plan_id))
      return;
    auto pub = caf::actor_cast<content_actors::publisher_actor>(dir->find("content.publisher"));
    if (!pub)
      return; // the publisher runs elsewhere or restarts: next tick
    content_piece p;
    p.id = plan_id;
    p.piece = art.id;
    p.type = "performance";
    p.channel = "articles";
    p.scheduled_at = release; // the same piece whenever it is made
    p.title = art.title;
    p.markdown = art.markdown;
    p.parts = {art.markdown};
    p.writer = "analytics";
    try {
      p.chart_png = content::render_bar_chart_png(art.bar_label, art.bars,
                                                  content::chart_size_for(content::channel::articles));
    } catch (const std::exception& e) {
      log->warn("{}: no chart ({}); published without", art.id, e.what());
    }
    caf::anon_send(pub, std::move(p));
    log->info("{} handed to the publisher", art.id);
  }
};

analytics_actor::behavior_type
analytics_impl(ops::instrumented_stateful<analytics_actor, analytics_state>* self,
               std::shared_ptr<const community_options> opts,
               std::shared_ptr<supervision::agent_directory> dir) {
  auto& st = self->state;
  auto& a = opts->analytics;
  st.opts = opts;
  st.dir = std::move(dir);
  st.log = logging::get("community.analytics");
  st.clock = clock_or_system(a.clock);
  std::map<std::string, community::metrics_source> sources;
  auto clock = st.clock;
  if (!a.x_url.empty())
    sources["x"] = io::community::x_metrics(io::community::http_getter(a.x_url), a.x_token,
                                            a.timeout_ms, clock);
  if (!a.discord_url.empty())
    sources["discord"] = io::community::discord_metrics(
      io::community::http_getter(a.discord_url), a.discord_webhook, a.timeout_ms, clock);
  if (!a.telegram_chat.empty())
    sources["telegram"] = io::community::telegram_metrics(*opts->storage, a.telegram_chat);
  if (a.articles)
    sources["articles"] = io::community::article_metrics(*opts->storage);
  std::string names;
  for (auto& [ch, s] : sources)
    names += (names.empty() ? "" : ", ") + ch;
  std::string offsets;
  for (auto o : a.settings.offsets_ms)
    offsets += (offsets.empty() ? "+" : ", +") + std::to_string(o / 1000) + " s";
  st.log->info("snapshots at {} after publication on [{}]", offsets, names);
  st.core = std::make_unique<community::analytics_core>(a.settings, std::move(sources),
                                                        *opts->storage);
  self->send(self, caf::tick_atom::value);
  return {
    [self](drain_atom) -> std::uint64_t { return self->state.tick(); },
    [self](caf::tick_atom) {
      self->state.tick();
      self->delayed_send(self, self->state.opts->analytics.interval, caf::tick_atom::value);
    },
  };
}

} // namespace

std::int64_t weekly_release(std::int64_t now, int weekday, int minute) {
  auto days_after_monday = ((weekday % 7) + 6) % 7;
  return community::week_start(now) + days_after_monday * 86'400'000LL + minute * 60'000LL;
}

analytics_actor spawn_analytics(caf::local_actor* parent,
                                std::shared_ptr<const community_options> opts,
                                std::shared_ptr<supervision::agent_directory> dir) {
  return parent->spawn<caf::detached>(analytics_impl, std::move(opts), std::move(dir));
}

} // namespace herald::community_actors
