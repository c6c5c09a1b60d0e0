#pragma once
// A local stand-in for what the community listeners read, in each
// platform's wire format (../shared/docs/external-apis.md "Inbound"):
//   X       GET /2/users/{id}/mentions (since_id, pagination_token, newest
//           first, meta, includes.users, rate-limit headers on every reply)
//   Telegram GET /bot<token>/getUpdates (offset confirms, timeout)
//   Discord GET /api/v10/channels/{id}/messages (after, limit, newest first)
// Tests add messages, script faults per platform and read what was asked.
// Pages are small (page_size) so that paging is exercised.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include <deque>
#include <map>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace herald::test {

class inbound_double {
public:
  struct reply {
    int status = 0; ///< 0: the normal answer
    std::string body;
    httplib::Headers headers;
  };
  struct mention {
    std::string id, author_id, username, text;
    std::string conversation_id = {};     ///< "" : the tweet starts it
    std::string in_reply_to_user_id = {}; ///< "" : not a reply
    std::int64_t ts_ms = 0;               ///< 0: when added
  };
  struct tg_message {
    std::int64_t chat_id = -100123;
    std::int64_t message_id = 0;
    std::int64_t from_id = 0;
    std::string username, text;
    bool is_bot = false;
    std::int64_t reply_to_from = 0; ///< 0: not a reply
    std::string kind = "message";   ///< or another update kind (skipped); for
                                    ///< "message_reaction_count" from_id is the count
                                    ///< and username the channel's
    std::int64_t ts_ms = 0;         ///< 0: when added
  };
  struct dc_message {
    std::string id, channel_id = "42", author_id, username, content;
    bool bot = false;
    bool mentions_us = false;
    std::string replies_to_author; ///< "" : not a reply
    std::int64_t ts_ms = 0;        ///< 0: when added
  };

  /// Replies are answered this late (a reply call in flight, for kill tests);
  /// in_flight counts the reply calls that arrived.
  std::atomic<int> reply_delay_ms{0};
  std::atomic<int> in_flight{0};
  std::size_t page_size = 2; ///< X answers at most this many per page (X may send fewer than max_results)
  std::string x_user = "1000";
  std::string tg_token = "T0KEN";
  std::int64_t x_reset_epoch_s = 0;

  inbound_double() {
    srv_.Get(R"(/2/users/(\d+)/mentions)",
             [this](const httplib::Request& q, httplib::Response& r) { x(q, r); });
    srv_.Get(R"(/bot([^/]+)/getUpdates)",
             [this](const httplib::Request& q, httplib::Response& r) { telegram(q, r); });
    srv_.Get(R"(/api/v10/channels/(\d+)/messages)",
             [this](const httplib::Request& q, httplib::Response& r) { discord(q, r); });
    // Replies (the engagement agent): recorded; faults scripted as
    // "x-reply", "telegram-reply", "discord-reply".
    srv_.Post("/2/tweets", [this](const httplib::Request& q, httplib::Response& r) {
      hold();
      std::lock_guard<std::mutex> g{mtx_};
      if (fault("x-reply", q, r))
        return;
      auto j = json::parse(q.body, nullptr, false);
      auto text = j.value("text", "");
      auto to = j.contains("reply") ? j["reply"].value("in_reply_to_tweet_id", "") : "";
      for (auto& prev : replies_)
        if (prev.platform == "x" && prev.text == text) {
          r.status = 403;
          r.set_content(R"({"detail":"You are not allowed to create a Tweet with duplicate content.","type":"about:blank","title":"Forbidden","status":403})",
                        "application/json");
          return;
        }
      auto id = std::to_string(1900000000000000000LL + static_cast<long long>(replies_.size()));
      replies_.push_back({"x", to, "", text, id});
      r.status = 201;
      r.set_content(json{{"data", {{"id", id}, {"text", text}}}}.dump(), "application/json");
    });
    srv_.Post(R"(/bot([^/]+)/sendMessage)", [this](const httplib::Request& q, httplib::Response& r) {
      hold();
      std::lock_guard<std::mutex> g{mtx_};
      if (fault("telegram-reply", q, r))
        return;
      auto j = json::parse(q.body, nullptr, false);
      auto id = static_cast<std::int64_t>(5000 + replies_.size());
      replies_.push_back({"telegram", std::to_string(j.value("reply_to_message_id", 0)),
                          std::to_string(j.value("chat_id", 0LL)), j.value("text", ""),
                          std::to_string(id)});
      r.set_content(json{{"ok", true},
                         {"result", {{"message_id", id}, {"chat", {{"id", j.value("chat_id", 0LL)}}},
                                     {"date", 1796637600}, {"text", j.value("text", "")}}}}
                      .dump(),
                    "application/json");
    });
    srv_.Post(R"(/api/v10/channels/(\d+)/messages)",
              [this](const httplib::Request& q, httplib::Response& r) {
                hold();
                std::lock_guard<std::mutex> g{mtx_};
                if (fault("discord-reply", q, r))
                  return;
                auto j = json::parse(q.body, nullptr, false);
                auto ref = j.contains("message_reference")
                             ? j["message_reference"].value("message_id", "")
                             : "";
                auto id = std::to_string(1200000000000000000LL + static_cast<long long>(replies_.size()));
                replies_.push_back({"discord", ref, q.matches[1], j.value("content", ""), id});
                r.set_content(json{{"id", id}, {"channel_id", std::string{q.matches[1]}},
                                   {"content", j.value("content", "")}, {"type", 19}}
                                .dump(),
                              "application/json");
              });
    port_ = srv_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { srv_.listen_after_bind(); });
    while (!srv_.is_running())
      std::this_thread::yield();
  }
  ~inbound_double() {
    srv_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  static std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
  }
  /// RFC 3339 with milliseconds, as X and Discord write times.
  static std::string iso(std::int64_t ms) {
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[48];
    std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
    return out;
  }

  void add(mention m) {
    std::lock_guard<std::mutex> g{mtx_};
    if (m.ts_ms == 0)
      m.ts_ms = now_ms();
    if (m.conversation_id.empty())
      m.conversation_id = m.id;
    x_.push_back(std::move(m));
  }
  void add(tg_message m) {
    std::lock_guard<std::mutex> g{mtx_};
    if (m.ts_ms == 0)
      m.ts_ms = now_ms();
    updates_.push_back({next_update_++, std::move(m)});
  }
  void add(dc_message m) {
    std::lock_guard<std::mutex> g{mtx_};
    if (m.ts_ms == 0)
      m.ts_ms = now_ms();
    dc_.push_back(std::move(m));
  }
  void script(const std::string& platform, std::vector<reply> rs) {
    std::lock_guard<std::mutex> g{mtx_};
    for (auto& r : rs)
      faults_[platform].push_back(std::move(r));
  }
  /// The targets asked, per platform ("x", "telegram", "discord").
  std::vector<std::string> asked(const std::string& platform) const {
    std::lock_guard<std::mutex> g{mtx_};
    auto it = asked_.find(platform);
    return it == asked_.end() ? std::vector<std::string>{} : it->second;
  }
  struct sent_reply {
    std::string platform, in_reply_to, conversation, text, id;
  };
  /// Every reply received, in order.
  std::vector<sent_reply> replies() const {
    std::lock_guard<std::mutex> g{mtx_};
    return replies_;
  }
  /// Updates Telegram still holds (not confirmed by a higher offset).
  std::size_t unconfirmed() const {
    std::lock_guard<std::mutex> g{mtx_};
    return updates_.size();
  }

private:
  using json = nlohmann::json;

  void hold() {
    ++in_flight;
    if (auto d = reply_delay_ms.load(); d > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds{d});
  }

  static bool id_less(const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  }
  bool fault(const std::string& p, const httplib::Request& q, httplib::Response& r) {
    asked_[p].push_back(q.target);
    auto& f = faults_[p];
    if (f.empty())
      return false;
    auto rep = f.front();
    f.pop_front();
    if (rep.status == 0)
      return false;
    r.status = rep.status;
    for (auto& [k, v] : rep.headers)
      r.set_header(k, v);
    r.set_content(rep.body, "application/json");
    return true;
  }

  void x(const httplib::Request& q, httplib::Response& r) {
    std::lock_guard<std::mutex> g{mtx_};
    if (fault("x", q, r))
      return;
    if (q.get_header_value("Authorization").rfind("Bearer ", 0) != 0) {
      r.status = 401;
      r.set_content(R"({"title":"Unauthorized","status":401})", "application/json");
      return;
    }
    r.set_header("x-rate-limit-limit", "450");
    r.set_header("x-rate-limit-remaining", "449");
    r.set_header("x-rate-limit-reset", std::to_string(x_reset_epoch_s));
    auto since = q.has_param("since_id") ? q.get_param_value("since_id") : "";
    // Newest first; a pagination token is the id to continue below.
    std::vector<mention> all;
    for (auto& m : x_)
      if (since.empty() || id_less(since, m.id))
        all.push_back(m);
    std::sort(all.begin(), all.end(), [](auto& a, auto& b) { return id_less(b.id, a.id); });
    std::size_t start = 0;
    if (q.has_param("pagination_token")) {
      auto below = q.get_param_value("pagination_token");
      while (start < all.size() && !id_less(all[start].id, below))
        ++start;
    }
    json out = json::object();
    json data = json::array(), users = json::array();
    std::size_t end = std::min(all.size(), start + page_size);
    for (auto i = start; i < end; ++i) {
      auto& m = all[i];
      json t{{"id", m.id}, {"text", m.text}, {"author_id", m.author_id},
             {"conversation_id", m.conversation_id}, {"created_at", iso(m.ts_ms)}};
      if (!m.in_reply_to_user_id.empty()) {
        t["in_reply_to_user_id"] = m.in_reply_to_user_id;
        t["referenced_tweets"] = json::array({{{"type", "replied_to"}, {"id", m.conversation_id}}});
      }
      data.push_back(t);
      users.push_back({{"id", m.author_id}, {"username", m.username}, {"name", m.username}});
    }
    json meta{{"result_count", end - start}};
    if (end > start) {
      out["data"] = data;
      out["includes"] = {{"users", users}};
      meta["newest_id"] = all[start].id;
      meta["oldest_id"] = all[end - 1].id;
    }
    if (end < all.size())
      meta["next_token"] = all[end - 1].id;
    out["meta"] = meta;
    r.set_content(out.dump(), "application/json");
  }

  void telegram(const httplib::Request& q, httplib::Response& r) {
    std::lock_guard<std::mutex> g{mtx_};
    if (fault("telegram", q, r))
      return;
    if (q.matches[1] != tg_token) {
      r.status = 401;
      r.set_content(R"({"ok":false,"error_code":401,"description":"Unauthorized"})",
                    "application/json");
      return;
    }
    if (q.has_param("offset")) { // confirms everything below it
      auto off = std::stoll(q.get_param_value("offset"));
      while (!updates_.empty() && updates_.front().first < off)
        updates_.pop_front();
    }
    json result = json::array();
    for (auto& [uid, m] : updates_) {
      json msg{{"message_id", m.message_id},
               {"from", {{"id", m.from_id}, {"is_bot", m.is_bot}, {"first_name", m.username},
                         {"username", m.username}}},
               {"chat", {{"id", m.chat_id}, {"type", "supergroup"}, {"title", "herald"}}},
               {"date", m.ts_ms / 1000},
               {"text", m.text}};
      if (m.text.rfind("@", 0) == 0)
        msg["entities"] = json::array({{{"type", "mention"}, {"offset", 0},
                                        {"length", m.text.find(' ')}}});
      if (m.reply_to_from != 0)
        msg["reply_to_message"] = {{"message_id", 1}, {"from", {{"id", m.reply_to_from}, {"is_bot", true}}}};
      if (m.kind == "message_reaction_count") // a channel post's reactions (count: from_id)
        msg = {{"chat", {{"id", m.chat_id}, {"type", "channel"}, {"username", m.username}}},
               {"message_id", m.message_id},
               {"date", m.ts_ms / 1000},
               {"reactions", json::array({{{"type", {{"type", "emoji"}, {"emoji", "👍"}}},
                                           {"total_count", m.from_id}}})}};
      result.push_back({{"update_id", uid}, {m.kind, msg}});
    }
    r.set_content(json{{"ok", true}, {"result", result}}.dump(), "application/json");
  }

  void discord(const httplib::Request& q, httplib::Response& r) {
    std::lock_guard<std::mutex> g{mtx_};
    if (fault("discord", q, r))
      return;
    if (q.get_header_value("Authorization").rfind("Bot ", 0) != 0) {
      r.status = 401;
      r.set_content(R"({"message":"401: Unauthorized","code":0})", "application/json");
      return;
    }
    // Discord answers exactly `limit` when it has them (default 50).
    std::size_t limit = q.has_param("limit") ? std::stoul(q.get_param_value("limit")) : 50;
    std::vector<dc_message> all;
    for (auto& m : dc_)
      if (m.channel_id == q.matches[1])
        all.push_back(m);
    std::sort(all.begin(), all.end(), [](auto& a, auto& b) { return id_less(a.id, b.id); });
    std::vector<dc_message> pick;
    if (q.has_param("after")) { // the oldest `limit` after it
      auto after = q.get_param_value("after");
      for (auto& m : all)
        if (id_less(after, m.id) && pick.size() < limit)
          pick.push_back(m);
    } else { // the newest `limit`
      for (auto i = all.size(); i > 0 && pick.size() < limit; --i)
        pick.push_back(all[i - 1]);
    }
    std::sort(pick.begin(), pick.end(), [](auto& a, auto& b) { return id_less(b.id, a.id); });
    json out = json::array();
    for (auto& m : pick) {
      json d{{"id", m.id}, {"channel_id", m.channel_id}, {"type", 0}, {"content", m.content},
             {"timestamp", iso(m.ts_ms)},
             {"author", {{"id", m.author_id}, {"username", m.username}, {"bot", m.bot}}},
             {"mentions", json::array()}};
      if (m.mentions_us)
        d["mentions"].push_back({{"id", "555"}, {"username", "herald"}});
      if (!m.replies_to_author.empty()) {
        d["message_reference"] = {{"message_id", "1"}};
        d["referenced_message"] = {{"id", "1"}, {"author", {{"id", m.replies_to_author}}}};
      }
      out.push_back(d);
    }
    r.set_header("X-RateLimit-Limit", "5");
    r.set_header("X-RateLimit-Remaining", "4");
    r.set_header("X-RateLimit-Reset-After", "1.5");
    r.set_content(out.dump(), "application/json");
  }

  httplib::Server srv_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mtx_;
  std::vector<mention> x_;
  std::deque<std::pair<std::int64_t, tg_message>> updates_;
  std::int64_t next_update_ = 100;
  std::vector<dc_message> dc_;
  std::map<std::string, std::deque<reply>> faults_;
  std::map<std::string, std::vector<std::string>> asked_;
  std::vector<sent_reply> replies_;
};

} // namespace herald::test
