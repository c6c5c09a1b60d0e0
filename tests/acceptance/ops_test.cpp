// Operations as an operator sees them: a running `herald run` serves
// /health, /ready, /info, /metrics and the REST API with tokens and roles,
// audits mutating calls, limits request rates, streams live events, and the
// terminal console drives the same inspector over the middleman.
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "support/backends.hpp"
#include "support/herald_node.hpp"
#include "support/process.hpp"

using herald::test::port_after;
using herald::test::process;
using json = nlohmann::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

using herald::test::admin_token;
using herald::test::herald_bin;
using herald::test::shipped_conf;
using herald::test::node;
using herald::test::operator_token;
using herald::test::viewer_token;

bool is_error_body(const std::string& body, const std::string& code) {
  auto j = json::parse(body, nullptr, false);
  return !j.is_discarded() && j.contains("error") && j["error"].value("code", "") == code
         && !j["error"].value("message", "").empty();
}

/// Reads /api/v1/events (viewer token) on a thread until `stop` and the
/// node's shutdown; wait_for() waits up to 30 s for a text in the stream.
struct event_stream {
  std::mutex mtx;
  std::string seen;
  std::atomic<bool> stop{false};
  std::thread reader;
  explicit event_stream(int port) {
    reader = std::thread([this, port] {
      httplib::Client c{"127.0.0.1", port};
      c.set_read_timeout(30, 0);
      c.Get(("/api/v1/events?access_token=" + viewer_token).c_str(),
            [this](const char* data, std::size_t len) {
              std::lock_guard<std::mutex> guard{mtx};
              seen.append(data, len);
              return !stop.load();
            });
    });
  }
  bool wait_for(const std::string& needle) {
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard<std::mutex> guard{mtx};
        if (seen.find(needle) != std::string::npos)
          return true;
      }
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
};

const json* actor(const json& list, const std::string& path) {
  for (const auto& a : list["items"])
    if (a.value("path", "") == path)
      return &a;
  return nullptr;
}

} // namespace

TEST_CASE("with analysis disabled herald is ready too, without a pipeline check",
          "[acceptance][ops][http]") {
  node quiet{{"--analysis.enabled=false"}};
  auto r = quiet.wait_json("/ready", [](const json& j) { return j.value("ready", false); });
  CHECK(r.value("ready", false));
  std::set<std::string> names;
  for (auto& x : r["checks"])
    names.insert(x.value("name", ""));
  CHECK(names == std::set<std::string>{"database", "data.scanner", "flow"});
}

TEST_CASE("health and readiness are public, everything else needs a valid token",
          "[acceptance][ops][http]") {
  node n;
  auto c = n.client();
  auto health = c.Get("/health");
  REQUIRE(health);
  CHECK(health->status == 200);
  auto ready = n.wait_json("/ready", [](const json& j) { return j.value("ready", false); });
  CHECK(ready.value("ready", false));
  std::set<std::string> checks;
  for (auto& x : ready["checks"])
    checks.insert(x.value("name", ""));
  CHECK(checks == std::set<std::string>{"database", "data.scanner", "analysis.pipeline", "flow"});

  for (const char* path : {"/info", "/metrics", "/api/v1/actors", "/api/v1/signals",
                           "/api/v1/events", "/api/v1/openapi.json"}) {
    INFO(path);
    auto none = c.Get(path);
    REQUIRE(none);
    CHECK(none->status == 401);
    CHECK(is_error_body(none->body, "unauthorized"));
    auto wrong = c.Get(path, node::auth("not-a-valid-token-at-all"));
    REQUIRE(wrong);
    CHECK(wrong->status == 401);
    CHECK(is_error_body(wrong->body, "unauthorized"));
  }
  // The console cannot be framed by another site.
  for (const char* path : {"/", "/index.html", "/app.js"}) {
    INFO(path);
    auto page = c.Get(path);
    REQUIRE(page);
    CHECK(page->status == 200);
    CHECK(page->get_header_value("X-Frame-Options") == "DENY");
    CHECK(page->get_header_value("Content-Security-Policy").find("frame-ancestors 'none'")
          != std::string::npos);
  }
  auto info = c.Get("/info", node::auth(viewer_token));
  REQUIRE(info);
  REQUIRE(info->status == 200);
  auto j = json::parse(info->body);
  CHECK(j["version"] == HERALD_VERSION);
  CHECK(j["you"]["role"] == "viewer");
  CHECK(j["roles"].size() >= 4);
  CHECK(j["uptime_seconds"].get<double>() >= 0);
  // Unknown routes and bad parameters are JSON errors too.
  auto missing = c.Get("/api/v1/nothing", node::auth(viewer_token));
  REQUIRE(missing);
  CHECK(missing->status == 404);
  CHECK(is_error_body(missing->body, "not_found"));
  auto bad = c.Get("/api/v1/signals?limit=ten", node::auth(viewer_token));
  REQUIRE(bad);
  CHECK(bad->status == 400);
  CHECK(is_error_body(bad->body, "bad_request"));
  auto no_symbol = c.Get("/api/v1/candles", node::auth(viewer_token));
  REQUIRE(no_symbol);
  CHECK(no_symbol->status == 400);
}

TEST_CASE("every route of the OpenAPI document answers", "[acceptance][ops][http]") {
  node n;
  auto c = n.client();
  // Let some candles and signals reach the database first.
  n.wait_json("/api/v1/signals?limit=1", [](const json& j) { return !j["items"].empty(); }, 60s);
  // ... and the pipeline onto the inspector's board (published once a second).
  n.wait_json("/api/v1/actors", [](const json& j) { return actor(j, "analysis.pipeline"); });
  auto doc_r = c.Get("/api/v1/openapi.json", node::auth(viewer_token));
  REQUIRE(doc_r);
  REQUIRE(doc_r->status == 200);
  auto doc = json::parse(doc_r->body);
  CHECK(doc["openapi"] == "3.0.3");
  std::size_t gets = 0;
  for (auto& [path, ops] : doc["paths"].items()) {
    if (!ops.contains("get") || path == "/api/v1/events")
      continue;
    auto url = path;
    url = std::regex_replace(url, std::regex{"\\{path\\}"}, "analysis.pipeline");
    if (path == "/api/v1/candles")
      url += "?symbol=BTCUSDT&interval=1m&limit=5";
    INFO(url);
    auto r = c.Get(url.c_str(), node::auth(admin_token));
    REQUIRE(r);
    CHECK((r->status == 200 || (path == "/ready" && r->status == 503)));
    ++gets;
  }
  CHECK(gets >= 14);
  // Pagination: limit and next_offset.
  auto page1 = json::parse(c.Get("/api/v1/signals?limit=2", node::auth(viewer_token))->body);
  CHECK(page1["items"].size() <= 2);
  CHECK(page1["limit"] == 2);
  auto candles = n.wait_json("/api/v1/candles?symbol=BTCUSDT&interval=1m&limit=5",
                             [](const json& j) { return j["items"].size() == 5; });
  REQUIRE(candles["items"].size() == 5);
  CHECK(candles["items"][0]["open_time"] < candles["items"][4]["open_time"]);
  // The effective config shows values and secret sources, never secret values.
  auto cfg = c.Get("/api/v1/config", node::auth(viewer_token));
  REQUIRE(cfg);
  CHECK(cfg->body.find("HERALD_API_TOKENS") != std::string::npos);
  CHECK(cfg->body.find(viewer_token) == std::string::npos);
  CHECK(cfg->body.find(admin_token) == std::string::npos);
  // The audit log is for admins only.
  auto audit = c.Get("/api/v1/audit", node::auth(operator_token));
  REQUIRE(audit);
  CHECK(audit->status == 403);
  CHECK(is_error_body(audit->body, "forbidden"));
}

TEST_CASE("actors and series are searched and paged, bad search terms get a 400",
          "[acceptance][ops][http]") {
  node n;
  auto c = n.client();
  n.wait_json("/api/v1/actors", [](const json& j) {
    return actor(j, "analysis.pipeline") && j["total"].get<std::size_t>() > 20;
  });
  auto get = [&](const std::string& url) {
    auto r = c.Get(url.c_str(), node::auth(viewer_token));
    REQUIRE(r);
    INFO(url << " -> " << r->status << " " << r->body);
    REQUIRE(r->status == 200);
    return json::parse(r->body);
  };
  // The analyzers of one series, busiest first; the total counts matches.
  auto btc = get("/api/v1/actors?q=BTCUSDT_1m.&sort=mailbox&limit=3");
  CHECK(btc["items"].size() == 3);
  CHECK(btc["total"].get<std::size_t>() >= 7); // the analyzers of that series
  for (auto& a : btc["items"])
    CHECK(a["path"].get<std::string>().find("BTCUSDT_1m.") != std::string::npos);
  CHECK(btc["items"][0]["mailbox"] >= btc["items"][1]["mailbox"]);
  CHECK(btc["next_offset"] == 3);
  auto all = get("/api/v1/actors");
  CHECK(all["total"] == all["items"].size());
  CHECK(get("/api/v1/actors?q=no-such-actor")["total"] == 0);
  n.wait_json("/api/v1/series", [](const json& j) { return j["total"].get<std::size_t>() >= 3; });
  auto eth = get("/api/v1/series?q=ethusdt%201m");
  REQUIRE(eth["total"] == 1);
  CHECK(eth["items"][0]["symbol"] == "ETHUSDT");
  auto page = get("/api/v1/series?limit=1&offset=1");
  CHECK(page["items"].size() == 1);
  CHECK(page["total"].get<std::size_t>() >= 3);
  for (std::string bad : {std::string{"/api/v1/actors?sort=name"},
                          "/api/v1/series?q=" + std::string(201, 'x'),
                          "/api/v1/actors?q=" + std::string(201, 'x')}) {
    auto r = c.Get(bad.c_str(), node::auth(viewer_token));
    REQUIRE(r);
    INFO(bad.substr(0, 40) << " -> " << r->body);
    CHECK(r->status == 400);
    CHECK(r->body.find("bad_request") != std::string::npos);
  }
}

TEST_CASE("operators approve content and restart agents, every mutating call is audited",
          "[acceptance][ops][http]") {
  node n{{"--publish.articles.mode=approval"}, true};
  auto c = n.client();
  auto pending = json::parse(
    c.Get("/api/v1/content?state=pending_approval&limit=5", node::auth(viewer_token))->body);
  REQUIRE(!pending["items"].empty());
  auto id = pending["items"][0]["id"].get<std::string>();

  // A viewer may not approve: 403, and the attempt is audited.
  auto denied = c.Post(("/api/v1/content/" + id + "/approve").c_str(), node::auth(viewer_token),
                       "", "application/json");
  REQUIRE(denied);
  CHECK(denied->status == 403);
  CHECK(is_error_body(denied->body, "forbidden"));
  // Without a token: 401, audited as anonymous.
  auto anonymous = c.Post(("/api/v1/content/" + id + "/approve").c_str(), "", "application/json");
  REQUIRE(anonymous);
  CHECK(anonymous->status == 401);

  // The operator approves; the running node publishes it (approval-poll 200ms).
  auto ok = c.Post(("/api/v1/content/" + id + "/approve").c_str(), node::auth(operator_token), "",
                   "application/json");
  REQUIRE(ok);
  INFO(ok->body);
  CHECK(ok->status == 200);
  auto published = n.wait_json("/api/v1/published?limit=100", [&](const json& j) {
    for (auto& p : j["items"])
      if (p.value("plan_id", "") == id || p.value("id", "") + "@" + p.value("channel", "") == id)
        return true;
    return false;
  });
  bool seen = false;
  for (auto& p : published["items"]) {
    bool it = p.value("plan_id", "") == id
              || p.value("id", "") + "@" + p.value("channel", "") == id;
    seen = seen || it;
    if (it) { // named by its title (what the console shows), not by its id
      INFO(p.dump());
      CHECK(!p.value("title", "").empty());
      CHECK(p.value("title", "") != p.value("id", ""));
      CHECK(!p.value("kind", "").empty());
    }
  }
  CHECK(seen);
  // Approving it again is a conflict; an unknown piece is 404.
  auto again = c.Post(("/api/v1/content/" + id + "/approve").c_str(), node::auth(operator_token),
                      "", "application/json");
  REQUIRE(again);
  CHECK(again->status == 409);
  auto unknown = c.Post("/api/v1/content/no-such-piece/reject", node::auth(operator_token), "",
                        "application/json");
  REQUIRE(unknown);
  CHECK(unknown->status == 404);

  // Restart an analyzer: its supervisor starts it again, the count rises.
  const std::string victim = "analysis.series.BTCUSDT_1m.momentum";
  n.wait_json("/api/v1/actors", [&](const json& j) { return actor(j, victim) != nullptr; });
  auto restart = c.Post(("/api/v1/agents/" + victim + "/restart").c_str(),
                        node::auth(operator_token), "", "application/json");
  REQUIRE(restart);
  CHECK(restart->status == 200);
  auto after = n.wait_json("/api/v1/actors", [&](const json& j) {
    auto* a = actor(j, victim);
    return a && (*a)["restarts"].get<int>() >= 1 && (*a)["running"].get<bool>();
  });
  auto* a = actor(after, victim);
  REQUIRE(a);
  CHECK((*a)["restarts"].get<int>() >= 1);
  CHECK((*a)["running"].get<bool>());
  auto nobody = c.Post("/api/v1/agents/no.such.agent/kill", node::auth(operator_token), "",
                       "application/json");
  REQUIRE(nobody);
  CHECK(nobody->status == 404);

  // The audit log, through the API (admin) and in the table itself.
  auto log = json::parse(c.Get("/api/v1/audit?limit=50", node::auth(admin_token))->body);
  std::multiset<std::string> rows;
  for (auto& r : log["items"])
    rows.insert(r.value("actor", "") + " " + r.value("action", "") + " " + r.value("outcome", "").substr(0, 5));
  CHECK(rows.count("viewer content.approve denie") == 1);
  CHECK(rows.count("anonymous content.approve unaut") == 1);
  CHECK(rows.count("ops content.approve ok") == 1);
  CHECK(rows.count("ops content.approve error") == 1);
  CHECK(rows.count("ops agent.restart ok") == 1);
  CHECK(rows.count("ops agent.kill error") == 1);
  for (auto& r : log["items"])
    CHECK(r["details"]["source"].get<std::string>().rfind("127.0.0.1:", 0) == 0);
  auto count = herald::test::run_line("sqlite3 '" + n.db()
                                      + "' \"SELECT COUNT(*) FROM security_audit_logs\"");
  CHECK(count == std::to_string(log["items"].size()));
  // Tokens never reach the audit rows.
  auto dump = herald::test::run_line("sqlite3 '" + n.db()
                                     + "' \"SELECT group_concat(details) FROM security_audit_logs\"");
  CHECK(dump.find(operator_token) == std::string::npos);
}

TEST_CASE("a token that exceeds its budget gets 429 with Retry-After", "[acceptance][ops][http]") {
  node n{{"--http.rate-limit=60", "--http.rate-burst=20"}};
  auto c = n.client();
  int ok = 0, limited = 0;
  std::string retry_after;
  for (int i = 0; i < 40; ++i) {
    auto r = c.Get("/info", node::auth(viewer_token));
    REQUIRE(r);
    if (r->status == 200)
      ++ok;
    if (r->status == 429) {
      ++limited;
      retry_after = r->get_header_value("Retry-After");
      CHECK(is_error_body(r->body, "rate_limited"));
    }
  }
  CHECK(ok >= 20);
  CHECK(limited >= 1);
  CHECK(std::atoi(retry_after.c_str()) >= 1);
  // Another token has its own budget.
  auto other = c.Get("/info", node::auth(operator_token));
  REQUIRE(other);
  CHECK(other->status == 200);
  // /health is never limited.
  CHECK(c.Get("/health")->status == 200);
}

TEST_CASE("/metrics is Prometheus text with every family", "[acceptance][ops][metrics]") {
  node n;
  // Wait until the analyzers have reported and signals were counted.
  n.wait_json("/api/v1/signals?limit=1", [](const json& j) { return !j["items"].empty(); }, 60s);
  auto c = n.client();
  c.Get("/info", node::auth(viewer_token)); // one counted request
  std::string body;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = c.Get("/metrics", node::auth(viewer_token));
    REQUIRE(r);
    REQUIRE(r->status == 200);
    CHECK(r->get_header_value("Content-Type").rfind("text/plain; version=0.0.4", 0) == 0);
    body = r->body;
    if (body.find("herald_signals_total{") != std::string::npos
        && body.find("herald_posts_total{") != std::string::npos)
      break;
    std::this_thread::sleep_for(200ms);
  }
  // Parse: families with HELP and TYPE, samples belong to a declared family.
  std::map<std::string, std::string> types;
  std::set<std::string> helped;
  std::map<std::string, std::vector<double>> buckets; // per series (name+labels minus le)
  std::regex sample_re{R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$)"};
  std::istringstream in{body};
  std::string line;
  std::size_t samples = 0;
  while (std::getline(in, line)) {
    if (line.rfind("# HELP ", 0) == 0) {
      helped.insert(line.substr(7, line.find(' ', 7) - 7));
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      auto rest = line.substr(7);
      types[rest.substr(0, rest.find(' '))] = rest.substr(rest.find(' ') + 1);
      continue;
    }
    std::smatch m;
    INFO(line);
    REQUIRE(std::regex_match(line, m, sample_re));
    ++samples;
    auto name = m[1].str();
    auto family = name;
    for (const char* suffix : {"_bucket", "_sum", "_count"})
      if (!types.count(family) && family.size() > std::strlen(suffix)
          && family.compare(family.size() - std::strlen(suffix), std::string::npos, suffix) == 0)
        family = family.substr(0, family.size() - std::strlen(suffix));
    CHECK(types.count(family) == 1);
    CHECK(helped.count(family) == 1);
    if (name.size() > 7 && name.compare(name.size() - 7, 7, "_bucket") == 0) {
      auto labels = std::regex_replace(m[2].str(), std::regex{R"(,?le="[^"]*")"}, "");
      buckets[name + labels].push_back(std::stod(m[3].str()));
    }
  }
  CHECK(samples > 100);
  for (const char* f :
       {"herald_actor_messages_processed_total", "herald_actor_mailbox_size",
        "herald_actor_processing_seconds", "herald_actor_restarts_total",
        "herald_pipeline_latency_seconds", "herald_candles_ingested_total",
        "herald_candles_rejected_total", "herald_signals_total", "herald_insights_total",
        "herald_posts_total", "herald_db_write_queue_depth", "herald_http_requests_total",
        "process_resident_memory_bytes", "process_cpu_seconds_total", "process_open_fds",
        "process_threads", "process_start_time_seconds"}) {
    INFO(f);
    CHECK(types.count(f) == 1);
  }
  CHECK(types["herald_actor_processing_seconds"] == "histogram");
  CHECK(types["herald_actor_messages_processed_total"] == "counter");
  CHECK(types["herald_db_write_queue_depth"] == "gauge");
  // Histogram buckets are cumulative (never decrease).
  for (auto& [series, values] : buckets) {
    INFO(series);
    CHECK(std::is_sorted(values.begin(), values.end()));
  }
  CHECK(body.find("herald_actor_messages_processed_total{actor=\"analysis.pipeline\"}")
        != std::string::npos);
  CHECK(body.find("herald_http_requests_total{route=\"/info\",method=\"GET\",code=\"200\"}")
        != std::string::npos);
  CHECK(std::regex_search(body, std::regex{R"re(herald_signals_total\{outcome="(long|short|neutral)"\} [1-9])re"}));
  CHECK(std::regex_search(body, std::regex{R"(herald_candles_ingested_total\{symbol="BTCUSDT",interval="1m"\} [1-9])"}));
  CHECK(std::regex_search(body, std::regex{R"(process_resident_memory_bytes [1-9])"}));

  // metrics-open serves /metrics without a token (and nothing else).
  node open{{"--http.metrics-open=true"}};
  auto oc = open.client();
  CHECK(oc.Get("/metrics")->status == 200);
  CHECK(oc.Get("/info")->status == 401);
}

TEST_CASE("the event stream carries actor snapshots and restarts", "[acceptance][ops][sse]") {
  node n;
  event_stream events{n.http_port};
  auto wait_for = [&](const std::string& needle) { return events.wait_for(needle); };
  CHECK(wait_for("event: actors\ndata: {"));
  CHECK(wait_for("event: candle\n"));
  auto c = n.client();
  auto kill = c.Post("/api/v1/agents/ops.health/kill", node::auth(operator_token), "",
                     "application/json");
  REQUIRE(kill);
  CHECK(kill->status == 200);
  CHECK(wait_for("\"path\":\"ops.health\""));
  CHECK(wait_for("event: restart\n"));
  events.stop = true;
  // The node stops streams on shutdown; the reader ends with it.
  n.p->signal(SIGTERM);
  CHECK(n.p->wait_exit(30s) == 0);
  events.reader.join();
  n.p.reset();
}

TEST_CASE("Alertmanager's webhook reaches the event stream and the node log",
          "[acceptance][ops][alerts]") {
  node n;
  event_stream events{n.http_port};
  auto c = n.client();
  // What Alertmanager 0.25 posts (version 4).
  const std::string payload = R"({"receiver":"webhook","status":"firing","version":"4",
    "alerts":[{"status":"firing","labels":{"alertname":"HeraldNodeDown",
    "instance":"herald-n3:8080","severity":"critical"},"annotations":{"summary":"node down"},
    "startsAt":"2026-12-07T05:00:00Z","fingerprint":"1f2e"}]})";
  auto viewer = c.Post("/api/v1/alerts", node::auth(viewer_token), payload, "application/json");
  REQUIRE(viewer);
  CHECK(viewer->status == 403);
  auto bad = c.Post("/api/v1/alerts", node::auth(operator_token), R"({"version":"4"})",
                    "application/json");
  REQUIRE(bad);
  CHECK(bad->status == 400);
  CHECK(bad->body.find("alerts: missing") != std::string::npos);
  auto ok = c.Post("/api/v1/alerts", node::auth(operator_token), payload, "application/json");
  REQUIRE(ok);
  CHECK(ok->status == 200);
  CHECK(json::parse(ok->body)["received"] == 1);
  CHECK(events.wait_for("event: alert\n"));
  CHECK(events.wait_for("\"alert\":\"HeraldNodeDown\""));
  CHECK(n.p->wait_output("alert firing: HeraldNodeDown herald-n3:8080 (severity critical)", 10s));
  auto audit = json::parse(c.Get("/api/v1/audit?limit=50", node::auth(admin_token))->body);
  std::multiset<std::string> rows;
  for (auto& r : audit["items"])
    rows.insert(r.value("actor", "") + " " + r.value("action", "") + " " + r.value("outcome", ""));
  CHECK(rows.count("ops alerts.receive ok") == 1);
  events.stop = true;
  n.p->signal(SIGTERM);
  CHECK(n.p->wait_exit(30s) == 0);
  events.reader.join();
  n.p.reset();
}

TEST_CASE("herald console -c runs tree and restart against a running node",
          "[acceptance][ops][console]") {
  node n;
  auto port = std::to_string(n.console_port);
  const std::string victim = "analysis.series.BTCUSDT_1m.order_flow";
  n.wait_json("/api/v1/actors", [&](const json& j) { return actor(j, victim) != nullptr; });
  auto [rc, tree] = process::run({herald_bin, "console", "--host", "127.0.0.1", "--port", port,
                                  "--token", viewer_token, "-c", "tree"});
  INFO(tree);
  CHECK(rc == 0);
  CHECK(tree.find("ACTOR") != std::string::npos);
  CHECK(tree.find("pipeline") != std::string::npos);
  CHECK(tree.find("order_flow") != std::string::npos);
  // root comes first, right after the header line
  CHECK(tree.find("root/") == tree.find('\n') + 1);
  // A viewer may not restart; the operator may.
  auto [denied_rc, denied] = process::run({herald_bin, "console", "--port", port, "--token",
                                           viewer_token, "-c", "restart " + victim});
  INFO(denied);
  CHECK(denied_rc == 1);
  CHECK(denied.find("forbidden") != std::string::npos);
  auto [ok_rc, ok] = process::run({herald_bin, "console", "--port", port, "--token",
                                   operator_token, "-c", "restart " + victim});
  INFO(ok);
  CHECK(ok_rc == 0);
  CHECK(ok.find("stopped (its supervisor restarts it)") != std::string::npos);
  auto after = n.wait_json("/api/v1/actors", [&](const json& j) {
    auto* a = actor(j, victim);
    return a && (*a)["restarts"].get<int>() >= 1 && (*a)["running"].get<bool>();
  });
  REQUIRE(actor(after, victim));
  CHECK((*actor(after, victim))["restarts"].get<int>() >= 1);
  auto [src, stats] = process::run({herald_bin, "console", "--port", port, "--token",
                                    viewer_token, "-c", "stats " + victim});
  CHECK(src == 0);
  CHECK(stats.find("\"restarts\": 1") != std::string::npos);
  // Wrong token, dead port: clear errors, exit 1.
  auto [bad_rc, bad] = process::run({herald_bin, "console", "--port", port, "--token",
                                     "wrong-token-wrong-token", "-c", "tree"});
  CHECK(bad_rc == 1);
  CHECK(bad.find("invalid token") != std::string::npos);
  auto [dead_rc, dead] = process::run({herald_bin, "console", "--port", "1", "--token",
                                       viewer_token, "-c", "tree"});
  CHECK(dead_rc == 1);
  CHECK(dead.find("cannot connect to the inspector at 127.0.0.1:1") != std::string::npos);
  // The restart is in the audit log with the console as its source.
  auto rows = herald::test::run_line(
    "sqlite3 '" + n.db()
    + "' \"SELECT group_concat(actor || ' ' || action || ' ' || outcome, '|') FROM "
      "security_audit_logs\"");
  CHECK(rows.find("viewer agent.restart denied") != std::string::npos);
  CHECK(rows.find("ops agent.restart ok") != std::string::npos);
}

TEST_CASE("pausing a worker holds its messages until it is resumed", "[acceptance][ops][http]") {
  node n;
  auto c = n.client();
  auto accepted = [&] {
    auto s = json::parse(c.Get("/api/v1/series", node::auth(viewer_token))->body);
    std::uint64_t total = 0;
    for (auto& x : s["items"])
      total += x.value("accepted", std::uint64_t{0});
    return total;
  };
  n.wait_json("/api/v1/series", [](const json& j) { return !j["items"].empty(); });
  auto pause = c.Post("/api/v1/agents/data.scanner/pause", node::auth(operator_token), "",
                      "application/json");
  REQUIRE(pause);
  CHECK(pause->status == 200);
  auto paused = n.wait_json("/api/v1/actors", [](const json& j) {
    auto* a = actor(j, "data.scanner");
    return a && (*a)["paused"].get<bool>();
  });
  REQUIRE(actor(paused, "data.scanner"));
  CHECK((*actor(paused, "data.scanner"))["paused"].get<bool>());
  // While paused the source sends nothing: the hub's count stands still.
  n.wait_json("/api/v1/series", [&, last = std::uint64_t{0},
                                             same = 0](const json&) mutable {
    auto now = accepted();
    same = now == last ? same + 1 : 0;
    last = now;
    return same >= 20; // unchanged over ~2 s of polls
  });
  auto frozen = accepted();
  // Supervisors cannot be paused.
  auto sup = c.Post("/api/v1/agents/data/pause", node::auth(operator_token), "",
                    "application/json");
  REQUIRE(sup);
  CHECK(sup->status == 409);
  auto resume = c.Post("/api/v1/agents/data.scanner/resume", node::auth(operator_token), "",
                       "application/json");
  REQUIRE(resume);
  CHECK(resume->status == 200);
  n.wait_json("/api/v1/series", [&](const json&) { return accepted() > frozen; });
  CHECK(accepted() > frozen);
}
