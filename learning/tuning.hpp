#pragma once
// Strategy tuning (issue 19), pure code: what the analyzers said about each
// candle and what the market did next, and how analyzer weights and the
// aggregate's threshold are learned from it.
//
// The method: a logistic regression, fitted by Newton's method with an L2
// penalty, of "the close `horizon` bars later is above this close" on the
// analyzers' confidence-weighted votes z_k = score_k * confidence_k / 100.
// Why: the log loss is a proper scoring rule, so the fitted model is a
// calibrated probability (its Brier score can be compared with a constant
// forecast's); eight coefficients are cheap to refit on every window; the
// penalty keeps them small when the analyzers say the same thing. The
// aggregate's weights are the positive coefficients (an analyzer that points
// the wrong way gets weight 0: the aggregate cannot invert a vote), so the
// direction of the tuned aggregate is the sign of the model's linear part
// without its intercept. The threshold is the one on a grid that gives the
// highest lower bound of the 95% Wilson interval of the hit rate on the
// training rows (at least `min_calls` calls): a threshold that looks good
// on a handful of calls does not win.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/aggregate.hpp"
#include "analysis/backtest_report.hpp"
#include "analysis/kinds.hpp"
#include "messages/market.hpp"

namespace herald::learning {

using analysis::kind_count;

/// One candle of one series: the analyzers' answers and its outcome.
struct outcome_row {
  std::int64_t time = 0;       ///< the candle's open time
  std::uint32_t series = 0;    ///< index of its series
  double price = 0;            ///< its close
  std::array<double, kind_count> score{}, confidence{};
  std::uint8_t present = 0xFF; ///< bit k: analyzer k answered
  std::string regime;          ///< the volatility analyzer's label
  bool resolved = false;       ///< the candle `horizon` bars later exists
  double fwd = 0;              ///< its close / this close - 1
  std::int64_t resolved_at = 0; ///< that candle's close time (the label is known after it)
};

/// Runs the enabled analyzers over one series' candles (in time order) and
/// returns one row per candle; forward returns are `horizon` bars later in
/// the series (a gap does not shorten it). Pure: the same candles give the
/// same rows.
std::vector<outcome_row> outcome_rows(const std::vector<candle>& series, std::uint32_t index,
                                      const analysis::analyzer_options& opts, int horizon);

/// Weights per analyzer kind and the aggregate's threshold.
struct weight_set {
  std::array<double, kind_count> weights{1, 1, 1, 1, 1, 1, 1, 1};
  double threshold = 0.15;
};
bool operator==(const weight_set& a, const weight_set& b);

/// The aggregate's score of a row under `w` (analysis::aggregate, the same
/// function a live run uses).
double aggregate_score(const weight_set& w, const outcome_row& r);
/// -1 short, 0 no call, +1 long.
int call_of(const weight_set& w, const outcome_row& r);

/// A logistic model of P(up): sigmoid(bias + sum beta_k z_k).
struct logistic_model {
  double bias = 0;
  std::array<double, kind_count> beta{};
  double predict(const outcome_row& r) const;
};

/// The analyzers' confidence-weighted votes (volatility regime excluded: it
/// has no direction).
std::array<double, kind_count> votes(const outcome_row& r);

/// Fits on resolved rows (L2 penalty `l2` on the coefficients, not the bias).
logistic_model fit_logistic(const std::vector<const outcome_row*>& rows, double l2 = 1.0);

/// Platt scaling of one score: P(up) = sigmoid(a + b * score).
struct platt {
  double a = 0, b = 0;
  double predict(double score) const;
};
platt fit_platt(const std::vector<double>& scores, const std::vector<int>& ups);

struct tune_options {
  std::vector<double> thresholds; ///< the grid (empty: 0.02, 0.04, ..., 0.60)
  std::size_t min_calls = 30;     ///< a threshold with fewer calls is not chosen
  double l2 = 1.0;
};

/// Hit rate of the calls `w` makes on `rows` (a long call hits when the
/// forward return is above 0, a short one when below).
analysis::proportion hit_rate(const weight_set& w, const std::vector<const outcome_row*>& rows);

/// What tuning learned from training rows: the model, the weights and the
/// threshold, and how many thresholds were tried (the number of trials a
/// reader corrects for).
struct tuned {
  logistic_model model;
  weight_set weights;
  std::size_t trials = 0;
};
tuned tune(const std::vector<const outcome_row*>& train, const weight_set& current,
           const tune_options& o = {});

/// Mean Brier score of probabilities against outcomes.
double brier(const std::vector<double>& p, const std::vector<int>& ups);

} // namespace herald::learning
