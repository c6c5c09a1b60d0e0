// The first hour of a new user: one herald per port, links that answer, the
// start-up lines that say where to look, POSTs without a body, audited
// refusals, and configuration mistakes explained in Herald's words.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/process.hpp"

using herald::test::port_after;
using herald::test::process;
using json = nlohmann::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const std::string herald_bin = HERALD_BINARY;
const std::string shipped_conf = std::string{HERALD_SOURCE_DIR} + "/config/caf-application.conf";
const std::string admin_token = "admin-token-0123456789abc";

struct scratch {
  fs::path dir;
  scratch() {
    dir = fs::temp_directory_path()
          / ("herald-first-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
    fs::create_directories(dir);
  }
  ~scratch() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string file(const std::string& name, const std::string& text) const {
    std::ofstream{dir / name} << text;
    return (dir / name).string();
  }
  /// `herald run` in this folder on free ports, with the shipped defaults
  /// otherwise (the simulated market with its backfill of history).
  std::vector<std::string> run_args(std::vector<std::string> extra, bool with_tokens = true) const {
    std::vector<std::string> a{herald_bin,
                               "run",
                               "--config",
                               shipped_conf,
                               "--db.url=sqlite://" + (dir / "h.db").string(),
                               "--publish.articles.dir=" + (dir / "site").string(),
                               "--content.chart-dir=" + (dir / "charts").string(),
                               "--http.token-file=" + (dir / "token").string()};
    if (with_tokens)
      a.push_back("--secrets.env-file=" + file("secrets.env", "HERALD_API_TOKENS=boss:admin:"
                                                                  + admin_token + "\n"));
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
};

/// A raw HTTP/1.1 exchange (no client library adding headers of its own).
std::string raw_http(int port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{15, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
  REQUIRE(::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size()));
  std::string out;
  char buf[4096];
  for (;;) {
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0)
      break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

} // namespace

TEST_CASE("a second herald on a port in use stops with exit 2 and says which port",
          "[acceptance][first-hour]") {
  scratch a, b;
  process first{a.run_args({"--http.port=0", "--inspector.port=0"})};
  REQUIRE(first.wait_output("herald running", 60s));
  auto out = first.output();
  auto http_port = port_after(out, "http: listening on http://127.0.0.1:");
  auto console_port = port_after(out, "herald console` on 127.0.0.1:");
  REQUIRE(http_port > 0);
  REQUIRE(console_port > 0);

  SECTION("the HTTP port") {
    auto [rc, text] = process::run(
      b.run_args({"--http.port=" + std::to_string(http_port), "--inspector.port=0"}), 60s);
    INFO(text);
    CHECK(rc == 2);
    CHECK(text.find("cannot listen on 127.0.0.1:" + std::to_string(http_port)) != std::string::npos);
    CHECK(text.find("in use") != std::string::npos);
    CHECK(text.find("herald running:") == std::string::npos);
  }
  SECTION("the inspector's port") {
    auto [rc, text] = process::run(
      b.run_args({"--http.port=0", "--inspector.port=" + std::to_string(console_port)}), 60s);
    INFO(text);
    CHECK(rc == 2);
    CHECK(text.find("inspector: cannot listen on 127.0.0.1:" + std::to_string(console_port))
          != std::string::npos);
    CHECK(text.find("in use") != std::string::npos);
  }
  // The first one still answers alone.
  httplib::Client c{"127.0.0.1", http_port};
  auto h = c.Get("/health");
  REQUIRE(h);
  CHECK(h->status == 200);
  first.signal(SIGTERM);
  CHECK(first.wait_exit(60s) == 0);
}

TEST_CASE("the quick start says where to look and publishes within a minute, and every "
          "published link answers 200",
          "[acceptance][first-hour]") {
  scratch s;
  // No tokens configured: the generated token file, as on a fresh clone.
  process p{s.run_args({"--http.port=0", "--inspector.port=0"}, false)};
  REQUIRE(p.wait_output("what to expect", 60s));
  auto out = p.output();
  INFO(out);
  auto port = port_after(out, "console: http://127.0.0.1:");
  REQUIRE(port > 0);
  CHECK(out.find("the token in " + (s.dir / "token").string()) != std::string::npos);
  CHECK(out.find("articles site: http://127.0.0.1:" + std::to_string(port) + "/site/")
        != std::string::npos);
  CHECK(out.find("herald run --candles 3000") != std::string::npos);
  // Expected retries at start are not warnings.
  CHECK(out.find("supervisor busy") == std::string::npos);

  // Visible content within a minute of the start (the backfilled day).
  REQUIRE(p.wait_output("published alert:", 60s));
  httplib::Client c{"127.0.0.1", port};
  c.set_read_timeout(10, 0);
  std::string feed;
  // The feed is rewritten after each page; read it once an item is in it.
  for (int i = 0; i < 100 && feed.find("<item>") == std::string::npos; ++i) {
    auto r = c.Get("/site/feed.xml");
    if (r && r->status == 200)
      feed = r->body;
    else
      p.wait_output("a line that never comes", 100ms); // a deadline-bounded pause
  }
  REQUIRE(feed.find("<item>") != std::string::npos);
  pugi::xml_document doc;
  REQUIRE(doc.load_string(feed.c_str()));
  auto channel = doc.child("rss").child("channel");
  std::vector<std::string> links{channel.child_value("link")};
  for (auto item : channel.children("item"))
    links.push_back(item.child_value("link"));
  REQUIRE(links.size() >= 2);
  auto prefix = "http://127.0.0.1:" + std::to_string(port);
  for (auto& link : links) {
    INFO(link);
    REQUIRE(link.rfind(prefix + "/site/", 0) == 0);
    auto r = c.Get(link.substr(prefix.size()).c_str());
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(!r->body.empty());
  }
  auto index = c.Get("/site/index.html");
  REQUIRE(index);
  CHECK(index->status == 200);
  CHECK(index->get_header_value("X-Content-Type-Options") == "nosniff");
  // No way out of the site's folder.
  auto escape = c.Get("/site/../config/caf-application.conf");
  REQUIRE(escape);
  CHECK(escape->status != 200);
  p.signal(SIGTERM);
  CHECK(p.wait_exit(60s) == 0);
}

TEST_CASE("a POST without a body is accepted, and every refused call is audited",
          "[acceptance][first-hour]") {
  scratch s;
  process p{s.run_args({"--http.port=0", "--inspector.port=0", "--scanner.start-time=1700000000000"})};
  REQUIRE(p.wait_output("herald running", 60s));
  auto port = port_after(p.output(), "http: listening on http://127.0.0.1:");
  REQUIRE(port > 0);
  // curl -X POST sends neither Content-Length nor a body.
  auto ok = raw_http(port, "POST /api/v1/agents/analysis.pipeline/restart HTTP/1.1\r\n"
                           "Host: 127.0.0.1\r\nAuthorization: Bearer "
                             + admin_token + "\r\nConnection: close\r\n\r\n");
  INFO(ok);
  CHECK(ok.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(ok.find("\"ok\":true") != std::string::npos);

  // Refusals: no route, no token, a body too large.
  auto unknown = raw_http(port, "POST /api/v1/nothing HTTP/1.1\r\nHost: x\r\nConnection: "
                                "close\r\n\r\n");
  CHECK(unknown.rfind("HTTP/1.1 404", 0) == 0);
  auto anonymous = raw_http(port, "POST /api/v1/agents/data.hub/kill HTTP/1.1\r\nHost: "
                                  "x\r\nConnection: close\r\n\r\n");
  CHECK(anonymous.rfind("HTTP/1.1 401", 0) == 0);
  std::string big(100 * 1024, 'x');
  auto large = raw_http(port, "POST /api/v1/content/x/approve HTTP/1.1\r\nHost: x\r\nContent-Length: "
                                + std::to_string(big.size()) + "\r\nConnection: close\r\n\r\n"
                                + big);
  CHECK(large.rfind("HTTP/1.1 413", 0) == 0);

  httplib::Client c{"127.0.0.1", port};
  auto r = c.Get("/api/v1/audit?limit=100", {{"Authorization", "Bearer " + admin_token}});
  REQUIRE(r);
  REQUIRE(r->status == 200);
  auto items = json::parse(r->body)["items"];
  INFO(items.dump(2));
  auto has = [&](const std::string& action, const std::string& outcome) {
    for (auto& i : items)
      if (i.value("action", "").find(action) != std::string::npos
          && i.value("outcome", "").find(outcome) != std::string::npos)
        return true;
    return false;
  };
  CHECK(has("agent.restart", "ok"));
  CHECK(has("POST /api/v1/nothing", "refused: HTTP 404"));
  CHECK(has("agent.kill", "unauthenticated"));
  CHECK(has("POST /api/v1/content/x/approve", "refused: HTTP 413"));
  // One row per refusal, not two.
  std::size_t kills = 0;
  for (auto& i : items)
    kills += i.value("target", "") == "data.hub";
  CHECK(kills == 1);
  p.signal(SIGTERM);
  CHECK(p.wait_exit(60s) == 0);
}

TEST_CASE("configuration and command mistakes are explained in Herald's words",
          "[acceptance][first-hour][config]") {
  scratch s;
  struct bad {
    const char* name;
    const char* text;
    const char* expect;
  };
  const bad cases[] = {
    {"unquoted.conf", "[db]\nurl=sqlite://x.db\n", "strings need double quotes: url=\"sqlite://x.db\""},
    {"section.conf", "[dbb]\nurl=\"sqlite://x.db\"\n", "unknown section [dbb]; did you mean [db]?"},
    {"key.conf", "[db]\npool-sise=4\n", "did you mean 'pool-size'?"},
    {"string.conf", "[db]\nurl=\"sqlite://x.db\n", "line 2, column 19: unterminated string"},
    {"list.conf", "[scanner]\nsymbols=[\"BTCUSDT\"\n", "line 2: unterminated list"},
    {"twice.conf", "[db]\nurl=\"a\"\nurl=\"b\"\n", "line 3: key 'url' in [db] is already set on line 2"},
    {"caf.conf", "[scheduler]\nmax-threads=\"two\"\n", "CAF expects a whole number >= 0"},
    {"duration.conf", "[db]\nbatch-interval=1.5s\n", "durations are whole numbers with a unit"},
  };
  for (auto& b : cases) {
    INFO(b.name);
    auto path = s.file(b.name, b.text);
    auto [rc, out] = process::run({herald_bin, "config", "check", "--config", path});
    INFO(out);
    CHECK(rc == 2);
    CHECK(out.find(b.expect) != std::string::npos);
    CHECK(out.find(path) != std::string::npos); // names the file
  }
  auto [rc, out] = process::run({herald_bin, "bakctest"});
  CHECK(rc == 2);
  CHECK(out.find("unknown command 'bakctest'; did you mean 'backtest'?") != std::string::npos);
}
