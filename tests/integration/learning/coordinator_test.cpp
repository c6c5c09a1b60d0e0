// The feedback-loop coordinator's core on SQLite with an injected clock:
// each loop runs once per due time and never twice; the tuning loop's
// proposal is stored, gated and (with auto-apply) applied and sent to the
// pipeline; propose-only waits for an operator; a logged run replays to the
// same weights; an applied set expires back to the configured weights;
// rollback applies a copy of an earlier set.
#include <catch2/catch.hpp>

#include <random>
#include <set>

#include <nlohmann/json.hpp>

#include "analysis/aggregate.hpp"
#include "learning/loops.hpp"
#include "support/learning_seed.hpp"
#include "support/sqlite_file.hpp"

using namespace herald;

namespace {

constexpr std::int64_t hour = 3'600'000, day = 24 * hour;
constexpr std::int64_t t0 = 1'767'225'600'000; // 2026-01-01 00:00 UTC
constexpr std::size_t momentum = static_cast<std::size_t>(analysis::kind::momentum);
constexpr std::size_t flow = static_cast<std::size_t>(analysis::kind::order_flow);

using test::seed;

learning::loop_settings settings() {
  learning::loop_settings l;
  l.ab_every_ms = 0;
  l.tuning_every_ms = day;
  l.expiry_every_ms = hour;
  l.performance_every_ms = 0; // on in its own test
  l.window_ms = 200 * day;
  l.proposal.holdout = 800;
  l.proposal.min_outcomes = 800;
  l.max_age_ms = 30 * day;
  return l;
}

} // namespace

TEST_CASE("coordinator: schedules, auto-applied proposals, hot swap, replay and expiry",
          "[learning][coordinator]") {
  test::sqlite_file db{"herald-coord"};
  seed(*db.store);
  auto s = settings();
  s.auto_apply = true;
  std::vector<weight_epoch> pushed;
  learning::coordinator_core core(*db.store, s, {}, [&](const weight_epoch& e) {
    pushed.push_back(e);
  });
  auto now = t0 + 3000 * hour + 2 * hour; // after the last candle
  auto runs = core.step(now);
  REQUIRE(runs.size() == 2); // tuning and expiry (the A/B loop is off)
  auto& tuning = runs[0].loop == "tuning" ? runs[0] : runs[1];
  auto result = nlohmann::json::parse(tuning.result_json);
  INFO(tuning.result_json);
  CHECK(tuning.id == "tuning:" + std::to_string(now - now % day));
  CHECK(result["decision"] == "proposed");
  CHECK(result["applied"] == true);
  CHECK(result["trials"] == 30);
  auto inputs = nlohmann::json::parse(tuning.inputs_json);
  CHECK(inputs["count"].get<std::size_t>() == inputs["signals"].size());
  CHECK(inputs["count"].get<std::size_t>() > 2900);
  // The pipeline got the new weights from the candle after the newest one.
  REQUIRE(pushed.size() == 1);
  CHECK(pushed[0].version == 1);
  CHECK(pushed[0].effective_from == t0 + 2999 * hour + 1);
  CHECK(pushed[0].weights[momentum] == 1.5); // one bounded step up from 1
  CHECK(pushed[0].weights[flow] == 0.5);     // and down
  CHECK(core.current().first == 1);

  // Schedules: nothing new within the hour; the expiry check an hour on;
  // the tuning loop the next day; a restarted coordinator runs nothing twice.
  CHECK(core.step(now + 10 * 60'000).empty());
  auto later = core.step(now + hour);
  REQUIRE(later.size() == 1);
  CHECK(later[0].loop == "expiry");
  learning::coordinator_core again(*db.store, s, {}, [&](const weight_epoch& e) {
    pushed.push_back(e);
  });
  CHECK(again.step(now + hour + 1).empty());
  CHECK(pushed.size() == 2); // the new coordinator sends the applied epoch once more
  auto st = core.status(now + hour);
  REQUIRE(st.size() == 4);
  CHECK(st[0].next_at == 0); // ab: off
  CHECK(st[1].loop == "tuning");
  CHECK(st[1].next_at == now - now % day + day);

  // Replay of the logged run: the same weights, threshold and decision.
  auto p = learning::replay_tuning(*db.store, tuning, s);
  CHECK(nlohmann::json::parse(learning::weights_json(p.candidate)) == result["weights"]);
  CHECK(p.candidate.threshold == result["threshold"].get<double>());
  CHECK(p.apply);
  // ... and a changed candle makes the replay differ (it reads what is stored).
  {
    db::write_batch b;
    // (Candles are written once per key: the replay reads the stored ones,
    // so only data removed or added changes it; here the inputs list.)
    auto changed = tuning;
    auto in = nlohmann::json::parse(changed.inputs_json);
    auto ids = in["signals"].get<std::vector<std::string>>();
    ids.resize(ids.size() / 2);
    in["signals"] = ids;
    changed.inputs_json = in.dump();
    auto q = learning::replay_tuning(*db.store, changed, s);
    CHECK((q.fit_rows + q.holdout_rows) < (p.fit_rows + p.holdout_rows));
  }

  // Expiry: 30 days after it was applied, the configured weights return
  // (the tuning loop off here: it would propose again that day).
  auto no_tuning = s;
  no_tuning.tuning_every_ms = 0;
  learning::coordinator_core expiring(*db.store, no_tuning, {}, [&](const weight_epoch& e) {
    pushed.push_back(e);
  });
  auto expired = expiring.step(now + 31 * day);
  bool found = false;
  for (auto& r : expired)
    if (r.loop == "expiry") {
      found = true;
      INFO(r.result_json);
      CHECK(nlohmann::json::parse(r.result_json)["expired"] == 1);
    }
  CHECK(found);
  CHECK(core.current().second == s.configured);
  CHECK(pushed.back().weights == s.configured.weights);
  CHECK(pushed.back().version > 1);
}

TEST_CASE("coordinator: propose-only waits for the operator; apply and rollback are gated",
          "[learning][coordinator]") {
  test::sqlite_file db{"herald-coord"};
  seed(*db.store);
  auto s = settings();
  std::vector<weight_epoch> pushed;
  learning::coordinator_core core(*db.store, s, {}, [&](const weight_epoch& e) {
    pushed.push_back(e);
  });
  auto now = t0 + 3002 * hour;
  core.step(now);
  CHECK(pushed.empty()); // proposed, not applied
  auto sets = db.store->weight_sets(10);
  REQUIRE(sets.size() == 1);
  CHECK(sets[0].state == "proposed");
  CHECK(sets[0].parent == 0);
  CHECK(core.current().first == 0);
  // Too old to apply.
  CHECK(learning::apply_version(*db.store, 1, s, now + 31 * day).find("older than") !=
        std::string::npos);
  CHECK(learning::apply_version(*db.store, 7, s, now) == "no weight set 7");
  CHECK(learning::apply_version(*db.store, 1, s, now).empty());
  CHECK(core.current().first == 1);
  core.step(now + 1); // the coordinator sends what the operator applied
  REQUIRE(pushed.size() == 1);
  CHECK(pushed[0].version == 1);
  CHECK(learning::apply_version(*db.store, 1, s, now).find("is applied") != std::string::npos);
  // Rollback to the configured weights: a new version, applied.
  auto v = learning::rollback(*db.store, std::nullopt, s, now + 2);
  CHECK(v == 2);
  CHECK(core.current().second == s.configured);
  CHECK(db.store->weight_set(1)->state == "superseded");
  CHECK_THROWS_WITH(learning::rollback(*db.store, std::optional<std::int64_t>{2}, s, now + 3),
                    "weight set 2 is applied now");
  CHECK_THROWS_WITH(learning::rollback(*db.store, std::optional<std::int64_t>{9}, s, now + 3),
                    "weight set 9 was never applied: a rollback returns to weights that ran");
  // The history the pipeline reads: versions 1 and 2 by effective_from.
  auto applied = db.store->applied_weight_sets();
  REQUIRE(applied.size() == 2);
  CHECK(applied[0].version == 1);
  CHECK(applied[1].version == 2);

}

TEST_CASE("coordinator: weights that lose on the newest outcomes are refused, even with "
          "auto-apply",
          "[learning][coordinator]") {
  test::sqlite_file db{"herald-coord"};
  seed(*db.store, 5, 2150); // the newest ~840 signals' votes point the wrong way
  auto s = settings();
  s.auto_apply = true;
  std::vector<weight_epoch> pushed;
  learning::coordinator_core core(*db.store, s, {}, [&](const weight_epoch& e) {
    pushed.push_back(e);
  });
  auto runs = core.step(t0 + 3002 * hour);
  std::string result;
  for (auto& r : runs)
    if (r.loop == "tuning")
      result = r.result_json;
  INFO(result);
  auto j = nlohmann::json::parse(result);
  CHECK(j["decision"] == "refused");
  CHECK(j["candidate_hits"]["rate"].get<double>() < j["current_hits"]["rate"].get<double>());
  CHECK_FALSE(j.contains("applied"));
  CHECK(pushed.empty());
  auto sets = db.store->weight_sets(10);
  REQUIRE(sets.size() == 1);
  CHECK(sets[0].state == "refused");
  CHECK(learning::apply_version(*db.store, sets[0].version, s, t0 + 3003 * hour)
          .find("is refused") != std::string::npos);
  // Every proposal counts as a trial, refused or not.
  auto status = nlohmann::json::parse(learning::status_json(*db.store, s, t0 + 3003 * hour));
  CHECK(status["proposals"] == 1);
  CHECK(status["trials"] == 30);
}

TEST_CASE("coordinator: the performance loop stores per-analyzer and combined snapshots equal to "
          "an independent count",
          "[learning][coordinator][performance]") {
  test::sqlite_file db{"herald-coord"};
  auto truth = seed(*db.store);
  auto s = settings();
  s.tuning_every_ms = 0;
  s.expiry_every_ms = 0;
  s.performance_every_ms = hour;
  s.performance_window_ms = 1000 * day;
  learning::coordinator_core core(*db.store, s, {}, {});
  auto runs = core.step(t0 + 3002 * hour);
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].loop == "performance");
  auto all = db.store->performance_snapshots("analysis.all", 0, 0);
  REQUIRE(all.size() == analysis::kind_count + 1);
  nlohmann::json combined;
  for (auto& [key, ts, metrics] : all)
    if (key == "combined")
      combined = nlohmann::json::parse(metrics);
  INFO(combined.dump());
  CHECK(combined["calls"].get<std::uint64_t>() == truth.calls);
  CHECK(combined["hits"].get<std::uint64_t>() == truth.hits);
  CHECK(combined["rows"].get<std::uint64_t>() == truth.rows);
  CHECK(combined["brier"].get<double>() == Approx(truth.se / truth.rows).epsilon(1e-9));
  // Weekly snapshots cover every row once: 3,000 hours is 18 weeks (19 partial ones).
  auto weeks = db.store->performance_snapshots("analysis.week", 0, t0 + 4000 * hour);
  std::uint64_t rows = 0;
  std::set<std::int64_t> starts;
  for (auto& [key, ts, metrics] : weeks)
    if (key == "combined") {
      rows += nlohmann::json::parse(metrics)["rows"].get<std::uint64_t>();
      starts.insert(ts);
      CHECK((ts / day + 3) % 7 == 0); // a Monday
    }
  CHECK(rows == truth.rows);
  CHECK(starts.size() >= 18);
  // Running again replaces the snapshots, it does not add to them.
  learning::coordinator_core again(*db.store, s, {}, {});
  again.step(t0 + 3003 * hour);
  CHECK(db.store->performance_snapshots("analysis.all", 0, 0).size() == analysis::kind_count + 1);
}
