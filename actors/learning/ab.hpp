#pragma once
// The A/B-testing agent ("learning.ab", issue 19). The creator asks it, for
// each piece on each channel, which arm of every running experiment the
// piece gets (ab_assign_atom; the strategist asks for the posting hour when
// it plans a recap, report, thread or scorecard: ab_hour_atom); the answer is stored before it is sent, so
// a piece asked about again (after any crash) gets the same arm. Every
// learning.ab.interval it settles the assignments whose outcome snapshot is
// due (learning::ab_core) and recomputes the weights (or, with the
// feedback-loop coordinator running, when its `ab` loop asks); posteriors and
// weights are stored with the settlements in one transaction. Experiments
// come from learning.ab.experiments-file (created once) and the API (read
// on every tick). Detached: it calls the database.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "learning/ab_core.hpp"
#include "messages/type_ids.hpp"

namespace herald::config {
class settings;
}
namespace herald::content {
class template_set;
}

namespace herald::learning_actors {

struct ab_options {
  std::shared_ptr<db::storage> storage;
  std::vector<learning::experiment_def> experiments; ///< from the experiments file
  learning::bandit_options bandit;
  std::chrono::milliseconds interval{60'000};
  /// Settle on its own every `interval`; false when the feedback-loop
  /// coordinator runs (its `ab` loop asks, and logs each run).
  bool own_schedule = true;
  learning::def_check check; ///< e.g. arms are template variants
  std::function<std::int64_t()> clock; ///< unix ms; empty: the system clock
};

/// The creator's check of a template experiment: every arm must be a
/// template variant of each type and channel it covers that has templates,
/// and it must cover at least one.
learning::def_check template_check(std::shared_ptr<const content::template_set> templates);

/// From [learning.ab]; reads and checks the experiments file. Throws
/// std::invalid_argument naming the file and the entry that is wrong.
ab_options ab_options_from(const config::settings& s, std::shared_ptr<db::storage> storage);

/// Reads a JSON array of experiment definitions; throws
/// std::invalid_argument naming `path`, the entry and the field.
std::vector<learning::experiment_def> read_experiments(const std::string& path);

/// ab_assign_atom, unit, type, channel, chart possible -> the template and
/// chart choices (the creator); ab_hour_atom, unit, type, channel -> the
/// posting-hour choice, none or one (the strategist);
/// drain (bounded runs): settle now, answered with how many were settled.
using ab_actor = caf::typed_actor<
  caf::replies_to<ab_assign_atom, std::string, std::string, std::string, bool>::with<
    std::vector<ab_choice>>,
  caf::replies_to<ab_hour_atom, std::string, std::string, std::string>::with<
    std::vector<ab_choice>>,
  caf::reacts_to<caf::tick_atom>, caf::replies_to<drain_atom>::with<std::uint64_t>>;

ab_actor spawn_ab(caf::local_actor* parent, std::shared_ptr<const ab_options> opts);

} // namespace herald::learning_actors
