// Node agents of several actor systems in one process, over the middleman
// with mutual TLS: greeting, the cluster-wide directory, loss, refusal of
// another protocol version, and a blackholed peer that does not delay the
// others (issue 16).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>

#include "actors/cluster/node_agent.hpp"
#include "config/loader.hpp"

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using herald::cluster::view;
using herald::cluster_actors::node_agent_actor;
using herald::cluster_actors::node_agent_options;

namespace {

fs::path make_certs(const std::string& nodes) {
  auto dir = fs::temp_directory_path()
             / ("herald-node-certs-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
  auto cmd = std::string{HERALD_SOURCE_DIR} + "/scripts/cluster-certs '" + dir.string() + "' "
             + nodes + " > /dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
  return dir;
}

struct tls_config : herald::config::herald_system_config {
  tls_config(const fs::path& dir, const std::string& name) {
    load<caf::openssl::manager>();
    openssl_certificate = (dir / (name + ".pem")).string();
    openssl_key = (dir / (name + ".key")).string();
    openssl_cafile = (dir / "ca.pem").string();
    set("middleman.heartbeat-interval", caf::timespan{100ms});
    set("middleman.connection-timeout", caf::timespan{1s});
  }
};

/// One node: its own actor system, directory, view and published agent.
struct test_node {
  tls_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::shared_ptr<herald::supervision::agent_directory> dir =
    std::make_shared<herald::supervision::agent_directory>();
  std::shared_ptr<view> v = std::make_shared<view>();
  node_agent_actor agent;
  std::string address;

  test_node(const fs::path& certs, const std::string& name, std::vector<std::string> roles,
            std::vector<std::string> peers, int protocol = herald::cluster::protocol_version,
            std::chrono::milliseconds dial_timeout = 5s)
    : cfg(certs, name) {
    sys = std::make_unique<caf::actor_system>(cfg);
    node_agent_options o;
    o.self.name = name;
    o.self.incarnation = 1;
    o.self.roles = roles;
    o.self.version = "test";
    o.self.protocol = protocol;
    o.peers = std::move(peers);
    o.dial_timeout = dial_timeout;
    o.redial.min_ms = 50;
    o.redial.max_ms = 200;
    o.tick = 50ms;
    o.directory = dir;
    o.view = v;
    herald::cluster::node_view me;
    me.name = name;
    me.roles = roles;
    v->set_self(me);
    agent = herald::cluster_actors::spawn_node_agent(*sys, o);
    auto port = caf::openssl::publish(agent, 0, "127.0.0.1", true);
    REQUIRE(port);
    address = "127.0.0.1:" + std::to_string(*port);
    caf::anon_send(agent, caf::put_atom::value, address);
  }
  ~test_node() { stop(); }
  void stop() {
    if (!sys)
      return;
    caf::anon_send_exit(agent, caf::exit_reason::user_shutdown);
    for (auto& a : keep)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    sys.reset();
  }
  /// A local agent registered at `path` (as a supervisor would).
  caf::actor add_agent(const std::string& path) {
    auto a = sys->spawn([]() -> caf::behavior { return {[](int x) { return x + 1; }}; });
    keep.push_back(a);
    dir->started(path, a.address(), false);
    return a;
  }
  bool wait(const std::function<bool(const view&)>& pred, std::chrono::seconds limit = 20s) {
    return v->wait_until(pred, std::chrono::steady_clock::now() + limit);
  }
  std::vector<caf::actor> keep;
};

bool up(const view& v, const std::string& name) {
  for (auto& n : v.nodes())
    if (n.name == name)
      return n.up;
  return false;
}

} // namespace

TEST_CASE("node agents greet over TLS, share their agents and drop a lost node's at once",
          "[cluster][node]") {
  auto certs = make_certs("a,b");
  test_node a{certs, "a", {"data", "ops"}, {}};
  auto hub = a.add_agent("data.hub");
  test_node b{certs, "b", {"analysis", "content"}, {a.address}};
  REQUIRE(b.wait([](const view& v) { return up(v, "a"); }));
  REQUIRE(a.wait([](const view& v) { return up(v, "b"); }));
  CHECK(a.v->missing_roles().empty());
  // a's hub is found on b by its path and answers through the proxy.
  REQUIRE(b.dir->wait_until([](auto& d) { return d.is_remote("data.hub"); },
                            std::chrono::steady_clock::now() + 20s));
  auto remote = caf::actor_cast<caf::actor>(b.dir->find("data.hub"));
  REQUIRE(remote);
  caf::scoped_actor self{*b.sys};
  int got = 0;
  self->request(remote, 5s, 41).receive([&](int x) { got = x; }, [](caf::error&) {});
  CHECK(got == 42);
  // An agent started later reaches the peer too.
  a.add_agent("data.scanner");
  CHECK(b.dir->wait_until([](auto& d) { return d.is_remote("data.scanner"); },
                          std::chrono::steady_clock::now() + 20s));
  // a goes away: b notices, names the missing roles and forgets a's agents.
  a.stop();
  REQUIRE(b.wait([](const view& v) { return !up(v, "a"); }));
  CHECK_FALSE(b.dir->find("data.hub"));
  CHECK(b.v->missing_roles() == std::vector<std::string>{"data", "ops"});
  CHECK(b.v->counters().nodes_lost == 1);
  fs::remove_all(certs);
}

TEST_CASE("a node speaking another protocol version is refused on both sides",
          "[cluster][node]") {
  auto certs = make_certs("a,b");
  test_node a{certs, "a", {"data", "ops"}, {}};
  test_node b{certs, "b", {"analysis", "content"}, {a.address}, herald::cluster::protocol_version + 1};
  REQUIRE(a.wait([](const view& v) { return v.counters().refused >= 1; }));
  REQUIRE(b.wait([](const view& v) { return v.counters().refused >= 1; }));
  CHECK_FALSE(up(*a.v, "b"));
  CHECK_FALSE(up(*b.v, "a"));
  fs::remove_all(certs);
}

TEST_CASE("a blackholed peer does not delay the dials of the others", "[cluster][node]") {
  // A listener whose accept queue is full: further SYNs are dropped, so a
  // connect to it hangs like one to a blackholed address.
  int l = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(l >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(l, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  REQUIRE(::listen(l, 0) == 0);
  socklen_t len = sizeof(addr);
  ::getsockname(l, reinterpret_cast<sockaddr*>(&addr), &len);
  auto hole = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  int filler = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(::connect(filler, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);

  auto certs = make_certs("a,b");
  test_node a{certs, "a", {"data", "ops"}, {}};
  // b dials the hole first, with a dial timeout far longer than the test.
  test_node b{certs, "b", {"analysis", "content"}, {hole, a.address}, herald::cluster::protocol_version, 60s};
  REQUIRE(b.wait([](const view& v) { return up(v, "a"); }));
  // The hole's dial has not even failed yet: nothing waited for it.
  CHECK(b.v->counters().dial_failures == 0);
  b.stop(); // (ends within the dial timeout: the probe thread is bounded by it)
  ::close(filler);
  ::close(l);
  fs::remove_all(certs);
}

TEST_CASE("a third node joining and leaving leaves the others connected", "[cluster][node]") {
  auto certs = make_certs("a,b,c");
  test_node a{certs, "a", {"data", "ops"}, {}};
  a.add_agent("data.hub");
  test_node c{certs, "c", {"content"}, {a.address}};
  c.add_agent("content.strategist");
  REQUIRE(c.wait([](const view& v) { return up(v, "a"); }));
  {
    test_node b{certs, "b", {"analysis"}, {a.address, c.address}};
    b.add_agent("analysis.risk");
    REQUIRE(b.wait([](const view& v) { return up(v, "a") && up(v, "c"); }));
    REQUIRE(a.wait([](const view& v) { return up(v, "b"); }));
    REQUIRE(c.wait([](const view& v) { return up(v, "b"); }));
    CHECK(up(*a.v, "c"));
    CHECK(up(*c.v, "a"));
    b.stop();
    REQUIRE(a.wait([](const view& v) { return !up(v, "b"); }));
    REQUIRE(c.wait([](const view& v) { return !up(v, "b"); }));
  }
  CHECK(a.v->counters().nodes_lost == 1);
  CHECK(c.v->counters().nodes_lost == 1);
  CHECK(up(*a.v, "c"));
  CHECK(up(*c.v, "a"));
  fs::remove_all(certs);
}
