#pragma once
// Walk-forward evaluation of strategy tuning (issue 19), pure code. Rolling
// folds over time: fit on a training window, evaluate on the window right
// after it, move both by the test window's length. Never the reverse, and
// never a label from the future: a training row counts only when its
// forward return was known before the test window starts, a test row only
// when it is known before the test window ends, so nothing at or after a
// test window's end is read by that fold or any before it.
//
// Each fold reports, on its test rows, the configured (fixed) weights and
// the tuned ones side by side: hit rate of their calls with the 95% Wilson
// interval, and the Brier score of their calibrated probability of "up"
// (fixed: Platt scaling of the aggregate score fitted on the training rows;
// tuned: the logistic model) against the constant forecast of the training
// rows' base rate (Brier skill score = 1 - Brier / Brier of the constant).

#include <cstdint>
#include <string>
#include <vector>

#include "learning/tuning.hpp"

namespace herald::learning {

struct wf_options {
  std::int64_t bar_ms = 3'600'000;
  std::int64_t train_bars = 4320; ///< 180 days of 1h
  std::int64_t test_bars = 720;   ///< 30 days of 1h
  weight_set fixed;               ///< the configured weights and threshold
  tune_options tune;
};

struct wf_side {
  analysis::proportion hits;
  double brier = 0;
  double skill() const;
  double brier_const = 0;
};

struct wf_fold {
  int index = 0;
  std::int64_t train_from = 0, test_from = 0, test_to = 0;
  std::size_t train_rows = 0, test_rows = 0;
  double base_rate = 0; ///< share of up moves in the training rows
  wf_side fixed, tuned;
  weight_set weights; ///< the tuned weights and threshold
  std::size_t trials = 0;
};

struct wf_report {
  std::vector<wf_fold> folds;
  wf_side fixed, tuned; ///< over every test row of every fold
  std::size_t trials = 0;
  std::size_t rows = 0;
};

/// Runs the folds over `rows` (any order; several series pooled by time).
wf_report walk_forward(const std::vector<outcome_row>& rows, const wf_options& o);

/// The report as text (one line per fold, then the overall figures and how
/// to read them) and as JSON.
std::string wf_text(const wf_report& r, const wf_options& o, const std::string& what);
std::string wf_json(const wf_report& r, const wf_options& o);

} // namespace herald::learning
