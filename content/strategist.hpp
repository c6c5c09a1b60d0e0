#pragma once
// The content strategist's decisions (pure code; the actor only routes):
// which approved insights become alerts, and when and where every piece is
// posted. Times are market times (the insight's candle time), so a replay or
// a simulated run plans exactly as live would.
//   - an alert needs min-confidence and novelty: no alert for the same symbol
//     and direction within novelty-ms of the last one;
//   - insights of the same candle time are ranked by importance (strength x
//     confidence) so a post budget goes to the strongest; different times
//     are taken in time order, however the reports grouped them;
//   - per channel: quiet hours and posts per hour / per day. An alert that
//     cannot go out within max-alert-delay-ms is dropped for that channel
//     (stale news); recaps and reports wait for the next free slot;
//   - a daily recap at recap-minute (UTC) and a weekly research report on
//     report-weekday at report-minute;
//   - with `scorecard`, the weekly analysis scorecard on scorecard-weekday
//     at scorecard-minute, over the last full week (Monday 00:00 UTC to
//     Monday) before it: piece "scorecard:<that Monday, unix ms>".

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analysis/risk.hpp"
#include "content/channel.hpp"
#include "content/rate.hpp"
#include "content/templates.hpp"

namespace herald::content {

struct channel_schedule {
  bool enabled = false;
  quiet_hours quiet;
  int per_hour = 0; ///< 0: no limit
  int per_day = 0;
};

struct strategist_options {
  double min_confidence = 55;
  std::int64_t novelty_ms = 4 * 3'600'000;
  std::int64_t max_alert_delay_ms = 15 * 60'000;
  int recap_minute = 21 * 60;      ///< daily recap, minutes after midnight UTC
  int report_weekday = 0;          ///< 0 = Sunday .. 6
  int report_minute = 18 * 60;
  bool scorecard = false;
  int scorecard_weekday = 1;       ///< Monday
  int scorecard_minute = 12 * 60;
  std::array<channel_schedule, channel_count> channels{};
};

/// One piece for one channel at one time: a row of content_plans.
struct plan {
  std::string id;         ///< stable: "<piece>@<channel>"
  std::string piece;      ///< stable piece id, e.g. "alert:BTCUSDT:1m:1700000000000"
  content_type type = content_type::alert;
  channel ch = channel::articles;
  std::int64_t scheduled_at = 0; ///< unix ms (market time)
  std::string insight_id;        ///< alerts only
  double importance = 0;
};

struct skipped {
  std::string insight_id;
  std::string reason; ///< "not_approved", "low_confidence", "not_novel", "no_channel"
};

class strategist {
public:
  explicit strategist(strategist_options o);

  /// Decides on insights that arrived together: plans for the accepted ones,
  /// a reason for every one skipped.
  std::vector<plan> on_insights(std::vector<analysis::insight> ins, std::vector<skipped>* why = nullptr);
  /// The Monday 00:00 UTC that starts the week a scorecard piece covers.
  static std::int64_t scorecard_week(const std::string& piece);
  /// Recaps, reports and scorecards whose time passed since the last call
  /// (market time).
  std::vector<plan> on_time(std::int64_t now_ms);
  /// A closing recap and report (the end of a bounded run), at `now_ms`.
  std::vector<plan> closing(std::int64_t now_ms);

  /// A posting-hour experiment's arm (issue 19): `p` (a recap, report,
  /// thread or scorecard) moves to the first time at or after its planned
  /// time whose UTC hour is `hour` (its planned time when it is in that
  /// hour already), then to the channel's next open slot there (quiet hours,
  /// budget); its planned slot is given back. Alerts do not move.
  void move_to_hour(plan& p, int hour);
  /// The first moment at or after `t` in UTC hour `hour` (0-23).
  static std::int64_t next_in_hour(std::int64_t t, int hour);

  /// Plans dropped because no slot was free in time, per channel.
  const std::array<std::uint64_t, channel_count>& dropped() const { return dropped_; }

private:
  std::int64_t open_slot(std::size_t channel, std::int64_t at);
  std::vector<plan> schedule(const std::string& piece, content_type t, std::int64_t at,
                             const std::string& insight_id, double importance);
  strategist_options o_;
  std::vector<post_budget> budgets_;
  std::map<std::string, std::int64_t> last_alert_; ///< "SYMBOL:direction" -> time
  std::int64_t clock_ = INT64_MIN;                ///< last market time seen
  std::int64_t timed_through_ = INT64_MIN;        ///< on_time's last call (recaps, reports)
  std::array<std::uint64_t, channel_count> dropped_{};
};

} // namespace herald::content
