#pragma once
// Sends the engagement agent's replies in each platform's wire format
// (../shared/docs/external-apis.md): X POST /2/tweets with
// reply.in_reply_to_tweet_id; Telegram sendMessage with
// reply_to_message_id (message ids are "chat:message"); Discord POST
// /channels/{id}/messages with message_reference and no pings. One attempt
// per call: 2xx sent (with our reply's id), no answer or a cut answer
// unknown (the reply may exist: in doubt), 429 and 5xx retry, other 4xx
// failed; X's "duplicate content" 403 counts as sent elsewhere before.
// No CAF.

#include <functional>
#include <string>

#include "community/engagement.hpp"

namespace herald::io::community {

struct reply_sender_options {
  std::string base_url;   ///< the platform's API base URL
  std::string token;      ///< X bearer (user), Telegram bot token, Discord bot token
  int timeout_ms = 10'000;
};

/// A send function for `platform` ("x", "telegram", "discord").
herald::community::send_fn reply_sender(const std::string& platform, reply_sender_options o);

} // namespace herald::io::community
