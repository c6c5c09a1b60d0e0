#pragma once
// Performance analytics (issue 19), pure code: how good each analyzer and
// the combined signal were, per week and overall, on resolved outcomes.
//
// For each scope (each analyzer kind, and "combined": the stored signal):
//   - calls: the scope's direction when |score| >= `call_threshold` and it
//     answered with confidence > 0 (combined: the signal's own direction);
//     hit rate of the calls with the 95% Wilson interval;
//   - a probability of "up" for every row it answered: p = (1 + score x
//     confidence / 100) / 2 (a full-confidence +1 vote says certainly up;
//     no vote says 50%). It is not calibrated by construction: the
//     calibration table (ten bins of p: rows, mean p, share of up moves)
//     and the reliability diagram show how far it is from the diagonal;
//     its Brier score is reported next to the constant 50% forecast's;
//   - the mean forward return of long calls and of short calls (as the call
//     made it: a short's return is minus the market's), next to buy and
//     hold (the mean forward return of every row of the period).

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "learning/tuning.hpp"

namespace herald::learning {

struct calibration_bin {
  std::size_t rows = 0;
  double mean_p = 0; ///< mean forecast of the rows in the bin
  double up = 0;     ///< share of them that went up
};

struct scope_stats {
  std::string scope; ///< an analyzer's name, or "combined"
  analysis::proportion hits;
  std::size_t rows = 0; ///< rows with a forecast
  double brier = 0;
  double brier_half = 0; ///< of the constant 50% forecast
  std::array<calibration_bin, 10> bins{};
  std::size_t longs = 0, shorts = 0;
  double long_return = 0, short_return = 0; ///< mean return of the calls
  double buy_hold = 0;                      ///< mean forward return of all rows
};

struct performance_options {
  double call_threshold = 0.15;
};

/// One scope per analyzer kind (in kind order) plus "combined" (last).
/// `signal_dirs` / `signal_scores` / `signal_confidences`: the stored
/// signal of each row (direction -1/0/+1, its score and confidence).
std::vector<scope_stats> performance(const std::vector<const outcome_row*>& rows,
                                     const std::vector<int>& signal_dirs,
                                     const std::vector<double>& signal_scores,
                                     const std::vector<double>& signal_confidences,
                                     const performance_options& o = {});

/// The probability of "up" a vote states.
double implied_up(double score, double confidence);

/// JSON of one scope (what performance_snapshots.metrics holds) and back.
std::string to_json(const scope_stats& s);
scope_stats scope_from_json(const std::string& scope, const std::string& json);

/// The reliability diagram of a scope as PNG (mean forecast against the
/// share of up moves per bin, the diagonal for reference).
std::string reliability_png(const scope_stats& s, int width = 900, int height = 900);

/// A markdown article of a week's (or all) scopes.
std::string performance_markdown(const std::vector<scope_stats>& scopes, const std::string& period);

} // namespace herald::learning
