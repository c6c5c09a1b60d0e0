#pragma once
// The listener agents ("community.listener.<platform>[.<channel>]", issue
// 18): one per platform (per channel on Discord), each polling with
// io::community::listener_core and waiting what it says (the poll
// interval, a platform's rate-limit reset, a backoff after failures).
// Every message read is stored once with the cursor in one transaction, so
// an agent killed at any moment reads nothing twice and skips nothing.
// Detached: polls block (Telegram holds a long poll open).

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "community/analytics.hpp"
#include "community/engagement.hpp"
#include "config/secrets.hpp"
#include "io/community/reply_sender.hpp"
#include "config/settings.hpp"
#include "db/storage.hpp"
#include "io/community/listener.hpp"
#include "messages/type_ids.hpp"
#include "supervisor/agent_directory.hpp"

namespace herald::community_actors {

struct listener_setup {
  std::string name;     ///< agent name under community ("listener.x", "listener.discord.42")
  std::string base_url; ///< the platform's API base URL
  io::community::listener_options core;
};

/// `clock` when set, else the system clock (unix ms): the community agents'
/// time, which tests inject.
std::function<std::int64_t()> clock_or_system(std::function<std::int64_t()> clock);

/// The analytics agent (issue 18): where each channel's counts are read.
struct analytics_setup {
  bool enabled = false;
  community::analytics_settings settings;
  std::chrono::milliseconds interval{60'000};
  int timeout_ms = 10'000;
  std::string x_url, x_token;                 ///< [publish.x] and HERALD_X_TOKEN ("" : not read)
  std::string discord_url, discord_webhook;   ///< [publish.discord] and the webhook's path
  std::string telegram_chat;                  ///< publish.telegram.chat-id ("" : not read)
  bool articles = false;                      ///< publish.articles.enabled
  bool weekly_article = true;
  int report_weekday = 1;                     ///< 0 = Sunday
  int report_minute = 9 * 60;                 ///< UTC
  /// The clock (unix ms); tests inject one. Empty: the system clock.
  std::function<std::int64_t()> clock;
};

/// The track-record agent (issue 18).
struct track_record_setup {
  bool enabled = false;
  int horizon = 10;                          ///< bars after the alert's candle
  std::chrono::milliseconds interval{30'000};
  bool outcomes = true;                      ///< outcome posts on the alert's channels
  bool weekly_article = true;
  bool articles = false;                     ///< publish.articles.enabled
  int report_weekday = 0;                    ///< 0 = Sunday
  int report_minute = 19 * 60;               ///< UTC
  std::function<std::int64_t()> clock;       ///< tests inject one; empty: the system clock
};

/// The repurposing agent (issue 18).
struct repurpose_setup {
  bool enabled = false;
  std::chrono::milliseconds interval{300'000};
  std::size_t reports = 3;                    ///< the latest reports repurposed
  std::vector<std::string> channels;          ///< enabled publish channels (not articles)
  std::function<std::int64_t()> clock;        ///< tests inject one; empty: the system clock
};

/// What the community subtree runs.
struct community_options {
  std::shared_ptr<db::storage> storage;
  std::vector<listener_setup> listeners;
  // The engagement agent (runs when at least one listener does).
  bool engagement = true;
  community::engagement_settings settings;
  std::shared_ptr<const community::reply_templates> templates;
  std::map<std::string, std::string> aliases; ///< news.aliases
  std::vector<std::string> tracked;           ///< scanner.symbols
  std::string interval;                       ///< scanner.interval (facts)
  std::chrono::milliseconds tick{2000};
  std::map<std::string, std::set<std::string>> own_ids;          ///< platform -> our ids
  std::map<std::string, io::community::reply_sender_options> senders; ///< platform -> sender
  analytics_setup analytics;
  track_record_setup track_record;
  repurpose_setup repurpose;
};

/// From [community.<platform>] and the secrets; throws std::invalid_argument
/// naming a missing secret or a malformed token.
community_options community_options_from(const config::settings& s, const config::secrets& secrets,
                                         std::shared_ptr<db::storage> storage,
                                         const std::string& config_path = "");

/// drain (bounded runs): one poll now.
using listener_actor = caf::typed_actor<caf::reacts_to<caf::tick_atom>,
                                        caf::replies_to<drain_atom>::with<bool>>;

listener_actor spawn_listener(caf::local_actor* parent, listener_setup setup,
                              std::shared_ptr<db::storage> storage,
                              std::shared_ptr<supervision::agent_directory> dir);

} // namespace herald::community_actors
