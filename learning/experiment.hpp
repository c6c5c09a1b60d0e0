#pragma once
// One A/B experiment over a content choice (pure code, no actors, no
// database): its definition, its state, and the decisions on it.
//   - assign: a unit (one piece on one channel, "<piece>@<channel>") gets an
//     arm by its own stable uniform number against the current weights, so
//     the same unit always gets the same arm while the weights stand; the
//     caller stores the assignment once and answers it again after that;
//   - settle: once a unit's outcome snapshot is due, the unit counts in the
//     expected traffic (with the weights it was assigned under) and, if it
//     has an outcome, as an exposure of its arm (success or not);
//   - reweight: after outcomes, new Thompson weights (or the fixed split);
//   - judge: the sample-ratio-mismatch check, the minimum-sample gate and
//     the read-outs.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "learning/bandit.hpp"

namespace herald::learning {

/// What an experiment varies. The posting hour: arms are UTC hours ("09",
/// "15"); a recap, report, thread or scorecard goes out at its arm's next
/// hour at or after its planned time (an alert cannot wait: not alerts).
enum class factor { template_variant, chart, posting_hour };

struct experiment_def {
  std::string id;
  std::string name;
  learning::factor factor = factor::template_variant;
  std::string content_type; ///< alert, recap, ... ("" = every type)
  std::string channel;      ///< x, telegram, ... ("" = every channel)
  /// template: variant names ("a", "b"); chart: "with" and "without";
  /// posting_hour: UTC hours "00" to "23"
  std::vector<std::string> arms;
  std::string control;      ///< one of arms (default: the first)
  bool fixed = false;       ///< fixed split instead of Thompson sampling
  std::vector<double> split; ///< fixed: each arm's share (default equal)
  double min_share = 0.01;
  std::int64_t min_sample = 100; ///< exposures per arm before a verdict
  /// success when the metric at the snapshot reaches the threshold
  std::string metric = "engagements"; ///< engagements | rate
  double threshold = 1;
  std::int64_t snapshot_ms = 86'400'000; ///< which snapshot decides (+24 h)
  std::int64_t grace_ms = 86'400'000;    ///< after it: a unit without one is lost
  double srm_alpha = 0.001;
};

const char* factor_name(factor f);
std::optional<factor> parse_factor(const std::string& s);

/// What is wrong with a definition ("" when fine), naming the field.
std::string validate(const experiment_def& d);
/// The definition as JSON (stored in ab_tests.metadata) and back.
std::string to_json(const experiment_def& d);
/// Throws std::invalid_argument naming the field.
experiment_def def_from_json(const std::string& json);

/// The hour (0-23) a posting-hour arm names; nullopt when it is not one of
/// "00" .. "23".
std::optional<int> arm_hour(const std::string& arm);

/// Whether the experiment decides this piece's choice.
bool applies(const experiment_def& d, const std::string& type, const std::string& channel);

struct experiment_state {
  experiment_def def;
  std::string status = "running"; ///< running | stopped
  std::vector<arm_counts> arms;   ///< per def.arms
  std::vector<double> expected;   ///< traffic each arm should have had (settled units)
  std::vector<double> weights;    ///< current allocation
  std::int64_t updates = 0;       ///< reweights so far
  std::int64_t lost = 0;          ///< settled units without an outcome
  std::int64_t reweighted_at = 0; ///< when `weights` were computed (unix ms; 0 = unknown)
};

/// A fresh state: no data, weights from the mode (equal or the split).
experiment_state start(experiment_def d);

/// The arm of `unit` under the current weights (does not change the state).
std::size_t assign(const experiment_state& s, const std::string& unit);
/// The arm of `unit` under `weights` (per s.def.arms).
std::size_t assign(const experiment_state& s, const std::string& unit,
                   const std::vector<double>& weights);

/// Expiry: weights computed more than `max_age_ms` before `now_ms` are
/// stale (no outcome was settled since: the analytics stopped, or nothing
/// was published). 0 = never; weights never recomputed, or of an unknown
/// time, are not stale.
bool stale(const experiment_state& s, std::int64_t now_ms, std::int64_t max_age_ms);
/// The weights to allocate with now: the current ones, or the starting ones
/// (equal, or the split) when they are stale.
std::vector<double> allocation(const experiment_state& s, std::int64_t now_ms,
                               std::int64_t max_age_ms);
/// Counts an assignment made (the caller stored it).
void count_assignment(experiment_state& s, std::size_t arm);

/// A settled unit: `weights` it was assigned under (empty: the current
/// ones), its arm, and its outcome (nullopt: lost, no outcome).
void settle(experiment_state& s, std::size_t arm, const std::vector<double>& weights,
            std::optional<bool> success);

/// New weights after outcomes (the seed comes from the id and the update count).
void reweight(experiment_state& s, const bandit_options& base);

/// The outcome a snapshot gives: success, failure, or nullopt (deleted or
/// missed, or the metric is undefined there, e.g. a rate without impressions).
std::optional<bool> outcome_of(const experiment_def& d, const std::string& status,
                               std::int64_t engagements, double rate);

struct verdict {
  /// collecting: an arm is below min_sample, no winner is named;
  /// mismatch: the SRM check failed, the results are not to be trusted;
  /// ready: read-outs are meaningful.
  std::string state;
  double srm_p = 1;
  std::vector<arm_readout> arms;
  std::string leader;  ///< ready: the arm with the highest P(best)
  std::string warning; ///< e.g. bandit bias
};

verdict judge(const experiment_state& s);

} // namespace herald::learning
