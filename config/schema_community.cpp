// [community.<platform>]: the listeners that read what people send (issue
// 18). Tokens are secrets: HERALD_X_TOKEN, HERALD_TELEGRAM_TOKEN (the bot's
// id is the token's prefix), HERALD_DISCORD_BOT_TOKEN.
#include <chrono>

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
    return errs;
  });
}

} // namespace herald::config::detail
