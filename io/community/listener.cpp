#include "io/community/listener.hpp"
#include "io/community/metrics.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "io/http/deadline.hpp"
#include "io/text/sanitize.hpp"

namespace herald::io::community {
namespace {

using json = nlohmann::json;

std::string header(const http_reply& r, const std::string& name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? std::string{} : it->second;
}

bool number(const std::string& s, double& out) {
  if (s.empty())
    return false;
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return end != s.c_str() && *end == '\0' && std::isfinite(out) && out >= 0;
}

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
      out += static_cast<char>(c);
    else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

} // namespace

std::string describe(const std::string& what, const http_reply& r) {
  if (r.status == 0)
    return what + ": no answer (" + r.error + ")";
  return what + ": HTTP " + std::to_string(r.status) + " " + text::one_line(r.body, 200);
}

http_get http_getter(const std::string& base_url) {
  return [base_url](const std::string& target, const header_list& headers, int timeout_ms) {
    http_reply out;
    httplib::Client c{base_url};
    auto t = std::chrono::milliseconds{timeout_ms};
    c.set_connection_timeout(t);
    c.set_read_timeout(t);
    c.set_write_timeout(t);
    httplib::Headers hs;
    for (auto& [k, v] : headers)
      hs.emplace(k, v);
    io::http::request_deadline deadline{c, t};
    auto res = c.Get(target.c_str(), hs);
    deadline.finish();
    if (!res) {
      out.error = httplib::to_string(res.error());
      return out;
    }
    out.status = res->status;
    out.body = res->body;
    for (auto& [k, v] : res->headers) {
      std::string lk = k;
      std::transform(lk.begin(), lk.end(), lk.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      out.headers[lk] = v;
    }
    return out;
  };
}

db::interaction_record to_record(const message& m) {
  db::interaction_record r;
  r.id = m.platform + ":" + m.message_id;
  r.platform = m.platform;
  r.author_id = m.author_id;
  r.author_handle = m.author_handle;
  r.author_name = m.author_name;
  r.author_is_bot = m.author_is_bot;
  r.kind = m.kind;
  r.text = m.text;
  r.ts = m.ts_ms;
  r.metadata_json = json{{"message_id", m.message_id},
                         {"conversation", m.conversation_id},
                         {"reply_to", m.reply_to_id},
                         {"mentions_us", m.mentions_us},
                         {"replies_to_us", m.replies_to_us}}
                      .dump();
  return r;
}

std::int64_t rate_limit_wait_ms(const std::string& platform, const http_reply& r,
                                std::int64_t now_ms) {
  double v = 0;
  if (platform == "x") {
    // x-rate-limit-reset: epoch seconds when the window resets.
    if ((r.status == 429 || header(r, "x-rate-limit-remaining") == "0")
        && number(header(r, "x-rate-limit-reset"), v))
      return std::max<std::int64_t>(1000, static_cast<std::int64_t>(v * 1000) - now_ms);
    return r.status == 429 ? 60'000 : -1;
  }
  if (platform == "telegram") {
    if (r.status != 429)
      return -1;
    auto j = json::parse(r.body, nullptr, false);
    if (j.is_object() && j.contains("parameters") && j["parameters"].is_object()
        && j["parameters"].contains("retry_after") && j["parameters"]["retry_after"].is_number())
      return std::max<std::int64_t>(
        1000, static_cast<std::int64_t>(j["parameters"]["retry_after"].get<double>() * 1000));
    if (number(header(r, "retry-after"), v))
      return std::max<std::int64_t>(1000, static_cast<std::int64_t>(v * 1000));
    return 60'000;
  }
  // Discord: Retry-After (s, may be fractional) or the body's retry_after
  // on 429; X-RateLimit-Remaining 0 with X-RateLimit-Reset-After otherwise.
  if (r.status == 429) {
    if (number(header(r, "retry-after"), v))
      return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(v * 1000)));
    auto j = json::parse(r.body, nullptr, false);
    if (j.is_object() && j.contains("retry_after") && j["retry_after"].is_number())
      return std::max<std::int64_t>(
        1, static_cast<std::int64_t>(std::ceil(j["retry_after"].get<double>() * 1000)));
    return 60'000;
  }
  if (header(r, "x-ratelimit-remaining") == "0" && number(header(r, "x-ratelimit-reset-after"), v))
    return static_cast<std::int64_t>(std::ceil(v * 1000));
  return -1;
}

listener_core::listener_core(listener_options o, db::storage& store)
    : o_(std::move(o)), store_(store) {
  if (o_.platform == "x")
    source_ = "x:mentions:" + o_.us.id;
  else if (o_.platform == "telegram")
    source_ = "telegram:updates:" + o_.us.id;
  else
    source_ = "discord:channel:" + o_.channel_id;
}

std::int64_t listener_core::backoff() {
  ++failures_;
  auto wait = o_.backoff_min_ms;
  for (int i = 1; i < failures_ && wait < o_.backoff_max_ms; ++i)
    wait *= 2;
  return std::min(wait, o_.backoff_max_ms);
}

std::size_t listener_core::store(const std::vector<message>& ms, const std::string& cursor) {
  std::vector<db::interaction_record> recs;
  recs.reserve(ms.size());
  for (auto& m : ms)
    recs.push_back(to_record(m));
  return store_.store_inbound(source_, recs, cursor);
}

poll_result listener_core::poll(const http_get& get, std::int64_t now_ms) {
  poll_result r;
  try {
    if (o_.platform == "x")
      r = poll_x(get, now_ms);
    else if (o_.platform == "telegram")
      r = poll_telegram(get, now_ms);
    else
      r = poll_discord(get, now_ms);
  } catch (const db::storage_error& e) {
    r = {};
    r.error = o_.platform + ": cannot store what was read (" + e.what()
              + "); the cursor did not move, the next poll reads it again";
    r.wait_ms = backoff();
    return r;
  }
  if (r.error.empty() && !r.rate_limited)
    failures_ = 0;
  return r;
}

poll_result listener_core::poll_x(const http_get& get, std::int64_t now_ms) {
  poll_result r;
  auto since = store_.inbound_cursor(source_);
  header_list hs{{"Authorization", "Bearer " + o_.token}};
  std::vector<message> all;
  std::string newest, token;
  for (int i = 0; i < o_.max_pages; ++i) {
    auto target = "/2/users/" + url_encode(o_.us.id)
                  + "/mentions?max_results=100&tweet.fields=created_at,author_id,conversation_id,"
                    "in_reply_to_user_id,referenced_tweets&expansions=author_id"
                  + (since.empty() ? "" : "&since_id=" + url_encode(since))
                  + (token.empty() ? "" : "&pagination_token=" + url_encode(token));
    auto reply = get(target, hs, o_.timeout_ms);
    if (auto wait = rate_limit_wait_ms("x", reply, now_ms); reply.status == 429) {
      r.rate_limited = true;
      r.wait_ms = wait;
      r.error = describe("X mentions rate limited", reply);
      break; // nothing stored: the pages read so far come again
    }
    if (reply.status != 200) {
      r.error = describe("X mentions", reply);
      r.wait_ms = reply.status == 401 || reply.status == 403 ? o_.backoff_max_ms : backoff();
      return r;
    }
    page p;
    if (auto err = parse_x_mentions(reply.body, o_.us, p); !err.empty()) {
      r.error = err;
      r.wait_ms = backoff();
      return r;
    }
    if (i == 0)
      newest = p.cursor;
    r.read += p.messages.size();
    all.insert(all.end(), p.messages.begin(), p.messages.end());
    token = p.next_token;
    r.wait_ms = std::max(o_.interval_ms, rate_limit_wait_ms("x", reply, now_ms));
    // A first start reads the newest page only, not months of mentions.
    if (token.empty() || since.empty())
      break;
  }
  if (r.rate_limited) {
    r.fresh = all.empty() ? 0 : store(all, "");
    return r;
  }
  // The cursor moves only when every page back to since_id was read.
  bool complete = token.empty() || since.empty();
  r.fresh = store(all, complete ? newest : "");
  if (!complete)
    r.error = "X mentions: more than " + std::to_string(o_.max_pages)
              + " pages; the rest is read on the next poll";
  return r;
}

poll_result listener_core::poll_telegram(const http_get& get, std::int64_t now_ms) {
  poll_result r;
  auto offset = store_.inbound_cursor(source_);
  auto target = "/bot" + o_.token + "/getUpdates?timeout=" + std::to_string(o_.long_poll_s)
                + "&allowed_updates=" + url_encode(R"(["message","edited_message","message_reaction_count"])")
                + (offset.empty() ? "" : "&offset=" + url_encode(offset));
  auto reply = get(target, {}, o_.timeout_ms + o_.long_poll_s * 1000);
  if (reply.status == 429) {
    r.rate_limited = true;
    r.wait_ms = rate_limit_wait_ms("telegram", reply, now_ms);
    r.error = describe("Telegram getUpdates rate limited", reply);
    return r;
  }
  if (reply.status != 200) {
    // The token is part of the path: never in a message.
    r.error = describe("Telegram getUpdates", reply);
    r.wait_ms = reply.status == 401 || reply.status == 404 ? o_.backoff_max_ms : backoff();
    return r;
  }
  page p;
  if (auto err = parse_telegram_updates(reply.body, o_.us, p); !err.empty()) {
    r.error = err;
    r.wait_ms = backoff();
    return r;
  }
  r.read = p.messages.size();
  // Reaction counts first (idempotent: an update read again rewrites the
  // same count), then the messages with the cursor that confirms both.
  for (auto& raw : p.reactions) {
    reaction_count rc;
    if (auto err = parse_telegram_reactions(raw, rc); !err.empty())
      continue; // malformed: consumed with the update, nothing to count
    for (auto& chat : rc.chats)
      store_.store_reactions("telegram", chat, rc.message_id, rc.total, rc.counts_json,
                             rc.date * 1000);
  }
  r.fresh = store(p.messages, p.cursor);
  // Long polling: ask again at once after updates; an empty answer that came
  // back early (a server that does not hold the poll) waits a little.
  r.wait_ms = p.cursor.empty() ? std::min<std::int64_t>(o_.interval_ms, 1000) : 0;
  (void)now_ms;
  return r;
}

poll_result listener_core::poll_discord(const http_get& get, std::int64_t now_ms) {
  poll_result r;
  auto after = store_.inbound_cursor(source_);
  header_list hs{{"Authorization", "Bot " + o_.token}};
  r.wait_ms = o_.interval_ms;
  for (int i = 0; i < o_.max_pages; ++i) {
    auto target = "/api/v10/channels/" + url_encode(o_.channel_id)
                  + "/messages?limit=" + std::to_string(std::clamp(o_.page_size, 1, 100))
                  + (after.empty() ? "" : "&after=" + url_encode(after));
    auto reply = get(target, hs, o_.timeout_ms);
    if (reply.status == 429) {
      r.rate_limited = true;
      r.wait_ms = rate_limit_wait_ms("discord", reply, now_ms);
      r.error = describe("Discord messages rate limited", reply);
      return r;
    }
    if (reply.status != 200) {
      r.error = describe("Discord messages", reply);
      r.wait_ms = reply.status == 401 || reply.status == 403 ? o_.backoff_max_ms : backoff();
      return r;
    }
    page p;
    if (auto err = parse_discord_messages(reply.body, o_.us, p); !err.empty()) {
      r.error = err;
      r.wait_ms = backoff();
      return r;
    }
    r.read += p.messages.size();
    // Each page is complete from `after` on: its cursor may move at once.
    r.fresh += store(p.messages, p.cursor);
    if (auto wait = rate_limit_wait_ms("discord", reply, now_ms); wait >= 0)
      r.wait_ms = std::max(r.wait_ms, wait);
    if (static_cast<int>(p.messages.size()) < std::clamp(o_.page_size, 1, 100) || after.empty())
      break; // the last page, or a first start (the newest page only)
    after = p.cursor;
  }
  return r;
}

} // namespace herald::io::community
