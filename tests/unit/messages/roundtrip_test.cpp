// Every type in Herald's type-ID block survives CAF's binary serializer, on
// its own and inside a caf::message (which is what crosses a node boundary).
// A new message type without a sample() here fails to compile.

#include <catch2/catch.hpp>

#include <utility>

#include <caf/all.hpp>

#include "config/loader.hpp"
#include "messages/type_ids.hpp"

namespace {

template <class T>
T sample(caf::actor_system& sys);

template <>
herald::child_info sample<herald::child_info>(caf::actor_system& sys) {
  herald::child_info x;
  x.name = "health";
  x.path = "ops.health";
  x.is_supervisor = false;
  x.restart = "permanent";
  x.running = true;
  x.restarts = 7;
  x.last_exit_reason = "kill \xF0\x9F\x92\xA5 '; DROP TABLE x; --";
  x.started_at_ms = 1'732'000'000'123;
  return x;
}

template <>
herald::start_child sample<herald::start_child>(caf::actor_system&) {
  return {"btcusdt", "BTCUSDT"};
}

template <>
herald::terminate_child sample<herald::terminate_child>(caf::actor_system&) {
  return {"btcusdt"};
}

/// Serializes `x` and deserializes it into a fresh value.
template <class T>
T roundtrip(caf::actor_system& sys, T& x) {
  caf::binary_serializer::container_type buf;
  caf::binary_serializer sink{sys, buf};
  auto err = sink(x);
  INFO("serialize: " << sys.render(err));
  REQUIRE_FALSE(err);
  T copy{};
  caf::binary_deserializer source{sys, buf};
  err = source(copy);
  INFO("deserialize: " << sys.render(err));
  REQUIRE_FALSE(err);
  return copy;
}

template <class T>
void check_roundtrip(caf::actor_system& sys) {
  INFO("type " << caf::type_name<T>::value);
  T original = sample<T>(sys);
  // the value alone
  CHECK(roundtrip(sys, original) == original);
  // inside a message, as the middleman ships it
  auto msg = caf::make_message(original);
  caf::binary_serializer::container_type mbuf;
  caf::binary_serializer msink{sys, mbuf};
  REQUIRE_FALSE(msink(msg));
  caf::message restored;
  caf::binary_deserializer msource{sys, mbuf};
  REQUIRE_FALSE(msource(restored));
  REQUIRE(restored.match_elements<T>());
  CHECK(restored.get_as<T>(0) == original);
}

template <caf::type_id_t... Is>
void check_all(caf::actor_system& sys, std::integer_sequence<caf::type_id_t, Is...>) {
  (check_roundtrip<typename caf::type_by_id<caf::id_block::herald::begin + Is>::type>(sys),
   ...);
}

} // namespace

TEST_CASE("every registered message type round-trips through CAF's binary serializer",
          "[messages]") {
  herald::config::herald_system_config cfg;
  caf::actor_system sys{cfg};
  constexpr auto n = caf::id_block::herald::end - caf::id_block::herald::begin;
  STATIC_REQUIRE(n > 0);
  check_all(sys, std::make_integer_sequence<caf::type_id_t, n>{});
}

TEST_CASE("an actor handle inside a message survives serialization", "[messages]") {
  herald::config::herald_system_config cfg;
  caf::actor_system sys{cfg};
  auto a = sys.spawn([]() -> caf::behavior { return {[](int) {}}; });
  auto x = sample<herald::child_info>(sys);
  x.handle = a;
  auto y = roundtrip(sys, x);
  CHECK(y == x);
  REQUIRE(y.handle);
  CHECK(*y.handle == a);
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}
