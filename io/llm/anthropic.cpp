#include "io/llm/anthropic.hpp"

#include <chrono>

#include <httplib.h>

#include "io/http/deadline.hpp"
#include <nlohmann/json.hpp>

#include "content/briefing.hpp"

namespace herald::io::llm {

using json = nlohmann::json;

content::llm_writer make_anthropic_writer(anthropic_options o) {
  return [o](const std::string& type, const std::string& channel, const content::facts& f,
             std::size_t limit, std::string* error) -> std::optional<std::string> {
    auto fail = [&](std::string why) -> std::optional<std::string> {
      if (error)
        *error = std::move(why);
      return std::nullopt;
    };
    std::string system =
      "You write " + type + " posts for a crypto market research channel on " + channel
      + ". Use only the facts given as JSON. Do not state any number that is not one of the "
        "facts' values, written as given. Plain text, no hashtags, no advice to buy or sell."
      + (limit > 0 ? " At most " + std::to_string(limit) + " characters." : "");
    json body{{"model", o.model},
              {"max_tokens", o.max_tokens},
              {"system", system},
              {"messages",
               json::array({{{"role", "user"},
                             {"content", "Facts: " + content::facts_to_json(f)
                                           + "\nWrite the post."}}})}};
    httplib::Client cli{o.http.base_url};
    auto t = std::chrono::milliseconds{o.http.timeout_ms};
    cli.set_connection_timeout(t);
    cli.set_read_timeout(t);
    cli.set_write_timeout(t);
    httplib::Headers headers{{"x-api-key", o.api_key}, {"anthropic-version", "2023-06-01"}};
    io::http::request_deadline deadline{cli, t}; // for the whole request, not per read
    auto res = cli.Post("/v1/messages", headers, body.dump(), "application/json");
    deadline.finish();
    if (!res)
      return fail("anthropic: no reply from " + o.http.base_url + " ("
                  + (deadline.expired() ? "no complete reply within " + std::to_string(o.http.timeout_ms) + " ms"
                                        : httplib::to_string(res.error()))
                  + ")");
    auto j = json::parse(res->body, nullptr, false);
    try {
    if (res->status != 200) {
      std::string kind, message;
      if (j.is_object() && j.contains("error") && j["error"].is_object()) {
        kind = j["error"].value("type", "");
        message = j["error"].value("message", "");
      }
      auto rid = res->get_header_value("request-id");
      return fail("anthropic: HTTP " + std::to_string(res->status) + " " + kind
                  + (message.empty() ? "" : ": " + message)
                  + (rid.empty() ? "" : " (request-id " + rid + ")"));
    }
    if (!j.is_object() || !j.contains("content") || !j["content"].is_array())
      return fail("anthropic: unexpected reply " + res->body.substr(0, 200));
    std::string text;
    for (auto& block : j["content"])
      if (block.is_object() && block.value("type", "") == "text")
        text += block.value("text", "");
    if (j.value("stop_reason", "") == "max_tokens")
      return fail("anthropic: the answer was cut at max_tokens");
    if (text.empty())
      return fail("anthropic: the answer has no text");
    return text;
    } catch (const json::exception& e) { // a field of an unexpected type
      return fail("anthropic: unexpected reply (" + std::string{e.what()} + ")");
    }
  };
}

} // namespace herald::io::llm
