#pragma once
// Where the analytics agent reads a published piece's counts (issue 18):
//   X        GET /2/tweets?ids=<up to 100>&tweet.fields=public_metrics,created_at
//            (a deleted tweet comes back in `errors` as resource-not-found);
//   Discord  GET <webhook path>/messages/<id> (the webhook's own message:
//            no bot token needed): the message's `reactions` (404 Unknown
//            Message: deleted);
//   Telegram the reaction counts the listener stored from
//            message_reaction_count updates (the Bot API has no read call);
//   articles the page views the HTTP server counted for the article's file.
// 429s carry the platform's wait; 5xx, no answer and malformed JSON are
// retried by the caller after a backoff. No CAF.

#include <string>

#include "community/analytics.hpp"
#include "db/storage.hpp"
#include "io/community/listener.hpp"

namespace herald::io::community {

/// X public_metrics in batches of up to 100 ids.
herald::community::metrics_source x_metrics(http_get get, std::string token, int timeout_ms,
                                            std::function<std::int64_t()> now_ms);
/// Discord reactions of the webhook's messages (`webhook_path` is
/// "/api/webhooks/<id>/<token>").
herald::community::metrics_source discord_metrics(http_get get, std::string webhook_path,
                                                  int timeout_ms,
                                                  std::function<std::int64_t()> now_ms);
/// Telegram reactions as stored for `chat_id` ("@channel" or numeric).
herald::community::metrics_source telegram_metrics(db::storage& store, std::string chat_id);
/// Article page views (remote id = the article's slug).
herald::community::metrics_source article_metrics(db::storage& store);

/// The X answer parsed: counts by id, deleted ids as deleted; "" or what
/// was wrong with the body.
std::string parse_x_metrics(const std::string& body,
                            std::map<std::string, herald::community::fetched>& out);
/// The reactions of a Discord message object summed; "" or what was wrong.
std::string parse_discord_reactions(const std::string& body, herald::community::fetched& out);
/// A Telegram message_reaction_count update: chat ids it is known by
/// (numeric, and "@username" when the chat has one), message id, total,
/// counts JSON ({"👍": 3}); "" or what was wrong.
struct reaction_count {
  std::vector<std::string> chats;
  std::string message_id;
  std::int64_t total = 0;
  std::string counts_json = "{}";
  std::int64_t date = 0; ///< unix s
};
std::string parse_telegram_reactions(const std::string& update_json, reaction_count& out);

} // namespace herald::io::community
