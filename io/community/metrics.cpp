#include "io/community/metrics.hpp"

#include <nlohmann/json.hpp>

#include "io/text/sanitize.hpp"

namespace herald::io::community {

using json = nlohmann::json;
using herald::community::fetched;
using herald::community::metrics_source;
using herald::community::post_ref;

namespace {

/// JSON text of what a platform sent, invalid UTF-8 replaced (dump() would
/// throw on it and block the channel's readings).
std::string text_of(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::int64_t count(const json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_number_integer() && it->get<std::int64_t>() >= 0
           ? it->get<std::int64_t>()
           : 0;
}

/// Every ref answered "retry" with `error` and `wait` (ms; 0: backoff).
std::map<std::string, fetched> all_retry(const std::vector<post_ref>& refs, const std::string& error,
                                         std::int64_t wait) {
  std::map<std::string, fetched> out;
  for (auto& r : refs) {
    fetched f;
    f.st = fetched::status::retry;
    f.error = error;
    f.retry_after_ms = wait > 0 ? wait : 0;
    out[r.remote_id] = f;
  }
  return out;
}

} // namespace

std::string parse_x_metrics(const std::string& body, std::map<std::string, fetched>& out) {
  auto j = json::parse(body, nullptr, false);
  if (!j.is_object())
    return "X metrics: the body is not a JSON object";
  if (j.contains("data")) {
    if (!j["data"].is_array())
      return "X metrics: data is not an array";
    for (auto& t : j["data"]) {
      if (!t.is_object() || !t.contains("id") || !t["id"].is_string())
        return "X metrics: a tweet without a string id";
      auto pm = t.find("public_metrics");
      if (pm == t.end() || !pm->is_object())
        return "X metrics: tweet " + t["id"].get<std::string>() + " has no public_metrics";
      fetched f;
      f.st = fetched::status::ok;
      f.counts.likes = count(*pm, "like_count");
      f.counts.replies = count(*pm, "reply_count");
      f.counts.reposts = count(*pm, "retweet_count");
      f.counts.quotes = count(*pm, "quote_count");
      f.counts.bookmarks = count(*pm, "bookmark_count");
      f.counts.impressions = pm->contains("impression_count") ? count(*pm, "impression_count") : -1;
      f.raw_json = text_of(*pm);
      out[t["id"].get<std::string>()] = f;
    }
  }
  if (j.contains("errors") && j["errors"].is_array())
    for (auto& e : j["errors"]) {
      if (!e.is_object())
        continue;
      auto type = e.value("type", std::string{});
      auto title = e.value("title", std::string{});
      auto id = e.contains("resource_id") && e["resource_id"].is_string()
                  ? e["resource_id"].get<std::string>()
                  : e.value("value", std::string{});
      if (id.empty())
        continue;
      fetched f;
      bool gone = type.find("resource-not-found") != std::string::npos
                  || title == "Not Found Error" || title == "Authorization Error";
      f.st = gone ? fetched::status::deleted : fetched::status::retry;
      f.error = "X metrics: " + text::one_line(title, 80) + " for " + text::one_line(id, 40);
      f.raw_json = text_of(e);
      out[id] = f;
    }
  return "";
}

std::string parse_discord_reactions(const std::string& body, fetched& out) {
  auto j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("id"))
    return "Discord message: not a message object";
  out.st = fetched::status::ok;
  out.counts.reactions = 0;
  json counts = json::object();
  if (j.contains("reactions")) {
    if (!j["reactions"].is_array())
      return "Discord message: reactions is not an array";
    for (auto& r : j["reactions"]) {
      if (!r.is_object())
        continue;
      auto n = count(r, "count");
      out.counts.reactions += n;
      std::string name = "?";
      if (r.contains("emoji") && r["emoji"].is_object() && r["emoji"].contains("name")
          && r["emoji"]["name"].is_string())
        name = r["emoji"]["name"].get<std::string>();
      counts[name] = n;
    }
  }
  out.raw_json = text_of(json{{"reactions", counts}});
  return "";
}

std::string parse_telegram_reactions(const std::string& update_json, reaction_count& out) {
  auto j = json::parse(update_json, nullptr, false);
  if (!j.is_object())
    return "message_reaction_count: not a JSON object";
  auto chat = j.find("chat");
  if (chat == j.end() || !chat->is_object() || !chat->contains("id")
      || !(*chat)["id"].is_number_integer())
    return "message_reaction_count: no chat id";
  if (!j.contains("message_id") || !j["message_id"].is_number_integer())
    return "message_reaction_count: no message_id";
  out.chats = {std::to_string((*chat)["id"].get<std::int64_t>())};
  if (chat->contains("username") && (*chat)["username"].is_string())
    out.chats.push_back("@" + (*chat)["username"].get<std::string>());
  out.message_id = std::to_string(j["message_id"].get<std::int64_t>());
  out.date = j.contains("date") && j["date"].is_number_integer() ? j["date"].get<std::int64_t>() : 0;
  out.total = 0;
  json counts = json::object();
  if (j.contains("reactions") && j["reactions"].is_array())
    for (auto& r : j["reactions"]) {
      if (!r.is_object())
        continue;
      auto n = count(r, "total_count");
      out.total += n;
      std::string name = "?";
      if (r.contains("type") && r["type"].is_object()) {
        auto& t = r["type"];
        if (t.contains("emoji") && t["emoji"].is_string())
          name = t["emoji"].get<std::string>();
        else if (t.contains("custom_emoji_id") && t["custom_emoji_id"].is_string())
          name = "custom:" + t["custom_emoji_id"].get<std::string>();
        else if (t.contains("type") && t["type"].is_string())
          name = t["type"].get<std::string>();
      }
      counts[name] = counts.value(name, 0) + n;
    }
  out.counts_json = text_of(counts);
  return "";
}

metrics_source x_metrics(http_get get, std::string token, int timeout_ms,
                         std::function<std::int64_t()> now_ms) {
  metrics_source s;
  s.batch = 100;
  s.fetch = [get = std::move(get), token = std::move(token), timeout_ms,
             now_ms = std::move(now_ms)](const std::vector<post_ref>& refs) {
    std::string ids;
    for (auto& r : refs)
      ids += (ids.empty() ? "" : ",") + r.remote_id;
    auto reply = get("/2/tweets?ids=" + ids + "&tweet.fields=public_metrics,created_at",
                     {{"Authorization", "Bearer " + token}}, timeout_ms);
    if (reply.status == 429)
      return all_retry(refs, describe("X metrics rate limited", reply),
                       rate_limit_wait_ms("x", reply, now_ms()));
    if (reply.status != 200)
      return all_retry(refs, describe("X metrics", reply), 0);
    std::map<std::string, fetched> out;
    if (auto err = parse_x_metrics(reply.body, out); !err.empty())
      return all_retry(refs, err, 0);
    return out;
  };
  return s;
}

metrics_source discord_metrics(http_get get, std::string webhook_path, int timeout_ms,
                               std::function<std::int64_t()> now_ms) {
  metrics_source s;
  s.batch = 1;
  s.fetch = [get = std::move(get), path = std::move(webhook_path), timeout_ms,
             now_ms = std::move(now_ms)](const std::vector<post_ref>& refs) {
    std::map<std::string, fetched> out;
    for (auto& r : refs) {
      auto reply = get(path + "/messages/" + r.remote_id, {}, timeout_ms);
      fetched f;
      if (reply.status == 200) {
        if (auto err = parse_discord_reactions(reply.body, f); !err.empty()) {
          f.st = fetched::status::retry;
          f.error = err;
        }
      } else if (reply.status == 404) {
        f.st = fetched::status::deleted;
        f.raw_json = json::parse(reply.body, nullptr, false).is_object() ? reply.body : "{}";
      } else {
        f.st = fetched::status::retry;
        f.error = describe("Discord message " + r.remote_id, reply);
        f.retry_after_ms = std::max<std::int64_t>(0, rate_limit_wait_ms("discord", reply, now_ms()));
        out[r.remote_id] = f;
        break; // the rest waits with the channel
      }
      out[r.remote_id] = f;
    }
    return out;
  };
  return s;
}

metrics_source telegram_metrics(db::storage& store, std::string chat_id) {
  metrics_source s;
  s.batch = 100;
  s.fetch = [&store, chat = std::move(chat_id)](const std::vector<post_ref>& refs) {
    std::map<std::string, fetched> out;
    for (auto& r : refs) {
      fetched f;
      f.st = fetched::status::ok;
      if (auto got = store.reactions_of("telegram", chat, r.remote_id)) {
        f.counts.reactions = got->first;
        f.raw_json = text_of(json{{"reactions", json::parse(got->second, nullptr, false)}});
      } else
        f.raw_json = R"({"reactions":{}})";
      out[r.remote_id] = f;
    }
    return out;
  };
  return s;
}

metrics_source article_metrics(db::storage& store) {
  metrics_source s;
  s.batch = 100;
  s.fetch = [&store](const std::vector<post_ref>& refs) {
    std::map<std::string, fetched> out;
    for (auto& r : refs) {
      fetched f;
      f.st = fetched::status::ok;
      f.counts.impressions = store.page_views(r.remote_id + ".html");
      f.raw_json = text_of(json{{"page_views", f.counts.impressions}});
      out[r.remote_id] = f;
    }
    return out;
  };
  return s;
}

} // namespace herald::io::community
