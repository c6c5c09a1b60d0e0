// [content] and [publish.<channel>]: the content agents' keys (issue 6).
#include "config/schema_parts.hpp"

#include <chrono>
#include <cstdint>

namespace herald::config::detail {

using std::chrono::nanoseconds;

void add_content_keys(std::vector<key_spec>& out) {
  // [content] (issue 6): strategist, creator, charts, publishing
  out.push_back(key("content.enabled", value_type::boolean, value{true}, "",
                    "run the content agents (strategist, creator, charts, publishers)"));
  out.push_back(key("content.templates", value_type::string, value{std::string{"config/templates"}},
                    "directory", "template files <type>.<channel>.<variant>.txt (checked at start)"));
  out.push_back(key("content.chart-dir", value_type::string, value{std::string{"var/charts"}},
                    "directory", "chart images kept for pieces waiting to be (re)sent"));
  out.push_back(ranged(key("content.min-confidence", value_type::real, value{55.0}, "0-100",
                           "an approved insight below this confidence is not published"),
                       0, 100));
  out.push_back(ranged(key("content.novelty", value_type::duration,
                           value{nanoseconds{std::chrono::hours{4}}}, "duration",
                           "no second alert for the same symbol and direction within this time"),
                       0, 86400 * 30));
  out.push_back(ranged(key("content.max-alert-delay", value_type::duration,
                           value{nanoseconds{std::chrono::minutes{15}}}, "duration",
                           "an alert that cannot go out on a channel within this time is dropped there"),
                       0, 86400));
  out.push_back(key("content.recap-time", value_type::string, value{std::string{"21:00"}},
                    "HH:MM UTC", "time of the daily market recap"));
  out.push_back(one_of(key("content.report-day", value_type::string, value{std::string{"sunday"}}, "",
                           "weekday of the weekly research report"),
                       {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}));
  out.push_back(key("content.report-time", value_type::string, value{std::string{"18:00"}},
                    "HH:MM UTC", "time of the weekly research report"));
  out.push_back(key("content.scorecard", value_type::boolean, value{true}, "",
                    "publish the weekly analysis scorecard (hit rates and Brier scores of the "
                    "week before; needs persistence)"));
  out.push_back(one_of(key("content.scorecard-day", value_type::string, value{std::string{"monday"}},
                           "", "weekday of the weekly analysis scorecard"),
                       {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}));
  out.push_back(key("content.scorecard-time", value_type::string, value{std::string{"12:00"}},
                    "HH:MM UTC", "time of the weekly analysis scorecard"));
  out.push_back(ranged(key("content.max-attempts", value_type::integer, value{std::int64_t{5}}, "",
                           "attempts failing with 5xx / timeouts before a piece is parked as failed"),
                       1, 100));
  out.push_back(ranged(key("content.backoff-min", value_type::duration,
                           value{nanoseconds{std::chrono::seconds{1}}}, "duration",
                           "wait after the first failed attempt (doubles, with jitter)"),
                       0.001, 3600));
  out.push_back(ranged(key("content.backoff-max", value_type::duration,
                           value{nanoseconds{std::chrono::minutes{1}}}, "duration",
                           "longest wait between attempts"),
                       0.001, 86400));
  out.push_back(ranged(key("content.approval-poll", value_type::duration,
                           value{nanoseconds{std::chrono::seconds{5}}}, "duration",
                           "how often approved (or re-approved) pieces are picked up"),
                       0.01, 3600));
  out.push_back(ranged(key("content.drain-timeout", value_type::duration,
                           value{nanoseconds{std::chrono::minutes{2}}}, "duration",
                           "a bounded run waits this long for its pieces to be published"),
                       0.1, 86400));
  out.push_back(key("content.site-title", value_type::string, value{std::string{"Herald research"}},
                    "", "title of the articles site and its feed"));
  out.push_back(key("content.site-url", value_type::string, value{std::string{}}, "URL",
                    "where the articles site is served (absolute links in feed.xml and posts); "
                    "empty: Herald's own HTTP server at /site/ (or a file:// URL without it)"));
  out.push_back(key("content.llm", value_type::boolean, value{false}, "",
                    "let an LLM (Anthropic Messages API, key ANTHROPIC_API_KEY) write alerts and "
                    "recaps; its text is checked against the facts, templates are the fallback"));
  out.push_back(key("content.llm-url", value_type::string,
                    value{std::string{"https://api.anthropic.com"}}, "URL", "Messages API base"));
  out.push_back(key("content.llm-model", value_type::string,
                    value{std::string{"claude-3-5-haiku-latest"}}, "", "model name"));
  out.push_back(ranged(key("content.llm-timeout", value_type::duration,
                           value{nanoseconds{std::chrono::seconds{20}}}, "duration",
                           "an LLM call taking longer falls back to the template"),
                       0.1, 600));
  // [publish.<channel>]
  struct channel_defaults {
    const char* name;
    bool enabled;
    const char* url;
    std::int64_t per_hour, per_day;
    double per_minute, burst;
  };
  for (auto c : {channel_defaults{"articles", true, "", 0, 0, 600, 100},
                 channel_defaults{"telegram", false, "https://api.telegram.org", 20, 100, 20, 3},
                 channel_defaults{"discord", false, "https://discord.com", 20, 100, 30, 5},
                 channel_defaults{"x", false, "https://api.twitter.com", 6, 40, 5, 2},
                 channel_defaults{"webhook", false, "", 0, 0, 60, 10}}) {
    std::string p = std::string{"publish."} + c.name + ".";
    out.push_back(key(p + "enabled", value_type::boolean, value{c.enabled}, "",
                      std::string{"publish to "} + c.name));
    out.push_back(one_of(key(p + "mode", value_type::string, value{std::string{"live"}}, "",
                             "live: post; dry-run: log and record only; approval: hold as "
                             "pending_approval until `herald content approve`"),
                         {"live", "dry-run", "approval"}));
    out.push_back(ranged(key(p + "per-hour", value_type::integer, value{c.per_hour}, "posts",
                             "posts per rolling hour (0: no limit)"),
                         0, 100000));
    out.push_back(ranged(key(p + "per-day", value_type::integer, value{c.per_day}, "posts",
                             "posts per rolling day (0: no limit)"),
                         0, 1000000));
    out.push_back(key(p + "quiet-hours", value_type::string, value{std::string{}}, "HH:MM-HH:MM UTC",
                      "nothing is posted in this daily window (\"\": none), e.g. 22:00-07:00"));
    out.push_back(ranged(key(p + "rate-per-minute", value_type::real, value{c.per_minute},
                             "requests", "token bucket refill: requests a minute to the service"),
                         0.01, 100000));
    out.push_back(ranged(key(p + "burst", value_type::real, value{c.burst}, "requests",
                             "token bucket capacity"),
                         1, 100000));
    if (std::string{c.name} == "articles") {
      out.push_back(key(p + "dir", value_type::string, value{std::string{"var/site"}}, "directory",
                        "where the static site is written"));
      continue;
    }
    out.push_back(key(p + "url", value_type::string, value{std::string{c.url}}, "URL",
                      std::string{c.name} == "webhook"
                        ? "where the JSON is POSTed (required when enabled)"
                        : "API base URL (tests point it at a local server)"));
    out.push_back(ranged(key(p + "timeout", value_type::duration,
                             value{nanoseconds{std::chrono::seconds{10}}}, "duration",
                             "connect / read timeout per request"),
                         0.01, 600));
    if (std::string{c.name} == "telegram")
      out.push_back(key(p + "chat-id", value_type::string, value{std::string{}}, "",
                        "channel (\"@name\") or chat id to post to; the token is the secret "
                        "HERALD_TELEGRAM_TOKEN"));
  }
}

} // namespace herald::config::detail
