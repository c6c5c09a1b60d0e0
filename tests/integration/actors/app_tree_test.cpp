// The application tree as `herald run` builds it from the default config.

#include <catch2/catch.hpp>

#include <caf/all.hpp>

#include "actors/app_tree.hpp"
#include "actors/ops/health.hpp"
#include "config/loader.hpp"
#include "config/schema.hpp"
#include "db/storage.hpp"

#include <cstdio>
#include <unistd.h>

using namespace herald;
using namespace std::chrono_literals;

namespace {

config::settings defaults_with(std::vector<config::raw_entry> raw = {}) {
  auto r = config::validate(config::herald_schema(), raw);
  REQUIRE(r.ok());
  return r.values;
}

bool running(const supervision::agent_directory& d, const std::string& path) {
  for (auto& r : d.snapshot())
    if (r.path == path)
      return r.running;
  return false;
}

} // namespace

TEST_CASE("the default tree starts every domain supervisor and the health agent",
          "[app][tree]") {
  config::herald_system_config cfg;
  caf::actor_system sys{cfg};
  auto dir = std::make_shared<supervision::agent_directory>();
  auto root = supervision::spawn_supervisor(sys, make_root_config(defaults_with(), {dir, nullptr, nullptr}));
  caf::scoped_actor self{sys};
  bool ready = false;
  self->request(root, 10s, ready_atom::value)
    .receive([&](bool b) { ready = b; }, [&](caf::error& e) { FAIL(sys.render(e)); });
  REQUIRE(ready);
  for (auto name : {"root", "ops", "ops.health", "data", "analysis", "content", "community",
                    "learning"})
    CHECK(running(*dir, name));
  CHECK_FALSE(running(*dir, "ops.chaos")); // kill-rate 0: no chaos agent
  // the health agent answers with the numbers it logs
  caf::actor health;
  self->request(root, 5s, caf::get_atom::value, std::string{"ops"})
    .receive([&](caf::actor& ops) {
               self->request(caf::actor_cast<supervision::supervisor_actor>(ops), 5s,
                             caf::get_atom::value, std::string{"health"})
                 .receive([&](caf::actor& h) { health = h; }, [](caf::error&) {});
             },
             [](caf::error&) {});
  REQUIRE(health);
  std::string status;
  self->request(caf::actor_cast<ops::health_actor>(health), 5s, caf::get_atom::value)
    .receive([&](std::string& s) { status = s; }, [](caf::error&) {});
  INFO(status);
  CHECK(status.find("1 agents and 7 supervisors running") != std::string::npos);
  CHECK(status.find("database") == std::string::npos); // no storage in this tree
  self->monitor(root);
  caf::anon_send_exit(root, caf::exit_reason::user_shutdown);
  self->receive([](caf::down_msg&) {}, caf::after(10s) >> [] { FAIL("root did not stop"); });
  // the directory hears of it from root's exit functor, maybe after the down_msg
  CHECK(dir->wait_until([](const supervision::agent_directory& d) { return !running(d, "root"); },
                        std::chrono::steady_clock::now() + 10s));
}

TEST_CASE("the health status reports the database through the persistence agent",
          "[app][tree][db]") {
  config::herald_system_config cfg;
  caf::actor_system sys{cfg};
  auto dir = std::make_shared<supervision::agent_directory>();
  db::db_url url;
  auto path = "/tmp/herald-tree-" + std::to_string(::getpid()) + ".db";
  REQUIRE(db::parse_url("sqlite://" + path, url).empty());
  std::shared_ptr<db::storage> store = db::open_storage(url, {});
  store->migrate();
  auto root = supervision::spawn_supervisor(sys, make_root_config(defaults_with(), {dir, store, nullptr}));
  caf::scoped_actor self{sys};
  self->request(root, 10s, ready_atom::value).receive([](bool) {}, [](caf::error&) {});
  CHECK(running(*dir, "data.persistence"));
  caf::actor ops, health;
  self->request(root, 5s, caf::get_atom::value, std::string{"ops"})
    .receive([&](caf::actor& a) { ops = a; }, [](caf::error&) {});
  REQUIRE(ops);
  self->request(caf::actor_cast<supervision::supervisor_actor>(ops), 5s, caf::get_atom::value,
                std::string{"health"})
    .receive([&](caf::actor& h) { health = h; }, [](caf::error&) {});
  REQUIRE(health);
  std::string status;
  self->request(caf::actor_cast<ops::health_actor>(health), 5s, caf::get_atom::value)
    .receive([&](std::string& s) { status = s; }, [](caf::error&) {});
  INFO(status);
  CHECK(status.find("2 agents and 7 supervisors running") != std::string::npos);
  CHECK(status.find("database sqlite available, 0 records pending") != std::string::npos);
  self->monitor(root);
  caf::anon_send_exit(root, caf::exit_reason::user_shutdown);
  self->receive([](caf::down_msg&) {}, caf::after(10s) >> [] { FAIL("root did not stop"); });
  std::remove(path.c_str());
}

TEST_CASE("per-supervisor settings override the [supervision] defaults", "[app][tree]") {
  config::raw_value hundred;
  hundred.k = config::raw_value::kind::integer;
  hundred.i = 100;
  auto s = defaults_with({{"supervision.ops.intensity", hundred, config::origin::file, "t"}});
  auto ops = supervisor_flags_for(s, "ops", supervision::strategy::one_for_one);
  auto data = supervisor_flags_for(s, "data", supervision::strategy::rest_for_one);
  CHECK(ops.intensity == 100);
  CHECK(data.intensity == 500);
  CHECK(data.period == 10s);
  CHECK(data.strat == supervision::strategy::rest_for_one);
}
