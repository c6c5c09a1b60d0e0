// `herald node` processes with mutual TLS and the throwaway PostgreSQL: the
// roles split over three nodes, a lost node detected and rejoining as a new
// incarnation, refused certificates and plain TCP, and the configurations a
// node refuses to start with (issue 16).
#include <catch2/catch.hpp>

#include "support/cluster.hpp"

using namespace herald::test;
using namespace std::chrono_literals;

namespace {

std::size_t count_of(const cluster_member& m, const std::string& path) {
  auto c = local_cluster::client(m);
  auto r = c.Get(path.c_str(), node::auth(admin_token));
  if (!r || r->status != 200)
    return 0;
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (j.is_object() && j.contains("items"))
    return j["items"].size();
  return j.is_array() ? j.size() : 0;
}

/// The last lines of a node's output (for failure messages).
std::string tail(const std::string& out, std::size_t n = 3000) {
  return out.size() <= n ? out : out.substr(out.size() - n);
}

std::string incarnation_of(const nlohmann::json& cluster, const std::string& name) {
  for (auto& n : cluster["nodes"])
    if (n.value("name", "") == name)
      return n.value("incarnation", "");
  return {};
}

} // namespace

TEST_CASE("three nodes split the roles over TLS, lose one and take it back", "[cluster][acceptance]") {
  local_cluster cl;
  if (cl.db_url().empty()) {
    WARN("SKIPPED: the throwaway PostgreSQL is not running (run through ctest)");
    return;
  }
  auto certs = cl.certs("n1,n2,n3,n4");
  auto& n1 = cl.start("n1", "data,ops", certs);
  cl.start("n2", "analysis", certs);
  cl.start("n3", "content", certs);
  // Every node sees every other up, and every role is held.
  nlohmann::json seen;
  REQUIRE(local_cluster::wait_api(n1, "/api/v1/cluster", [&](int st, const nlohmann::json& j) {
    seen = j;
    return st == 200 && local_cluster::status_of(j, "n2") == "up"
           && local_cluster::status_of(j, "n3") == "up";
  }));
  INFO(seen.dump());
  for (auto name : {"n1", "n2", "n3"})
    CHECK(local_cluster::wait_api(cl[name], "/ready", [](int st, const nlohmann::json&) {
      return st == 200;
    }));
  // The hub on n1 feeds the pipeline on n2: its signals reach the database
  // through n1's persistence agent.
  INFO("n2: " << tail(cl["n2"].p->output()));
  CHECK(local_cluster::wait_api(n1, "/api/v1/signals?limit=5", [](int st, const nlohmann::json& j) {
    return st == 200 && j.contains("items") && !j["items"].empty();
  }));
  auto n2_incarnation = incarnation_of(seen, "n2");
  // The terminal console on TLS nodes: through a node agent (mutual TLS,
  // here with n3's certificate) to that node's inspector; `cluster` lists
  // every node, from any node (each runs an inspector for its API);
  // another CA's certificate is refused.
  {
    auto console = [&](const cluster_member& at, const std::string& name,
                       const std::filesystem::path& ca_dir, const std::string& line) {
      return process::run({herald_bin, "console", "--node", "--config", shipped_conf, "--name",
                           name, "--cluster.ca-file=" + (ca_dir / "ca.pem").string(), "--port",
                           std::to_string(at.cluster_port), "--token", viewer_token, "-c", line});
    };
    auto [rc, out] = console(n1, "n3", certs, "cluster");
    INFO(out);
    CHECK(rc == 0);
    CHECK(out.find("mutual TLS") == std::string::npos); // -c prints only the answer
    for (auto name : {"n1 ", "n2 ", "n3 "})
      CHECK(out.find(name) != std::string::npos);
    CHECK(out.find(" up ") != std::string::npos);
    auto [rc2, out2] = console(cl["n2"], "n3", certs, "cluster"); // any node
    INFO(out2);
    CHECK(rc2 == 0);
    CHECK(out2.find("lease publisher: n3") != std::string::npos);
    auto other = cl.certs("n3", "other-ca");
    auto [rc3, out3] = console(n1, "n3", other, "cluster");
    INFO(out3);
    CHECK(rc3 == 1);
    CHECK(out3.find("cannot reach the node agent at 127.0.0.1:") != std::string::npos);
  }
  // The agent registry lists every node's agents (written by each node).
  CHECK(local_cluster::wait_api(n1, "/api/v1/cluster/agents?node=n2", [](int st, const nlohmann::json& j) {
    if (st != 200)
      return false;
    for (auto& a : j["agents"])
      if (a["path"] == "analysis.pipeline" && a["status"] == "running")
        return true;
    return false;
  }));

  // n2 is killed: n1 notices through the heartbeats, drops its agents and
  // is not ready (no node holds "analysis").
  cl["n2"].p->signal(SIGKILL);
  CHECK(n1.p->wait_output("node n2 lost", 30s));
  // ... and keeps its link to n3 (CAF's openssl module under OpenSSL 3 used
  // to drop every other TLS link of a node when one failed; see
  // io/net/openssl_error_queue.cpp).
  CHECK(n1.p->output().find("node n3 lost") == std::string::npos);
  nlohmann::json ready;
  CHECK(local_cluster::wait_api(n1, "/ready", [&](int st, const nlohmann::json& j) {
    ready = j;
    return st == 503;
  }));
  CHECK(ready.dump().find("analysis") != std::string::npos);
  {
    auto c = local_cluster::client(n1);
    auto m = c.Get("/metrics", node::auth(viewer_token));
    REQUIRE(m);
    CHECK(m->body.find("herald_cluster_node_up{node=\"n2\",roles=\"analysis\"} 0")
          != std::string::npos);
    INFO(m->body.substr(m->body.find("herald_cluster_nodes_lost")));
    CHECK(m->body.find("herald_cluster_detection_seconds_count 1") != std::string::npos);
  }
  CHECK(local_cluster::status_of(seen = [&] {
          nlohmann::json j;
          local_cluster::wait_api(n1, "/api/v1/cluster", [&](int, const nlohmann::json& x) {
            j = x;
            return local_cluster::status_of(x, "n2") == "down";
          });
          return j;
        }(), "n2") == "down");

  // n2 comes back: a new incarnation, ready again, analysis goes on.
  auto before = count_of(n1, "/api/v1/signals?limit=1000");
  cl.start("n2", "analysis", certs);
  CHECK(local_cluster::wait_api(n1, "/api/v1/cluster", [&](int, const nlohmann::json& j) {
    seen = j;
    return local_cluster::status_of(j, "n2") == "up";
  }));
  CHECK(incarnation_of(seen, "n2") != n2_incarnation);
  // The deployment log has the joins (with the config digest) and n1's view
  // of the loss.
  CHECK(local_cluster::wait_api(n1, "/api/v1/cluster/log?limit=200", [](int st, const nlohmann::json& j) {
    if (st != 200)
      return false;
    bool lost = false, joined = false;
    for (auto& e : j["items"]) {
      lost = lost || (e["event"] == "node_lost" && e["node"] == "n1" && e["details"]["peer"] == "n2");
      joined = joined || (e["event"] == "joined" && e["node"] == "n2"
                          && e["details"]["config_digest"].get<std::string>().size() == 64);
    }
    return lost && joined;
  }));
  CHECK(local_cluster::wait_api(n1, "/ready", [](int st, const nlohmann::json&) { return st == 200; }));
  CHECK(local_cluster::wait_api(n1, "/api/v1/signals?limit=1000", [&](int, const nlohmann::json& j) {
    return j.contains("items") && j["items"].size() > before;
  }));
  // A second analysis node: the coordinator (n1) moves series to it
  // gradually (they were placed, not moved, so min-stay does not hold them),
  // and the cluster stays ready.
  cl.start("n4", "analysis", certs);
  nlohmann::json spread;
  CHECK(local_cluster::wait_api(n1, "/api/v1/cluster", [&](int st, const nlohmann::json& j) {
    spread = j;
    if (st != 200)
      return false;
    for (auto& n : j["nodes"])
      if (n.value("name", "") == "n4" && !n["series"].empty())
        return true;
    return false;
  }));
  INFO(spread.dump());
  CHECK(local_cluster::wait_api(n1, "/ready", [](int st, const nlohmann::json&) { return st == 200; }));
  // Orderly stops: every node exits 0.
  for (auto name : {"n4", "n3", "n2", "n1"}) {
    cl[name].p->signal(SIGTERM);
    CHECK(cl[name].p->wait_exit(60s) == 0);
  }
}

TEST_CASE("a node with another CA's certificate or plain TCP is refused", "[cluster][acceptance]") {
  local_cluster cl;
  if (cl.db_url().empty()) {
    WARN("SKIPPED: the throwaway PostgreSQL is not running (run through ctest)");
    return;
  }
  auto ours = cl.certs("n1");
  auto theirs = cl.certs("x", "other-ca");
  auto& n1 = cl.start("n1", "data,analysis,content,ops", ours);
  auto& x = cl.start("x", "analysis", theirs);
  CHECK(x.p->wait_output("dial " + n1.address() + " failed", 30s));
  auto& y = cl.start("y", "analysis", ours, {"--cluster.tls=false"});
  CHECK(y.p->output().find("cluster.tls=false") != std::string::npos);
  CHECK(y.p->wait_output("dial " + n1.address() + " failed", 30s));
  // n1 never lists either.
  nlohmann::json j;
  REQUIRE(local_cluster::wait_api(n1, "/api/v1/cluster", [&](int st, const nlohmann::json& v) {
    j = v;
    return st == 200;
  }));
  INFO(j.dump());
  CHECK(local_cluster::status_of(j, "x") != "up");
  CHECK(local_cluster::status_of(j, "y") != "up");
  CHECK(n1.p->output().find("node x up") == std::string::npos);
  CHECK(n1.p->output().find("node y up") == std::string::npos);
}

TEST_CASE("a node refuses to start without what a cluster needs", "[cluster][acceptance]") {
  auto dir = std::filesystem::temp_directory_path() / ("herald-node-cfg-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto base = std::vector<std::string>{herald_bin, "node", "--config", shipped_conf, "--name", "n1",
                                       "--http.enabled=false", "--inspector.enabled=false"};
  auto with = [&](std::vector<std::string> extra) {
    auto a = base;
    a.insert(a.end(), extra.begin(), extra.end());
    return process::run(a);
  };
  // Peers with SQLite: exit 2, says why.
  auto [rc1, out1] = with({"--cluster.tls=false", "--cluster.peers=[\"127.0.0.1:4999\"]",
                           "--db.url=sqlite://" + (dir / "h.db").string()});
  CHECK(rc1 == 2);
  CHECK(out1.find("a cluster needs PostgreSQL") != std::string::npos);
  // TLS without a CA file, or with one that does not exist.
  auto [rc2, out2] = with({"--db.url=sqlite://" + (dir / "h.db").string()});
  CHECK(rc2 == 2);
  CHECK(out2.find("cluster.ca-file") != std::string::npos);
  auto [rc3, out3] = with({"--cluster.ca-file=/nonexistent/ca.pem",
                           "--db.url=sqlite://" + (dir / "h.db").string()});
  CHECK(rc3 == 2);
  CHECK(out3.find("'/nonexistent/ca.pem' does not exist") != std::string::npos);
  // An unknown role.
  auto [rc4, out4] = with({"--roles", "data,trading", "--cluster.tls=false"});
  CHECK(rc4 == 2);
  CHECK(out4.find("trading") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("the terminal console of a plain-TCP node shows the cluster", "[cluster][acceptance]") {
  local_cluster cl;
  if (cl.db_url().empty()) {
    WARN("SKIPPED: the throwaway PostgreSQL is not running (run through ctest)");
    return;
  }
  auto certs = cl.certs("n1");
  // Plain TCP: the inspector may be published next to the node agent.
  auto& n1 = cl.start("n1", "data,analysis,content,ops", certs,
                      {"--cluster.tls=false", "--inspector.enabled=true", "--inspector.port=0"});
  REQUIRE(n1.p->wait_output("herald console` on 127.0.0.1:", 30s));
  auto port = std::to_string(port_after(n1.p->output(), "herald console` on 127.0.0.1:"));
  REQUIRE(local_cluster::wait_api(n1, "/api/v1/cluster/agents?node=n1", [](int st, const nlohmann::json& j) {
    return st == 200 && !j["agents"].empty();
  }));
  auto [rc, out] = process::run({herald_bin, "console", "--port", port, "--token", viewer_token,
                                 "-c", "cluster"});
  INFO(out);
  CHECK(rc == 0);
  CHECK(out.find("NODE") != std::string::npos);
  CHECK(out.find("n1") != std::string::npos);
  CHECK(out.find(" up ") != std::string::npos);
  auto [rc2, agents] = process::run({herald_bin, "console", "--port", port, "--token",
                                     viewer_token, "-c", "cluster agents n1"});
  INFO(agents);
  CHECK(rc2 == 0);
  CHECK(agents.find("data.hub") != std::string::npos);
}
