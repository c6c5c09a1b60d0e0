// [community.<platform>]: the listeners that read what people send (issue
// 18). Tokens are secrets: HERALD_X_TOKEN, HERALD_TELEGRAM_TOKEN (the bot's
// id is the token's prefix), HERALD_DISCORD_BOT_TOKEN.
#include <chrono>

#include "config/schema.hpp"
#include "config/schema_parts.hpp"

namespace herald::config::detail {

using namespace std::chrono_literals;
using std::chrono::nanoseconds;

void add_community_keys(std::vector<key_spec>& out) {
  auto url = [&](const std::string& p, const char* def) {
    out.push_back(key(p + "url", value_type::string, value{std::string{def}}, "URL",
                      "API base URL (tests point it at a local server)"));
    out.push_back(ranged(key(p + "timeout", value_type::duration, value{nanoseconds{10s}},
                             "duration", "the longest one request may take"),
                         0.01, 600));
  };
  out.push_back(key("community.x.enabled", value_type::boolean, value{false}, "",
                    "read mentions of our X account (GET /2/users/{id}/mentions); token: secret "
                    "HERALD_X_TOKEN"));
  url("community.x.", "https://api.twitter.com");
  out.push_back(key("community.x.user-id", value_type::string, value{std::string{}}, "",
                    "our X user id (numeric; required when enabled)"));
  out.push_back(ranged(key("community.x.poll-interval", value_type::duration,
                           value{nanoseconds{60s}}, "duration",
                           "between polls (the mentions endpoint allows 450 reads per 15 min "
                           "with an app token, far fewer with a user token)"),
                       1, 86400));

  out.push_back(key("community.telegram.enabled", value_type::boolean, value{false}, "",
                    "read the bot's updates (getUpdates long polling); token: secret "
                    "HERALD_TELEGRAM_TOKEN; no webhook may be set for the bot"));
  url("community.telegram.", "https://api.telegram.org");
  out.push_back(key("community.telegram.username", value_type::string, value{std::string{}}, "",
                    "the bot's username without \"@\", to tell mentions of it"));
  out.push_back(ranged(key("community.telegram.long-poll", value_type::duration,
                           value{nanoseconds{25s}}, "duration",
                           "getUpdates timeout: how long Telegram holds a poll open"),
                       0, 50));

  out.push_back(key("community.discord.enabled", value_type::boolean, value{false}, "",
                    "read channel messages (GET /channels/{id}/messages?after=); token: secret "
                    "HERALD_DISCORD_BOT_TOKEN"));
  url("community.discord.", "https://discord.com");
  out.push_back(key("community.discord.bot-id", value_type::string, value{std::string{}}, "",
                    "our bot's user id (to tell mentions and replies; required when enabled)"));
  out.push_back(key("community.discord.channels", value_type::string_list, value{std::vector<std::string>{}},
                    "channel ids", "the channels read (required when enabled)"));
  out.push_back(ranged(key("community.discord.poll-interval", value_type::duration,
                           value{nanoseconds{10s}}, "duration", "between polls of each channel"),
                       1, 86400));
}

void add_analytics_keys(std::vector<key_spec>& out) {
  out.push_back(key("analytics.enabled", value_type::boolean, value{true}, "",
                    "take metrics snapshots of every published piece (runs where content runs, "
                    "with a database)"));
  out.push_back(key("analytics.snapshots", value_type::string_list,
                    value{std::vector<std::string>{"1h", "24h", "7d"}}, "spans",
                    "when after publication each piece's counts are read (units ms, s, min, h, "
                    "d)"));
  out.push_back(ranged(key("analytics.interval", value_type::duration, value{nanoseconds{60s}},
                           "duration", "how often due snapshots are looked for"),
                       0.01, 86400));
  out.push_back(ranged(key("analytics.grace", value_type::duration,
                           value{nanoseconds{std::chrono::hours{24}}}, "duration",
                           "a snapshot overdue by more than this (Herald was stopped) is not "
                           "taken"),
                       1, 30 * 86400));
  out.push_back(ranged(key("analytics.timeout", value_type::duration, value{nanoseconds{10s}},
                           "duration", "the longest one metrics request may take"),
                       0.01, 600));
  out.push_back(key("analytics.weekly-article", value_type::boolean, value{true}, "",
                    "publish a performance article (with a chart) on the articles channel "
                    "for the week before, once a week"));
  out.push_back(one_of(key("analytics.report-day", value_type::string,
                           value{std::string{"monday"}}, "",
                           "weekday of the weekly performance article"),
                       {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday",
                        "saturday"}));
  out.push_back(key("analytics.report-time", value_type::string, value{std::string{"09:00"}},
                    "HH:MM UTC", "time of the weekly performance article"));
}

void add_track_record_keys(std::vector<key_spec>& out) {
  out.push_back(key("track-record.enabled", value_type::boolean, value{true}, "",
                    "post the outcome of every published alert once its horizon passed, and a "
                    "weekly track-record article (runs where content runs, with a database)"));
  out.push_back(ranged(key("track-record.horizon", value_type::integer, value{std::int64_t{10}},
                           "bars",
                           "bars after the alert's candle at which its outcome is measured (the "
                           "same as herald backtest --horizon)"),
                       1, 10'000));
  out.push_back(ranged(key("track-record.interval", value_type::duration, value{nanoseconds{30s}},
                           "duration", "how often resolved alerts are looked for"),
                       0.01, 86400));
  out.push_back(key("track-record.outcomes", value_type::boolean, value{true}, "",
                    "post each outcome on the channels the alert went to (articles excepted)"));
  out.push_back(key("track-record.weekly-article", value_type::boolean, value{true}, "",
                    "publish the track-record article of the week before on the articles channel"));
  out.push_back(one_of(key("track-record.report-day", value_type::string,
                           value{std::string{"sunday"}}, "",
                           "weekday of the weekly track-record article"),
                       {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday",
                        "saturday"}));
  out.push_back(key("track-record.report-time", value_type::string, value{std::string{"19:00"}},
                    "HH:MM UTC", "time of the weekly track-record article"));
}

void add_repurpose_keys(std::vector<key_spec>& out) {
  out.push_back(key("repurpose.enabled", value_type::boolean, value{true}, "",
                    "turn research reports into a thread and a summary post, and the week's "
                    "most engaging alert into a follow-up (runs where content runs, with a "
                    "database)"));
  out.push_back(ranged(key("repurpose.interval", value_type::duration,
                           value{nanoseconds{std::chrono::minutes{5}}}, "duration",
                           "how often published reports and last week's alerts are looked at"),
                       0.01, 86400));
  out.push_back(ranged(key("repurpose.reports", value_type::integer, value{std::int64_t{3}}, "",
                           "the latest reports repurposed (older ones are left as they are)"),
                       0, 1000));
}

void add_engagement_keys(std::vector<key_spec>& out) {
  out.push_back(key("engagement.enabled", value_type::boolean, value{true}, "",
                    "answer what the listeners read (nothing to do while no listener runs)"));
  out.push_back(one_of(key("engagement.mode", value_type::string, value{std::string{"live"}}, "",
                           "live: send replies; dry-run: record them only; approval: hold "
                           "them as pending_approval until approved (API, console)"),
                       {"live", "dry-run", "approval"}));
  out.push_back(ranged(key("engagement.interval", value_type::duration, value{nanoseconds{2s}},
                           "duration", "how often new interactions are decided"),
                       0.01, 3600));
  out.push_back(ranged(key("engagement.reply-window", value_type::duration,
                           value{nanoseconds{1h}}, "duration",
                           "messages older than this are not answered (no backlog floods after "
                           "a first start or an outage)"),
                       1, 7 * 86400));
  out.push_back(ranged(key("engagement.max-attempts", value_type::integer,
                           value{std::int64_t{5}}, "",
                           "sends a platform refuses for now (429, 5xx, refused connection) "
                           "before a reply is failed"),
                       1, 100));
  out.push_back(ranged(key("engagement.retry-min", value_type::duration, value{nanoseconds{5s}},
                           "duration",
                           "wait after the first refused send without Retry-After (doubles)"),
                       0.001, 86400));
  out.push_back(ranged(key("engagement.retry-max", value_type::duration,
                           value{nanoseconds{std::chrono::minutes{10}}}, "duration",
                           "the longest wait between sends of one reply"),
                       0.001, 86400));
  out.push_back(key("engagement.footer", value_type::string,
                    value{std::string{"Research, not investment advice."}}, "",
                    "appended to every reply on its own line (\"\": none)"));
  out.push_back(key("engagement.templates", value_type::string,
                    value{std::string{"config/templates/replies"}}, "directory",
                    "reply templates <intent>.<variant>.txt, relative to the config file"));
  out.push_back(key("engagement.allow-bots", value_type::boolean, value{false}, "",
                    "answer accounts marked as bots (allowlisted bots are answered anyway)"));
  out.push_back(key("engagement.only-allowlisted", value_type::boolean, value{false}, "",
                    "answer only authors on the allowlist"));
  out.push_back(key("engagement.allowlist", value_type::string_list,
                    value{std::vector<std::string>{}}, "platform:id or platform:@handle",
                    "authors always answered even when bots (and, with only-allowlisted, the "
                    "only ones)"));
  out.push_back(key("engagement.blocklist", value_type::string_list,
                    value{std::vector<std::string>{}}, "platform:id or platform:@handle",
                    "authors never answered"));
  out.push_back(ranged(key("engagement.max-turns", value_type::integer, value{std::int64_t{3}},
                           "replies", "our replies per conversation, at most"),
                       0, 1000));
  out.push_back(ranged(key("engagement.cooldown", value_type::duration, value{nanoseconds{10min}},
                           "duration", "between two replies to the same author"),
                       0, 7 * 86400));
  out.push_back(ranged(key("engagement.per-hour", value_type::integer, value{std::int64_t{20}},
                           "replies", "per platform and rolling hour (0: no limit)"),
                       0, 100000));
  out.push_back(ranged(key("engagement.per-day", value_type::integer, value{std::int64_t{100}},
                           "replies", "per platform and rolling day (0: no limit)"),
                       0, 1000000));
  out.push_back(key("engagement.quiet-hours", value_type::string, value{std::string{}},
                    "HH:MM-HH:MM UTC", "no reply is sent in this daily window (\"\": none)"));
  out.push_back(key("engagement.require-summons", value_type::boolean, value{false}, "",
                    "answer only messages that mention us or reply to us on every platform "
                    "(X always requires it)"));
}

void add_community_checks(std::vector<schema::check>& out) {
  out.push_back([](const settings& v) {
    std::vector<config_error> errs;
    auto digits = [](const std::string& s) {
      return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
    };
    for (auto p : {"x", "telegram", "discord"}) {
      auto base = std::string{"community."} + p + ".";
      if (!v.get_bool(base + "enabled"))
        continue;
      auto u = v.find(base + "url");
      auto url = v.get_string(base + "url");
      if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
        errs.push_back({u ? u->source : std::string{"default"}, base + "url", render(u->val),
                        base.substr(0, base.size() - 1) + " is enabled and needs an http(s) URL"});
    }
    if (v.get_bool("community.x.enabled") && !digits(v.get_string("community.x.user-id"))) {
      auto e = v.find("community.x.user-id");
      errs.push_back({e ? e->source : std::string{"default"}, "community.x.user-id", render(e->val),
                      "community.x is enabled and needs our numeric X user id"});
    }
    if (v.get_bool("community.discord.enabled")) {
      if (!digits(v.get_string("community.discord.bot-id"))) {
        auto e = v.find("community.discord.bot-id");
        errs.push_back({e ? e->source : std::string{"default"}, "community.discord.bot-id",
                        render(e->val), "community.discord is enabled and needs the bot's user id"});
      }
      auto e = v.find("community.discord.channels");
      auto chans = v.get_list("community.discord.channels");
      if (chans.empty())
        errs.push_back({e ? e->source : std::string{"default"}, "community.discord.channels",
                        render(e->val), "community.discord is enabled and reads no channel"});
      for (auto& c : chans)
        if (!digits(c))
          errs.push_back({e->source, "community.discord.channels", render(e->val),
                          "'" + c + "' is not a channel id (digits)"});
    }
    for (auto k : {"engagement.allowlist", "engagement.blocklist"}) {
      auto e = v.find(k);
      for (auto& x : v.get_list(k)) {
        auto colon = x.find(':');
        auto p = colon == std::string::npos ? std::string{} : x.substr(0, colon);
        if ((p != "x" && p != "telegram" && p != "discord") || colon + 1 >= x.size()
            || x.substr(colon + 1) == "@")
          errs.push_back({e ? e->source : std::string{"default"}, k, render(e->val),
                          "'" + x + "' is not platform:id or platform:@handle (platform x, "
                          "telegram or discord)"});
      }
    }
    if (auto e = v.find("analytics.snapshots")) {
      auto spans = v.get_list("analytics.snapshots");
      for (auto& x : spans)
        if (parse_span_ms(x) <= 0)
          errs.push_back({e->source, "analytics.snapshots", render(e->val),
                          "'" + x + "' is not a span such as \"1h\", \"24h\" or \"7d\""});
    }
    if (auto e = v.find("track-record.report-time");
        e && parse_hhmm(std::get<std::string>(e->val)) < 0)
      errs.push_back({e->source, "track-record.report-time", render(e->val),
                      "expected \"HH:MM\" (UTC), e.g. \"19:00\""});
    if (auto e = v.find("analytics.report-time"); e && parse_hhmm(std::get<std::string>(e->val)) < 0)
      errs.push_back({e->source, "analytics.report-time", render(e->val),
                      "expected \"HH:MM\" (UTC), e.g. \"09:00\""});
    if (auto e = v.find("engagement.quiet-hours")) {
      auto q = std::get<std::string>(e->val);
      if (!q.empty() && (q.size() != 11 || q[5] != '-' || parse_hhmm(q.substr(0, 5)) < 0
                         || parse_hhmm(q.substr(6)) < 0))
        errs.push_back({e->source, "engagement.quiet-hours", render(e->val),
                        "expected \"HH:MM-HH:MM\" (UTC), e.g. \"22:00-07:00\", or \"\""});
    }
    return errs;
  });
}

} // namespace herald::config::detail
