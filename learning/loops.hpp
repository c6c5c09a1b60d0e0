#pragma once
// The feedback-loop coordinator's logic (issue 19), without actors: runs
// each loop when its schedule says, records every run once with the ids of
// its inputs (learning_runs), and keeps the pipeline's weights in step with
// the database.
//   ab      the A/B agent settles due outcomes and reweights (its own
//           transaction); the run records how many it settled.
//   tuning  outcomes of the stored signals of the last `window` (the close
//           `horizon` bars later) -> a proposal (learning::propose) ->
//           a weight set stored as proposed or refused, with its evidence;
//           with auto-apply, a proposed set is applied at once.
//   expiry  an applied set older than `max_age` is replaced by the
//           configured weights (a weight set of source "expiry").
//   performance  per analyzer and for the combined signal, per week and
//           over the window: learning::performance into
//           performance_snapshots.
// Applying a set means: it aggregates every candle from `effective_from`
// (the newest stored candle's open time + 1) on. The pipeline is sent the
// epoch (hot swap) and reads every applied epoch when it starts.
// Schedules are aligned to multiples of each loop's period since the epoch;
// a run's id is "<loop>:<due time>", so a restarted coordinator never runs
// a due time twice and does not backfill the ones it missed while stopped.

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "db/storage.hpp"
#include "learning/proposal.hpp"
#include "messages/analysis.hpp"

namespace herald::learning {

struct loop_settings {
  std::int64_t ab_every_ms = 3'600'000;        ///< 0 = off
  std::int64_t tuning_every_ms = 86'400'000;   ///< 0 = off
  std::int64_t expiry_every_ms = 3'600'000;    ///< 0 = off
  std::int64_t performance_every_ms = 3'600'000; ///< 0 = off
  std::int64_t performance_window_ms = 365 * 86'400'000LL;
  std::int64_t window_ms = 90 * 86'400'000LL;  ///< outcomes the tuning loop reads
  int horizon = 10;                            ///< bars
  std::size_t max_signals = 200'000;
  proposal_options proposal;
  bool auto_apply = false; ///< propose-only unless set
  std::int64_t max_age_ms = 30 * 86'400'000LL; ///< an applied or proposed set older is not used
  weight_set configured;   ///< version 0
};

/// The stored signals of [from, to) whose outcome `horizon` bars later is
/// stored and closed before `to`, as rows with their forward returns;
/// `ids` gets their ids in order. `only`: keep just these ids (a replay).
/// `records`: the stored signals themselves, in the same order.
std::vector<outcome_row> stored_outcomes(db::storage& store, std::int64_t from, std::int64_t to,
                                         int horizon, std::size_t limit,
                                         std::vector<std::string>* ids,
                                         const std::vector<std::string>* only = nullptr,
                                         std::vector<db::signal_record>* records = nullptr);

/// {"market_structure": w, ...} and back (a kind missing from the JSON
/// keeps `base`'s weight; unknown names throw std::invalid_argument).
std::string weights_json(const weight_set& w);
weight_set weights_from_json(const std::string& json, double threshold, const weight_set& base);

/// The epoch a stored, applied weight set describes.
weight_epoch epoch_of(const db::weight_set_row& row, const weight_set& base);

struct loop_state {
  std::string loop;
  std::int64_t every_ms = 0;
  std::optional<db::learning_run_row> last;
  std::int64_t next_at = 0; ///< 0 = off
};

class coordinator_core {
public:
  using settle_fn = std::function<std::uint64_t()>;        ///< the A/B agent's settle; throws when unreachable
  using push_fn = std::function<void(const weight_epoch&)>; ///< to the pipeline

  coordinator_core(db::storage& store, loop_settings s, settle_fn settle, push_fn push);

  /// A loop's run done by another agent (learning.tuning, learning.performance):
  /// called with the due time and now; throws when the agent cannot be
  /// reached (the run is recorded failed, with why).
  using run_fn = std::function<db::learning_run_row(std::int64_t due, std::int64_t now_ms)>;
  /// `loop` is "tuning" or "performance"; without a delegate the core runs
  /// it itself (tests, the CLI).
  void delegate(const std::string& loop, run_fn f);
  /// Thrown by a delegate whose agent is not running (restarting): the due
  /// time is not recorded, so the next step tries again.
  struct agent_unavailable : std::runtime_error {
    using std::runtime_error::runtime_error;
  };
  /// Why the last step() left runs for later (agents unavailable).
  const std::vector<std::string>& waiting() const { return waiting_; }

  /// Runs every loop that is due at `now_ms` and brings the pipeline in
  /// step; returns the runs recorded.
  std::vector<db::learning_run_row> step(std::int64_t now_ms);

  /// Each loop's last run and next due time.
  std::vector<loop_state> status(std::int64_t now_ms);

  /// Sends the pipeline every applied epoch it was not sent yet (after a
  /// CLI apply or rollback, or a restart of either side).
  void sync();
  /// Forget what was sent (the pipeline restarted): the next sync sends all.
  void resend() { pushed_.clear(); }

  /// The tuning loop's run for due time `due` (recorded by step()).
  db::learning_run_row run_tuning(std::int64_t due, std::int64_t now_ms);
  db::learning_run_row run_expiry(std::int64_t due, std::int64_t now_ms);
  /// Performance analytics: per analyzer and combined, per week (Monday
  /// 00:00 UTC, scope "analysis.week") and over the window ("analysis.all",
  /// ts 0), into performance_snapshots.
  db::learning_run_row run_performance(std::int64_t due, std::int64_t now_ms);

  /// The version applied now (0 = the configured weights) and its set.
  std::pair<std::int64_t, weight_set> current() const;

private:
  db::storage& store_;
  loop_settings s_;
  settle_fn settle_;
  push_fn push_;
  run_fn tuning_, performance_;
  std::vector<std::string> waiting_;
  std::vector<std::int64_t> pushed_;
};

/// The console's and API's view: each loop's last run (status, result) and
/// next due time, the weights applied now and the newest weight sets.
std::string status_json(db::storage& store, const loop_settings& s, std::int64_t now_ms);

/// Recomputes a logged tuning run from its logged inputs: the same
/// proposal (weights, threshold, decision) when the stored signals and
/// candles are unchanged. Throws std::invalid_argument for a run that is
/// not a tuning run.
proposal replay_tuning(db::storage& store, const db::learning_run_row& run,
                       const loop_settings& s);

/// Applies `version` as the operator's command: checks that it is proposed,
/// younger than max_age and was compared with the weights applied now.
/// "" when applied, else why not.
std::string apply_version(db::storage& store, std::int64_t version, const loop_settings& s,
                          std::int64_t now_ms);
/// A new version copying `to` (default: the version applied before the
/// current one, or the configured weights), applied at once. Returns the
/// new version, or throws std::invalid_argument naming what is wrong.
std::int64_t rollback(db::storage& store, std::optional<std::int64_t> to, const loop_settings& s,
                      std::int64_t now_ms);

namespace detail {
/// A weight set row to store (its version comes from the database).
db::weight_set_row new_set(const weight_set& w, const char* source, std::int64_t parent,
                           const char* state, std::string evidence, std::int64_t now_ms);
/// The open time after the newest stored candle (`now_ms` without candles):
/// where an applied set takes effect.
std::int64_t effective_from_now(db::storage& store, std::int64_t now_ms);
/// The weight set applied now (nullopt: the configured weights), however
/// many proposals came after it.
std::optional<db::weight_set_row> applied_set(db::storage& store);
} // namespace detail

} // namespace herald::learning
