#pragma once
// The A/B allocator and its statistics (pure code, no actors).
//
// Allocation: Thompson sampling on Beta-Bernoulli posteriors, computed as
// weights (the probability that each arm wins one draw), recomputed when
// outcomes arrive and used for every assignment until the next update. Two
// changes to textbook Thompson sampling, both measured in
// bench/bandit_bench.cpp against it on the instance (K=4,
// p={.05,.04,.04,.03}, T=20,000, 200 seeds):
//   - draws are sharpened (Beta(m*a, m*b), m = 2: the posterior mean, with
//     half the variance) and optimistic (a draw below the arm's posterior
//     mean counts as the mean). Thompson sampling spends too long on arms a
//     few tenths of a percent apart in a finite horizon; this halves that;
//   - a minimum share: an arm that has received less than `min_share` of
//     the assignments (after the first 100) gets at least `min_share` of
//     the weight, so no arm starves and a wrong early lead is corrected.
// The read-outs use the plain posterior Beta(1 + s, 1 + n - s), never the
// sharpened one. Bandit read-outs are biased (the arms that look good early
// get more traffic): `read` says so; fixed splits give clean comparisons.

#include <cstdint>
#include <string>
#include <vector>

namespace herald::learning {

/// What an arm has seen so far.
struct arm_counts {
  std::int64_t exposures = 0; ///< outcomes recorded (trials)
  std::int64_t successes = 0; ///< of which successes
  std::int64_t assigned = 0;  ///< units assigned (with or without an outcome yet)
};

struct bandit_options {
  double min_share = 0.01; ///< floor of any arm's share of assignments
  double sharpen = 2.0;    ///< m in Beta(m*a, m*b); 1 = plain Thompson sampling
  bool optimistic = true;  ///< a draw below the posterior mean counts as the mean
  int draws = 1000;        ///< Monte Carlo draws per weight computation (s.e. <= 1.6%)
  std::int64_t floor_after = 100; ///< assignments before the floor applies
  /// Weights recomputed longer ago are not used: the starting weights are
  /// (learning::stale; learning.ab.max-age). 0 = never.
  std::int64_t max_age_ms = 0;
};

/// Thompson weights for `arms` (sum 1). Deterministic for a given `seed`.
std::vector<double> thompson_weights(const std::vector<arm_counts>& arms,
                                     const bandit_options& o, std::uint64_t seed);

/// Fixed split: `split` normalised (empty or all zero: equal shares).
std::vector<double> fixed_weights(std::size_t arms, const std::vector<double>& split);

/// The arm a unit with uniform number `u` in [0, 1) gets under `weights`.
std::size_t pick(const std::vector<double>& weights, double u);

/// A stable uniform number in [0, 1) for a key (the same key, the same number):
/// the sticky per-unit draw.
double unit_uniform(const std::string& key);

/// Upper tail of the chi-squared distribution with `dof` degrees of freedom.
double chi2_sf(double x, int dof);

/// Sample-ratio-mismatch p value: chi-squared goodness of fit of `observed`
/// counts against the `expected` ones (any scale: they are rescaled to the
/// observed total). 1 when there are fewer than two arms with expectation.
double srm_p_value(const std::vector<double>& observed, const std::vector<double>& expected);

/// Regularised incomplete beta function I_x(a, b).
double incomplete_beta(double x, double a, double b);
/// The q quantile of Beta(a, b).
double beta_quantile(double q, double a, double b);

/// An arm's read-out.
struct arm_readout {
  double mean = 0;            ///< posterior mean of the success rate
  double lo = 0, hi = 0;      ///< 95% equal-tailed credible interval
  double p_beat_control = 0;  ///< P(rate > control's rate); 0.5 for the control itself
  double p_best = 0;          ///< P(this arm has the highest rate)
};

/// Read-outs under the uniform prior. Deterministic for a given `seed`.
std::vector<arm_readout> read(const std::vector<arm_counts>& arms, std::size_t control,
                              std::uint64_t seed, int draws = 20000);

} // namespace herald::learning
