#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>

#include "learning/bandit.hpp"

using namespace herald::learning;

namespace {

double sum(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0);
}

// P(X > Y) for X ~ Beta(a1, b1), Y ~ Beta(a2, b2) by the midpoint rule over
// the densities: an independent check of read()'s Monte Carlo.
double p_greater(double a1, double b1, double a2, double b2) {
  const int n = 20000;
  double p = 0, cdf_y = 0;
  auto lb = [](double a, double b) { return std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b); };
  for (int i = 0; i < n; ++i) {
    double x = (i + 0.5) / n;
    double fy = std::exp(lb(a2, b2) + (a2 - 1) * std::log(x) + (b2 - 1) * std::log1p(-x)) / n;
    double fx = std::exp(lb(a1, b1) + (a1 - 1) * std::log(x) + (b1 - 1) * std::log1p(-x)) / n;
    p += fx * (cdf_y + fy / 2);
    cdf_y += fy;
  }
  return p;
}

} // namespace

TEST_CASE("chi-squared upper tail matches the tables", "[learning][bandit]") {
  CHECK(chi2_sf(3.841459, 1) == Approx(0.05).margin(1e-5));
  CHECK(chi2_sf(6.634897, 1) == Approx(0.01).margin(1e-5));
  CHECK(chi2_sf(7.814728, 3) == Approx(0.05).margin(1e-5));
  CHECK(chi2_sf(10.827566, 1) == Approx(0.001).margin(1e-6));
  CHECK(chi2_sf(0, 2) == 1);
  CHECK(chi2_sf(2.0, 2) == Approx(std::exp(-1.0)).margin(1e-12)); // dof 2: e^(-x/2)
}

TEST_CASE("sample-ratio mismatch: 55/45 of 10,000 is flagged, 50.3/49.7 is not",
          "[learning][bandit][srm]") {
  auto flagged = srm_p_value({5500, 4500}, {0.5, 0.5});
  CHECK(flagged < 0.001);
  CHECK(flagged < 1e-20); // chi2 = 100 with one degree of freedom
  auto fine = srm_p_value({5030, 4970}, {0.5, 0.5});
  CHECK(fine > 0.001);
  CHECK(fine == Approx(0.5485).margin(0.001)); // chi2 = 0.36
  // Expectations on any scale; an arm meant to get nothing is not a cell.
  CHECK(srm_p_value({5030, 4970, 0}, {50, 50, 0}) == Approx(fine));
  CHECK(srm_p_value({10, 0}, {1, 0}) == 1);
  CHECK(srm_p_value({0, 0}, {1, 1}) == 1);
}

TEST_CASE("incomplete beta and its quantiles", "[learning][bandit]") {
  CHECK(incomplete_beta(0.5, 2, 3) == Approx(0.6875).margin(1e-12));
  CHECK(incomplete_beta(0.3, 1, 1) == Approx(0.3).margin(1e-12));
  CHECK(incomplete_beta(0.2, 5, 1) == Approx(std::pow(0.2, 5)).margin(1e-12));
  for (double q : {0.025, 0.5, 0.975}) {
    auto x = beta_quantile(q, 31, 971);
    CHECK(incomplete_beta(x, 31, 971) == Approx(q).margin(1e-9));
  }
}

TEST_CASE("Thompson weights favour the better arm and keep every arm's floor",
          "[learning][bandit]") {
  bandit_options o;
  std::vector<arm_counts> none(4);
  auto w0 = thompson_weights(none, o, 1);
  REQUIRE(w0.size() == 4);
  CHECK(sum(w0) == Approx(1));
  for (auto x : w0)
    CHECK(x == Approx(0.25).margin(0.03)); // no data: equal odds

  std::vector<arm_counts> arms{{2000, 100, 2000}, {2000, 60, 2000}, {2000, 62, 2000}, {2000, 40, 2000}};
  auto w = thompson_weights(arms, o, 7);
  CHECK(sum(w) == Approx(1));
  CHECK(w[0] > 0.95);
  CHECK(thompson_weights(arms, o, 7) == w); // deterministic per seed

  // Arm 3 is clearly worse (1% over 2,000 outcomes) and had less than 1% of
  // the assignments (2,000 of 302,000): it gets the 1% floor, not nothing.
  std::vector<arm_counts> starved{{100000, 5000, 100000}, {100000, 4000, 100000},
                                  {100000, 4000, 100000}, {2000, 20, 2000}};
  auto floored = thompson_weights(starved, o, 7);
  CHECK(floored[3] >= 0.0099);
  CHECK(floored[3] < 0.011);
  o.min_share = 0;
  CHECK(thompson_weights(starved, o, 7)[3] < 0.001);
}

TEST_CASE("fixed splits and picking", "[learning][bandit]") {
  CHECK(fixed_weights(2, {}) == std::vector<double>{0.5, 0.5});
  CHECK(fixed_weights(3, {2, 1, 1}) == std::vector<double>{0.5, 0.25, 0.25});
  CHECK(pick({0.5, 0.25, 0.25}, 0.0) == 0);
  CHECK(pick({0.5, 0.25, 0.25}, 0.6) == 1);
  CHECK(pick({0.5, 0.25, 0.25}, 0.9999) == 2);
  CHECK(pick({0.5, 0.5, 0.0}, 1.0) == 1); // past the sum: last arm with weight
}

TEST_CASE("a unit's uniform number is stable and uniform", "[learning][bandit]") {
  CHECK(unit_uniform("p1@x") == unit_uniform("p1@x"));
  CHECK(unit_uniform("p1@x") != unit_uniform("p2@x"));
  std::vector<double> bins(10, 0);
  for (int i = 0; i < 20000; ++i) {
    auto u = unit_uniform("piece-" + std::to_string(i) + "@telegram");
    REQUIRE(u >= 0);
    REQUIRE(u < 1);
    bins[static_cast<std::size_t>(u * 10)] += 1;
  }
  CHECK(srm_p_value(bins, std::vector<double>(10, 1)) > 0.001);
}

TEST_CASE("read-outs: posterior means, credible intervals and P(beat control)",
          "[learning][bandit]") {
  std::vector<arm_counts> arms{{1000, 40, 1000}, {1000, 55, 1000}, {10, 1, 10}};
  auto r = read(arms, 0, 3, 40000);
  REQUIRE(r.size() == 3);
  CHECK(r[0].mean == Approx(41.0 / 1002));
  CHECK(r[1].mean == Approx(56.0 / 1002));
  CHECK(r[0].lo == Approx(beta_quantile(0.025, 41, 961)));
  CHECK(r[0].hi == Approx(beta_quantile(0.975, 41, 961)));
  CHECK(r[0].lo < r[0].mean);
  CHECK(r[0].mean < r[0].hi);
  CHECK(r[0].p_beat_control == 0.5);
  CHECK(r[1].p_beat_control == Approx(p_greater(56, 946, 41, 961)).margin(0.01));
  CHECK(r[2].p_beat_control == Approx(p_greater(2, 10, 41, 961)).margin(0.01));
  CHECK(r[0].p_best + r[1].p_best + r[2].p_best == Approx(1));
  // The arm with ten exposures has the widest interval.
  CHECK(r[2].hi - r[2].lo > 5 * (r[0].hi - r[0].lo));
}
