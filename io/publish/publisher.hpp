#pragma once
// Herald's one notifier interface: a publisher delivers one piece to one
// channel, in one blocking attempt, and says what happened. Retrying, rate
// limiting and parking are the caller's (content::delivery_policy in the
// channel agent); adapters only speak their service's wire format:
//   articles  files in a directory: page + markdown + chart, index, feed
//   telegram  Bot API sendMessage / sendPhoto
//   discord   webhook with an embed and the chart attached (?wait=true)
//   x         API v2 POST /2/tweets, threads as reply chains
//   webhook   JSON POST, HMAC-SHA256 of the body in X-Herald-Signature,
//             the piece id in X-Herald-Delivery (receivers dedupe by it)
// No CAF here.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "content/channel.hpp"
#include "content/site.hpp"

namespace herald::io::publish {

/// What is delivered: one piece, rendered for this channel.
struct outbound {
  std::string id;      ///< plan id "<piece>@<channel>": stable, the idempotency key
  std::string piece;   ///< "alert:BTCUSDT:1m:1700000000000"
  std::string type;    ///< alert / recap / report / thread
  std::string title;
  std::vector<std::string> parts; ///< the text; several for a thread
  std::string markdown;           ///< articles: the page body
  std::string chart_png;          ///< PNG bytes, may be empty
  std::int64_t at = 0;            ///< publication time, unix ms
  /// Resuming a thread: parts already delivered, and the id to reply to.
  std::size_t first_part = 0;
  std::string reply_to;
};

struct delivery {
  enum class status : std::uint8_t {
    ok,        ///< delivered (or found delivered: duplicate refused by the remote)
    retry,     ///< transient: 5xx, timeout, connection, 429
    failed,    ///< permanent: the remote refused the request (4xx)
  };
  status st = status::failed;
  std::string remote_id;         ///< message / tweet id (last part of a thread)
  std::string url;               ///< where it can be read, when known
  std::int64_t retry_after_ms = -1; ///< the remote said when to retry
  std::string error;             ///< what went wrong, naming the channel and status
  std::size_t parts_done = 0;    ///< thread parts delivered so far (incl. earlier)
  std::string last_id;           ///< id of the last part delivered (reply chains)
  bool duplicate = false;        ///< the remote already had it (X 403 duplicate)
};

class publisher {
public:
  virtual ~publisher() = default;
  virtual content::channel ch() const = 0;
  /// One attempt; never throws for remote failures (they are in the result).
  virtual delivery publish(const outbound& o) = 0;
  /// After a crash left `o` in doubt (recorded as publishing, no result):
  /// whether it can be sent again without a duplicate reaching readers.
  /// Articles overwrite the same files, webhooks carry the delivery id, X
  /// refuses duplicate text; Telegram and Discord cannot tell, so false.
  virtual bool resend_is_safe() const = 0;
};

struct http_options {
  std::string base_url;     ///< scheme://host[:port], no trailing path
  int timeout_ms = 10'000;
};

struct articles_options {
  std::string dir = "var/site";
  content::site_options site;
};

struct telegram_options {
  http_options http{"https://api.telegram.org"};
  std::string token;   ///< secret HERALD_TELEGRAM_TOKEN
  std::string chat_id; ///< "@channel" or a numeric id
};

struct discord_options {
  http_options http{"https://discord.com"};
  std::string webhook_path; ///< "/api/webhooks/<id>/<token>" from HERALD_DISCORD_WEBHOOK
  std::string username = "Herald";
};

struct x_options {
  http_options http{"https://api.twitter.com"};
  std::string token; ///< OAuth 2.0 user token, secret HERALD_X_TOKEN
};

struct webhook_options {
  http_options http;
  std::string path = "/";
  std::string secret; ///< HMAC key, secret HERALD_WEBHOOK_SECRET ("" : unsigned)
};

std::unique_ptr<publisher> make_articles(articles_options o);
std::unique_ptr<publisher> make_telegram(telegram_options o);
std::unique_ptr<publisher> make_discord(discord_options o);
std::unique_ptr<publisher> make_x(x_options o);
std::unique_ptr<publisher> make_webhook(webhook_options o);

/// HMAC-SHA256 of `body` with `key`, lower-case hex.
std::string hmac_sha256_hex(const std::string& key, const std::string& body);

/// Splits "https://host:port/path" into base ("https://host:port") and path
/// ("/path", "/" when none). Throws std::invalid_argument naming the URL.
std::pair<std::string, std::string> split_url(const std::string& url);

} // namespace herald::io::publish
