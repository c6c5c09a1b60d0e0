#pragma once
// What people send, read from each platform's wire format (issue 18;
// ../shared/docs/external-apis.md "Inbound"): X mentions, Telegram
// getUpdates, Discord channel messages. Parsing only: the listener agents
// do the calls, store each message once and move their cursors. Texts are
// kept as sent (valid UTF-8, at most max_text_bytes), never interpreted.
// Pure: no CAF, no I/O.

#include <cstdint>
#include <string>
#include <vector>

namespace herald::io::community {

constexpr std::size_t max_text_bytes = 16 * 1024;

struct message {
  std::string platform;        ///< x | telegram | discord
  std::string message_id;      ///< the platform's id (Telegram: chat:message)
  std::string conversation_id; ///< X conversation, Telegram chat, Discord channel
  std::string reply_to_id;     ///< the message it answers ("" if none)
  std::string author_id;
  std::string author_handle;   ///< without "@"
  std::string author_name;
  bool author_is_bot = false;
  bool mentions_us = false;
  bool replies_to_us = false;
  std::string text;
  std::int64_t ts_ms = 0;
  std::string kind;            ///< mention | message | edited
};

/// One answer of a platform.
struct page {
  std::vector<message> messages; ///< oldest first
  /// X: meta.newest_id (the next since_id; "" when empty); Telegram: the
  /// next offset (last update_id + 1; "" when no update); Discord: the
  /// highest message id ("" when none).
  std::string cursor;
  std::string next_token;        ///< X paging (meta.next_token)
  std::size_t skipped = 0;       ///< updates of kinds not read (Telegram)
  /// Telegram: message_reaction_count objects (JSON), for the analytics.
  std::vector<std::string> reactions;
};

/// Our account on a platform, to tell mentions and replies to us.
struct identity {
  std::string id;       ///< X user id, Telegram bot id, Discord bot user id
  std::string username; ///< without "@" (Telegram mentions name the bot)
};

/// Each returns "" on success, else what is wrong and where.
std::string parse_x_mentions(const std::string& body, const identity& us, page& out);
std::string parse_telegram_updates(const std::string& body, const identity& us, page& out);
std::string parse_discord_messages(const std::string& body, const identity& us, page& out);

/// Snowflake / numeric id order ("9" < "10"); ids are decimal strings.
bool id_less(const std::string& a, const std::string& b);

} // namespace herald::io::community
