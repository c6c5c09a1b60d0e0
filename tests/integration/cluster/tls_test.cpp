// Mutual TLS between nodes through CAF 0.17's openssl module, with the
// certificates scripts/cluster-certs makes: nodes of one cluster CA talk,
// a node with a certificate from another CA and a plain-TCP client are
// refused. (The ground the cluster's transport stands on, issue 16.)
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <string>
#include <thread>

#include <unistd.h>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>

using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct node_config : caf::actor_system_config {
  /// TLS with `dir`/`node`.pem and the CA of `dir`; plain when node is "".
  node_config(const fs::path& dir, const std::string& node) {
    load<caf::io::middleman>();
    if (node.empty())
      return;
    load<caf::openssl::manager>();
    openssl_certificate = (dir / (node + ".pem")).string();
    openssl_key = (dir / (node + ".key")).string();
    openssl_cafile = (dir / "ca.pem").string();
  }
};

fs::path make_certs(const std::string& name, const std::string& nodes) {
  auto dir = fs::temp_directory_path()
             / ("herald-certs-" + name + "-" + std::to_string(::getpid()) + "-"
                + std::to_string(std::rand()));
  auto cmd = std::string{HERALD_SOURCE_DIR} + "/scripts/cluster-certs '" + dir.string() + "' "
             + nodes + " > /dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
  return dir;
}

/// Connects from `sys` to 127.0.0.1:port (TLS when tls) on another thread,
/// so that a connect that never ends fails the test instead of hanging it.
bool connects(caf::actor_system& sys, std::uint16_t port, bool tls) {
  auto done = std::make_shared<std::promise<bool>>();
  auto answer = done->get_future();
  std::thread{[&sys, port, tls, done] {
    caf::expected<caf::actor> h = tls ? caf::openssl::remote_actor(sys, "127.0.0.1", port)
                                      : sys.middleman().remote_actor("127.0.0.1", port);
    if (!h) {
      done->set_value(false);
      return;
    }
    caf::scoped_actor self{sys};
    bool ok = false;
    self->request(*h, 5s, std::string{"ping"})
      .receive([&](const std::string& s) { ok = s == "pong"; }, [](caf::error&) {});
    done->set_value(ok);
  }}.detach();
  REQUIRE(answer.wait_for(60s) == std::future_status::ready);
  return answer.get();
}

} // namespace

TEST_CASE("nodes of one cluster CA talk over mutual TLS, others are refused",
          "[cluster][tls]") {
  auto cluster = make_certs("ours", "a,b");
  auto other = make_certs("theirs", "x");
  node_config ca{cluster, "a"};
  caf::actor_system a{ca};
  auto echo = a.spawn([]() -> caf::behavior {
    return {[](const std::string& s) { return s == "ping" ? std::string{"pong"} : s; }};
  });
  auto port = caf::openssl::publish(echo, 0, "127.0.0.1");
  REQUIRE(port);
  {
    node_config cb{cluster, "b"};
    caf::actor_system b{cb};
    CHECK(connects(b, *port, true)); // same CA: mutual TLS works
  }
  {
    node_config cx{other, "x"};
    caf::actor_system x{cx};
    CHECK_FALSE(connects(x, *port, true)); // another CA: refused
  }
  {
    node_config plain{cluster, ""};
    caf::actor_system p{plain};
    CHECK_FALSE(connects(p, *port, false)); // plain TCP to the TLS port: refused
  }
  caf::anon_send_exit(echo, caf::exit_reason::user_shutdown);
  fs::remove_all(cluster);
  fs::remove_all(other);
}
