// The content subtree's options from the configuration (split from
// actors/app_tree.cpp): the templates, the strategist's rules and every
// channel's adapter with its credentials.
#include "actors/app_tree.hpp"

#include <filesystem>

#include "config/schema.hpp"
#include "io/llm/anthropic.hpp"

namespace herald {

std::shared_ptr<const content::template_set> load_templates(const config::settings& s,
                                                            const std::string& config_path) {
  // A relative template directory is the config file's neighbour.
  auto tdir = s.get_string("content.templates");
  if (!tdir.empty() && tdir[0] != '/' && !config_path.empty()) {
    auto slash = config_path.rfind('/');
    tdir = (slash == std::string::npos ? std::string{"."} : config_path.substr(0, slash)) + "/"
           + tdir;
  }
  auto set = std::make_shared<const content::template_set>(
    content::template_set::load(tdir, content::sample_facts(), content::optional_facts()));
  // Every piece an enabled channel will get needs a template: found now,
  // not when the first alert cannot be written.
  std::vector<content::channel> enabled;
  for (std::size_t i = 0; i < content::channel_count; ++i) {
    auto ch = static_cast<content::channel>(i);
    if (s.get_bool("publish." + std::string{content::channel_name(ch)} + ".enabled"))
      enabled.push_back(ch);
  }
  std::vector<content::content_type> types{content::content_type::alert,
                                           content::content_type::recap,
                                           content::content_type::report,
                                           content::content_type::thread};
  if (s.get_bool("content.scorecard"))
    types.push_back(content::content_type::scorecard);
  auto missing = set->missing(enabled, types);
  if (!missing.empty()) {
    std::string list;
    for (auto& m : missing)
      list += (list.empty() ? "" : ", ") + m + ".<variant>.txt";
    throw content::template_error("content.templates = \"" + s.get_string("content.templates")
                                  + "\" (" + tdir + "): no template for " + list
                                  + " (enabled channels need one per type they carry)");
  }
  return set;
}

content::strategist_options strategist_options_from(const config::settings& s) {
  using std::chrono::duration_cast;
  using ms = std::chrono::milliseconds;
  content::strategist_options so;
  so.min_confidence = s.get_real("content.min-confidence");
  so.novelty_ms = duration_cast<ms>(s.get_duration("content.novelty")).count();
  so.max_alert_delay_ms = duration_cast<ms>(s.get_duration("content.max-alert-delay")).count();
  so.recap_minute = config::parse_hhmm(s.get_string("content.recap-time"));
  so.report_minute = config::parse_hhmm(s.get_string("content.report-time"));
  so.report_weekday = std::max(0, config::parse_weekday(s.get_string("content.report-day")));
  so.scorecard = s.get_bool("content.scorecard");
  so.scorecard_minute = config::parse_hhmm(s.get_string("content.scorecard-time"));
  so.scorecard_weekday = std::max(0, config::parse_weekday(s.get_string("content.scorecard-day")));
  for (std::size_t i = 0; i < content::channel_count; ++i) {
    auto p = "publish." + std::string{content::channel_name(static_cast<content::channel>(i))} + ".";
    if (!s.get_bool(p + "enabled"))
      continue;
    auto& sched = so.channels[i];
    sched.enabled = true;
    sched.per_hour = static_cast<int>(s.get_int(p + "per-hour"));
    sched.per_day = static_cast<int>(s.get_int(p + "per-day"));
    auto q = s.get_string(p + "quiet-hours");
    if (q.size() == 11)
      sched.quiet = {config::parse_hhmm(q.substr(0, 5)), config::parse_hhmm(q.substr(6))};
  }
  return so;
}

content_actors::content_options content_options_from(const config::settings& s,
                                                     const config::secrets& secrets,
                                                     std::shared_ptr<db::storage> storage,
                                                     const std::string& config_path,
                                                     const std::string& served_site_url) {
  using namespace content_actors;
  using std::chrono::duration_cast;
  using ms = std::chrono::milliseconds;
  content_options o;
  o.storage = std::move(storage);
  o.strategist = strategist_options_from(s);
  o.chart_dir = s.get_string("content.chart-dir");
  o.retry.max_attempts = static_cast<int>(s.get_int("content.max-attempts"));
  o.retry.base_ms = duration_cast<ms>(s.get_duration("content.backoff-min")).count();
  o.retry.cap_ms = duration_cast<ms>(s.get_duration("content.backoff-max")).count();
  o.approval_poll = duration_cast<ms>(s.get_duration("content.approval-poll"));
  o.ab_timeout = duration_cast<ms>(s.get_duration("learning.ab.ask-timeout"));
  o.scorecard_horizon = static_cast<int>(s.get_int("learning.tuning.horizon"));
  o.scorecard_threshold = s.get_real("analysis.threshold");
  if (!o.storage) // the scorecard reads the stored signals and candles
    o.strategist.scorecard = false;
  o.templates = load_templates(s, config_path);

  auto secret = [&](const char* name, const std::string& channel) {
    auto v = secrets.get(name);
    if (!v || v->empty())
      throw std::invalid_argument{"publish." + channel + " is enabled but the secret " + name
                                  + " is not set (environment or secrets.env-file)"};
    return *v;
  };
  if (s.get_bool("content.llm")) {
    io::llm::anthropic_options a;
    a.http.base_url = s.get_string("content.llm-url");
    while (!a.http.base_url.empty() && a.http.base_url.back() == '/')
      a.http.base_url.pop_back();
    a.http.timeout_ms
      = static_cast<int>(duration_cast<ms>(s.get_duration("content.llm-timeout")).count());
    a.model = s.get_string("content.llm-model");
    auto key = secrets.get("ANTHROPIC_API_KEY");
    if (!key || key->empty())
      throw std::invalid_argument{"content.llm is on but the secret ANTHROPIC_API_KEY is not set "
                                  "(environment or secrets.env-file)"};
    a.api_key = *key;
    o.llm = io::llm::make_anthropic_writer(a);
  }
  auto http = [&](const std::string& p) {
    io::publish::http_options h;
    h.base_url = s.get_string(p + "url");
    while (!h.base_url.empty() && h.base_url.back() == '/')
      h.base_url.pop_back();
    h.timeout_ms = static_cast<int>(duration_cast<ms>(s.get_duration(p + "timeout")).count());
    return h;
  };
  for (std::size_t i = 0; i < content::channel_count; ++i) {
    auto ch = static_cast<content::channel>(i);
    std::string name = content::channel_name(ch);
    auto p = "publish." + name + ".";
    if (!s.get_bool(p + "enabled"))
      continue;
    channel_setup c;
    c.ch = ch;
    auto mode = s.get_string(p + "mode");
    c.mode = mode == "dry-run" ? publish_mode::dry_run
             : mode == "approval" ? publish_mode::approval
                                  : publish_mode::live;
    c.burst = s.get_real(p + "burst");
    c.per_minute = s.get_real(p + "rate-per-minute");
    bool live = c.mode == publish_mode::live;
    switch (ch) {
      case content::channel::articles: {
        io::publish::articles_options a;
        a.dir = s.get_string(p + "dir");
        a.site.title = s.get_string("content.site-title");
        a.site.base_url = s.get_string("content.site-url");
        if (a.site.base_url.empty())
          a.site.base_url = served_site_url;
        if (a.site.base_url.empty()) {
          std::error_code ec;
          auto abs = std::filesystem::absolute(a.dir, ec);
          a.site.base_url = "file://" + (ec ? a.dir : abs.lexically_normal().string());
        }
        if (a.site.base_url.back() != '/')
          a.site.base_url += '/';
        o.site_url = a.site.base_url;
        c.make = [a] { return io::publish::make_articles(a); };
        break;
      }
      case content::channel::telegram: {
        io::publish::telegram_options t;
        t.http = http(p);
        t.chat_id = s.get_string(p + "chat-id");
        if (live)
          t.token = secret("HERALD_TELEGRAM_TOKEN", name);
        c.make = [t] { return io::publish::make_telegram(t); };
        break;
      }
      case content::channel::discord: {
        io::publish::discord_options d;
        d.http = http(p);
        if (live) {
          auto hook = secret("HERALD_DISCORD_WEBHOOK", name);
          // the whole webhook URL, or just its path
          d.webhook_path = hook.rfind("http", 0) == 0 ? io::publish::split_url(hook).second : hook;
          if (d.webhook_path.rfind("/api/webhooks/", 0) != 0)
            throw std::invalid_argument{
              "secret HERALD_DISCORD_WEBHOOK: expected https://discord.com/api/webhooks/<id>/"
              "<token> or /api/webhooks/<id>/<token>"};
        }
        c.make = [d] { return io::publish::make_discord(d); };
        break;
      }
      case content::channel::x: {
        io::publish::x_options x;
        x.http = http(p);
        if (live)
          x.token = secret("HERALD_X_TOKEN", name);
        c.make = [x] { return io::publish::make_x(x); };
        break;
      }
      case content::channel::webhook: {
        io::publish::webhook_options w;
        auto [base, path] = io::publish::split_url(s.get_string(p + "url"));
        w.http = http(p);
        w.http.base_url = base;
        w.path = path;
        w.secret = secrets.get("HERALD_WEBHOOK_SECRET").value_or("");
        c.make = [w] { return io::publish::make_webhook(w); };
        break;
      }
    }
    c.resend_safe = c.make()->resend_is_safe();
    o.channels.push_back(std::move(c));
  }
  return o;
}

} // namespace herald
