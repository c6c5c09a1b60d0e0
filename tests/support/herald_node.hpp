#pragma once
// A running `herald run` for acceptance tests: its own directory, three API
// tokens (viewer, operator, admin), ephemeral HTTP and console ports, and
// helpers to call its HTTP API.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "support/process.hpp"

namespace herald::test {

using namespace std::chrono_literals;

inline const std::string herald_bin = HERALD_BINARY;
inline const std::string shipped_conf = std::string{HERALD_SOURCE_DIR} + "/config/caf-application.conf";

inline const std::string viewer_token = "viewer-token-0123456789";
inline const std::string operator_token = "operator-token-0123456789";
inline const std::string admin_token = "admin-token-0123456789abc";

/// A running node in its own directory with three tokens.
struct node {
  std::filesystem::path dir;
  std::unique_ptr<process> p;
  int http_port = 0, console_port = 0;

  /// `secrets`: more "NAME=value" lines for the secrets env file.
  explicit node(std::vector<std::string> extra = {}, bool with_pending_content = false,
                std::vector<std::string> secrets = {}) {
    dir = std::filesystem::temp_directory_path()
          / ("herald-ops-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
    std::filesystem::create_directories(dir);
    std::ofstream{dir / "secrets.env"} << "HERALD_API_TOKENS=viewer:viewer:" << viewer_token
                                       << ",ops:operator:" << operator_token
                                       << ",boss:admin:" << admin_token << "\n";
    {
      std::ofstream more{dir / "secrets.env", std::ios::app};
      for (auto& line : secrets)
        more << line << "\n";
    }
    if (with_pending_content) {
      // A bounded run in approval mode leaves pieces pending_approval.
      auto [rc, out] = process::run(args({"--candles", "3000", "--publish.articles.mode=approval"}));
      INFO(out);
      REQUIRE(rc == 0);
    }
    extra.push_back("--content.approval-poll=200ms");
    p = std::make_unique<process>(args(extra));
    REQUIRE(p->wait_output("herald running", 60s));
    REQUIRE(p->wait_output("http: listening on", 10s));
    auto out = p->output();
    http_port = port_after(out, "http: listening on http://127.0.0.1:");
    console_port = port_after(out, "herald console` on 127.0.0.1:");
    REQUIRE(http_port > 0);
    REQUIRE(console_port > 0);
  }
  ~node() {
    if (p) {
      p->signal(SIGTERM);
      p->wait_exit(30s);
    }
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::vector<std::string> args(std::vector<std::string> extra) const {
    std::vector<std::string> a{herald_bin,
                               "run",
                               "--config",
                               shipped_conf,
                               "--http.port=0",
                               "--inspector.port=0",
                               "--scanner.start-time=1700000000000",
                               "--secrets.env-file=" + (dir / "secrets.env").string(),
                               "--db.url=sqlite://" + (dir / "h.db").string(),
                               "--publish.articles.dir=" + (dir / "site").string(),
                               "--content.chart-dir=" + (dir / "charts").string(),
                               "--http.token-file=" + (dir / "token").string()};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  httplib::Client client() const {
    httplib::Client c{"127.0.0.1", http_port};
    c.set_read_timeout(10, 0);
    return c;
  }
  static httplib::Headers auth(const std::string& token) {
    return {{"Authorization", "Bearer " + token}};
  }
  std::string db() const { return (dir / "h.db").string(); }

  /// GETs `path` until `pred(json)` holds or the deadline passes.
  nlohmann::json wait_json(const std::string& path, const std::function<bool(const nlohmann::json&)>& pred,
                 std::chrono::seconds limit = 30s) const {
    auto deadline = std::chrono::steady_clock::now() + limit;
    auto c = client();
    nlohmann::json last;
    while (std::chrono::steady_clock::now() < deadline) {
      auto r = c.Get(path.c_str(), auth(admin_token));
      if (r && r->status == 200) {
        last = nlohmann::json::parse(r->body);
        if (pred(last))
          return last;
      }
      // The inspector publishes once per stats interval (1 s).
      std::this_thread::sleep_for(100ms);
    }
    return last;
  }
};


} // namespace herald::test
