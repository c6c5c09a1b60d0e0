#pragma once
// A local stand-in for the publishing services, speaking their wire formats
// (../shared/docs/external-apis.md): Telegram Bot API sendMessage/sendPhoto,
// Discord webhooks (?wait=true), X API v2 POST /2/tweets (duplicate text
// refused with 403, as X does), and a plain webhook receiver. Tests script
// faults per service (status, body, headers, delay) and read back what was
// received.

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

private:
  using json = nlohmann::json;

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

/// `herald node` options that send every channel (Telegram, Discord, X, a
/// webhook) to `remote`, unthrottled, and a 3 s publisher lease; sets the
/// channel secrets in the environment the nodes inherit.
inline std::vector<std::string> cluster_channel_args(const publish_double& remote) {
  ::setenv("HERALD_TELEGRAM_TOKEN", "T0KEN", 1);
  ::setenv("HERALD_X_TOKEN", "XTOKEN", 1);
  ::setenv("HERALD_DISCORD_WEBHOOK", "/api/webhooks/1/abc", 1);
  ::setenv("HERALD_WEBHOOK_SECRET", "s3cret", 1);
  std::vector<std::string> args{"--scanner.speed=3000", "--cluster.lease-ttl=3s",
                                "--cluster.lease-renewal=1s", "--publish.articles.enabled=false"};
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
