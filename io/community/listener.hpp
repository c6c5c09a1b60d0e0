#pragma once
// One poll of a platform for what people sent (issue 18): builds the
// request from the stored cursor, reads every page, stores the messages and
// the new cursor in one transaction (db::storage::store_inbound) and says
// how long to wait before the next poll, honouring each platform's rate
// limit signals. The listener agents call poll() from a detached actor; the
// HTTP call is injected (tests use local servers through the real getter,
// unit tests a function). No CAF.
//
// Cursors: X since_id (meta.newest_id, moved only once every page back to
// it was read), Telegram offset (last update_id + 1: the next getUpdates
// confirms the stored updates), Discord "after" (the highest id of each
// page). A first start without a cursor reads one page (the most recent
// messages) rather than the whole history.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "db/storage.hpp"
#include "io/community/inbound.hpp"

namespace herald::io::community {

struct http_reply {
  int status = 0;                             ///< 0: no answer (see error)
  std::map<std::string, std::string> headers; ///< names in lower case
  std::string body;
  std::string error;
};

using header_list = std::vector<std::pair<std::string, std::string>>;
/// GET `target` (path and query) with `headers`, the whole exchange bounded
/// by `timeout_ms`.
using http_get =
  std::function<http_reply(const std::string& target, const header_list& headers, int timeout_ms)>;

/// The real getter (cpp-httplib) for `base_url` (scheme://host[:port]).
http_get http_getter(const std::string& base_url);

struct listener_options {
  std::string platform;          ///< x | telegram | discord
  identity us;                   ///< our account (X user id, bot id, ...)
  std::string token;             ///< X bearer, Telegram bot token, Discord bot token
  std::string channel_id;        ///< Discord: the channel read
  std::int64_t interval_ms = 60'000; ///< between polls (X, Discord; Telegram after an empty poll)
  int long_poll_s = 25;          ///< Telegram getUpdates timeout
  int timeout_ms = 10'000;       ///< per request (Telegram: plus the long poll)
  int max_pages = 20;            ///< per poll
  int page_size = 100;           ///< Discord limit (1..100)
  std::int64_t backoff_min_ms = 1'000;
  std::int64_t backoff_max_ms = 300'000;
};

struct poll_result {
  std::size_t read = 0;   ///< messages read
  std::size_t fresh = 0;  ///< of them not stored before
  std::int64_t wait_ms = 0;
  bool rate_limited = false;
  std::string error;      ///< "" when the poll worked
};

class listener_core {
public:
  listener_core(listener_options o, db::storage& store);
  /// The cursor's key in community_cursors ("x:mentions:<id>",
  /// "telegram:updates:<bot id>", "discord:channel:<id>").
  const std::string& source() const { return source_; }
  /// One poll at wall clock `now_ms`. Storage errors are reported in
  /// `error` (the cursor did not move; the next poll reads again).
  poll_result poll(const http_get& get, std::int64_t now_ms);

private:
  poll_result poll_x(const http_get& get, std::int64_t now_ms);
  poll_result poll_telegram(const http_get& get, std::int64_t now_ms);
  poll_result poll_discord(const http_get& get, std::int64_t now_ms);
  /// Failure bookkeeping: the wait before the next try.
  std::int64_t backoff();
  std::size_t store(const std::vector<message>& ms, const std::string& cursor);

  listener_options o_;
  db::storage& store_;
  std::string source_;
  int failures_ = 0;
};

/// The stored form of a message (id "platform:message id", metadata JSON).
db::interaction_record to_record(const message& m);

/// What went wrong with an answer, for the log: `what`, the status and the
/// first bytes of the body, one line.
std::string describe(const std::string& what, const http_reply& r);

/// Milliseconds to wait that a rate-limited (or exhausted) reply asks for,
/// from the platform's headers or body; -1 when it says nothing.
std::int64_t rate_limit_wait_ms(const std::string& platform, const http_reply& r,
                                std::int64_t now_ms);

} // namespace herald::io::community
