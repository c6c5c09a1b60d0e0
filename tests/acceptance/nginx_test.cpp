// nginx in front of Herald (issue 17): the shipped template
// (docker/nginx/nginx.conf.template) rendered for this machine, `nginx -t`,
// then the real nginx (Debian package) in front of a running `herald run`:
// HTTP redirects to HTTPS, the console page, an API call with a token, the
// SSE stream through the proxy, an article page with caching headers, and
// the per-address rate limit answering 429. Requests go through curl (TLS).
#include <catch2/catch.hpp>

#include <fstream>

#include "support/herald_node.hpp"
#include "support/ports.hpp"

using namespace herald::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string nginx_bin = HERALD_NGINX;
const std::string curl_bin = HERALD_CURL;
const fs::path nginx_dir = fs::path{HERALD_SOURCE_DIR} / "docker" / "nginx";

/// curl ARGS...: (exit code, output).
std::pair<int, std::string> curl(std::vector<std::string> args) {
  args.insert(args.begin(), {curl_bin, "-sk", "--max-time", "20"});
  return process::run(args, 60s);
}

} // namespace

TEST_CASE("nginx serves the console, the API, the event stream and the articles over HTTPS "
          "and limits request rates",
          "[acceptance][observability][nginx]") {
  if (nginx_bin.empty() || curl_bin.empty()) {
    WARN("SKIPPED: nginx or curl not found (scripts/setup installs them)");
    return;
  }
  // Articles come quickly at this speed (alerts after the warm-up).
  node n{{"--scanner.speed=3000"}};
  auto prefix = n.dir / "nginx";
  fs::create_directories(prefix);
  auto [rc0, out0] = process::run({(nginx_dir / "self-signed").string(), (prefix / "tls").string()});
  INFO(out0);
  REQUIRE(rc0 == 0);
  int http = free_port(), https = free_port();
  auto conf = prefix / "nginx.conf";
  auto [rc1, out1] = process::run(
    {(nginx_dir.parent_path() / "render").string(), (nginx_dir / "nginx.conf.template").string(), conf.string(),
     "PREFIX=" + prefix.string(), "UPSTREAM=127.0.0.1:" + std::to_string(n.http_port),
     "SITE_DIR=" + (n.dir / "site").string(), "CERT=" + (prefix / "tls" / "cert.pem").string(),
     "KEY=" + (prefix / "tls" / "key.pem").string(), "HTTP_PORT=" + std::to_string(http),
     "HTTPS_PORT=" + std::to_string(https)});
  INFO(out1);
  REQUIRE(rc1 == 0);
  auto [rc2, out2] = process::run({nginx_bin, "-t", "-p", prefix.string(), "-c", conf.string()});
  INFO(out2);
  REQUIRE(rc2 == 0);
  process proxy{{nginx_bin, "-p", prefix.string(), "-c", conf.string(), "-g", "daemon off;"}};
  const auto base = "https://127.0.0.1:" + std::to_string(https);
  // Up when it answers.
  std::string code;
  for (auto deadline = std::chrono::steady_clock::now() + 30s;
       std::chrono::steady_clock::now() < deadline && code != "200";) {
    code = curl({"-o", "/dev/null", "-w", "%{http_code}", base + "/"}).second;
    if (code != "200")
      REQUIRE(!proxy.exited());
  }
  INFO(proxy.output());
  REQUIRE(code == "200");

  // HTTP -> HTTPS.
  auto [rc3, redirect] = curl({"-o", "/dev/null", "-w", "%{http_code} %{redirect_url}",
                               "http://127.0.0.1:" + std::to_string(http) + "/api/v1/signals"});
  CHECK(redirect == "301 https://127.0.0.1:" + std::to_string(https) + "/api/v1/signals");
  // The console page, with Herald's CSP and nginx's HSTS.
  auto [rc4, page] = curl({"-i", base + "/"});
  CHECK(page.find("<html") != std::string::npos);
  CHECK(page.find("content-security-policy:") != std::string::npos);
  CHECK(page.find("strict-transport-security:") != std::string::npos);
  // The API with and without a token.
  auto [rc5, api] = curl({"-w", "\n%{http_code}", "-H", "Authorization: Bearer " + viewer_token,
                          base + "/api/v1/signals?limit=1"});
  CHECK(api.substr(api.rfind('\n') + 1) == "200");
  CHECK(api.find("\"items\"") != std::string::npos);
  auto [rc6, anon] = curl({"-o", "/dev/null", "-w", "%{http_code}", base + "/api/v1/signals"});
  CHECK(anon == "401");
  // The event stream arrives through the proxy as it happens (unbuffered).
  auto [rc7, events] = curl({"-N", "--max-time", "4", base + "/api/v1/events?access_token=" + viewer_token});
  CHECK(rc7 == 28); // curl's "timed out": the stream stays open
  CHECK(events.find("event: ") != std::string::npos);
  CHECK(events.find("data: ") != std::string::npos);
  // An article page, static, with caching headers.
  std::string article;
  for (auto deadline = std::chrono::steady_clock::now() + 120s;
       article.empty() && std::chrono::steady_clock::now() < deadline;) {
    if (fs::exists(n.dir / "site"))
      for (auto& e : fs::directory_iterator(n.dir / "site"))
        if (e.path().extension() == ".html" && e.path().filename().string().rfind("alert-", 0) == 0)
          article = e.path().filename().string();
    if (article.empty())
      std::this_thread::sleep_for(200ms); // polling the directory for the first article
  }
  REQUIRE(!article.empty());
  auto [rc8, art] = curl({"-i", base + "/articles/" + article});
  INFO(art.substr(0, 600));
  CHECK(art.find("HTTP/2 200") == 0);
  CHECK(art.find("cache-control: max-age=300") != std::string::npos);
  CHECK(art.find("<html") != std::string::npos);
  CHECK(curl({"-o", "/dev/null", "-w", "%{http_code}", base + "/metrics"}).second == "404");
  // The rate limit: 20/s with bursts of 40 per address; 120 requests in a
  // row get some 429s (curl fetches them one after another on one
  // connection).
  std::vector<std::string> many{"-o", "/dev/null", "-w", "%{http_code}\n"};
  for (int i = 0; i < 120; ++i)
    many.push_back(base + "/api/v1/series");
  auto [rc9, codes] = curl(many);
  CHECK(codes.find("429") != std::string::npos);
  CHECK(codes.find("401") != std::string::npos); // the first ones passed (no token)
  proxy.signal(SIGTERM);
  CHECK(proxy.wait_exit(30s) == 0);
}
