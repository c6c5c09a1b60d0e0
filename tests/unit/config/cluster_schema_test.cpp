// [cluster]: the keys of `herald node` are validated like every other.
#include <catch2/catch.hpp>

#include "config/schema.hpp"
#include "config/settings.hpp"
#include "support/raw_values.hpp"

using namespace herald::config;
using namespace std::chrono_literals;

using namespace herald::test;

namespace {
raw_entry entry(std::string key, raw_value v) {
  return file_entry(std::move(key), std::move(v), "node.conf");
}
std::string errors_of(const std::vector<raw_entry>& in) {
  std::string all;
  for (auto& e : validate(herald_schema(), in).errors)
    all += e.to_string() + "\n";
  return all;
}
} // namespace

TEST_CASE("cluster defaults: all roles, TLS on, heartbeats that detect a frozen peer in 2 s",
          "[config][cluster]") {
  auto r = validate(herald_schema(), {});
  REQUIRE(r.errors.empty());
  CHECK(r.values.get_list("cluster.roles").size() == 4);
  CHECK(r.values.get_bool("cluster.tls"));
  CHECK(r.values.get_duration("cluster.heartbeat-timeout") <= 2s);
  CHECK(r.values.get_list("cluster.peers").empty());
}

TEST_CASE("cluster peers must be host:port and roles known", "[config][cluster]") {
  CHECK(errors_of({entry("cluster.peers", list({"10.0.0.2:4300", "[::1]:4301", "b:1"}))})
          .empty());
  auto e = errors_of({entry("cluster.peers", list({"10.0.0.2"}))});
  CHECK(e.find("cluster.peers") != std::string::npos);
  CHECK(e.find("host:port") != std::string::npos);
  CHECK(errors_of({entry("cluster.peers", list({"a:70000"}))}).find("port in [1, 65535]")
        != std::string::npos);
  CHECK(errors_of({entry("cluster.peers", list({"a b:43"}))}).find("host name")
        != std::string::npos);
  CHECK(errors_of({entry("cluster.roles", list({"data", "trading"}))}).find("data, analysis")
        != std::string::npos);
  CHECK(errors_of({entry("cluster.roles", list({}))}).find("at least one role")
        != std::string::npos);
  CHECK(errors_of({entry("cluster.roles", list({"ops", "ops"}))}).find("twice")
        != std::string::npos);
  CHECK(errors_of({entry("cluster.advertise", str("nohost"))}).find("cluster.advertise")
        != std::string::npos);
}

TEST_CASE("cluster timings must leave room for a late heartbeat and a failed renewal",
          "[config][cluster]") {
  auto hb = errors_of({entry("cluster.heartbeat-interval", dur(1s)),
                       entry("cluster.heartbeat-timeout", dur(2s))});
  CHECK(hb.find("at least 3 heartbeat intervals") != std::string::npos);
  auto lease = errors_of({entry("cluster.lease-ttl", dur(2s)),
                          entry("cluster.lease-renewal", dur(1s))});
  CHECK(lease.find("a third of cluster.lease-ttl") != std::string::npos);
  auto idle = errors_of({entry("cluster.lease-ttl", dur(3s)),
                         entry("db.idle-in-transaction-timeout", dur(3s))});
  CHECK(idle.find("must be below cluster.lease-ttl") != std::string::npos);
  auto redial = errors_of({entry("cluster.redial-min", dur(20s))});
  CHECK(redial.find("must not exceed cluster.redial-max") != std::string::npos);
}
