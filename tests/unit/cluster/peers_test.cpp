#include <catch2/catch.hpp>

#include <set>

#include "cluster/peers.hpp"

using namespace herald::cluster;

TEST_CASE("greetings: another protocol version, a duplicate name or an unknown role is refused",
          "[cluster]") {
  greeting me{"a", 1, {"data", "ops"}, "0.1.0", protocol_version};
  greeting ok{"b", 7, {"analysis"}, "0.1.0", protocol_version};
  CHECK(check_greeting(me, ok).empty());
  auto old = ok;
  old.protocol = protocol_version + 1;
  old.version = "0.2.0";
  auto why = check_greeting(me, old);
  CHECK(why.find("protocol " + std::to_string(protocol_version + 1)) != std::string::npos);
  CHECK(why.find("Herald 0.2.0") != std::string::npos);
  CHECK(why.find("Herald 0.1.0") != std::string::npos);
  auto twin = ok;
  twin.name = "a";
  CHECK(check_greeting(me, twin).find("like this node") != std::string::npos);
  auto odd = ok;
  odd.roles = {"analysis", "mining"};
  CHECK(check_greeting(me, odd).find("unknown role 'mining'") != std::string::npos);
  auto none = ok;
  none.roles.clear();
  CHECK(check_greeting(me, none).find("no role") != std::string::npos);
}

TEST_CASE("a peer link dials once at a time and backs off with jitter until it is up",
          "[cluster]") {
  dial_options o;
  o.min_ms = 100;
  o.max_ms = 1'000;
  o.jitter = 0.5;
  peer_link p{"10.0.0.2:4300", o, 42};
  CHECK(p.should_dial(0));
  CHECK(p.current() == peer_link::state::dialing);
  CHECK_FALSE(p.should_dial(0)); // one dial at a time
  std::int64_t now = 0;
  std::int64_t last_delay = 0;
  for (int i = 0; i < 8; ++i) {
    p.dial_failed(now, "timeout");
    auto d = p.due_at() - now;
    auto base = std::min<std::int64_t>(100LL << i, 1'000);
    CHECK(d >= base);
    CHECK(d <= base * 3 / 2);
    CHECK_FALSE(p.should_dial(now + d - 1)); // not before it is due
    now += d;
    CHECK(p.should_dial(now));
    last_delay = d;
  }
  CHECK(last_delay <= 1'500);
  CHECK(p.failures() == 8);
  CHECK(p.last_error() == "timeout");
  p.connected({"b", 3, {"analysis"}, "0.1.0", protocol_version});
  CHECK(p.current() == peer_link::state::up);
  CHECK(p.failures() == 0);
  REQUIRE(p.peer());
  CHECK(p.peer()->incarnation == 3);
  CHECK_FALSE(p.should_dial(now)); // up: no dial
  // Lost: the shortest delay first.
  p.lost(now);
  CHECK(p.current() == peer_link::state::waiting);
  CHECK(p.due_at() - now >= 100);
  CHECK(p.due_at() - now <= 150);
  CHECK_FALSE(p.peer());
}

TEST_CASE("links with different seeds spread their redials", "[cluster]") {
  dial_options o;
  o.min_ms = 1'000;
  o.jitter = 0.5;
  std::set<std::int64_t> dues;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    peer_link p{"x", o, seed};
    p.should_dial(0);
    p.dial_failed(0, "refused");
    dues.insert(p.due_at());
  }
  CHECK(dues.size() > 15); // no thundering herd
}
