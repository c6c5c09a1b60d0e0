// The compose stack as an operator runs it (issue 17): `docker/stack up`
// builds every image (on an offline base from debootstrap when no registry
// answers) and brings PostgreSQL, four Herald nodes, Prometheus,
// Alertmanager and nginx up until all are healthy; Prometheus sees every
// node up; the console and the API answer through nginx; stopping an
// analysis node moves its series and fires HeraldNodeDown, which
// Alertmanager delivers to Herald's webhook receiver; `docker/stack down
// --volumes` removes it. Skips visibly only when no Docker engine can be
// started. Its own executable: it may take a long time (the first image
// build compiles Herald), so ctest gives it its own timeout.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "support/ports.hpp"
#include "support/process.hpp"

using herald::test::process;
using json = nlohmann::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using clk = std::chrono::steady_clock;

namespace {

const fs::path docker_dir = fs::path{HERALD_SOURCE_DIR} / "docker";

/// Runs a command found on PATH (process::run takes absolute paths).
std::pair<int, std::string> run(std::vector<std::string> argv,
                                std::chrono::milliseconds timeout = 60s) {
  argv.insert(argv.begin(), "/usr/bin/env");
  return process::run(std::move(argv), timeout);
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
    s.pop_back();
  return s;
}

double seconds_since(clk::time_point t) {
  return std::chrono::duration<double>(clk::now() - t).count();
}

/// The stack of one test run: its own project name, secrets and ports;
/// taken down with its volumes whatever happens.
struct stack {
  std::string project = "heraldtest" + std::to_string(::getpid());
  fs::path secrets = fs::temp_directory_path() / (project + "-secrets");
  int http = herald::test::free_port(), https = herald::test::free_port(),
      prometheus = herald::test::free_port(), alertmanager = herald::test::free_port();
  bool up = false;

  std::vector<std::string> env() const {
    return {"HERALD_PROJECT=" + project,
            "HERALD_SECRETS=" + secrets.string(),
            "HERALD_HTTP_PORT=" + std::to_string(http),
            "HERALD_HTTPS_PORT=" + std::to_string(https),
            "HERALD_PROMETHEUS_PORT=" + std::to_string(prometheus),
            "HERALD_ALERTMANAGER_PORT=" + std::to_string(alertmanager),
            "HERALD_STACK_TIMEOUT=600"};
  }
  std::pair<int, std::string> run(std::vector<std::string> args,
                                  std::chrono::milliseconds timeout = 120s) const {
    auto argv = env();
    argv.push_back((docker_dir / "stack").string());
    argv.insert(argv.end(), args.begin(), args.end());
    return ::run(argv, timeout);
  }
  /// The container id of a compose service.
  std::string container(const std::string& service) const {
    return trim(run({"compose", "ps", "-q", service}).second);
  }
  std::string token(const std::string& name) const {
    return trim(::run({"cat", (secrets / name).string()}).second);
  }
  ~stack() {
    if (up) {
      auto [rc, out] = run({"down", "--volumes"}, 300s);
      if (rc != 0)
        std::cerr << "docker stack test: `docker/stack down --volumes` failed:\n" << out;
    }
    fs::remove_all(secrets);
  }
};

/// GET http://127.0.0.1:port/path as JSON (null when it does not answer).
json get_json(int port, const std::string& path) {
  httplib::Client c{"127.0.0.1", port};
  c.set_connection_timeout(5, 0);
  c.set_read_timeout(10, 0);
  auto r = c.Get(path.c_str());
  if (!r || r->status != 200)
    return nullptr;
  return json::parse(r->body, nullptr, false);
}

/// curl -sk through nginx: (exit code, "STATUS\nBODY").
std::pair<int, std::string> curl(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"curl", "-sk", "--max-time", "20", "-w", "\n%{http_code}"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, 60s);
}

template <class F>
bool eventually(std::chrono::seconds limit, F&& f) {
  auto deadline = clk::now() + limit;
  while (clk::now() < deadline) {
    if (f())
      return true;
    std::this_thread::sleep_for(1s);
  }
  return f();
}

} // namespace

TEST_CASE("the Herald image copies every source folder the build reads", "[acceptance][docker]") {
  // docker/Dockerfile copies folders one by one (so that an edit in docker/
  // or tests/ does not recompile Herald): a new source folder must be
  // added there too. Checked without Docker.
  auto read = [](const fs::path& p) {
    std::ifstream in{p};
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  auto cmake = read(fs::path{HERALD_SOURCE_DIR} / "CMakeLists.txt");
  auto dockerfile = read(docker_dir / "Dockerfile");
  std::set<std::string> folders;
  std::istringstream lines{cmake};
  for (std::string line; std::getline(lines, line);) {
    auto b = line.find_first_not_of(' ');
    if (b == std::string::npos || b == 0)
      continue;
    auto slash = line.find('/', b);
    auto cpp = line.find(".cpp", b);
    if (slash == std::string::npos || cpp == std::string::npos
        || line.find(' ', b) != std::string::npos)
      continue;
    auto f = line.substr(b, slash - b);
    if (f.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string::npos)
      folders.insert(f); // a source path like "community/gate.cpp"
  }
  CHECK(folders.size() >= 10);
  for (auto& f : folders) {
    INFO("source folder " << f);
    CHECK(dockerfile.find("COPY " + f + " " + f + "\n") != std::string::npos);
  }
}

TEST_CASE("the compose stack builds, comes up healthy, is monitored and survives a node stop",
          "[acceptance][docker]") {
  if (run({"sh", "-c", "command -v docker"}).first != 0) {
    WARN("SKIPPED: no docker client (scripts/setup installs docker.io)");
    return;
  }
  auto [erc, eout] = run({(docker_dir / "engine").string()}, 90s);
  if (erc != 0) {
    WARN("SKIPPED: no Docker engine can be started here: " << eout);
    return;
  }
  stack s;
  // The Grafana profile (its image needs a registry, so it is not started
  // here) is at least a valid part of the file.
  auto [grc, gout] = s.run({"compose", "--profile", "grafana", "config", "-q"});
  INFO(gout);
  CHECK(grc == 0);
  auto t0 = clk::now();
  s.up = true; // from here on, take it down whatever happens
  auto [rc, out] = s.run({"up"}, 2400s);
  auto up_seconds = seconds_since(t0);
  INFO(out.substr(out.size() > 6000 ? out.size() - 6000 : 0));
  REQUIRE(rc == 0);
  CHECK(out.find("stack: up (project " + s.project + ")") != std::string::npos);

  // Prometheus scrapes every Herald node with the metrics token.
  auto t1 = clk::now();
  std::set<std::string> up_targets;
  CHECK(eventually(120s, [&] {
    auto j = get_json(s.prometheus, "/api/v1/targets");
    up_targets.clear();
    if (j.is_object() && j.contains("data"))
      for (auto& t : j["data"]["activeTargets"])
        if (t["labels"].value("job", "") == "herald" && t.value("health", "") == "up")
          up_targets.insert(t["labels"].value("instance", ""));
    return up_targets.size() == 4;
  }));
  CHECK(up_targets == std::set<std::string>{"herald-n1:8080", "herald-n2:8080", "herald-n3:8080",
                                            "herald-n4:8080"});
  auto scraped_seconds = seconds_since(t1);
  // Herald's own series, from every node.
  auto q = get_json(s.prometheus, "/api/v1/query?query=count(herald_cluster_members_up)");
  INFO(q.dump());
  REQUIRE(q.is_object());
  REQUIRE(q["data"]["result"].size() == 1);
  CHECK(q["data"]["result"][0]["value"][1] == "4");

  // The console and the API through nginx (TLS, self-signed).
  auto base = "https://127.0.0.1:" + std::to_string(s.https);
  auto [c1, console] = curl({base + "/"});
  CHECK(c1 == 0);
  CHECK(console.find("Herald") != std::string::npos);
  CHECK(console.substr(console.size() - 3) == "200");
  auto [c2, redirect] = curl({"http://127.0.0.1:" + std::to_string(s.http) + "/"});
  CHECK(redirect.substr(redirect.size() - 3) == "301");
  auto admin = "Authorization: Bearer " + s.token("admin_token");
  auto [c3, noauth] = curl({base + "/api/v1/cluster"});
  CHECK(noauth.substr(noauth.size() - 3) == "401");

  // The cluster as n1 sees it: four nodes up, n3 owns series.
  auto cluster = [&] {
    auto [c, body] = curl({"-H", admin, base + "/api/v1/cluster"});
    auto cut = body.rfind('\n');
    if (c != 0 || cut == std::string::npos || body.substr(cut + 1) != "200")
      return json{};
    return json::parse(body.substr(0, cut), nullptr, false);
  };
  auto owned = [](const json& j, const std::string& node) -> std::size_t {
    if (!j.is_object() || !j.contains("nodes"))
      return 0;
    for (auto& n : j["nodes"])
      if (n.value("name", "") == node && n.contains("series"))
        return n["series"].size();
    return 0;
  };
  auto status = [](const json& j, const std::string& node) {
    if (j.is_object() && j.contains("nodes"))
      for (auto& n : j["nodes"])
        if (n.value("name", "") == node)
          return n.value("status", "");
    return std::string{};
  };
  json before;
  CHECK(eventually(120s, [&] {
    before = cluster();
    for (auto n : {"n1", "n2", "n3", "n4"})
      if (status(before, n) != "up")
        return false;
    return owned(before, "n3") > 0 && owned(before, "n2") > 0;
  }));
  INFO(before.dump());
  auto total = owned(before, "n2") + owned(before, "n3");

  // Stop one analysis node: its series move to n2, HeraldNodeDown fires
  // in Prometheus and reaches Herald through Alertmanager's webhook.
  auto n3 = s.container("herald-n3");
  REQUIRE_FALSE(n3.empty());
  auto t2 = clk::now();
  REQUIRE(run({"docker", "stop", n3}, 60s).first == 0);
  json after;
  CHECK(eventually(60s, [&] {
    after = cluster();
    return owned(after, "n3") == 0 && owned(after, "n2") == total && total > 0;
  }));
  INFO(after.dump());
  auto moved_seconds = seconds_since(t2);
  json alerts;
  CHECK(eventually(240s, [&] {
    alerts = get_json(s.prometheus, "/api/v1/alerts");
    if (!alerts.is_object() || !alerts.contains("data"))
      return false;
    for (auto& a : alerts["data"]["alerts"])
      if (a["labels"].value("alertname", "") == "HeraldNodeDown"
          && a["labels"].value("instance", "") == "herald-n3:8080" && a.value("state", "") == "firing")
        return true;
    return false;
  }));
  INFO(alerts.dump());
  auto fired_seconds = seconds_since(t2);
  auto n1 = s.container("herald-n1");
  CHECK(eventually(180s, [&] {
    auto [c, logs] = run({"docker", "logs", n1}, 60s);
    return logs.find("alert firing: HeraldNodeDown herald-n3:8080") != std::string::npos;
  }));
  auto delivered_seconds = seconds_since(t2);
  std::cout << "docker stack test: up (build + healthy) " << up_seconds << " s; every node scraped "
            << scraped_seconds << " s later; after `docker stop` of herald-n3: series moved in "
            << moved_seconds << " s, HeraldNodeDown firing in " << fired_seconds
            << " s, delivered to Herald in " << delivered_seconds << " s\n";

  auto t3 = clk::now();
  auto [drc, dout] = s.run({"down", "--volumes"}, 300s);
  INFO(dout);
  CHECK(drc == 0);
  s.up = false;
  CHECK(s.container("herald-n1").empty());
  std::cout << "docker stack test: down in " << seconds_since(t3) << " s\n";
}
