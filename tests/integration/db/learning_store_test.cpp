// The A/B agent's tables on both backends, through learning::ab_core as the
// agent uses them: experiments created once, assignments stored once per
// unit, outcomes settled once with the posteriors in the same transaction,
// and a restart (a new core on the same database) that goes on where the
// last one was.
#include <catch2/catch.hpp>

#include "db/storage.hpp"
#include "learning/ab_core.hpp"
#include "support/storage.hpp"

using namespace herald;
using herald::test::backend_target;
using herald::test::for_each_backend;

namespace {

constexpr std::int64_t hour = 3'600'000, day = 24 * hour;

learning::experiment_def alert_test() {
  learning::experiment_def d;
  d.id = "alert-wording";
  d.name = "alert wording";
  d.content_type = "alert";
  d.channel = "x";
  d.arms = {"a", "b"};
  d.control = "a";
  d.min_sample = 5;
  return d;
}

db::metric_snapshot snap(const std::string& piece, std::int64_t engagements,
                         const std::string& status = "ok") {
  db::metric_snapshot m;
  m.post_id = piece;
  m.channel = "x";
  m.offset_ms = day;
  m.due_at = day;
  m.taken_at = day;
  m.status = status;
  m.engagements = engagements;
  m.formula = "likes + replies";
  m.published_at = 0;
  return m;
}

} // namespace

TEST_CASE("experiments: created once, assignments stored once per unit", "[learning][storage]") {
  for_each_backend([](const backend_target& t) {
    auto s = herald::test::open_migrated(t);
    auto st = learning::start(alert_test());
    CHECK(s->create_experiment(learning::row_of(st, 1000)));
    CHECK_FALSE(s->create_experiment(learning::row_of(st, 2000)));
    auto all = s->experiments();
    REQUIRE(all.size() == 1);
    CHECK(all[0].started_at == 1000);
    CHECK(all[0].status == "running");
    REQUIRE(all[0].arms.size() == 2);
    CHECK(all[0].arms[0].arm == "a");
    CHECK(all[0].arms[1].arm == "b");
    CHECK(learning::def_from_json(all[0].definition_json).arms == alert_test().arms);

    db::ab_assignment_row a{"alert-wording", "p1@x", "b", "[0.5,0.5]", 10};
    auto [first, fresh] = s->assign_unit(a);
    CHECK(fresh);
    CHECK(first.arm == "b");
    a.arm = "a"; // a second incarnation that computed another arm
    auto [again, fresh2] = s->assign_unit(a);
    CHECK_FALSE(fresh2);
    CHECK(again.arm == "b");
    CHECK(s->experiments()[0].arms[1].assigned == 1);
    CHECK(s->open_assignments("alert-wording", 11, 10).size() == 1);
    CHECK(s->open_assignments("alert-wording", 10, 10).empty()); // assigned at 10: not before
    CHECK(s->set_experiment_status("alert-wording", "stopped"));
    CHECK_FALSE(s->set_experiment_status("nope", "stopped"));
    CHECK(s->experiments()[0].status == "stopped");
    // Hostile text is data.
    db::ab_assignment_row h{"alert-wording", "x'); DROP TABLE ab_tests; --@x", "a", "[1,0]", 5};
    CHECK(s->assign_unit(h).second);
    CHECK(s->experiments().size() == 1);
  });
}

TEST_CASE("experiments: outcomes settle once and a restart goes on from the database",
          "[learning][storage]") {
  for_each_backend([](const backend_target& t) {
    auto s = herald::test::open_migrated(t);
    learning::ab_core core(*s, {});
    CHECK(core.define({alert_test()}, 0).empty());
    CHECK(core.load().empty());
    REQUIRE(core.experiments().size() == 1);
    // 40 alerts on X; recaps and other channels are not in the experiment.
    CHECK(core.choose("r1@x", "recap", "x", false, 0).empty());
    CHECK(core.choose("p0@telegram", "alert", "telegram", false, 0).empty());
    std::map<std::string, std::string> arm_of;
    for (int i = 0; i < 40; ++i) {
      auto unit = "p" + std::to_string(i) + "@x";
      auto c = core.choose(unit, "alert", "x", false, 0);
      REQUIRE(c.size() == 1);
      CHECK(c[0].test_id == "alert-wording");
      CHECK(c[0].factor == "template");
      arm_of[unit] = c[0].arm;
      CHECK(core.choose(unit, "alert", "x", false, 5)[0].arm == c[0].arm); // sticky
    }
    // Snapshots: arm b engages, arm a does not; p0..p9 were deleted or never measured.
    for (int i = 10; i < 40; ++i) {
      auto piece = "p" + std::to_string(i);
      s->write_snapshot(snap(piece, arm_of[piece + "@x"] == "b" ? 3 : 0));
    }
    s->write_snapshot(snap("p0", 9, "deleted"));
    // Before +24 h nothing is due.
    CHECK(core.settle(day - 1).settled == 0);
    auto rep = core.settle(day + 1);
    CHECK(rep.settled == 31); // 30 measured + p0 deleted (lost); p1..p9 still in grace
    CHECK(rep.lost == 1);
    auto& st = core.experiments().at("alert-wording");
    CHECK(st.arms[0].exposures + st.arms[1].exposures == 30);
    CHECK(st.updates == 1);
    CHECK(st.weights[1] > st.weights[0]);
    // Nothing settles twice.
    CHECK(core.settle(day + 2).settled == 0);

    // A restart: a new core on the same database has the same state.
    learning::ab_core again(*s, {});
    CHECK(again.define({alert_test()}, 99).empty());
    again.load();
    auto& st2 = again.experiments().at("alert-wording");
    CHECK(st2.arms[0].exposures == st.arms[0].exposures);
    CHECK(st2.arms[1].successes == st.arms[1].successes);
    CHECK(st2.arms[0].assigned + st2.arms[1].assigned == 40);
    CHECK(st2.weights == st.weights);
    CHECK(st2.expected == st.expected);
    CHECK(st2.lost == 1);
    CHECK(st2.updates == 1);
    for (auto& [unit, arm] : arm_of)
      CHECK(again.choose(unit, "alert", "x", false, 7)[0].arm == arm);
    // After the grace period the units never measured are lost.
    auto late = again.settle(2 * day + 1);
    CHECK(late.settled == 9);
    CHECK(late.lost == 9);
    // The old core's state is stale now: its settle finds nothing open.
    CHECK(core.settle(3 * day).settled == 0);
    // A changed config keeps the stored definition, and says so.
    auto changed = alert_test();
    changed.arms = {"a", "b", "c"};
    auto notes = again.define({changed}, 100);
    REQUIRE(notes.size() == 1);
    CHECK(notes[0].find("differs from the stored definition") != std::string::npos);
  });
}

TEST_CASE("experiments: an overlapping or invalid experiment is refused once, with why",
          "[learning][storage]") {
  for_each_backend([](const backend_target& t) {
    auto s = herald::test::open_migrated(t);
    auto second = alert_test();
    second.id = "alert-wording-2";
    learning::ab_core core(*s, {}, [](const learning::experiment_def& d) {
      return d.arms.size() > 2 ? "arm 'c' is not a template variant" : std::string{};
    });
    auto third = alert_test();
    third.id = "three";
    third.channel = "telegram";
    third.arms = {"a", "b", "c"};
    core.define({alert_test(), second, third}, 0);
    auto notes = core.load();
    REQUIRE(notes.size() == 2);
    CHECK(notes[0].find("decides the same template choice as the older 'alert-wording'")
          != std::string::npos);
    CHECK(notes[1] == "arm 'c' is not a template variant");
    CHECK(core.load().empty()); // said once
    CHECK(core.experiments().size() == 1);
    s->set_experiment_status("alert-wording", "stopped");
    core.load();
    REQUIRE(core.experiments().size() == 1);
    CHECK(core.experiments().begin()->first == "alert-wording-2");
  });
}

TEST_CASE("experiments: weights older than max-age give way to the starting weights until an "
          "outcome settles again",
          "[learning][storage]") {
  for_each_backend([](const backend_target& t) {
    auto s = herald::test::open_migrated(t);
    learning::bandit_options o;
    o.max_age_ms = 7 * day;
    learning::ab_core core(*s, o);
    core.define({alert_test()}, 0);
    core.load();
    for (int i = 0; i < 20; ++i) {
      auto unit = "p" + std::to_string(i) + "@x";
      auto arm = core.choose(unit, "alert", "x", false, 0)[0].arm;
      s->write_snapshot(snap("p" + std::to_string(i), arm == "b" ? 3 : 0));
    }
    REQUIRE(core.settle(day + 1).settled == 20);
    auto weights = core.experiments().at("alert-wording").weights;
    REQUIRE(weights[1] > 0.6);
    // Stored with the time they were computed; a restart reads it.
    learning::ab_core again(*s, o);
    again.load();
    auto& st = again.experiments().at("alert-wording");
    CHECK(st.reweighted_at == day + 1);
    CHECK_FALSE(learning::stale(st, 8 * day + 1, o.max_age_ms));
    CHECK(learning::stale(st, 8 * day + 2, o.max_age_ms));
    auto stored = [&](const std::string& unit) {
      for (auto& a : s->open_assignments("alert-wording", 100 * day, 1000))
        if (a.unit == unit)
          return a.weights_json;
      return std::string{};
    };
    // Fresh: the unit is assigned under the bandit's weights.
    again.choose("fresh@x", "alert", "x", false, 2 * day);
    CHECK(stored("fresh@x") != "[0.5,0.5]");
    // A week without outcomes: the starting 50/50, recorded as such (the
    // sample-ratio check compares with what each unit was assigned under).
    std::size_t b = 0;
    for (int i = 0; i < 200; ++i) {
      auto unit = "late" + std::to_string(i) + "@x";
      b += again.choose(unit, "alert", "x", false, 9 * day)[0].arm == "b";
      CHECK(stored(unit) == "[0.5,0.5]");
    }
    CHECK(b > 70);
    CHECK(b < 130);
    // Without max-age the bandit's weights stay in force.
    learning::ab_core forever(*s, {});
    forever.load();
    forever.choose("forever@x", "alert", "x", false, 9 * day);
    CHECK(stored("forever@x") != "[0.5,0.5]");
  });
}
