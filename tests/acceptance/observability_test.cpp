// The monitoring that ships in docker/prometheus (issue 17): the Prometheus
// configuration and alert rules pass promtool, every alert has a promtool
// unit test that fires it (docker/prometheus/tests/herald_test.yml), and
// every metric an alert names is one a running node exports.
#include <catch2/catch.hpp>

#include <fstream>
#include <functional>
#include <regex>
#include <set>
#include <sstream>

#include "ops/metrics.hpp"
#include "support/herald_node.hpp"
#include "support/ports.hpp"

using namespace herald::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const fs::path prom_dir = fs::path{HERALD_SOURCE_DIR} / "docker" / "prometheus";
const std::string promtool = HERALD_PROMTOOL;

std::string slurp(const fs::path& p) {
  std::ifstream in{p};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// `- alert: Name` of the rule files.
std::set<std::string> alert_names() {
  std::set<std::string> out;
  std::regex re{R"(^\s*-\s*alert:\s*(\w+))"};
  for (auto& f : fs::directory_iterator{prom_dir / "rules"}) {
    std::istringstream in{slurp(f.path())};
    std::string line;
    std::smatch m;
    while (std::getline(in, line))
      if (std::regex_search(line, m, re))
        out.insert(m[1]);
  }
  return out;
}

const std::regex metric_name{R"(\b((?:herald|process)_[a-z0-9_]+)\b|\b(up)\{)"};

void add_metrics(const std::string& text, std::set<std::string>& out) {
  for (std::sregex_iterator it{text.begin(), text.end(), metric_name}, end; it != end; ++it)
    out.insert((*it)[1].matched ? (*it)[1].str() : (*it)[2].str());
}

/// Every panel query of the Grafana dashboards (docker/grafana/dashboards).
std::vector<std::string> dashboard_queries() {
  std::vector<std::string> out;
  std::function<void(const nlohmann::json&)> walk = [&](const nlohmann::json& j) {
    if (j.is_object()) {
      for (auto& [k, v] : j.items())
        if (k == "expr" && v.is_string())
          out.push_back(v.get<std::string>());
        else
          walk(v);
    } else if (j.is_array()) {
      for (auto& v : j)
        walk(v);
    }
  };
  for (auto& f : fs::directory_iterator{fs::path{HERALD_SOURCE_DIR} / "docker" / "grafana" / "dashboards"}) {
    auto j = nlohmann::json::parse(slurp(f.path()), nullptr, false);
    REQUIRE(j.is_object());
    walk(j);
  }
  return out;
}

/// Alert expressions of the rule files (the lines of each `expr:`).
std::vector<std::string> rule_expressions() {
  std::vector<std::string> out;
  for (auto& f : fs::directory_iterator{prom_dir / "rules"}) {
    std::istringstream in{slurp(f.path())};
    std::string line, cur;
    bool in_expr = false;
    std::size_t indent = 0;
    auto flush = [&] {
      if (!cur.empty())
        out.push_back(cur);
      cur.clear();
      in_expr = false;
    };
    while (std::getline(in, line)) {
      auto first = line.find_first_not_of(" \t");
      if (first == std::string::npos)
        continue;
      if (in_expr && first > indent) {
        cur += " " + line.substr(first);
        continue;
      }
      flush();
      if (line.compare(first, 5, "expr:") == 0) {
        in_expr = true;
        indent = first;
        auto rest = line.substr(first + 5);
        auto t = rest.find_first_not_of(" >");
        cur = t == std::string::npos ? "" : rest.substr(t);
      }
    }
    flush();
  }
  return out;
}

/// Metric names the rule files use: every herald_* / process_* token and
/// `up` (comment lines skipped; annotations name no metric).
std::set<std::string> metrics_in_rules() {
  std::set<std::string> out;
  const auto& name = metric_name;
  for (auto& f : fs::directory_iterator{prom_dir / "rules"}) {
    std::istringstream in{slurp(f.path())};
    std::string line;
    while (std::getline(in, line)) {
      auto first = line.find_first_not_of(" \t");
      if (first == std::string::npos || line[first] == '#')
        continue;
      for (std::sregex_iterator it{line.begin(), line.end(), name}, end; it != end; ++it)
        out.insert((*it)[1].matched ? (*it)[1].str() : (*it)[2].str());
    }
  }
  return out;
}

#define REQUIRE_PROMTOOL()                                                                         \
  if (promtool.empty()) {                                                                          \
    WARN("SKIPPED: promtool not found (Debian package prometheus; scripts/setup installs it)");    \
    return;                                                                                        \
  }

} // namespace

TEST_CASE("the shipped Prometheus configuration and alert rules pass promtool",
          "[acceptance][observability]") {
  REQUIRE_PROMTOOL();
  auto cfg = prom_dir / "prometheus.yml";
  auto [rc1, out1] = process::run({promtool, "check", "config", "--syntax-only", cfg.string()});
  INFO(out1);
  CHECK(rc1 == 0);
  // In full: the rule files resolve and the token file exists (a copy next
  // to the rules, pointing at a throwaway token).
  auto tmp = fs::temp_directory_path() / ("herald-prom-" + std::to_string(::getpid()));
  fs::create_directories(tmp / "rules");
  for (auto& f : fs::directory_iterator{prom_dir / "rules"})
    fs::copy_file(f.path(), tmp / "rules" / f.path().filename(),
                  fs::copy_options::overwrite_existing);
  std::ofstream{tmp / "token"} << viewer_token << "\n";
  auto text = slurp(cfg);
  auto at = text.find("/run/secrets/herald_metrics_token");
  REQUIRE(at != std::string::npos);
  text.replace(at, std::string{"/run/secrets/herald_metrics_token"}.size(), (tmp / "token").string());
  std::ofstream{tmp / "prometheus.yml"} << text;
  auto [rc2, out2] = process::run({promtool, "check", "config", (tmp / "prometheus.yml").string()});
  INFO(out2);
  CHECK(rc2 == 0);
  CHECK(out2.find("SUCCESS") != std::string::npos);
  auto [rc3, out3] = process::run({promtool, "check", "rules", (prom_dir / "rules" / "herald.yml").string()});
  INFO(out3);
  CHECK(rc3 == 0);
  fs::remove_all(tmp);
}

TEST_CASE("every alert has a promtool unit test that fires it and one that must stay quiet",
          "[acceptance][observability]") {
  REQUIRE_PROMTOOL();
  auto tests = prom_dir / "tests" / "herald_test.yml";
  auto [rc, out] = process::run({promtool, "test", "rules", tests.string()});
  INFO(out);
  CHECK(rc == 0);
  CHECK(out.find("SUCCESS") != std::string::npos);
  auto names = alert_names();
  REQUIRE(names.size() >= 10);
  auto body = slurp(tests);
  for (auto& n : names) {
    INFO(n);
    CHECK(body.find("alertname: " + n + "\n") != std::string::npos);
  }
}

TEST_CASE("every metric an alert rule or a dashboard panel names is exported by a running node",
          "[acceptance][observability]") {
  // A one-node cluster (plain TCP, SQLite: no peers) exports the cluster
  // families next to all the others.
  auto dir = fs::temp_directory_path() / ("herald-obs-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream{dir / "secrets.env"} << "HERALD_API_TOKENS=viewer:viewer:" << viewer_token << "\n";
  process n{{herald_bin, "node", "--config", shipped_conf, "--name", "solo", "--cluster.tls=false",
             "--cluster.port=0", "--db.url=sqlite://" + (dir / "h.db").string(), "--http.port=0",
             "--inspector.enabled=false", "--secrets.env-file=" + (dir / "secrets.env").string(),
             "--http.token-file=" + (dir / "token").string(),
             "--publish.articles.dir=" + (dir / "site").string(),
             "--content.chart-dir=" + (dir / "charts").string()}};
  REQUIRE(n.wait_output("herald running", 60s));
  auto port = port_after(n.output(), "http: listening on http://127.0.0.1:");
  REQUIRE(port > 0);
  httplib::Client c{"127.0.0.1", port};
  auto r = c.Get("/metrics", node::auth(viewer_token));
  REQUIRE(r);
  REQUIRE(r->status == 200);
  std::set<std::string> families{"up"}; // Prometheus' own, per target
  std::istringstream in{r->body};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("# TYPE ", 0) == 0) {
      auto name = line.substr(7, line.find(' ', 7) - 7);
      families.insert(name);
      if (line.find(" histogram") != std::string::npos)
        for (auto suffix : {"_bucket", "_sum", "_count"})
          families.insert(name + suffix);
    }
  auto used = metrics_in_rules();
  REQUIRE(used.size() >= 10);
  auto panels = dashboard_queries();
  REQUIRE(panels.size() >= 20);
  for (auto& q : panels)
    add_metrics(q, used);
  for (auto& m : used) {
    INFO(m << " is named by an alert rule");
    CHECK(families.count(m) == 1);
  }
  n.signal(SIGTERM);
  CHECK(n.wait_exit(30s) == 0);
  fs::remove_all(dir);
}

TEST_CASE("a real Prometheus scrapes a node and fires HeraldNodeDown when it stops",
          "[acceptance][observability][prometheus]") {
  const std::string prometheus = HERALD_PROMETHEUS;
  if (prometheus.empty()) {
    WARN("SKIPPED: prometheus not found (Debian package prometheus; scripts/setup installs it)");
    return;
  }
  auto dir = fs::temp_directory_path() / ("herald-prom-run-" + std::to_string(::getpid()));
  fs::create_directories(dir / "rules");
  node n; // herald run with a viewer token
  std::ofstream{dir / "token"} << viewer_token;
  // The shipped rules with every `for:` at 1 s, evaluated every second.
  auto rules = slurp(prom_dir / "rules" / "herald.yml");
  rules = std::regex_replace(rules, std::regex{R"(for: \w+)"}, "for: 1s");
  std::ofstream{dir / "rules" / "herald.yml"} << rules;
  auto prom_port = free_port();
  std::ofstream{dir / "prometheus.yml"}
    << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
    << "rule_files:\n  - rules/*.yml\n"
    << "scrape_configs:\n  - job_name: herald\n    authorization:\n      type: Bearer\n"
    << "      credentials_file: " << (dir / "token").string() << "\n"
    << "    static_configs:\n      - targets: [\"127.0.0.1:" << n.http_port << "\"]\n";
  process prom{{prometheus, "--config.file=" + (dir / "prometheus.yml").string(),
                "--storage.tsdb.path=" + (dir / "data").string(),
                "--web.listen-address=127.0.0.1:" + std::to_string(prom_port)}};
  httplib::Client c{"127.0.0.1", prom_port};
  c.set_read_timeout(10, 0);
  auto query = [&](const std::string& path) {
    auto r = c.Get(path.c_str());
    return r && r->status == 200 ? nlohmann::json::parse(r->body, nullptr, false) : nlohmann::json{};
  };
  auto wait = [&](const std::function<bool()>& pred, std::chrono::seconds limit) {
    for (auto deadline = std::chrono::steady_clock::now() + limit;
         std::chrono::steady_clock::now() < deadline;) {
      if (pred())
        return true;
      REQUIRE(!prom.exited());
      std::this_thread::sleep_for(200ms); // Prometheus scrapes and evaluates every second
    }
    return false;
  };
  // The target is up and Herald's series are there.
  bool up = wait([&] {
    auto t = query("/api/v1/targets");
    if (!t.is_object())
      return false;
    for (auto& a : t["data"]["activeTargets"])
      if (a.value("health", "") == "up")
        return true;
    return false;
  }, 60s);
  INFO(prom.output().substr(0, 4000) << "\ntargets: " << query("/api/v1/targets").dump());
  CHECK(up);
  CHECK(wait([&] {
    auto q = query("/api/v1/query?query=herald_ready");
    return q.is_object() && !q["data"]["result"].empty();
  }, 30s));
  auto series = query("/api/v1/query?query=herald_actor_up");
  CHECK(series["data"]["result"].size() > 10);
  // Every alert expression and dashboard query parses and runs.
  auto exprs = rule_expressions();
  REQUIRE(exprs.size() >= 10);
  for (auto& q : dashboard_queries())
    exprs.push_back(q);
  for (auto& e : exprs) {
    httplib::Params params{{"query", e}};
    auto r = c.Post("/api/v1/query", params);
    INFO(e << "\n" << (r ? r->body : std::string{"no answer"}));
    REQUIRE(r);
    CHECK(r->status == 200);
  }
  // The node stops: HeraldNodeDown fires (and nothing fired while it ran).
  auto alerts = query("/api/v1/alerts");
  for (auto& a : alerts["data"]["alerts"])
    CHECK(a.value("labels", nlohmann::json::object()).value("alertname", "") != "HeraldNodeDown");
  n.p->signal(SIGTERM);
  CHECK(n.p->wait_exit(30s) == 0);
  CHECK(wait([&] {
    auto a = query("/api/v1/alerts");
    for (auto& x : a["data"]["alerts"])
      if (x["labels"].value("alertname", "") == "HeraldNodeDown" && x.value("state", "") == "firing")
        return true;
    return false;
  }, 60s));
  prom.signal(SIGTERM);
  CHECK(prom.wait_exit(30s) == 0);
  fs::remove_all(dir);
}

TEST_CASE("the shipped Alertmanager configuration renders and passes amtool",
          "[acceptance][observability]") {
  const std::string amtool = HERALD_AMTOOL;
  if (amtool.empty()) {
    WARN("SKIPPED: amtool not found (Debian package prometheus-alertmanager)");
    return;
  }
  auto docker = fs::path{HERALD_SOURCE_DIR} / "docker";
  auto out = fs::temp_directory_path() / ("herald-am-" + std::to_string(::getpid()) + ".yml");
  auto tmpl = (docker / "alertmanager" / "alertmanager.yml.template").string();
  // Without the secret the render refuses, naming it.
  auto [rc0, out0] = process::run({(docker / "render").string(), tmpl, out.string()});
  CHECK(rc0 == 2);
  CHECK(out0.find("@WEBHOOK_URL@") != std::string::npos);
  auto [rc1, out1] = process::run({(docker / "render").string(), tmpl, out.string(),
                                   "WEBHOOK_URL=https://hooks.example.org/herald?k=a&b=c",
                                   "WEBHOOK_TOKEN_FILE=/run/secrets/alertmanager_token"});
  INFO(out1);
  REQUIRE(rc1 == 0);
  CHECK(slurp(out).find("https://hooks.example.org/herald?k=a&b=c") != std::string::npos);
  CHECK(slurp(out).find("credentials_file: '/run/secrets/alertmanager_token'") != std::string::npos);
  auto [rc2, out2] = process::run({amtool, "check-config", out.string()});
  INFO(out2);
  CHECK(rc2 == 0);
  CHECK(out2.find("SUCCESS") != std::string::npos);
  fs::remove(out);
}

TEST_CASE("/metrics of a node with thousands of series, one row per kind, passes promtool",
          "[acceptance][ops][metrics]") {
  REQUIRE_PROMTOOL();
  herald::ops::snapshot s;
  auto add = [&](const std::string& path, const std::string& parent, bool sup) {
    herald::ops::actor_view a;
    a.path = path;
    a.parent = parent;
    a.is_supervisor = sup;
    a.running = true;
    a.buckets.assign(23, 1);
    a.busy_seconds = 0.5;
    s.actors.push_back(a);
  };
  add("root", "", true);
  add("analysis", "root", true);
  add("analysis.series", "analysis", true);
  for (int i = 0; i < 500; ++i) {
    auto series = "analysis.series.S" + std::to_string(i) + "USDT_1m";
    add(series, "analysis.series", true);
    for (auto k : {"momentum", "trend", "order_flow", "volatility_regime"})
      add(series + "." + k, series, false);
  }
  herald::ops::http_counters http;
  auto text = herald::ops::render_metrics(s, http, {});
  REQUIRE(text.find("herald_actor_group_size") != std::string::npos);
  auto file = fs::temp_directory_path() / ("herald-grouped-" + std::to_string(::getpid()) + ".prom");
  {
    std::ofstream out{file};
    out << text;
  }
  auto [rc, out] = process::run({"/bin/sh", "-c", promtool + " check metrics < '" + file.string() + "'"});
  fs::remove(file);
  INFO(out);
  CHECK(rc == 0);
}
