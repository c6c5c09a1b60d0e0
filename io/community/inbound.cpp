#include "io/community/inbound.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include <nlohmann/json.hpp>

#include "io/news/feed.hpp"
#include "io/text/sanitize.hpp"

namespace herald::io::community {
namespace {

using json = nlohmann::json;

bool numeric(const std::string& s) {
  return !s.empty() && s.size() <= 32
         && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

/// Valid UTF-8, cut at a code point boundary below max_text_bytes.
std::string keep_text(const std::string& s) {
  auto t = text::valid_utf8(s);
  if (t.size() <= max_text_bytes)
    return t;
  auto cut = max_text_bytes;
  while (cut > 0 && (static_cast<unsigned char>(t[cut]) & 0xC0) == 0x80)
    --cut;
  return t.substr(0, cut);
}

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// A string member (or ""), or an error when present with another type.
bool str(const json& o, const char* k, std::string& out, std::string& err, const std::string& where) {
  if (!o.is_object() || !o.contains(k) || o[k].is_null()) {
    out.clear();
    return true;
  }
  if (o[k].is_string()) {
    out = o[k].get<std::string>();
    return true;
  }
  if (o[k].is_number_integer()) {
    out = std::to_string(o[k].get<std::int64_t>());
    return true;
  }
  err = where + "." + k + ": must be a string";
  return false;
}

std::string id_of(const json& v) {
  if (v.is_string())
    return v.get<std::string>();
  if (v.is_number_integer())
    return std::to_string(v.get<std::int64_t>());
  return "";
}

json parse(const std::string& body, std::string& err, const char* what) {
  auto j = json::parse(body, nullptr, false);
  if (j.is_discarded())
    err = std::string{what} + ": the answer is not JSON";
  return j;
}

} // namespace

bool id_less(const std::string& a, const std::string& b) {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

std::string parse_x_mentions(const std::string& body, const identity& us, page& out) {
  out = {};
  std::string err;
  auto j = parse(body, err, "X mentions");
  if (!err.empty())
    return err;
  if (!j.is_object())
    return "X mentions: the answer is not a JSON object";
  if (j.contains("meta")) {
    if (!j["meta"].is_object())
      return "X mentions: meta: not an object";
    if (!str(j["meta"], "newest_id", out.cursor, err, "X mentions: meta")
        || !str(j["meta"], "next_token", out.next_token, err, "X mentions: meta"))
      return err;
  }
  if (!j.contains("data"))
    return ""; // no mention: X leaves data out
  if (!j["data"].is_array())
    return "X mentions: data: not an array";
  std::map<std::string, std::pair<std::string, std::string>> users; // id -> (handle, name)
  if (j.contains("includes") && j["includes"].is_object() && j["includes"].contains("users")
      && j["includes"]["users"].is_array())
    for (auto& u : j["includes"]["users"])
      if (u.is_object())
        users[id_of(u.value("id", json{}))] = {u.value("username", ""), u.value("name", "")};
  std::size_t i = 0;
  for (auto& t : j["data"]) {
    auto where = "X mentions: data[" + std::to_string(i++) + "]";
    if (!t.is_object())
      return where + ": not an object";
    message m;
    m.platform = "x";
    m.kind = "mention";
    m.mentions_us = true;
    std::string in_reply_to_user, created, text;
    if (!str(t, "id", m.message_id, err, where) || !str(t, "author_id", m.author_id, err, where)
        || !str(t, "conversation_id", m.conversation_id, err, where)
        || !str(t, "in_reply_to_user_id", in_reply_to_user, err, where)
        || !str(t, "created_at", created, err, where) || !str(t, "text", text, err, where))
      return err;
    if (!numeric(m.message_id))
      return where + ".id: missing or not a numeric id";
    if (m.author_id.empty())
      return where + ".author_id: missing (ask for tweet.fields=author_id)";
    if (m.conversation_id.empty())
      m.conversation_id = m.message_id;
    m.text = keep_text(text);
    if (!created.empty() && !news::parse_rfc3339(created, m.ts_ms))
      return where + ".created_at: '" + text::one_line(created, 40) + "' is not RFC 3339";
    if (t.contains("referenced_tweets") && t["referenced_tweets"].is_array())
      for (auto& r : t["referenced_tweets"])
        if (r.is_object() && r.value("type", "") == "replied_to")
          m.reply_to_id = id_of(r.value("id", json{}));
    m.replies_to_us = !us.id.empty() && in_reply_to_user == us.id;
    if (auto u = users.find(m.author_id); u != users.end()) {
      m.author_handle = text::one_line(u->second.first, 64);
      m.author_name = text::one_line(u->second.second, 100);
    }
    out.messages.push_back(std::move(m));
  }
  std::sort(out.messages.begin(), out.messages.end(),
            [](const message& a, const message& b) { return id_less(a.message_id, b.message_id); });
  if (out.cursor.empty() && !out.messages.empty())
    out.cursor = out.messages.back().message_id;
  return "";
}

std::string parse_telegram_updates(const std::string& body, const identity& us, page& out) {
  out = {};
  std::string err;
  auto j = parse(body, err, "Telegram getUpdates");
  if (!err.empty())
    return err;
  if (!j.is_object() || !j.contains("ok") || !j["ok"].is_boolean())
    return "Telegram getUpdates: not a Bot API answer (no \"ok\")";
  if (!j["ok"].get<bool>())
    return "Telegram getUpdates: ok=false: " + text::one_line(j.value("description", ""), 200);
  if (!j.contains("result") || !j["result"].is_array())
    return "Telegram getUpdates: result: missing or not an array";
  std::int64_t last = -1;
  auto mention = "@" + lower(us.username);
  std::size_t i = 0;
  for (auto& u : j["result"]) {
    auto where = "Telegram getUpdates: result[" + std::to_string(i++) + "]";
    if (!u.is_object() || !u.contains("update_id") || !u["update_id"].is_number_integer())
      return where + ".update_id: missing or not an integer";
    last = std::max(last, u["update_id"].get<std::int64_t>());
    const char* kind = u.contains("message") ? "message"
                       : u.contains("edited_message") ? "edited_message"
                                                       : nullptr;
    if (kind == nullptr) {
      if (u.contains("message_reaction_count") && u["message_reaction_count"].is_object())
        out.reactions.push_back(u["message_reaction_count"].dump());
      ++out.skipped; // channel_post, chat_member ...: consumed, not read
      continue;
    }
    auto& msg = u[kind];
    if (!msg.is_object() || !msg.contains("chat") || !msg["chat"].is_object()
        || !msg.contains("message_id"))
      return where + "." + kind + ": needs message_id and chat";
    if (!msg.contains("from") || !msg["from"].is_object()) {
      ++out.skipped; // anonymous (sent on behalf of a chat)
      continue;
    }
    message m;
    m.platform = "telegram";
    m.kind = std::string{kind} == "message" ? "message" : "edited";
    m.conversation_id = id_of(msg["chat"].value("id", json{}));
    auto mid = id_of(msg["message_id"]);
    if (m.conversation_id.empty() || mid.empty())
      return where + "." + kind + ": chat.id and message_id must be integers";
    // message_id is unique only within a chat; an edit keeps it.
    m.message_id = m.conversation_id + ":" + mid
                   + (m.kind == "edited" ? ":e" + std::to_string(u["update_id"].get<std::int64_t>()) : "");
    auto& from = msg["from"];
    m.author_id = id_of(from.value("id", json{}));
    m.author_handle = text::one_line(from.value("username", ""), 64);
    m.author_name = text::one_line(from.value("first_name", ""), 100);
    m.author_is_bot = from.value("is_bot", false);
    std::string t;
    if (!str(msg, "text", t, err, where + "." + kind))
      return err;
    if (t.empty() && msg.contains("caption") && msg["caption"].is_string())
      t = msg["caption"].get<std::string>();
    m.text = keep_text(t);
    if (msg.contains("date") && msg["date"].is_number_integer())
      m.ts_ms = msg["date"].get<std::int64_t>() * 1000;
    if (msg.contains("reply_to_message") && msg["reply_to_message"].is_object()) {
      auto& r = msg["reply_to_message"];
      m.reply_to_id = m.conversation_id + ":" + id_of(r.value("message_id", json{}));
      if (r.contains("from") && r["from"].is_object())
        m.replies_to_us = !us.id.empty() && id_of(r["from"].value("id", json{})) == us.id;
    }
    if (!us.username.empty() && msg.contains("entities") && msg["entities"].is_array())
      for (auto& e : msg["entities"]) {
        if (!e.is_object() || !e.contains("offset") || !e.contains("length"))
          continue;
        auto type = e.value("type", "");
        // Offsets are UTF-16 code units; mentions of us are ASCII, so look
        // for the text around the offset rather than trust byte positions.
        if (type == "mention" || type == "bot_command")
          m.mentions_us = m.mentions_us || lower(m.text).find(mention) != std::string::npos;
      }
    if (msg["chat"].value("type", "") == "private")
      m.mentions_us = true; // a private chat with the bot addresses it
    out.messages.push_back(std::move(m));
  }
  if (last >= 0)
    out.cursor = std::to_string(last + 1);
  return "";
}

std::string parse_discord_messages(const std::string& body, const identity& us, page& out) {
  out = {};
  std::string err;
  auto j = parse(body, err, "Discord messages");
  if (!err.empty())
    return err;
  if (!j.is_array())
    return "Discord messages: the answer is not a JSON array";
  std::size_t i = 0;
  for (auto& d : j) {
    auto where = "Discord messages: [" + std::to_string(i++) + "]";
    if (!d.is_object())
      return where + ": not an object";
    message m;
    m.platform = "discord";
    m.kind = "message";
    std::string content, ts;
    if (!str(d, "id", m.message_id, err, where) || !str(d, "channel_id", m.conversation_id, err, where)
        || !str(d, "content", content, err, where) || !str(d, "timestamp", ts, err, where))
      return err;
    if (!numeric(m.message_id))
      return where + ".id: missing or not a snowflake";
    if (!d.contains("author") || !d["author"].is_object())
      return where + ".author: missing";
    auto& a = d["author"];
    m.author_id = id_of(a.value("id", json{}));
    m.author_handle = text::one_line(a.value("username", ""), 64);
    m.author_name = text::one_line(a.value("global_name", json{}).is_string()
                                     ? a["global_name"].get<std::string>()
                                     : m.author_handle,
                                   100);
    m.author_is_bot = a.value("bot", false);
    m.text = keep_text(content);
    if (!ts.empty() && !news::parse_rfc3339(ts, m.ts_ms))
      return where + ".timestamp: '" + text::one_line(ts, 40) + "' is not ISO 8601";
    if (d.contains("mentions") && d["mentions"].is_array())
      for (auto& u : d["mentions"])
        if (u.is_object() && !us.id.empty() && id_of(u.value("id", json{})) == us.id)
          m.mentions_us = true;
    if (d.contains("message_reference") && d["message_reference"].is_object())
      m.reply_to_id = id_of(d["message_reference"].value("message_id", json{}));
    if (d.contains("referenced_message") && d["referenced_message"].is_object()
        && d["referenced_message"].contains("author") && d["referenced_message"]["author"].is_object())
      m.replies_to_us =
        !us.id.empty() && id_of(d["referenced_message"]["author"].value("id", json{})) == us.id;
    out.messages.push_back(std::move(m));
  }
  std::sort(out.messages.begin(), out.messages.end(),
            [](const message& a, const message& b) { return id_less(a.message_id, b.message_id); });
  if (!out.messages.empty())
    out.cursor = out.messages.back().message_id;
  return "";
}

} // namespace herald::io::community
