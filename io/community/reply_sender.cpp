#include "io/community/reply_sender.hpp"

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
using herald::community::send_result;
using status = send_result::status;

send_result post(const reply_sender_options& o, const std::string& platform,
                 const std::string& path, const httplib::Headers& headers, const json& body,
                 const std::function<std::string(const json&)>& id_of) {
  send_result out;
  httplib::Client c{o.base_url};
  auto t = std::chrono::milliseconds{o.timeout_ms};
  c.set_connection_timeout(t);
  c.set_read_timeout(t);
  c.set_write_timeout(t);
  io::http::request_deadline deadline{c, t};
  auto res = c.Post(path.c_str(), headers, body.dump(), "application/json");
  deadline.finish();
  if (!res) {
    // Refused before anything was sent: nothing reached the platform.
    // Otherwise the request may have reached it: the reply may exist.
    out.st = res.error() == httplib::Error::Connection ? status::retry : status::unknown;
    out.error = platform + ": no answer (" + httplib::to_string(res.error()) + ")";
    return out;
  }
  auto code = res->status;
  auto j = json::parse(res->body, nullptr, false);
  if (code >= 200 && code < 300) {
    auto id = j.is_discarded() ? std::string{} : id_of(j);
    if (id.empty()) {
      out.st = status::unknown;
      out.error = platform + ": HTTP " + std::to_string(code) + " without the reply's id: "
                  + text::one_line(res->body, 200);
      return out;
    }
    out.st = status::sent;
    out.remote_id = id;
    return out;
  }
  out.error = platform + ": HTTP " + std::to_string(code) + " " + text::one_line(res->body, 200);
  if (code == 429 || code >= 500) {
    out.st = status::retry;
    double secs = 0;
    if (res->has_header("Retry-After"))
      secs = std::atof(res->get_header_value("Retry-After").c_str());
    else if (j.is_object() && j.contains("parameters") && j["parameters"].is_object())
      secs = j["parameters"].value("retry_after", 0.0);
    else if (j.is_object() && j.contains("retry_after") && j["retry_after"].is_number())
      secs = j["retry_after"].get<double>();
    out.retry_after_ms = static_cast<std::int64_t>(std::ceil(std::max(0.0, secs) * 1000));
    return out;
  }
  out.st = status::failed;
  return out;
}

std::string id_string(const json& v) {
  if (v.is_string())
    return v.get<std::string>();
  if (v.is_number_integer())
    return std::to_string(v.get<std::int64_t>());
  return "";
}

} // namespace

herald::community::send_fn reply_sender(const std::string& platform, reply_sender_options o) {
  while (!o.base_url.empty() && o.base_url.back() == '/')
    o.base_url.pop_back();
  if (platform == "x")
    return [o](const db::reply_row& r) {
      json body{{"text", r.text}, {"reply", {{"in_reply_to_tweet_id", r.in_reply_to}}}};
      auto res = post(o, "x", "/2/tweets", {{"Authorization", "Bearer " + o.token}}, body,
                      [](const json& j) {
                        return j.contains("data") && j["data"].is_object()
                                 ? id_string(j["data"].value("id", json{}))
                                 : std::string{};
                      });
      // X refuses a duplicate: the same reply exists already (sent before a
      // crash), so it is not sent again.
      if (res.st == status::failed && res.error.find("HTTP 403") != std::string::npos
          && res.error.find("duplicate") != std::string::npos) {
        res.st = status::sent;
        res.remote_id = "duplicate";
      }
      return res;
    };
  if (platform == "telegram")
    return [o](const db::reply_row& r) {
      // "chat:message" (the listener's id form).
      auto colon = r.in_reply_to.rfind(':');
      auto chat = r.in_reply_to.substr(0, colon);
      auto mid = colon == std::string::npos ? std::string{} : r.in_reply_to.substr(colon + 1);
      json body{{"chat_id", std::atoll(chat.c_str())}, {"text", r.text},
                {"reply_to_message_id", std::atoll(mid.c_str())},
                {"allow_sending_without_reply", true}};
      return post(o, "telegram", "/bot" + o.token + "/sendMessage", {}, body, [](const json& j) {
        return j.value("ok", false) && j.contains("result") && j["result"].is_object()
                 ? id_string(j["result"].value("message_id", json{}))
                 : std::string{};
      });
    };
  return [o](const db::reply_row& r) {
    json body{{"content", r.text},
              {"message_reference", {{"message_id", r.in_reply_to}, {"fail_if_not_exists", false}}},
              {"allowed_mentions", {{"parse", json::array()}, {"replied_user", false}}}};
    return post(o, "discord", "/api/v10/channels/" + r.conversation_id + "/messages",
                {{"Authorization", "Bot " + o.token}}, body,
                [](const json& j) { return id_string(j.value("id", json{})); });
  };
}

} // namespace herald::io::community
