#pragma once
// A local cluster of `herald node` processes for acceptance tests and
// bench/cluster: certificates from scripts/cluster-certs, one fresh database
// on the throwaway PostgreSQL (fixture "postgres"), three API tokens, every
// port ephemeral (a node's peers are the nodes started before it; dials go
// both ways, so every pair is connected).

#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/backends.hpp"
#include "support/fault_proxy.hpp"
#include "support/herald_node.hpp"

namespace herald::test {

struct cluster_member {
  std::string name;
  std::string roles;
  std::unique_ptr<process> p;
  int http_port = 0;
  int cluster_port = 0;
  std::string address() const { return "127.0.0.1:" + std::to_string(cluster_port); }
};

class local_cluster {
public:
  local_cluster() {
    dir_ = std::filesystem::temp_directory_path()
           / ("herald-cluster-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
    std::filesystem::create_directories(dir_);
    std::ofstream{dir_ / "secrets.env"} << "HERALD_API_TOKENS=viewer:viewer:" << viewer_token
                                        << ",ops:operator:" << operator_token
                                        << ",boss:admin:" << admin_token << "\n";
    if (pg_available())
      db_url_ = run_line(pg_script() + " newdb " + HERALD_TEST_PG_DIR);
  }
  ~local_cluster() {
    for (auto& m : members_)
      if (m.p) {
        m.p->signal(SIGTERM);
        m.p->wait_exit(std::chrono::seconds{30});
      }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  /// Empty when PostgreSQL is not running (the caller skips).
  const std::string& db_url() const { return db_url_; }
  const std::filesystem::path& dir() const { return dir_; }

  /// Makes the CA and certificates for `names` in `sub` (another CA per sub).
  std::filesystem::path certs(const std::string& names, const std::string& sub = "certs") {
    auto d = dir_ / sub;
    auto cmd = std::string{HERALD_SOURCE_DIR} + "/scripts/cluster-certs '" + d.string() + "' " +
               names + " > /dev/null";
    REQUIRE(std::system(cmd.c_str()) == 0);
    return d;
  }

  /// Partition tests: from now on every link a node dials (to a peer, and
  /// to PostgreSQL) goes through a fault_proxy of its own, so that
  /// `isolate(name)` can cut a node off from everything.
  void through_proxies() { proxied_ = true; }

  /// Cuts (or freezes) every proxied link with `name` at one end: its peer
  /// links both ways and its PostgreSQL connections.
  /// Links of nodes started meanwhile start cut too.
  void isolate(const std::string& name, bool freeze = false) {
    isolated_[name] = freeze;
    for (auto& r : routes_)
      if (r.from == name || r.to == name)
        freeze ? r.proxy->freeze() : r.proxy->cut();
  }
  void heal(const std::string& name) {
    isolated_.erase(name);
    for (auto& r : routes_)
      if (r.from == name || r.to == name)
        r.proxy->heal();
  }

  /// The command line of a node: its peers are the members started so far.
  std::vector<std::string> args(const std::string& name, const std::string& roles,
                                const std::filesystem::path& certs,
                                std::vector<std::string> extra = {}) {
    std::string peers = "[";
    for (auto& m : members_)
      if (m.p && !m.p->exited())
        peers += (peers.size() > 1 ? "," : "") + std::string{"\""}
                 + (proxied_ ? route(name, m.name, m.cluster_port) : m.address()) + "\"";
    peers += "]";
    auto db = db_url_;
    if (proxied_) { // postgresql://user@127.0.0.1:PORT/db -> the node's proxy
      auto colon = db.find(':', db.find('@'));
      auto slash = db.find('/', colon);
      auto pg_port = std::stoi(db.substr(colon + 1, slash - colon - 1));
      db = db.substr(0, colon) + ":" + std::to_string(std::stoi(
             route(name, "postgresql", pg_port).substr(10))) + db.substr(slash);
    }
    std::vector<std::string> a{herald_bin,
                               "node",
                               "--config",
                               shipped_conf,
                               "--name",
                               name,
                               "--roles",
                               roles,
                               "--cluster.port=0",
                               "--cluster.peers=" + peers,
                               "--cluster.ca-file=" + (certs / "ca.pem").string(),
                               "--db.url=" + db,
                               "--http.port=0",
                               "--inspector.enabled=false",
                               "--scanner.start-time=1700000000000",
                               "--secrets.env-file=" + (dir_ / "secrets.env").string(),
                               "--publish.articles.dir=" + (dir_ / ("site-" + name)).string(),
                               "--content.chart-dir=" + (dir_ / ("charts-" + name)).string(),
                               "--http.token-file=" + (dir_ / ("token-" + name)).string()};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }

  /// Starts a node and waits until its tree runs; returns it.
  cluster_member& start(const std::string& name, const std::string& roles,
                        const std::filesystem::path& certs, std::vector<std::string> extra = {}) {
    cluster_member m;
    m.name = name;
    m.roles = roles;
    m.p = std::make_unique<process>(args(name, roles, certs, std::move(extra)));
    INFO(m.p->output());
    REQUIRE(m.p->wait_output("herald running", std::chrono::seconds{60}));
    auto out = m.p->output();
    m.http_port = port_after(out, "http: listening on http://127.0.0.1:");
    m.cluster_port = port_after(out, ") listening on 127.0.0.1:");
    REQUIRE(m.http_port > 0);
    REQUIRE(m.cluster_port > 0);
    for (auto& old : members_)
      if (old.name == name) {
        old = std::move(m);
        return old;
      }
    members_.push_back(std::move(m));
    return members_.back();
  }

  cluster_member& operator[](const std::string& name) {
    for (auto& m : members_)
      if (m.name == name)
        return m;
    FAIL("no member " << name);
    throw std::logic_error("unreachable");
  }

  static httplib::Client client(const cluster_member& m) {
    httplib::Client c{"127.0.0.1", m.http_port};
    c.set_read_timeout(10, 0);
    c.set_connection_timeout(2, 0);
    return c;
  }

  /// GETs `path` of `m` until `pred(status, json)` holds or `limit` passes;
  /// returns whether it held.
  static bool wait_api(const cluster_member& m, const std::string& path,
                       const std::function<bool(int, const nlohmann::json&)>& pred,
                       std::chrono::seconds limit = std::chrono::seconds{60}) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    auto c = client(m);
    while (std::chrono::steady_clock::now() < deadline) {
      auto r = c.Get(path.c_str(), node::auth(admin_token));
      if (r) {
        auto j = nlohmann::json::parse(r->body, nullptr, false);
        if (pred(r->status, j))
          return true;
      }
      // The board is republished once per stats interval (1 s).
      std::this_thread::sleep_for(std::chrono::milliseconds{100});
    }
    return false;
  }

  /// The holder of a lease that has not expired in an /api/v1/cluster
  /// answer ("" when none), and its epoch.
  static std::string holder_of(const nlohmann::json& cluster, const std::string& lease,
                        std::int64_t* epoch = nullptr) {
    if (!cluster.is_object() || !cluster.contains("leases"))
      return {};
    for (auto& l : cluster["leases"])
      if (l.value("name", "") == lease && l.value("expires_in_ms", 0) > 0) {
        if (epoch)
          *epoch = l.value("epoch", std::int64_t{0});
        return l.value("holder", "");
      }
    return {};
  }

  /// The status of `name` in `m`'s /api/v1/cluster ("" when not listed).
  static std::string status_of(const nlohmann::json& cluster, const std::string& name) {
    if (!cluster.is_object() || !cluster.contains("nodes"))
      return {};
    for (auto& n : cluster["nodes"])
      if (n.value("name", "") == name)
        return n.value("status", "");
    return {};
  }

private:
  struct proxy_route {
    std::string from, to;
    std::unique_ptr<fault_proxy> proxy;
  };
  /// The address of a new proxy for `from`'s link to `to` (at port).
  std::string route(const std::string& from, const std::string& to, int port) {
    routes_.push_back({from, to, std::make_unique<fault_proxy>(port)});
    for (auto& [name, freeze] : isolated_)
      if (name == from || name == to)
        freeze ? routes_.back().proxy->freeze() : routes_.back().proxy->cut();
    return routes_.back().proxy->address();
  }

  bool proxied_ = false;
  std::map<std::string, bool> isolated_; ///< name -> frozen (else cut)
  std::vector<proxy_route> routes_; ///< (destroyed after the members: declared before)
  std::filesystem::path dir_;
  std::string db_url_;
  std::deque<cluster_member> members_; ///< (references stay valid as it grows)
};

} // namespace herald::test
