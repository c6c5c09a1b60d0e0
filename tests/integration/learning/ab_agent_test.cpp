// The A/B agent in an actor system on an injected clock, with SQLite: a
// unit keeps its arm when asked again and after the agent is killed; due
// outcomes are settled once; a killed agent's successor has the same
// posteriors and weights (restart continuity).
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>

#include <caf/all.hpp>

#include "actors/learning/ab.hpp"
#include "config/loader.hpp"
#include "support/sqlite_file.hpp"

using namespace herald;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t day = 86'400'000;

std::vector<ab_choice> ask(caf::scoped_actor& self, const learning_actors::ab_actor& ab,
                           const std::string& unit, const std::string& type = "alert",
                           bool chart = true) {
  std::vector<ab_choice> out;
  self->request(ab, 10s, ab_assign_atom::value, unit, type, std::string{"telegram"}, chart)
    .receive([&](std::vector<ab_choice>& c) { out = std::move(c); },
             [&](caf::error& e) { FAIL("assign: " << caf::to_string(e)); });
  return out;
}

std::vector<ab_choice> ask_hour(caf::scoped_actor& self, const learning_actors::ab_actor& ab,
                                const std::string& unit, const std::string& type) {
  std::vector<ab_choice> out;
  self->request(ab, 10s, ab_hour_atom::value, unit, type, std::string{"telegram"})
    .receive([&](std::vector<ab_choice>& c) { out = std::move(c); },
             [&](caf::error& e) { FAIL("hour: " << caf::to_string(e)); });
  return out;
}

std::uint64_t drain(caf::scoped_actor& self, const learning_actors::ab_actor& ab) {
  std::uint64_t n = 0;
  self->request(ab, 10s, drain_atom::value)
    .receive([&](std::uint64_t x) { n = x; }, [&](caf::error& e) { FAIL(caf::to_string(e)); });
  return n;
}

} // namespace

TEST_CASE("the A/B agent keeps assignments and posteriors across kills", "[learning][actors]") {
  test::sqlite_file db{"herald-ab"};
  auto now = std::make_shared<std::atomic<std::int64_t>>(1'000'000);
  learning_actors::ab_options o;
  o.storage = db.store;
  o.interval = 1h; // ticks only by drain in this test
  o.clock = [now] { return now->load(); };
  learning::experiment_def words;
  words.id = "alert-words";
  words.content_type = "alert";
  words.arms = {"a", "b"};
  words.min_sample = 3;
  learning::experiment_def chart;
  chart.id = "alert-chart";
  chart.factor = learning::factor::chart;
  chart.content_type = "alert";
  chart.arms = {"with", "without"};
  chart.fixed = true;
  learning::experiment_def hour;
  hour.id = "recap-hour";
  hour.factor = learning::factor::posting_hour;
  hour.content_type = "recap";
  hour.arms = {"09", "15"};
  o.experiments = {words, chart, hour};
  auto opts = std::make_shared<const learning_actors::ab_options>(o);

  config::herald_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  auto ab = learning_actors::spawn_ab(self.ptr(), opts);

  std::map<std::string, std::string> words_arm;
  for (int i = 0; i < 30; ++i) {
    auto unit = "alert:" + std::to_string(i) + "@telegram";
    auto c = ask(self, ab, unit);
    REQUIRE(c.size() == 2); // both experiments decide an alert with a chart
    for (auto& x : c)
      if (x.test_id == "alert-words")
        words_arm[unit] = x.arm;
  }
  // The creator's question leaves the posting hour to the strategist's.
  CHECK(ask(self, ab, "recap:1@telegram", "recap").empty());
  CHECK(ask(self, ab, "alert:nochart@telegram", "alert", false).size() == 1);
  auto h = ask_hour(self, ab, "recap:1@telegram", "recap");
  REQUIRE(h.size() == 1);
  CHECK(h[0].factor == "posting_hour");
  CHECK((h[0].arm == "09" || h[0].arm == "15"));
  CHECK(ask_hour(self, ab, "alert:1@telegram", "alert").empty());
  CHECK(ask_hour(self, ab, "recap:1@telegram", "recap") == h);

  // Killed; the successor answers every unit as before.
  self->send_exit(ab, caf::exit_reason::kill);
  ab = learning_actors::spawn_ab(self.ptr(), opts);
  for (auto& [unit, arm] : words_arm)
    for (auto& x : ask(self, ab, unit))
      if (x.test_id == "alert-words")
        CHECK(x.arm == arm);
  CHECK(ask_hour(self, ab, "recap:1@telegram", "recap") == h);

  // Outcomes at +24 h: arm b engages.
  for (auto& [unit, arm] : words_arm) {
    db::metric_snapshot m;
    m.post_id = unit.substr(0, unit.rfind('@'));
    m.channel = "telegram";
    m.offset_ms = day;
    m.due_at = m.taken_at = now->load() + day;
    m.status = "ok";
    m.engagements = arm == "b" ? 2 : 0;
    m.formula = "reactions";
    REQUIRE(db.store->write_snapshot(m));
  }
  CHECK(drain(self, ab) == 0); // not due yet
  now->store(now->load() + day + 1);
  auto settled = drain(self, ab);
  CHECK(settled == 60); // 30 units in each experiment
  CHECK(drain(self, ab) == 0);
  auto before = learning::experiments_json(db.store->experiments());
  CHECK(before.find("\"verdict\":\"ready\"") != std::string::npos);

  self->send_exit(ab, caf::exit_reason::kill);
  ab = learning_actors::spawn_ab(self.ptr(), opts);
  CHECK(drain(self, ab) == 0);
  CHECK(learning::experiments_json(db.store->experiments()) == before);
  self->send_exit(ab, caf::exit_reason::kill);
}

TEST_CASE("the experiments file: read, and refused with the entry and field named",
          "[learning][config]") {
  auto path = std::filesystem::temp_directory_path()
              / ("herald-experiments-" + std::to_string(::getpid()) + ".json");
  auto write = [&](const std::string& text) {
    std::ofstream out{path};
    out << text;
  };
  write(R"([{"id":"a1","type":"alert","channel":"x","arms":["a","b"]},
            {"id":"c1","factor":"chart","arms":["with","without"],"mode":"fixed"}])");
  auto defs = learning_actors::read_experiments(path.string());
  REQUIRE(defs.size() == 2);
  CHECK(defs[1].fixed);
  write(R"([{"id":"a1","arms":["a","b"]},{"id":"a2","arms":["a"]}])");
  CHECK_THROWS_WITH(learning_actors::read_experiments(path.string()),
                    path.string() + ": entry 2: experiment 'a2': arms: at least two are needed");
  write(R"([{"id":"a1","arms":["a","b"]},{"id":"a2","type":"alert","arms":["a","b"]}])");
  CHECK_THROWS_WITH(learning_actors::read_experiments(path.string()),
                    path.string()
                      + ": entry 2: experiment 'a2' decides the same template choice as 'a1'");
  write("{not json");
  CHECK_THROWS_WITH(learning_actors::read_experiments(path.string()),
                    path.string() + ": expected a JSON array of experiment definitions");
  std::filesystem::remove(path);
  CHECK_THROWS_WITH(learning_actors::read_experiments(path.string()),
                    path.string() + ": cannot read the experiments file");
}
