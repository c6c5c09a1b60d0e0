#pragma once
// The content strategist's state (internal to actors/content/strategist*.cpp):
// the market view, the planner and the plans waiting for their time. The
// catch-up after a restart, the reports and the actor live in
// strategist.cpp; planning, releasing, scorecards and posting hours in
// strategist_plans.cpp.

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <set>

#include <caf/all.hpp>

#include "actors/analysis/risk.hpp"
#include "actors/content/content.hpp"
#include "actors/data/hub.hpp"
#include "content/ledger.hpp"
#include "io/logging.hpp"
#include "learning/scorecard.hpp" // scorecard_step

namespace herald::content_actors::strategist_detail {

struct strategist_state {
  static inline const char* name = "herald.content.strategist";
  strategist_actor::pointer self = nullptr;
  std::shared_ptr<const content_options> o;
  std::shared_ptr<supervision::agent_directory> dir;
  std::shared_ptr<spdlog::logger> log;
  std::unique_ptr<content::market_view> view;
  std::unique_ptr<content::strategist> planner;
  std::multimap<std::int64_t, content::plan> pending; ///< by scheduled time
  /// Facts, title and chart of pending alerts, taken when they were planned
  /// (the view moves on and forgets old candles).
  struct alert_material {
    std::string facts_json, title;
    content::chart_data chart;
  };
  std::map<std::string, alert_material> material; ///< by insight id
  std::set<std::string> pending_ids;
  std::chrono::steady_clock::time_point scorecard_waited{}; ///< last `wait`
  bool draining = false; ///< release() at the end of a bounded run
  std::set<std::string> scorecard_jobs; ///< plan ids whose scorecard job runs
  /// Drains waiting for the scorecard jobs of the closing release.
  std::vector<caf::typed_response_promise<std::vector<channel_tally>>> after_scorecards;
  caf::actor_addr hub_addr, risk_addr;
  bool timer = false;

  // -- crash safety ---------------------------------------------------------------
  //
  // A fresh strategist rebuilds what it knew: it asks the risk manager where
  // it stands, takes the candles and news of the last `lookback` before that
  // from the hub (the hub reads older ones from the database), and then
  // subscribes to the risk manager with a catch-up from the same time: one
  // report of every signal and insight since, decided exactly as before. It
  // replays them as if live; plans whose pieces are already in the ledger
  // are not sent again. Candles and news reach the market view only up to
  // the candle time of the signal being handled, and reports are handled one
  // candle time at a time, so what the strategist writes does not depend on
  // how the pipeline batched its reports: a rebuilt strategist writes what
  // the one it replaces would have written.
  static constexpr std::int64_t lookback_ms = 8 * 86'400'000LL;
  static constexpr std::uint32_t max_catch_up = 20'000; ///< candles per series
  bool caught_up = false, catching_up = false;
  std::uint64_t epoch = 0;
  std::int64_t since = INT64_MIN; ///< where this incarnation's view starts
  analysis::signal_key seen;      ///< the last signal handled
  /// Candles and news waiting for the analysis clock, by time.
  std::map<std::string, std::map<std::int64_t, candle>> ahead; ///< per "SYMBOL:interval"
  std::map<std::string, std::int64_t> fed; ///< newest candle given to the view, per series
  std::multimap<std::int64_t, db::news_article> news_ahead;
  std::set<std::string> news_ids;

  /// Back-pressure: the hub's candle batches and the risk manager's reports
  /// are answered when this strategist has room (candles waiting for the
  /// analysis clock, candle times waiting to be handled), so a strategist
  /// behind its inputs slows the sources instead of growing without bound.
  static constexpr std::size_t max_ahead = 50'000;
  static constexpr std::size_t max_steps = 5'000;
  std::vector<caf::typed_response_promise<bool>> candle_acks, report_acks;

  std::size_t ahead_count() const {
    std::size_t n = 0;
    for (auto& [key, q] : ahead)
      n += q.size();
    return n;
  }

  bool reports_full() const { return steps.size() + held_reports.size() >= max_steps; }

  void release_acks();

  void queue(const candle& c);

  void queue(const db::news_article& a);

  /// Hands the view every candle and article up to `t`.
  void feed(std::int64_t t);

  /// Start (and a new risk manager): where to begin, then the catch-up.
  void catch_up();

  std::vector<caf::typed_response_promise<std::vector<channel_tally>>> drains;

  /// Drains wait until this strategist is caught up and has handled every
  /// signal the risk manager took (a report may still be on its way, or a
  /// restarted risk manager's catch-up).
  void try_drains();

  bool drain_checking = false;

  /// End of a bounded run: closing recap and report, every plan released,
  /// then the creator's drain (which waits for the publisher's).
  void drain(caf::typed_response_promise<std::vector<channel_tally>> rp);

  /// The creator's drain (which waits for the publisher's), answered to `rp`.
  void drain_creator(caf::typed_response_promise<std::vector<channel_tally>> rp);

  /// After a hub restart: the candles the new hub took before this
  /// strategist subscribed. Reports wait meanwhile (they would find the view
  /// without the candles they speak of).
  void refill(data::hub_actor hub, bool held_already);

  int refilling = 0;
  bool hub_lost = false; ///< reports are held from the loss until the refill
  std::vector<risk_report> held_reports;

  void subscribe_risk(analysis_actors::risk_actor risk, std::int64_t from);

  /// A report, one candle time at a time; signals seen already are skipped
  /// (a catch-up overlaps what a restarted risk manager sends again).
  void on_report(risk_report& r);

  /// A candle time's signals and insights, waiting for their candles.
  struct pending_step {
    std::int64_t t;
    std::vector<analysis::signal> sigs;
    std::vector<analysis::insight> ins;
  };
  std::deque<pending_step> steps;
  std::optional<std::chrono::steady_clock::time_point> waiting_since;

  /// Whether the candle each signal speaks of has reached this strategist,
  /// or can no longer come (a later candle of its series is here: a gap).
  bool has_candles(const pending_step& st) const;

  /// Handles the waiting steps in order; a step whose candles have not
  /// arrived yet (a report can overtake them: a catch-up after a hub
  /// restart, whose sources are still sending again what it had not
  /// stored) waits for them, at most 10 s (then it goes on without, logged).
  void run_steps();

  void step(std::int64_t t, const std::vector<analysis::signal>& sigs,
            const std::vector<analysis::insight>& ins);

  void arm(std::chrono::milliseconds after);

  void subscribe();

  std::unique_ptr<content::ledger> book; ///< null without a database

  /// Plans for a later time are written as `scheduled` rows, so that a stop
  /// before their time does not lose them (reloaded at start).
  void add(std::vector<content::plan> plans, bool ask = true);

  /// Scheduled rows of an earlier run: due ones go out with the first report.
  void reload();

  /// Briefs for every plan due by `now` (market time) to the creator.
  void release(std::int64_t now);

  /// A due scorecard goes to a scorecard job (detached: it reads months of
  /// signals); its answer comes back to on_scorecard. While the database
  /// lags it waits in `later` (checked at most once a second, at once in a
  /// bounded run's drain).
  void start_scorecard(content::plan p, content_brief b, std::vector<content::plan>& later);

  /// A scorecard job's answer: `ready` goes to the creator; `wait` is
  /// pending again; with nothing to say it is recorded `rejected` with the
  /// reason, so that no restart plans it again.
  void on_scorecard(const content::plan& p, learning::scorecard_step step, content_brief b,
                    const std::string& why);

  /// In the ledger beyond `scheduled`: the publisher has it.
  bool recorded(const std::string& id);

  bool still_pending(const std::string& insight_id) const;

  content_brief brief(const content::plan& p);

  // -- posting-hour experiments (issue 19) -----------------------------------
  //
  // A recap, report, thread or scorecard (not a closing piece of a bounded
  // run: the run ends) waits in `asking` until learning.ab says which hour it
  // goes out at; it moves there (content::strategist::move_to_hour) and is
  // then added like any plan. learning.ab stores the arm before it answers,
  // so a rebuilt strategist asking again gets the same hour. No learning.ab,
  // no answer within learning.ab.ask-timeout, or no experiment: the planned time.
  // While a question is open the reports wait (run_steps), and the answers
  // are applied together, in plan-id order, once all are in: the view, the
  // budgets and so what is written do not depend on when the answers came
  // (the chaos test compares every published piece with a quiet run).
  struct asked {
    content::plan plan;
    bool answered = false;
    std::vector<ab_choice> choices;
  };
  std::map<std::string, asked> asking; ///< by plan id

  /// Whether the posting hour may move `p`.
  static bool movable(const content::plan& p);
  /// Asks learning.ab for the posting hour of the movable plans in `plans`
  /// and takes them out; the rest stay.
  void ask_hours(std::vector<content::plan>& plans);
  /// learning.ab's answer (or none) for plan `id`; the last one applies all.
  void on_hour(const std::string& id, const std::vector<ab_choice>& choices);
};

} // namespace herald::content_actors::strategist_detail
