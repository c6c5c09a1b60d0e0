#pragma once
// A local stand-in for the publishing services, speaking their wire formats
// (../shared/docs/external-apis.md): Telegram Bot API sendMessage/sendPhoto,
// Discord webhooks (?wait=true), X API v2 POST /2/tweets (duplicate text
// refused with 403, as X does), and a plain webhook receiver. Tests script
// faults per service (status, body, headers, delay) and read back what was
// received. What the analytics agent reads back is served too: X
// GET /2/tweets?ids= (public_metrics; deleted or unknown ids come back in
// `errors` as resource-not-found, service "x-metrics") and Discord GET
// /api/webhooks/{id}/{token}/messages/{id} (reactions; 404 Unknown Message
// when deleted, service "discord-read").

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace herald::test {

class publish_double {
public:
  struct reply {
    reply(int s = 0, std::string b = {}, httplib::Headers h = {}, int delay = 0)
      : status(s), body(std::move(b)), headers(std::move(h)), delay_ms(delay) {}
    int status;          ///< 0: the normal answer
    std::string body;
    httplib::Headers headers;
    int delay_ms;        ///< answer this late (client timeouts)
  };
  struct request {
    std::string service; ///< telegram / discord / x / webhook
    std::string path;
    std::string body;
    std::string content_type;
    httplib::Headers headers;
    std::map<std::string, std::string> fields; ///< multipart fields (content)
    int status = 0;                            ///< what was answered
  };

  explicit publish_double(std::string telegram_token = "T0KEN", std::string x_token = "XTOKEN")
    : tg_token_(std::move(telegram_token)), x_token_(std::move(x_token)) {
    srv_.Post(R"(/bot([^/]+)/(sendMessage|sendPhoto))",
              [this](const httplib::Request& q, httplib::Response& r) { telegram(q, r); });
    srv_.Post(R"(/api/webhooks/(\d+)/([^/]+))",
              [this](const httplib::Request& q, httplib::Response& r) { discord(q, r); });
    srv_.Post("/2/tweets", [this](const httplib::Request& q, httplib::Response& r) { x(q, r); });
    srv_.Post("/hook", [this](const httplib::Request& q, httplib::Response& r) { hook(q, r); });
    srv_.Get("/2/tweets", [this](const httplib::Request& q, httplib::Response& r) { x_read(q, r); });
    srv_.Get(R"(/api/webhooks/(\d+)/([^/]+)/messages/(\d+))",
             [this](const httplib::Request& q, httplib::Response& r) { discord_read(q, r); });
    port_ = srv_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { srv_.listen_after_bind(); });
    while (!srv_.is_running()) // listen_after_bind has not started yet
      std::this_thread::yield();
  }
  ~publish_double() {
    srv_.stop();
    thread_.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  /// The next requests to `service` get these replies, in order.
  void script(const std::string& service, std::vector<reply> rs) {
    std::lock_guard<std::mutex> g{mtx_};
    for (auto& r : rs)
      faults_[service].push_back(std::move(r));
  }

  std::vector<request> received(const std::string& service = "") const {
    std::lock_guard<std::mutex> g{mtx_};
    std::vector<request> out;
    for (auto& r : log_)
      if (service.empty() || r.service == service)
        out.push_back(r);
    return out;
  }

  /// Waits until `n` requests reached `service` (false after the deadline).
  bool wait_for(const std::string& service, std::size_t n, std::chrono::seconds deadline) {
    std::unique_lock<std::mutex> lk{mtx_};
    return cv_.wait_for(lk, deadline, [&] {
      std::size_t k = 0;
      for (auto& r : log_)
        k += r.service == service;
      return k >= n;
    });
  }

  /// The public_metrics X reports for tweet `id` (default: every count 1,
  /// impression_count 100).
  void set_x_metrics(const std::string& id, nlohmann::json public_metrics) {
    std::lock_guard<std::mutex> g{mtx_};
    x_metrics_[id] = std::move(public_metrics);
  }
  /// The reactions Discord reports for message `id` (default: 2 "👍").
  void set_discord_reactions(const std::string& id, int count) {
    std::lock_guard<std::mutex> g{mtx_};
    dc_reactions_[id] = count;
  }
  /// Deletes a created tweet or Discord message: reads answer "not found".
  void remove(const std::string& id) {
    std::lock_guard<std::mutex> g{mtx_};
    deleted_.insert(id);
  }
  /// Ids created on `service` ("x", "discord"), in order.
  std::vector<std::string> created(const std::string& service) const {
    std::lock_guard<std::mutex> g{mtx_};
    auto it = created_.find(service);
    return it == created_.end() ? std::vector<std::string>{} : it->second;
  }

private:
  using json = nlohmann::json;

  void x_read(const httplib::Request& q, httplib::Response& res) {
    std::size_t idx = 0;
    if (take("x-metrics", q, res, idx))
      return;
    {
      std::lock_guard<std::mutex> g{mtx_};
      log_[idx].body = q.get_param_value("ids");
    }
    if (q.get_header_value("Authorization") != "Bearer " + x_token_) {
      res.status = 401;
      res.set_content(R"({"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"})",
                      "application/json");
      return answered(idx, 401);
    }
    auto ids = q.get_param_value("ids");
    std::vector<std::string> list;
    for (std::size_t a = 0; a <= ids.size();) {
      auto b = ids.find(',', a);
      list.push_back(ids.substr(a, b == std::string::npos ? std::string::npos : b - a));
      if (b == std::string::npos)
        break;
      a = b + 1;
    }
    if (list.size() > 100) {
      res.status = 400;
      res.set_content(R"({"errors":[{"parameters":{"ids":[]},"message":"The number of values in the `ids` query parameter list [101] is not between 1 and 100"}],"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.twitter.com/2/problems/invalid-request"})",
                      "application/json");
      return answered(idx, 400);
    }
    json data = json::array(), errors = json::array();
    {
      std::lock_guard<std::mutex> g{mtx_};
      auto& made = created_["x"];
      for (auto& id : list) {
        bool known = std::find(made.begin(), made.end(), id) != made.end();
        if (!known || deleted_.count(id)) {
          errors.push_back({{"value", id},
                            {"detail", "Could not find tweet with ids: [" + id + "]."},
                            {"title", "Not Found Error"},
                            {"resource_type", "tweet"},
                            {"parameter", "ids"},
                            {"resource_id", id},
                            {"type", "https://api.twitter.com/2/problems/resource-not-found"}});
          continue;
        }
        auto m = x_metrics_.count(id) ? x_metrics_[id]
                                      : json{{"retweet_count", 1}, {"reply_count", 1},
                                             {"like_count", 1}, {"quote_count", 1},
                                             {"bookmark_count", 1}, {"impression_count", 100}};
        data.push_back({{"id", id}, {"created_at", "2026-12-07T10:00:00.000Z"},
                        {"edit_history_tweet_ids", {id}}, {"text", "..."},
                        {"public_metrics", m}});
      }
    }
    json body = json::object();
    if (!data.empty())
      body["data"] = data;
    if (!errors.empty())
      body["errors"] = errors;
    res.set_header("x-rate-limit-limit", "300");
    res.set_header("x-rate-limit-remaining", "299");
    res.set_content(body.dump(), "application/json");
    answered(idx, 200);
  }

  void discord_read(const httplib::Request& q, httplib::Response& res) {
    std::size_t idx = 0;
    if (take("discord-read", q, res, idx))
      return;
    std::string id = q.matches[3];
    std::lock_guard<std::mutex> g{mtx_};
    auto& made = created_["discord"];
    if (std::find(made.begin(), made.end(), id) == made.end() || deleted_.count(id)) {
      res.status = 404;
      res.set_content(R"({"message": "Unknown Message", "code": 10008})", "application/json");
      log_[idx].status = 404;
      return;
    }
    int n = dc_reactions_.count(id) ? dc_reactions_[id] : 2;
    json msg{{"id", id}, {"type", 0}, {"content", ""}, {"channel_id", "1"},
             {"webhook_id", std::string{q.matches[1]}},
             {"timestamp", "2017-07-11T17:27:07.299000+00:00"},
             {"reactions", json::array({{{"count", n},
                                         {"count_details", {{"burst", 0}, {"normal", n}}},
                                         {"me", false}, {"me_burst", false},
                                         {"emoji", {{"id", nullptr}, {"name", "👍"}}},
                                         {"burst_colors", json::array()}}})}};
    res.set_content(msg.dump(), "application/json");
    log_[idx].status = 200;
  }

  /// Records the request; a scripted fault answers it (true) or not.
  bool take(const std::string& service, const httplib::Request& q, httplib::Response& res,
            std::size_t& idx) {
    request r{service, q.path, q.body, q.get_header_value("Content-Type"), q.headers, {}, 0};
    for (auto& [name, f] : q.files)
      r.fields[name] = f.content;
    reply f;
    bool scripted = false;
    {
      std::lock_guard<std::mutex> g{mtx_};
      auto& queue = faults_[service];
      if (!queue.empty()) {
        f = queue.front();
        queue.pop_front();
        scripted = f.status != 0 || f.delay_ms > 0;
      }
    }
    if (f.delay_ms > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds{f.delay_ms});
    if (scripted && f.status != 0) {
      res.status = f.status;
      for (auto& [k, v] : f.headers)
        res.set_header(k, v);
      res.set_content(f.body, "application/json");
      r.status = f.status;
    }
    std::lock_guard<std::mutex> g{mtx_};
    log_.push_back(std::move(r));
    idx = log_.size() - 1;
    cv_.notify_all();
    return scripted && f.status != 0;
  }

  void answered(std::size_t idx, int status) {
    std::lock_guard<std::mutex> g{mtx_};
    log_[idx].status = status;
  }

  void telegram(const httplib::Request& q, httplib::Response& res) {
    std::size_t idx = 0;
    if (take("telegram", q, res, idx))
      return;
    if (q.matches[1] != tg_token_) {
      res.status = 401;
      res.set_content(R"({"ok":false,"error_code":401,"description":"Unauthorized"})",
                      "application/json");
      return answered(idx, 401);
    }
    json chat, text;
    if (q.matches[2] == "sendMessage") {
      auto j = json::parse(q.body, nullptr, false);
      if (!j.is_object() || !j.contains("chat_id") || !j.contains("text")) {
        res.status = 400;
        res.set_content(R"({"ok":false,"error_code":400,"description":"Bad Request: message text is empty"})",
                        "application/json");
        return answered(idx, 400);
      }
      chat = j["chat_id"];
      text = j["text"];
    } else {
      if (!q.has_file("photo") || !q.has_file("chat_id")) {
        res.status = 400;
        res.set_content(R"({"ok":false,"error_code":400,"description":"Bad Request: there is no photo in the request"})",
                        "application/json");
        return answered(idx, 400);
      }
      chat = q.get_file_value("chat_id").content;
      text = q.has_file("caption") ? q.get_file_value("caption").content : "";
    }
    auto id = ++next_id_;
    json reply{{"ok", true},
               {"result",
                {{"message_id", id}, {"chat", {{"id", -1001}, {"type", "channel"}}},
                 {"date", 1746268800}, {"text", text}}}};
    res.set_content(reply.dump(), "application/json");
    answered(idx, 200);
  }

  void discord(const httplib::Request& q, httplib::Response& res) {
    std::size_t idx = 0;
    if (take("discord", q, res, idx))
      return;
    if (!q.has_param("wait") || q.get_param_value("wait") != "true") {
      res.status = 204;
      return answered(idx, 204);
    }
    auto id = std::to_string(334385199974967042ULL + ++next_id_);
    {
      std::lock_guard<std::mutex> g{mtx_};
      created_["discord"].push_back(id);
    }
    json msg{{"id", id}, {"type", 0}, {"content", ""}, {"channel_id", "1"},
             {"timestamp", "2017-07-11T17:27:07.299000+00:00"}};
    res.set_content(msg.dump(), "application/json");
    answered(idx, 200);
  }

  void x(const httplib::Request& q, httplib::Response& res) {
    std::size_t idx = 0;
    if (take("x", q, res, idx))
      return;
    if (q.get_header_value("Authorization") != "Bearer " + x_token_) {
      res.status = 401;
      res.set_content(R"({"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"})",
                      "application/json");
      return answered(idx, 401);
    }
    auto j = json::parse(q.body, nullptr, false);
    auto text = j.is_object() ? j.value("text", "") : "";
    std::lock_guard<std::mutex> g{tweets_mtx_};
    if (!tweets_.insert(text).second) {
      res.status = 403;
      res.set_content(R"({"detail":"You are not allowed to create a Tweet with duplicate content.","type":"about:blank","title":"Forbidden","status":403})",
                      "application/json");
      return answered(idx, 403);
    }
    auto id = std::to_string(1445880548472328192ULL + ++next_id_);
    {
      std::lock_guard<std::mutex> g2{mtx_};
      created_["x"].push_back(id);
    }
    res.status = 201;
    res.set_content(json{{"data", {{"id", id}, {"text", text}}}}.dump(), "application/json");
    answered(idx, 201);
  }

  void hook(const httplib::Request& q, httplib::Response& res) {
    std::size_t idx = 0;
    if (take("webhook", q, res, idx))
      return;
    res.status = 200;
    res.set_content("ok", "text/plain");
    answered(idx, 200);
  }

  std::string tg_token_, x_token_;
  httplib::Server srv_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  std::map<std::string, std::deque<reply>> faults_;
  std::vector<request> log_;
  std::mutex tweets_mtx_;
  std::set<std::string> tweets_;
  std::atomic<std::uint64_t> next_id_{41};
  std::map<std::string, std::vector<std::string>> created_;
  std::map<std::string, json> x_metrics_;
  std::map<std::string, int> dc_reactions_;
  std::set<std::string> deleted_;
};

/// What a request to a double carried, to tell pieces apart: the text,
/// caption or content.
inline std::string text_of(const publish_double::request& r) {
  if (r.path.find("sendPhoto") != std::string::npos) {
    auto c = r.fields.find("caption");
    return c == r.fields.end() ? "" : c->second;
  }
  if (!r.fields.empty()) { // Discord with a file: the JSON part
    auto c = r.fields.find("payload_json");
    if (c != r.fields.end())
      return c->second;
  }
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (!j.is_object())
    return r.body;
  for (auto key : {"text", "content"})
    if (j.contains(key) && j[key].is_string())
      return j[key].get<std::string>();
  return r.body; // the webhook's JSON document
}

/// Whether a request made a post: not a read of the analytics ("x-metrics",
/// "discord-read"), and not a resend X refused as duplicate content (403),
/// which leaves one post.
inline bool made_a_post(const publish_double::request& r) {
  return r.service != "x-metrics" && r.service != "discord-read"
         && !(r.service == "x" && r.status == 403);
}

/// `herald node` options that send every channel (Telegram, Discord, X, a
/// webhook) to `remote`, unthrottled, and a 3 s publisher lease; sets the
/// channel secrets in the environment the nodes inherit.
inline std::vector<std::string> cluster_channel_args(const publish_double& remote) {
  ::setenv("HERALD_TELEGRAM_TOKEN", "T0KEN", 1);
  ::setenv("HERALD_X_TOKEN", "XTOKEN", 1);
  ::setenv("HERALD_DISCORD_WEBHOOK", "/api/webhooks/1/abc", 1);
  ::setenv("HERALD_WEBHOOK_SECRET", "s3cret", 1);
  // A 30 s stop: five nodes and PostgreSQL share two cores here, and a
  // loaded data node's last flush outlasts the default 10 s.
  std::vector<std::string> args{"--scanner.speed=3000", "--cluster.lease-ttl=3s",
                                "--cluster.lease-renewal=1s", "--publish.articles.enabled=false",
                                "--herald.shutdown-grace=30s"};
  for (std::string ch : {"telegram", "discord", "x", "webhook"}) {
    auto p = "--publish." + ch + ".";
    args.insert(args.end(), {p + "enabled=true", p + "per-hour=0", p + "per-day=0",
                             p + "rate-per-minute=100000", p + "burst=1000", p + "timeout=10s"});
    args.push_back(p + "url=" + remote.url() + (ch == "webhook" ? "/hook" : ""));
  }
  args.push_back("--publish.telegram.chat-id=@herald");
  return args;
}

} // namespace herald::test
