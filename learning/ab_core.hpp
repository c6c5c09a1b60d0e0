#pragma once
// The A/B-testing agent's logic (issue 19), without actors: experiments
// loaded from and saved to the database, assignments stored once per unit,
// outcomes read from the analytics agent's snapshots.
//   - choose: for a unit (a piece on one channel) the arm of every running
//     experiment that applies to it; stored before it is answered, so the
//     same unit gets the same arm after any restart;
//   - settle: every open assignment whose snapshot is due is settled (a
//     success, a failure, or lost when no snapshot came within the grace
//     period); the posteriors and the new weights are stored in the same
//     transaction as the settlements: a crash counts every outcome once.
// Pure of CAF; the clock is an argument.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "db/storage.hpp"
#include "learning/experiment.hpp"
#include "messages/learning.hpp"

namespace herald::learning {

/// Checks a definition against what the creator can do (e.g. that every arm
/// of a template experiment is a template variant): "" or why not.
using def_check = std::function<std::string(const experiment_def&)>;

struct settle_report {
  std::size_t settled = 0, successes = 0, lost = 0;
  std::size_t experiments = 0; ///< experiments reweighted
};

class ab_core {
public:
  ab_core(db::storage& store, bandit_options o, def_check check = {});

  /// Creates the experiments of the config that the database does not hold.
  /// A stored experiment keeps its stored definition (arms cannot change
  /// while it runs): a config that differs is reported. Returns what to log.
  std::vector<std::string> define(const std::vector<experiment_def>& from_config,
                                  std::int64_t now_ms);

  /// Reads every experiment from the database (new ones from the API,
  /// status changes). Returns problems to log (each once per experiment).
  std::vector<std::string> load();

  /// The arms of `unit` ("<piece>@<channel>") for every running experiment
  /// that applies; chart experiments only when a chart is possible. The
  /// creator asks for the template and chart factors, the strategist (when
  /// it plans the piece) for the posting hour (`posting_hour`): each asks
  /// only for what it then applies, so no unit is counted in an arm it did
  /// not get.
  std::vector<ab_choice> choose(const std::string& unit, const std::string& type,
                                const std::string& channel, bool chart_possible,
                                std::int64_t now_ms, bool posting_hour = false);

  /// Settles every open assignment whose outcome is due at `now_ms`.
  settle_report settle(std::int64_t now_ms);

  const std::map<std::string, experiment_state>& experiments() const { return live_; }

private:
  db::storage& store_;
  bandit_options o_;
  def_check check_;
  std::map<std::string, experiment_state> live_;  ///< running and valid
  std::map<std::string, std::string> refused_;    ///< id -> why (reported once)
};

/// The experiment state a stored row describes; throws std::invalid_argument
/// for a definition that does not parse or arms that do not match it.
experiment_state state_of(const db::ab_experiment_row& row);
/// The row that stores a state.
db::ab_experiment_row row_of(const experiment_state& s, std::int64_t started_at);

/// Whether two experiments would decide the same choice of the same piece.
bool overlaps(const experiment_def& a, const experiment_def& b);

/// JSON of every experiment with its read-out (the API and console).
std::string experiments_json(const std::vector<db::ab_experiment_row>& rows);

} // namespace herald::learning
