#include "learning/proposal.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace herald::learning {

namespace {

double toward(double from, double to, double step) {
  return from + std::clamp(to - from, -step, step);
}

std::string rate(const analysis::proportion& p) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%llu/%llu = %.1f%%", static_cast<unsigned long long>(p.hits),
                static_cast<unsigned long long>(p.n), 100 * p.rate());
  return buf;
}

} // namespace

weight_set bounded_step(const weight_set& from, const weight_set& to, double max_step,
                        double max_threshold_step) {
  weight_set w;
  for (std::size_t k = 0; k < kind_count; ++k)
    w.weights[k] = std::max(0.0, toward(from.weights[k], to.weights[k], max_step));
  w.threshold = toward(from.threshold, to.threshold, max_threshold_step);
  return w;
}

proposal propose(const weight_set& current, const std::vector<const outcome_row*>& resolved,
                 const proposal_options& o) {
  proposal p;
  p.current = current;
  std::vector<const outcome_row*> rows;
  for (auto* r : resolved)
    if (r->resolved)
      rows.push_back(r);
  std::stable_sort(rows.begin(), rows.end(), [](auto* a, auto* b) {
    return a->resolved_at != b->resolved_at ? a->resolved_at < b->resolved_at
                                            : a->time < b->time;
  });
  auto cut = rows.size() > o.holdout ? rows.size() - o.holdout : 0;
  std::vector<const outcome_row*> fit(rows.begin(), rows.begin() + static_cast<long>(cut));
  std::vector<const outcome_row*> holdout(rows.begin() + static_cast<long>(cut), rows.end());
  // The fit must not see a label that resolved after the first holdout row
  // was made: drop fit rows whose outcome was known only later.
  if (!holdout.empty()) {
    auto first = holdout.front()->time;
    for (auto* r : holdout)
      first = std::min(first, r->time);
    fit.erase(std::remove_if(fit.begin(), fit.end(),
                             [&](auto* r) { return r->resolved_at >= first; }),
              fit.end());
  }
  p.fit_rows = fit.size();
  p.holdout_rows = holdout.size();
  p.candidate = current;
  p.fitted = current;
  if (fit.empty() || holdout.size() < o.min_outcomes) {
    p.reason = "not enough resolved outcomes: " + std::to_string(holdout.size()) + " to compare on ("
               + std::to_string(o.min_outcomes) + " needed), " + std::to_string(fit.size())
               + " to fit on";
    return p;
  }
  auto t = tune(fit, current, o.tune);
  p.trials = t.trials;
  p.fitted = t.weights;
  p.candidate = bounded_step(current, t.weights, o.max_step, o.max_threshold_step);
  p.current_hits = hit_rate(current, holdout);
  p.candidate_hits = hit_rate(p.candidate, holdout);
  p.beats = p.candidate_hits.n >= o.tune.min_calls
            && p.candidate_hits.rate() > p.current_hits.rate();
  p.apply = p.beats && !(p.candidate == current);
  p.reason = std::string{p.apply ? "beats the current weights" : "refused"} + ": candidate "
             + rate(p.candidate_hits) + " vs current " + rate(p.current_hits) + " on the "
             + std::to_string(holdout.size()) + " newest resolved outcomes"
             + (p.candidate_hits.n < o.tune.min_calls
                  ? " (the candidate makes fewer than " + std::to_string(o.tune.min_calls)
                      + " calls)"
                  : p.apply || p.beats ? "" : " (it does not beat the current weights)");
  return p;
}

} // namespace herald::learning
