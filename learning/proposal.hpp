#pragma once
// The live tuning step (issue 19), pure code: from the resolved outcomes
// so far, fit new weights on the older ones and compare them with the
// current weights on the newest ones, which the fit never saw. A proposal
// is applied only when it beats the current weights there, on at least
// `min_outcomes` resolved outcomes; its change is bounded (each weight
// moves at most `max_step`, the threshold at most `max_threshold_step`,
// toward the fitted set); every proposal is one trial, counted and logged
// by the caller, so a reader can correct for how many were made.

#include <cstdint>
#include <string>
#include <vector>

#include "learning/tuning.hpp"

namespace herald::learning {

struct proposal_options {
  std::size_t holdout = 500;      ///< the newest resolved outcomes: the comparison
  std::size_t min_outcomes = 500; ///< resolved outcomes the comparison needs
  double max_step = 0.5;          ///< the most one weight moves per step
  double max_threshold_step = 0.05;
  tune_options tune;
};

struct proposal {
  weight_set current;
  weight_set fitted;    ///< what the fit found on the older outcomes
  weight_set candidate; ///< the bounded step from current toward fitted
  analysis::proportion current_hits, candidate_hits; ///< on the holdout
  std::size_t fit_rows = 0, holdout_rows = 0;
  std::size_t trials = 0; ///< thresholds tried by the fit
  bool beats = false;     ///< candidate's hit rate above current's on the holdout
  bool apply = false;     ///< beats, on enough outcomes
  std::string reason;     ///< why (not) applied, for the log
};

/// The bounded step from `from` toward `to`.
weight_set bounded_step(const weight_set& from, const weight_set& to, double max_step,
                        double max_threshold_step);

/// A proposal from resolved outcomes (any order; sorted by when their label
/// resolved, the newest `holdout` compare, the rest fit).
proposal propose(const weight_set& current, const std::vector<const outcome_row*>& resolved,
                 const proposal_options& o = {});

} // namespace herald::learning
