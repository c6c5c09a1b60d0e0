#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "io/files/candle_file.hpp"
#include "learning/tuning.hpp"
#include "learning/proposal.hpp"
#include "learning/walk_forward.hpp"
#include "support/market_data.hpp"

using namespace herald;
using namespace herald::learning;

namespace {

constexpr std::size_t momentum = static_cast<std::size_t>(analysis::kind::momentum);
constexpr std::size_t flow = static_cast<std::size_t>(analysis::kind::order_flow);

/// Rows where momentum's vote predicts the move (P(up) = sigmoid(3 z)) and
/// order flow's vote predicts the opposite; the other analyzers are noise.
std::vector<outcome_row> planted(std::size_t n, unsigned seed, bool anti = true) {
  std::mt19937_64 g(seed);
  std::uniform_real_distribution<double> u(-1, 1), p(0, 1);
  std::vector<outcome_row> rows(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto& r = rows[i];
    r.time = static_cast<std::int64_t>(i) * 3'600'000;
    r.price = 100;
    for (std::size_t k = 0; k < kind_count; ++k) {
      r.score[k] = u(g);
      r.confidence[k] = 100;
    }
    double x = 3 * r.score[momentum];
    bool up = p(g) < 1 / (1 + std::exp(-x));
    if (anti)
      r.score[flow] = up ? -std::fabs(u(g)) : std::fabs(u(g)); // points the wrong way
    r.fwd = up ? 0.01 : -0.01;
    r.resolved = true;
    r.resolved_at = r.time + 10 * 3'600'000 - 1;
  }
  return rows;
}

std::vector<const outcome_row*> ptrs(const std::vector<outcome_row>& rows) {
  std::vector<const outcome_row*> out;
  for (auto& r : rows)
    out.push_back(&r);
  return out;
}

} // namespace

TEST_CASE("the logistic fit recovers a planted coefficient", "[learning][tuning]") {
  auto rows = planted(20000, 1, false);
  auto m = fit_logistic(ptrs(rows), 1.0);
  CHECK(m.beta[momentum] == Approx(3).margin(0.35));
  for (std::size_t k : {0, 1, 7})
    CHECK(std::fabs(m.beta[k]) < 0.3);
  CHECK(std::fabs(m.bias) < 0.2);
  // The probability is calibrated: mean predicted = base rate.
  double mean_p = 0, ups = 0;
  for (auto& r : rows) {
    mean_p += m.predict(r) / rows.size();
    ups += (r.fwd > 0) / static_cast<double>(rows.size());
  }
  CHECK(mean_p == Approx(ups).margin(0.005));
  // An analyzer that points the wrong way gets a negative coefficient.
  auto anti = planted(20000, 1);
  auto m2 = fit_logistic(ptrs(anti), 1.0);
  CHECK(m2.beta[flow] < -1);
  CHECK(m2.beta[momentum] > 1);
}

TEST_CASE("tuning gives the wrong-way analyzer no weight and picks a threshold",
          "[learning][tuning]") {
  auto rows = planted(5000, 2);
  weight_set fixed;
  auto t = tune(ptrs(rows), fixed);
  CHECK(t.weights.weights[flow] == 0);
  CHECK(t.weights.weights[momentum] > 3); // most of the total weight of 7
  CHECK(t.trials == 30);
  CHECK(t.weights.threshold >= 0.02);
  // Better than the configured equal weights on fresh rows.
  auto fresh = planted(5000, 3);
  auto tuned_hits = hit_rate(t.weights, ptrs(fresh));
  auto fixed_hits = hit_rate(fixed, ptrs(fresh));
  CHECK(tuned_hits.rate() > fixed_hits.rate() + 0.1);
  CHECK(tuned_hits.n >= 30);
  // min_calls: a threshold no row reaches is never chosen.
  tune_options o;
  o.thresholds = {2.0};
  CHECK(tune(ptrs(rows), fixed, o).weights.threshold == fixed.threshold);
}

TEST_CASE("Brier scores and Platt scaling", "[learning][tuning]") {
  CHECK(brier({0.5, 0.5}, {1, 0}) == Approx(0.25));
  CHECK(brier({1, 0}, {1, 0}) == 0);
  std::vector<double> s;
  std::vector<int> y;
  std::mt19937_64 g(4);
  std::uniform_real_distribution<double> u(-1, 1), p(0, 1);
  for (int i = 0; i < 20000; ++i) {
    s.push_back(u(g));
    y.push_back(p(g) < 1 / (1 + std::exp(-(0.3 + 2 * s.back()))));
  }
  auto c = fit_platt(s, y);
  CHECK(c.a == Approx(0.3).margin(0.06));
  CHECK(c.b == Approx(2).margin(0.15));
}

TEST_CASE("walk-forward: folds roll forward and tuning beats fixed weights on a planted signal",
          "[learning][walk-forward]") {
  auto rows = planted(6000, 5);
  wf_options o;
  o.train_bars = 2000;
  o.test_bars = 500;
  auto rep = walk_forward(rows, o);
  REQUIRE(rep.folds.size() == 8);
  for (std::size_t i = 0; i < rep.folds.size(); ++i) {
    auto& f = rep.folds[i];
    CHECK(f.test_from == f.train_from + 2000 * o.bar_ms);
    CHECK(f.test_to == f.test_from + 500 * o.bar_ms);
    if (i > 0)
      CHECK(f.train_from == rep.folds[i - 1].train_from + 500 * o.bar_ms);
    // Training labels known before the test window: the last 10 bars of
    // the training window are left out.
    CHECK(f.train_rows == 1991); // the last label resolves 1 ms before the test window
    CHECK(f.test_rows <= 491);
  }
  CHECK(rep.tuned.hits.lower() > rep.fixed.hits.upper());
  CHECK(rep.tuned.skill() > 0.05); // the model beats the base rate
  CHECK(rep.fixed.skill() < rep.tuned.skill());
  auto text = wf_text(rep, o, "planted");
  CHECK(text.find("8 folds") != std::string::npos);
  CHECK(text.find("thresholds were tried") != std::string::npos);
  auto json = wf_json(rep, o);
  CHECK(json.find("\"brier_skill\"") != std::string::npos);
}

TEST_CASE("walk-forward: a fold's results do not change when everything after its test window "
          "is noise",
          "[learning][walk-forward]") {
  auto rows = planted(6000, 6);
  wf_options o;
  o.train_bars = 2000;
  o.test_bars = 500;
  auto base = walk_forward(rows, o);
  REQUIRE(base.folds.size() == 8);
  std::mt19937_64 g(7);
  std::uniform_real_distribution<double> u(-1, 1);
  for (std::size_t i = 0; i + 1 < base.folds.size(); ++i) {
    auto noisy = rows;
    for (auto& r : noisy)
      if (r.time >= base.folds[i].test_to || r.resolved_at >= base.folds[i].test_to) {
        // What is known only after the window ends: scores of later
        // candles, and labels that resolve later.
        if (r.time >= base.folds[i].test_to)
          for (auto& s : r.score)
            s = u(g);
        r.fwd = u(g);
      }
    auto again = walk_forward(noisy, o);
    for (std::size_t j = 0; j <= i; ++j) {
      INFO("noise after fold " << i + 1 << ", fold " << j + 1);
      CHECK(again.folds[j].weights == base.folds[j].weights);
      CHECK(again.folds[j].tuned.hits.hits == base.folds[j].tuned.hits.hits);
      CHECK(again.folds[j].tuned.brier == base.folds[j].tuned.brier);
      CHECK(again.folds[j].fixed.brier == base.folds[j].fixed.brier);
    }
    // ... while a later fold does change (the noise is seen where it may be).
    CHECK_FALSE(again.folds[i + 1].tuned.brier == base.folds[i + 1].tuned.brier);
  }
}

TEST_CASE("walk-forward on real BTCUSDT 1h candles: noise after a test window changes nothing "
          "up to it",
          "[learning][walk-forward][real-data]") {
  HERALD_REQUIRE_MARKET_DATA();
  auto parsed = io::read_candle_file(
    test::market_data("binance_spot_1h_4h/BTCUSDT_1h.csv"), "BTCUSDT", "1h");
  REQUIRE(parsed.ok());
  auto candles = parsed.file.candles;
  REQUIRE(candles.size() > 4000);
  candles.resize(4000);
  analysis::analyzer_options aopts;
  wf_options o;
  o.train_bars = 1500;
  o.test_bars = 500;
  auto base = walk_forward(outcome_rows(candles, 0, aopts, 10), o);
  REQUIRE(base.folds.size() >= 4);
  for (std::size_t i : {std::size_t{0}, base.folds.size() / 2}) {
    // Every candle from the fold's test end on becomes a random walk.
    auto noisy = candles;
    std::mt19937_64 g(11 + i);
    std::normal_distribution<double> step(0, 0.02);
    double price = 50'000;
    for (auto& c : noisy)
      if (c.open_time >= base.folds[i].test_to) {
        c.open = price;
        price *= std::exp(step(g));
        c.close = price;
        c.high = std::max(c.open, c.close) * 1.001;
        c.low = std::min(c.open, c.close) * 0.999;
        c.volume = 1 + std::fabs(step(g)) * 1000;
      }
    auto again = walk_forward(outcome_rows(noisy, 0, aopts, 10), o);
    for (std::size_t j = 0; j <= i; ++j) {
      INFO("noise after fold " << i + 1 << ", fold " << j + 1);
      CHECK(again.folds[j].weights == base.folds[j].weights);
      CHECK(again.folds[j].tuned.brier == base.folds[j].tuned.brier);
      CHECK(again.folds[j].fixed.hits.hits == base.folds[j].fixed.hits.hits);
      CHECK(again.folds[j].tuned.hits.n == base.folds[j].tuned.hits.n);
    }
    CHECK_FALSE(again.folds[i + 1].fixed.brier == base.folds[i + 1].fixed.brier);
  }
}

TEST_CASE("propose-only: a fitted change is applied only when it wins on outcomes it never saw",
          "[learning][proposal]") {
  weight_set current; // the configured equal weights
  proposal_options o;
  o.holdout = 1000;
  o.min_outcomes = 1000;

  SECTION("the planted signal holds out of sample: applied, in a bounded step") {
    auto rows = planted(4000, 8);
    auto p = propose(current, ptrs(rows), o);
    CHECK(p.fit_rows > 2900);
    CHECK(p.holdout_rows == 1000);
    CHECK(p.trials == 30);
    CHECK(p.beats);
    CHECK(p.apply);
    CHECK(p.reason.rfind("beats the current weights", 0) == 0);
    for (std::size_t k = 0; k < kind_count; ++k)
      CHECK(std::fabs(p.candidate.weights[k] - current.weights[k]) <= 0.5 + 1e-12);
    CHECK(p.candidate.weights[flow] == 0.5); // moving toward 0, one step
    CHECK(std::fabs(p.candidate.threshold - current.threshold) <= 0.05 + 1e-12);
  }
  SECTION("the market turned: weights that lose on the newest outcomes are refused") {
    auto rows = planted(4000, 9);
    // In the newest 1,000 outcomes the market moves the other way: momentum
    // now points the wrong way (and order flow the right one).
    for (std::size_t i = 3000; i < rows.size(); ++i)
      rows[i].fwd = -rows[i].fwd;
    auto p = propose(current, ptrs(rows), o);
    CHECK_FALSE(p.beats);
    CHECK_FALSE(p.apply);
    CHECK(p.candidate_hits.rate() < p.current_hits.rate());
    CHECK(p.reason.find("refused") == 0);
    CHECK(p.reason.find("does not beat") != std::string::npos);
  }
  SECTION("too few resolved outcomes: nothing is fitted") {
    auto rows = planted(900, 10);
    auto p = propose(current, ptrs(rows), o);
    CHECK_FALSE(p.apply);
    CHECK(p.trials == 0);
    CHECK(p.reason.find("not enough resolved outcomes: 900 to compare on (1000 needed)")
          != std::string::npos);
  }
}

TEST_CASE("bounded steps", "[learning][proposal]") {
  weight_set a, b;
  b.weights = {3, 0, 1, 1, 1, 1, 1, 1.2};
  b.threshold = 0.5;
  auto s = bounded_step(a, b, 0.5, 0.05);
  CHECK(s.weights[0] == 1.5);
  CHECK(s.weights[1] == 0.5);
  CHECK(s.weights[7] == Approx(1.2));
  CHECK(s.threshold == Approx(0.2));
}
