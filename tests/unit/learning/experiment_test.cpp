#include <catch2/catch.hpp>

#include <map>

#include "learning/experiment.hpp"

using namespace herald::learning;

namespace {

experiment_def two_arms(bool fixed = false) {
  experiment_def d;
  d.id = "alert-template";
  d.name = "alert wording";
  d.content_type = "alert";
  d.arms = {"a", "b"};
  d.control = "a";
  d.fixed = fixed;
  d.min_sample = 50;
  return d;
}

} // namespace

TEST_CASE("experiment definitions are checked and named", "[learning][experiment]") {
  auto d = two_arms();
  CHECK(validate(d).empty());
  d.arms = {"a"};
  CHECK(validate(d) == "experiment 'alert-template': arms: at least two are needed");
  d = two_arms();
  d.control = "z";
  CHECK(validate(d).find("control: 'z' is not one of the arms") != std::string::npos);
  d = two_arms();
  d.split = {1};
  CHECK(validate(d).find("split: one share per arm") != std::string::npos);
  d = two_arms();
  d.id = "bad id; DROP";
  CHECK(validate(d).find("may hold only letters") != std::string::npos);
  d = two_arms();
  d.factor = factor::chart;
  CHECK(validate(d).find("\"with\" and \"without\"") != std::string::npos);
  d = two_arms();
  d.metric = "likes";
  CHECK(validate(d).find("metric: 'likes'") != std::string::npos);
}

TEST_CASE("definitions round-trip through JSON, and bad JSON says what is wrong",
          "[learning][experiment]") {
  auto d = two_arms(true);
  d.split = {3, 1};
  auto back = def_from_json(to_json(d));
  CHECK(back.id == d.id);
  CHECK(back.arms == d.arms);
  CHECK(back.fixed);
  CHECK(back.split == d.split);
  CHECK(back.min_sample == 50);
  CHECK_THROWS_WITH(def_from_json("[1]"), "experiment: not a JSON object");
  CHECK_THROWS_WITH(def_from_json(R"({"id":"x","arms":"a"})"),
                    "experiment: field 'arms' has the wrong type");
  CHECK_THROWS_WITH(def_from_json(R"({"id":"x","arms":["a","b"],"mode":"greedy"})"),
                    "experiment: mode 'greedy' is not thompson or fixed");
  CHECK_THROWS_WITH(def_from_json(R"({"id":"x","arms":["a","a"]})"),
                    "experiment 'x': arms: 'a' is listed twice");
}

TEST_CASE("which pieces an experiment decides", "[learning][experiment]") {
  auto d = two_arms();
  CHECK(applies(d, "alert", "x"));
  CHECK(applies(d, "alert", "telegram"));
  CHECK_FALSE(applies(d, "recap", "x"));
  d.channel = "x";
  CHECK_FALSE(applies(d, "alert", "telegram"));
}

TEST_CASE("assignment is sticky per unit and follows the weights", "[learning][experiment]") {
  auto s = start(two_arms(true));
  s.def.split = {3, 1};
  reweight(s, {});
  CHECK(s.weights == std::vector<double>{0.75, 0.25});
  CHECK(assign(s, "p1@x") == assign(s, "p1@x"));
  std::vector<double> counts(2, 0);
  for (int i = 0; i < 10000; ++i)
    counts[assign(s, "piece-" + std::to_string(i) + "@x")] += 1;
  CHECK(srm_p_value(counts, s.weights) > 0.001);
  // Another experiment draws other numbers for the same units.
  auto t = s;
  t.def.id = "other";
  int same = 0;
  for (int i = 0; i < 1000; ++i) {
    auto u = "piece-" + std::to_string(i) + "@x";
    same += assign(s, u) == assign(t, u);
  }
  CHECK(same < 800); // independent draws agree on ~62.5%
}

TEST_CASE("outcomes from snapshots", "[learning][experiment]") {
  auto d = two_arms();
  CHECK(outcome_of(d, "ok", 1, -1) == true);
  CHECK(outcome_of(d, "ok", 0, -1) == false);
  CHECK_FALSE(outcome_of(d, "deleted", 5, -1).has_value());
  CHECK_FALSE(outcome_of(d, "missed", 5, -1).has_value());
  d.metric = "rate";
  d.threshold = 0.02;
  CHECK(outcome_of(d, "ok", 3, 0.03) == true);
  CHECK(outcome_of(d, "ok", 1, 0.01) == false);
  CHECK_FALSE(outcome_of(d, "ok", 3, -1).has_value()); // no impressions: no rate
}

TEST_CASE("no verdict before the minimum sample", "[learning][experiment]") {
  auto s = start(two_arms());
  for (int i = 0; i < 49; ++i) {
    settle(s, 0, {}, i % 10 == 0);
    settle(s, 1, {}, i % 5 == 0);
  }
  auto v = judge(s);
  CHECK(v.state == "collecting");
  CHECK(v.leader.empty());
  settle(s, 0, {}, false);
  CHECK(judge(s).state == "collecting"); // arm b still has 49
  settle(s, 1, {}, true);
  v = judge(s);
  CHECK(v.state == "ready");
  CHECK(v.leader == "b");
  CHECK(v.arms[1].p_beat_control > 0.5);
  CHECK_FALSE(v.warning.empty()); // Thompson read-outs are biased: said
  CHECK(judge(start(two_arms(true))).warning.empty());
}

TEST_CASE("a variant whose units are lost is flagged as a sample-ratio mismatch",
          "[learning][experiment][srm]") {
  auto s = start(two_arms(true));
  s.def.min_sample = 10;
  // 10,000 units at 50/50; one in five of arm b's pieces never gets an
  // outcome (e.g. its template is refused): 5,000 vs ~4,000 exposures.
  int i = 0;
  for (; i < 10000; ++i) {
    auto unit = "u" + std::to_string(i);
    auto arm = assign(s, unit);
    count_assignment(s, arm);
    bool lost = arm == 1 && i % 5 == 0;
    settle(s, arm, s.weights, lost ? std::nullopt : std::optional<bool>{i % 20 == 0});
  }
  auto v = judge(s);
  CHECK(v.srm_p < 0.001);
  CHECK(v.state == "mismatch");
  CHECK(v.leader.empty());
  // Losses that do not depend on the arm are not a mismatch.
  auto t = start(two_arms(true));
  t.def.min_sample = 10;
  for (int j = 0; j < 10000; ++j) {
    auto arm = assign(t, "u" + std::to_string(j));
    bool lost = j % 5 == 0;
    settle(t, arm, t.weights, lost ? std::nullopt : std::optional<bool>{j % 20 == 0});
  }
  CHECK(judge(t).srm_p > 0.001);
  CHECK(judge(t).state == "ready");
}

TEST_CASE("expected traffic uses the weights each unit was assigned under",
          "[learning][experiment][srm]") {
  // A bandit moves from 50/50 to 90/10; units settled under each set of
  // weights are expected in those shares: no false alarm.
  auto s = start(two_arms());
  s.def.min_sample = 1;
  for (int i = 0; i < 2000; ++i) {
    std::vector<double> w = i < 1000 ? std::vector<double>{0.5, 0.5} : std::vector<double>{0.9, 0.1};
    auto arm = pick(w, unit_uniform("u" + std::to_string(i)));
    settle(s, arm, w, i % 3 == 0);
  }
  CHECK(s.expected[0] == Approx(1400));
  CHECK(judge(s).srm_p > 0.001);
}

TEST_CASE("Thompson reweighting moves traffic to the better arm", "[learning][experiment]") {
  auto s = start(two_arms());
  for (int i = 0; i < 400; ++i) {
    count_assignment(s, 0);
    count_assignment(s, 1);
    settle(s, 0, {}, i % 25 == 0); // 4%
    settle(s, 1, {}, i % 10 == 0); // 10%
  }
  reweight(s, {});
  CHECK(s.updates == 1);
  CHECK(s.weights[1] > 0.95);
  CHECK(s.weights[0] < 0.05); // half the assignments so far: no floor needed
  auto again = s;
  again.updates = 0;
  reweight(again, {});
  CHECK(again.weights == s.weights); // the same update gives the same weights
}

TEST_CASE("expiry: weights are stale only when computed longer ago than max-age",
          "[learning][experiment]") {
  experiment_def d;
  d.id = "e";
  d.arms = {"a", "b", "c"};
  auto s = start(d);
  s.weights = {0.1, 0.2, 0.7};
  s.updates = 3;
  s.reweighted_at = 1000;
  CHECK_FALSE(stale(s, 1000 + 500, 500));
  CHECK(stale(s, 1000 + 501, 500));
  CHECK(allocation(s, 1000 + 501, 500) == std::vector<double>{1.0 / 3, 1.0 / 3, 1.0 / 3});
  CHECK(allocation(s, 1000 + 500, 500) == s.weights);
  CHECK_FALSE(stale(s, 1 << 30, 0)); // 0: never
  auto unknown = s;
  unknown.reweighted_at = 0; // stored before the time was kept
  CHECK_FALSE(stale(unknown, 1 << 30, 500));
  auto never = start(d); // the starting weights cannot go stale
  CHECK_FALSE(stale(never, 1 << 30, 500));
  // A fixed split comes back as the split.
  d.fixed = true;
  d.split = {2, 1, 1};
  auto f = start(d);
  f.weights = {0.9, 0.05, 0.05};
  f.updates = 1;
  f.reweighted_at = 1;
  CHECK(allocation(f, 1000, 10) == std::vector<double>{0.5, 0.25, 0.25});
}

TEST_CASE("a posting-hour experiment names UTC hours and never decides an alert",
          "[learning][experiment]") {
  experiment_def d;
  d.id = "recap-hour";
  d.factor = factor::posting_hour;
  d.content_type = "recap";
  d.arms = {"09", "15"};
  CHECK(validate(d).empty());
  CHECK(arm_hour("09") == 9);
  CHECK(arm_hour("00") == 0);
  CHECK(arm_hour("23") == 23);
  for (auto bad : {"9", "24", "9a", "", "015", "-1"})
    CHECK_FALSE(arm_hour(bad));
  d.arms = {"09", "9pm"};
  CHECK(validate(d) == "experiment 'recap-hour': arms: a posting-hour experiment's arms are UTC "
                       "hours \"00\" to \"23\", not '9pm'");
  d.arms = {"09", "15"};
  d.content_type = "alert";
  CHECK(validate(d).find("type: an alert cannot wait for a posting hour") != std::string::npos);
  // Every type but alerts.
  d.content_type = "";
  CHECK(applies(d, "recap", "x"));
  CHECK(applies(d, "scorecard", "articles"));
  CHECK_FALSE(applies(d, "alert", "x"));
  auto back = def_from_json(to_json(d));
  CHECK(back.factor == factor::posting_hour);
  CHECK(factor_name(back.factor) == std::string{"posting_hour"});
  CHECK_THROWS_WITH(def_from_json(R"({"id":"x","factor":"weekday","arms":["a","b"]})"),
                    "experiment: factor 'weekday' is not template, chart or posting_hour");
}
