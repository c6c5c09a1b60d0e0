// The HTTP channels: Telegram, Discord, X and signed webhooks (wire formats
// in ../shared/docs/external-apis.md). One attempt per call; status codes are
// classified here, retries happen in the channel agent.

#include <chrono>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include <httplib.h>

#include "io/http/deadline.hpp"
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "content/channel.hpp"
#include "io/publish/publisher.hpp"
#include "market/interval.hpp"

namespace herald::io::publish {

using json = nlohmann::json;

std::string hmac_sha256_hex(const std::string& key, const std::string& body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += hex[mac[i] >> 4];
    out += hex[mac[i] & 15];
  }
  return out;
}

std::pair<std::string, std::string> split_url(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos || url.size() == scheme + 3)
    throw std::invalid_argument{"not an http(s) URL: '" + url + "'"};
  auto s = url.substr(0, scheme);
  if (s != "http" && s != "https")
    throw std::invalid_argument{"not an http(s) URL: '" + url + "'"};
  auto slash = url.find('/', scheme + 3);
  if (slash == std::string::npos)
    return {url, "/"};
  return {url.substr(0, slash), url.substr(slash)};
}

namespace {

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::unique_ptr<httplib::Client> client(const http_options& o) {
  auto c = std::make_unique<httplib::Client>(o.base_url);
  auto t = std::chrono::milliseconds{o.timeout_ms};
  c->set_connection_timeout(t);
  c->set_read_timeout(t);
  c->set_write_timeout(t);
  return c;
}

/// Runs one request under a deadline for the whole of it (the client's own
/// timeouts are per read: a trickling server would hold the channel agent).
template <class F>
httplib::Result bounded(httplib::Client& c, int timeout_ms, F call) {
  io::http::request_deadline deadline{c, std::chrono::milliseconds{timeout_ms}};
  auto res = call();
  deadline.finish();
  return res;
}

/// The first 300 bytes of a body, one line, for error messages.
std::string excerpt(const std::string& body) {
  auto s = body.substr(0, 300);
  for (auto& c : s)
    if (c == '\n' || c == '\r')
      c = ' ';
  return s;
}

/// Common classification of one HTTP exchange; `ok` set for 2xx.
delivery classify(const char* channel, const httplib::Result& res, const std::string& base,
                  bool& ok) {
  delivery d;
  ok = false;
  if (!res) {
    d.st = delivery::status::retry;
    d.error = std::string{channel} + ": no reply from " + base + " ("
              + httplib::to_string(res.error()) + ")";
    return d;
  }
  auto code = res->status;
  if (code >= 200 && code < 300) {
    ok = true;
    d.st = delivery::status::ok;
    return d;
  }
  d.error = std::string{channel} + ": HTTP " + std::to_string(code) + " " + excerpt(res->body);
  if (code == 429 || code >= 500) {
    d.st = delivery::status::retry;
    // Retry-After in seconds (may be fractional); services differ in where
    // they say it, each adapter refines this.
    if (res->has_header("Retry-After")) {
      auto secs = std::atof(res->get_header_value("Retry-After").c_str());
      if (secs >= 0)
        d.retry_after_ms = static_cast<std::int64_t>(std::ceil(secs * 1000));
    }
    return d;
  }
  d.st = delivery::status::failed;
  return d;
}

std::string iso8601(std::int64_t ms) {
  auto s = market::format_utc(ms); // "2023-11-14 22:13:20"
  if (s.size() >= 19)
    s = s.substr(0, 10) + "T" + s.substr(11, 8);
  return s + "Z";
}

// -- Telegram -------------------------------------------------------------------

class telegram final : public publisher {
public:
  explicit telegram(telegram_options o) : o_(std::move(o)) {}
  content::channel ch() const override { return content::channel::telegram; }
  bool resend_is_safe() const override { return false; }

  delivery publish(const outbound& m) override {
    delivery d;
    d.parts_done = m.first_part;
    d.last_id = m.reply_to;
    auto cli = client(o_.http);
    for (auto i = m.first_part; i < m.parts.size(); ++i) {
      auto& text = m.parts[i];
      httplib::Result res{nullptr, httplib::Error::Unknown};
      bool photo = i == 0 && !m.chart_png.empty()
                   && content::utf8_length(text) <= content::caption_limit(content::channel::telegram);
      if (photo) {
        httplib::MultipartFormDataItems items{{"chat_id", o_.chat_id, "", ""},
                                              {"caption", text, "", ""},
                                              {"photo", m.chart_png, "chart.png", "image/png"}};
        res = bounded(*cli, o_.http.timeout_ms, [&] {
          return cli->Post(("/bot" + o_.token + "/sendPhoto").c_str(), items);
        });
      } else {
        json body{{"chat_id", chat_id()}, {"text", text}};
        if (!d.last_id.empty()
            && d.last_id.find_first_not_of("0123456789") == std::string::npos)
          body["reply_to_message_id"] = std::stoll(d.last_id);
        res = bounded(*cli, o_.http.timeout_ms, [&] {
          return cli->Post(("/bot" + o_.token + "/sendMessage").c_str(), body.dump(),
                           "application/json");
        });
      }
      bool ok = false;
      auto one = classify("telegram", res, o_.http.base_url, ok);
      // the Bot API puts the wait into the body: parameters.retry_after (s)
      if (res) {
        auto j = json::parse(res->body, nullptr, false);
        if (!ok && j.is_object()) {
          if (j.contains("description") && j["description"].is_string())
            one.error = "telegram: HTTP " + std::to_string(res->status) + " "
                        + j["description"].get<std::string>();
          auto p = j.find("parameters");
          if (p != j.end() && p->is_object() && p->contains("retry_after")
              && (*p)["retry_after"].is_number())
            one.retry_after_ms = static_cast<std::int64_t>((*p)["retry_after"].get<double>() * 1000);
        }
        if (ok) {
          if (!j.is_object() || !j.value("ok", false) || !j.contains("result")
              || !j["result"].is_object() || !j["result"].contains("message_id")
              || !j["result"]["message_id"].is_number_integer()) {
            one.st = delivery::status::retry;
            one.error = "telegram: unexpected reply " + excerpt(res->body);
            ok = false;
          } else
            d.last_id = std::to_string(j["result"]["message_id"].get<long long>());
        }
      }
      if (!ok) {
        one.parts_done = d.parts_done;
        one.last_id = d.last_id;
        return one;
      }
      ++d.parts_done;
    }
    d.st = delivery::status::ok;
    d.remote_id = d.last_id;
    if (!o_.chat_id.empty() && o_.chat_id[0] == '@')
      d.url = "https://t.me/" + o_.chat_id.substr(1) + "/" + d.remote_id;
    return d;
  }

private:
  json chat_id() const {
    bool numeric = !o_.chat_id.empty()
                   && o_.chat_id.find_first_not_of("-0123456789") == std::string::npos;
    return numeric ? json(std::stoll(o_.chat_id)) : json(o_.chat_id);
  }
  telegram_options o_;
};

// -- Discord --------------------------------------------------------------------

class discord final : public publisher {
public:
  explicit discord(discord_options o) : o_(std::move(o)) {}
  content::channel ch() const override { return content::channel::discord; }
  bool resend_is_safe() const override { return false; }

  delivery publish(const outbound& m) override {
    delivery d;
    d.parts_done = m.first_part;
    auto cli = client(o_.http);
    auto path = o_.webhook_path + "?wait=true";
    for (auto i = m.first_part; i < m.parts.size(); ++i) {
      json embed{{"title", m.title}, {"description", m.parts[i]}, {"timestamp", iso8601(m.at)},
                 {"color", m.type == "alert" ? 0x2ab785 : 0x6699f2}};
      bool with_chart = i == 0 && !m.chart_png.empty();
      if (with_chart)
        embed["image"] = {{"url", "attachment://chart.png"}};
      json payload{{"username", o_.username}, {"embeds", json::array({embed})}};
      httplib::Result res{nullptr, httplib::Error::Unknown};
      if (with_chart) {
        payload["attachments"] = json::array({{{"id", 0}, {"filename", "chart.png"}}});
        httplib::MultipartFormDataItems items{
          {"payload_json", payload.dump(), "", "application/json"},
          {"files[0]", m.chart_png, "chart.png", "image/png"}};
        res = bounded(*cli, o_.http.timeout_ms, [&] { return cli->Post(path.c_str(), items); });
      } else
        res = bounded(*cli, o_.http.timeout_ms, [&] {
          return cli->Post(path.c_str(), payload.dump(), "application/json");
        });
      bool ok = false;
      auto one = classify("discord", res, o_.http.base_url, ok);
      if (res) {
        auto j = json::parse(res->body, nullptr, false);
        if (!ok && j.is_object() && j.contains("retry_after") && j["retry_after"].is_number())
          one.retry_after_ms = static_cast<std::int64_t>(std::ceil(j["retry_after"].get<double>() * 1000));
        if (ok) {
          if (j.is_object() && j.contains("id") && j["id"].is_string())
            d.last_id = j["id"].get<std::string>();
          else {
            one.st = delivery::status::retry;
            one.error = "discord: unexpected reply " + excerpt(res->body);
            ok = false;
          }
        }
      }
      if (!ok) {
        one.parts_done = d.parts_done;
        one.last_id = d.last_id;
        return one;
      }
      ++d.parts_done;
    }
    d.st = delivery::status::ok;
    d.remote_id = d.last_id;
    return d;
  }

private:
  discord_options o_;
};

// -- X ----------------------------------------------------------------------------

class x_api final : public publisher {
public:
  explicit x_api(x_options o) : o_(std::move(o)) {}
  content::channel ch() const override { return content::channel::x; }
  bool resend_is_safe() const override { return true; } // duplicates are refused

  delivery publish(const outbound& m) override {
    delivery d;
    d.parts_done = m.first_part;
    d.last_id = m.reply_to;
    auto cli = client(o_.http);
    httplib::Headers headers{{"Authorization", "Bearer " + o_.token}};
    for (auto i = m.first_part; i < m.parts.size(); ++i) {
      json body{{"text", m.parts[i]}};
      if (!d.last_id.empty())
        body["reply"] = {{"in_reply_to_tweet_id", d.last_id}};
      auto res = bounded(*cli, o_.http.timeout_ms, [&] {
        return cli->Post("/2/tweets", headers, body.dump(), "application/json");
      });
      bool ok = false;
      auto one = classify("x", res, o_.http.base_url, ok);
      if (res) {
        auto j = json::parse(res->body, nullptr, false);
        if (!ok && res->status == 429 && res->has_header("x-rate-limit-reset")) {
          auto reset = std::atoll(res->get_header_value("x-rate-limit-reset").c_str()) * 1000;
          one.retry_after_ms = std::max<std::int64_t>(0, reset - now_ms());
        }
        if (!ok && res->status == 403 && res->body.find("duplicate") != std::string::npos) {
          // Already posted (a resend after a crash): the remote has it.
          d.duplicate = true;
          ++d.parts_done;
          continue;
        }
        if (ok) {
          if (j.is_object() && j.contains("data") && j["data"].is_object()
              && j["data"].contains("id") && j["data"]["id"].is_string())
            d.last_id = j["data"]["id"].get<std::string>();
          else {
            one.st = delivery::status::retry;
            one.error = "x: unexpected reply " + excerpt(res->body);
            ok = false;
          }
        }
      }
      if (!ok) {
        one.parts_done = d.parts_done;
        one.last_id = d.last_id;
        return one;
      }
      ++d.parts_done;
    }
    d.st = delivery::status::ok;
    d.remote_id = d.last_id.empty() ? std::string{"duplicate"} : d.last_id;
    if (!d.last_id.empty())
      d.url = "https://x.com/i/web/status/" + d.last_id;
    return d;
  }

private:
  x_options o_;
};

// -- signed webhook --------------------------------------------------------------

std::string base64(const std::string& in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  auto n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                           reinterpret_cast<const unsigned char*>(in.data()),
                           static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

class webhook final : public publisher {
public:
  explicit webhook(webhook_options o) : o_(std::move(o)) {}
  content::channel ch() const override { return content::channel::webhook; }
  bool resend_is_safe() const override { return true; } // X-Herald-Delivery dedupes

  delivery publish(const outbound& m) override {
    json body{{"id", m.id},       {"piece", m.piece},   {"type", m.type},
              {"title", m.title}, {"parts", m.parts},   {"markdown", m.markdown},
              {"published_at", m.at}};
    if (!m.chart_png.empty())
      body["chart_png_base64"] = base64(m.chart_png);
    auto text = body.dump();
    httplib::Headers headers{{"X-Herald-Delivery", m.id}};
    if (!o_.secret.empty())
      headers.emplace("X-Herald-Signature", "sha256=" + hmac_sha256_hex(o_.secret, text));
    auto cli = client(o_.http);
    auto res = bounded(*cli, o_.http.timeout_ms, [&] {
      return cli->Post(o_.path.c_str(), headers, text, "application/json");
    });
    bool ok = false;
    auto d = classify("webhook", res, o_.http.base_url, ok);
    if (ok) {
      d.parts_done = m.parts.size();
      d.remote_id = m.id;
    }
    return d;
  }

private:
  webhook_options o_;
};

} // namespace

std::unique_ptr<publisher> make_telegram(telegram_options o) {
  return std::make_unique<telegram>(std::move(o));
}
std::unique_ptr<publisher> make_discord(discord_options o) {
  return std::make_unique<discord>(std::move(o));
}
std::unique_ptr<publisher> make_x(x_options o) { return std::make_unique<x_api>(std::move(o)); }
std::unique_ptr<publisher> make_webhook(webhook_options o) {
  return std::make_unique<webhook>(std::move(o));
}

} // namespace herald::io::publish
