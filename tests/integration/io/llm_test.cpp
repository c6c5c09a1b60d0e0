// The LLM writer against a local server speaking the Anthropic Messages API:
// a good answer is used; one that is too long, invents a number, or does not
// come (529 overloaded, timeout) leaves the template in charge.
#include <catch2/catch.hpp>

#include <mutex>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "content/creator.hpp"
#include "io/llm/anthropic.hpp"
#include "support/trickle_server.hpp"

#include <future>

using namespace herald;
using json = nlohmann::json;

namespace {

class messages_double {
public:
  messages_double() {
    srv_.Post("/v1/messages", [this](const httplib::Request& q, httplib::Response& r) {
      std::string text;
      int status = 200, delay = 0;
      {
        std::lock_guard<std::mutex> g{mtx_};
        last_ = q.body;
        key_ = q.get_header_value("x-api-key");
        version_ = q.get_header_value("anthropic-version");
        text = text_;
        status = status_;
        delay = delay_ms_;
      }
      if (delay > 0)
        std::this_thread::sleep_for(std::chrono::milliseconds{delay});
      r.set_header("request-id", "req_0123");
      r.status = status;
      if (status == 200)
        r.set_content(json{{"id", "msg_01"},
                           {"type", "message"},
                           {"role", "assistant"},
                           {"model", "claude-test"},
                           {"content", json::array({{{"type", "text"}, {"text", text}}})},
                           {"stop_reason", "end_turn"},
                           {"usage", {{"input_tokens", 10}, {"output_tokens", 30}}}}
                        .dump(),
                      "application/json");
      else
        r.set_content(json{{"type", "error"},
                           {"error", {{"type", "overloaded_error"}, {"message", "Overloaded"}}}}
                        .dump(),
                      "application/json");
    });
    port_ = srv_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { srv_.listen_after_bind(); });
    while (!srv_.is_running())
      std::this_thread::yield();
  }
  ~messages_double() {
    srv_.stop();
    thread_.join();
  }
  void answer(std::string text, int status = 200, int delay_ms = 0) {
    std::lock_guard<std::mutex> g{mtx_};
    text_ = std::move(text);
    status_ = status;
    delay_ms_ = delay_ms;
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string last() {
    std::lock_guard<std::mutex> g{mtx_};
    return last_;
  }
  std::string key() {
    std::lock_guard<std::mutex> g{mtx_};
    return key_;
  }
  std::string version() {
    std::lock_guard<std::mutex> g{mtx_};
    return version_;
  }

private:
  httplib::Server srv_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mtx_;
  std::string text_, last_, key_, version_;
  int status_ = 200, delay_ms_ = 0;
};

const content::template_set& shipped() {
  static auto set = content::template_set::load(
    std::string{HERALD_SOURCE_DIR} + "/config/templates", content::sample_facts());
  return set;
}

/// An alert for X with the sample facts.
content_brief x_alert_brief() {
  content_brief b;
  b.piece = "alert:BTCUSDT:1m:1700000000000";
  b.id = b.piece + "@x";
  b.type = "alert";
  b.channel = "x";
  b.facts_json = content::facts_to_json(content::sample_facts().at(content::content_type::alert));
  return b;
}

} // namespace

TEST_CASE("the LLM writer's drafts are used only when they fit and state only facts",
          "[content][llm]") {
  messages_double api;
  io::llm::anthropic_options o;
  o.http = {api.url(), 500};
  o.api_key = "sk-test";
  o.model = "claude-test";
  content::creator c{shipped(), "", io::llm::make_anthropic_writer(o)};
  auto f = content::sample_facts().at(content::content_type::alert);
  auto b = x_alert_brief();
  std::string err;

  SECTION("a good answer") {
    api.answer("BTCUSDT turned bullish at 43210.12 with confidence 67.");
    auto d = c.write(b, &err);
    REQUIRE(d);
    CHECK(d->writer == "llm");
    CHECK(d->parts[0] == "BTCUSDT turned bullish at 43210.12 with confidence 67.");
    CHECK(api.key() == "sk-test");
    CHECK(api.version() == "2023-06-01");
    auto sent = json::parse(api.last());
    CHECK(sent["model"] == "claude-test");
    CHECK(sent["messages"][0]["role"] == "user");
    CHECK(sent["messages"][0]["content"].get<std::string>().find("43210.12") != std::string::npos);
    CHECK(sent["system"].get<std::string>().find("280") != std::string::npos);
  }
  SECTION("too long") {
    api.answer(std::string(281, 'a'));
    auto d = c.write(b, &err);
    REQUIRE(d);
    CHECK(d->writer == "template");
    CHECK(d->note.find("too long") != std::string::npos);
  }
  SECTION("an invented number") {
    api.answer("BTCUSDT will hit 50000 next week.");
    auto d = c.write(b, &err);
    REQUIRE(d);
    CHECK(d->writer == "template");
    CHECK(d->note.find("50000") != std::string::npos);
  }
  SECTION("529 overloaded") {
    api.answer("", 529);
    auto d = c.write(b, &err);
    REQUIRE(d);
    CHECK(d->writer == "template");
    CHECK(d->note.find("HTTP 529 overloaded_error") != std::string::npos);
    CHECK(d->note.find("req_0123") != std::string::npos);
  }
  SECTION("a timeout") {
    api.answer("late", 200, 1500);
    auto d = c.write(b, &err);
    REQUIRE(d);
    CHECK(d->writer == "template");
    CHECK(d->note.find("no reply") != std::string::npos);
  }
}

TEST_CASE("the LLM writer gives up on a trickling server at its timeout; the template is used",
          "[content][llm][deadline]") {
  test::trickle_server slow;
  io::llm::anthropic_options o;
  o.http = {"http://127.0.0.1:" + std::to_string(slow.port()), 500};
  o.api_key = "sk-test";
  content::creator c{shipped(), "", io::llm::make_anthropic_writer(o)};
  auto b = x_alert_brief();
  std::string err;
  auto done = std::async(std::launch::async, [&] { return c.write(b, &err); });
  REQUIRE(done.wait_for(std::chrono::seconds{30}) == std::future_status::ready);
  auto d = done.get();
  REQUIRE(d);
  CHECK(d->writer == "template");
  CHECK(d->note.find("no complete reply within 500 ms") != std::string::npos);
}
