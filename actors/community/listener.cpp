#include "actors/community/listener.hpp"

#include <chrono>

#include <caf/all.hpp>

#include "actors/ops/instrumented.hpp"
#include "config/schema.hpp"
#include "io/logging.hpp"
#include "io/news/feed.hpp"

namespace herald::community_actors {

namespace {

using std::chrono::duration_cast;
using ms = std::chrono::milliseconds;

std::int64_t now_ms() {
  return duration_cast<ms>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct listener_state {
  static inline const char* name = "herald.community.listener";
  std::shared_ptr<db::storage> storage; ///< the core refers to it
  std::unique_ptr<io::community::listener_core> core;
  io::community::http_get get;
  std::shared_ptr<spdlog::logger> log;
  std::string last_error;

  /// One poll, logged: errors when they change, not at every retry.
  io::community::poll_result poll() {
    auto r = core->poll(get, now_ms());
    if (r.fresh > 0)
      log->info("{} new of {} read", r.fresh, r.read);
    if (!r.error.empty()) {
      if (r.error != last_error) {
        if (r.rate_limited)
          log->info("{}; waiting {} ms", r.error, r.wait_ms);
        else
          log->warn("{}; next try in {} ms", r.error, r.wait_ms);
      }
      last_error = r.error;
    } else if (!last_error.empty()) {
      log->info("reading again");
      last_error.clear();
    }
    return r;
  }
};

listener_actor::behavior_type
listener_impl(ops::instrumented_stateful<listener_actor, listener_state>* self, listener_setup setup,
              std::shared_ptr<db::storage> storage,
              std::shared_ptr<supervision::agent_directory>) {
  auto& st = self->state;
  st.log = logging::get("community." + setup.name);
  st.get = io::community::http_getter(setup.base_url);
  st.storage = std::move(storage);
  st.core = std::make_unique<io::community::listener_core>(setup.core, *st.storage);
  st.log->info("listening on {} (cursor {})", setup.core.platform, st.core->source());
  self->send(self, caf::tick_atom::value);
  return {
    [self](drain_atom) { return self->state.poll().error.empty(); },
    [self](caf::tick_atom) {
      auto r = self->state.poll();
      self->delayed_send(self, ms{std::max<std::int64_t>(r.wait_ms, 10)}, caf::tick_atom::value);
    },
  };
}

std::string secret(const config::secrets& secrets, const char* name, const std::string& what) {
  auto v = secrets.get(name);
  if (!v || v->empty())
    throw std::invalid_argument{what + " is enabled but the secret " + name
                                + " is not set (environment or secrets.env-file)"};
  return *v;
}

int timeout_ms(const config::settings& s, const std::string& key) {
  return static_cast<int>(duration_cast<ms>(s.get_duration(key)).count());
}

analytics_setup analytics_setup_from(const config::settings& s, const config::secrets& secrets) {
  analytics_setup a;
  a.enabled = s.get_bool("analytics.enabled");
  if (!a.enabled)
    return a;
  a.settings.offsets_ms.clear();
  for (auto& x : s.get_list("analytics.snapshots"))
    if (auto v = config::parse_span_ms(x); v > 0)
      a.settings.offsets_ms.push_back(v);
  a.settings.grace_ms = duration_cast<ms>(s.get_duration("analytics.grace")).count();
  a.interval = duration_cast<ms>(s.get_duration("analytics.interval"));
  a.timeout_ms = timeout_ms(s, "analytics.timeout");
  a.weekly_article = s.get_bool("analytics.weekly-article");
  a.report_weekday = std::max(0, config::parse_weekday(s.get_string("analytics.report-day")));
  a.report_minute = std::max(0, config::parse_hhmm(s.get_string("analytics.report-time")));
  auto base = [&](const std::string& k) {
    auto u = s.get_string(k);
    while (!u.empty() && u.back() == '/')
      u.pop_back();
    return u;
  };
  // The channels' own settings: the counts are read where the pieces went.
  if (s.get_bool("publish.x.enabled"))
    if (auto t = secrets.get("HERALD_X_TOKEN"); t && !t->empty()) {
      a.x_url = base("publish.x.url");
      a.x_token = *t;
    }
  if (s.get_bool("publish.discord.enabled"))
    if (auto hook = secrets.get("HERALD_DISCORD_WEBHOOK"); hook && !hook->empty()) {
      auto h = *hook;
      if (h.rfind("http", 0) == 0) {
        auto scheme = h.find("://");
        auto slash = scheme == std::string::npos ? std::string::npos : h.find('/', scheme + 3);
        h = slash == std::string::npos ? std::string{} : h.substr(slash);
      }
      if (h.rfind("/api/webhooks/", 0) == 0) {
        a.discord_url = base("publish.discord.url");
        a.discord_webhook = h;
      }
    }
  if (s.get_bool("publish.telegram.enabled"))
    a.telegram_chat = s.get_string("publish.telegram.chat-id");
  a.articles = s.get_bool("publish.articles.enabled");
  return a;
}

} // namespace

std::function<std::int64_t()> clock_or_system(std::function<std::int64_t()> clock) {
  return clock ? std::move(clock) : std::function<std::int64_t()>{now_ms};
}

community_options community_options_from(const config::settings& s, const config::secrets& secrets,
                                         std::shared_ptr<db::storage> storage,
                                         const std::string& config_path) {
  community_options o;
  o.storage = std::move(storage);
  if (s.get_bool("community.x.enabled")) {
    listener_setup l;
    l.name = "listener.x";
    l.base_url = s.get_string("community.x.url");
    l.core.platform = "x";
    l.core.us.id = s.get_string("community.x.user-id");
    l.core.token = secret(secrets, "HERALD_X_TOKEN", "community.x");
    l.core.interval_ms = duration_cast<ms>(s.get_duration("community.x.poll-interval")).count();
    l.core.timeout_ms = timeout_ms(s, "community.x.timeout");
    o.listeners.push_back(std::move(l));
  }
  if (s.get_bool("community.telegram.enabled")) {
    listener_setup l;
    l.name = "listener.telegram";
    l.base_url = s.get_string("community.telegram.url");
    l.core.platform = "telegram";
    l.core.token = secret(secrets, "HERALD_TELEGRAM_TOKEN", "community.telegram");
    auto colon = l.core.token.find(':');
    if (colon == std::string::npos || colon == 0
        || l.core.token.substr(0, colon).find_first_not_of("0123456789") != std::string::npos)
      throw std::invalid_argument{
        "community.telegram: the secret HERALD_TELEGRAM_TOKEN is not a bot token "
        "(\"<bot id>:<key>\")"};
    l.core.us.id = l.core.token.substr(0, colon);
    l.core.us.username = s.get_string("community.telegram.username");
    l.core.long_poll_s = static_cast<int>(
      duration_cast<std::chrono::seconds>(s.get_duration("community.telegram.long-poll")).count());
    l.core.timeout_ms = timeout_ms(s, "community.telegram.timeout");
    l.core.interval_ms = 1000;
    o.listeners.push_back(std::move(l));
  }
  if (s.get_bool("community.discord.enabled")) {
    auto token = secret(secrets, "HERALD_DISCORD_BOT_TOKEN", "community.discord");
    for (auto& ch : s.get_list("community.discord.channels")) {
      listener_setup l;
      l.name = "listener.discord." + ch;
      l.base_url = s.get_string("community.discord.url");
      l.core.platform = "discord";
      l.core.us.id = s.get_string("community.discord.bot-id");
      l.core.token = token;
      l.core.channel_id = ch;
      l.core.interval_ms =
        duration_cast<ms>(s.get_duration("community.discord.poll-interval")).count();
      l.core.timeout_ms = timeout_ms(s, "community.discord.timeout");
      o.listeners.push_back(std::move(l));
    }
  }
  for (auto& l : o.listeners) {
    while (!l.base_url.empty() && l.base_url.back() == '/')
      l.base_url.pop_back();
    // Who we are, and how replies go out, per platform.
    auto& own = o.own_ids[l.core.platform];
    own.insert(l.core.us.id);
    if (!l.core.us.username.empty())
      own.insert("@" + l.core.us.username);
    o.senders[l.core.platform] = {l.base_url, l.core.token, l.core.timeout_ms};
  }
  o.analytics = analytics_setup_from(s, secrets);
  auto& rp = o.repurpose;
  rp.enabled = s.get_bool("repurpose.enabled");
  rp.interval = duration_cast<ms>(s.get_duration("repurpose.interval"));
  rp.reports = static_cast<std::size_t>(s.get_int("repurpose.reports"));
  for (auto ch : {"telegram", "discord", "x"})
    if (s.get_bool(std::string{"publish."} + ch + ".enabled"))
      rp.channels.push_back(ch);
  auto& t = o.track_record;
  t.enabled = s.get_bool("track-record.enabled");
  t.horizon = static_cast<int>(s.get_int("track-record.horizon"));
  t.interval = duration_cast<ms>(s.get_duration("track-record.interval"));
  t.outcomes = s.get_bool("track-record.outcomes");
  t.weekly_article = s.get_bool("track-record.weekly-article");
  t.articles = s.get_bool("publish.articles.enabled");
  t.report_weekday = std::max(0, config::parse_weekday(s.get_string("track-record.report-day")));
  t.report_minute = std::max(0, config::parse_hhmm(s.get_string("track-record.report-time")));
  o.engagement = s.get_bool("engagement.enabled") && !o.listeners.empty();
  if (!o.engagement)
    return o;
  auto& e = o.settings;
  e.mode = s.get_string("engagement.mode");
  e.footer = s.get_string("engagement.footer");
  e.reply_window_ms = duration_cast<ms>(s.get_duration("engagement.reply-window")).count();
  e.max_attempts = static_cast<int>(s.get_int("engagement.max-attempts"));
  e.retry_min_ms = duration_cast<ms>(s.get_duration("engagement.retry-min")).count();
  e.retry_max_ms = std::max(e.retry_min_ms,
                            duration_cast<ms>(s.get_duration("engagement.retry-max")).count());
  e.gate.allow_bots = s.get_bool("engagement.allow-bots");
  e.gate.only_allowlisted = s.get_bool("engagement.only-allowlisted");
  e.gate.allowlist = s.get_list("engagement.allowlist");
  e.gate.blocklist = s.get_list("engagement.blocklist");
  e.gate.max_turns = static_cast<int>(s.get_int("engagement.max-turns"));
  e.gate.cooldown_ms = duration_cast<ms>(s.get_duration("engagement.cooldown")).count();
  e.gate.per_hour = static_cast<int>(s.get_int("engagement.per-hour"));
  e.gate.per_day = static_cast<int>(s.get_int("engagement.per-day"));
  e.gate.require_summons = s.get_bool("engagement.require-summons");
  auto q = s.get_string("engagement.quiet-hours");
  if (q.size() == 11)
    e.gate.quiet = {config::parse_hhmm(q.substr(0, 5)), config::parse_hhmm(q.substr(6))};
  auto tdir = s.get_string("engagement.templates");
  if (!tdir.empty() && tdir[0] != '/' && !config_path.empty()) {
    auto slash = config_path.rfind('/');
    tdir = (slash == std::string::npos ? std::string{"."} : config_path.substr(0, slash)) + "/"
           + tdir;
  }
  try {
    o.templates = std::make_shared<const community::reply_templates>(
      community::reply_templates::load(tdir));
  } catch (const std::exception& x) {
    throw std::invalid_argument{std::string{"engagement.templates: "} + x.what()};
  }
  o.aliases = io::news::parse_aliases(s.get_list("news.aliases"));
  o.tracked = s.get_list("scanner.symbols");
  o.interval = s.get_string("scanner.interval");
  o.tick = duration_cast<ms>(s.get_duration("engagement.interval"));
  return o;
}

listener_actor spawn_listener(caf::local_actor* parent, listener_setup setup,
                              std::shared_ptr<db::storage> storage,
                              std::shared_ptr<supervision::agent_directory> dir) {
  return parent->spawn<caf::detached>(listener_impl, std::move(setup), std::move(storage),
                                      std::move(dir));
}

} // namespace herald::community_actors
