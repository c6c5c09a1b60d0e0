#pragma once
// The weekly analysis scorecard (issue 19): one week's performance figures
// (learning::performance over the stored signals of [week_start, +7 d)
// whose outcome had resolved by the scorecard's time) as a piece of
// content: a title, the markdown table, a one-line summary and every
// number the text prints as a fact, so the creator's fact check holds it
// to the figures. The strategist plans it; the coordinator's performance
// loop computes the same figures with scopes_of() into
// performance_snapshots. Pure code over db::storage.

#include <cstdint>
#include <string>
#include <vector>

#include "content/templates.hpp"
#include "db/storage.hpp"
#include "learning/performance.hpp"
#include "messages/content.hpp"

namespace herald::learning {

/// The scopes (each analyzer kind, then "combined") of `rows[idx]`, with
/// each row's stored signal in `records` (same order as `rows`).
std::vector<scope_stats> scopes_of(const std::vector<outcome_row>& rows,
                                   const std::vector<std::size_t>& idx,
                                   const std::vector<db::signal_record>& records,
                                   double call_threshold);

struct scorecard_options {
  int horizon = 10;              ///< bars after a signal at which its outcome is read
  double call_threshold = 0.15;  ///< an analyzer calls a direction at |score| >= this
  std::size_t max_signals = 200'000;
};

struct scorecard {
  std::int64_t week_start = 0; ///< Monday 00:00 UTC
  std::size_t outcomes = 0;    ///< signals of the week with a resolved outcome
  std::vector<scope_stats> scopes; ///< empty when outcomes == 0
  std::string title;
  std::string markdown; ///< without the title line
  std::string summary;  ///< one paragraph (Discord, webhooks)
  content::facts facts; ///< every number the title, markdown and summary print
};

/// The week [week_start, week_start + 7 d) as the store has it at `at`
/// (outcomes resolved before `at` only).
scorecard weekly_scorecard(db::storage& store, std::int64_t week_start, std::int64_t at,
                           const scorecard_options& o);

/// What a due scorecard plan becomes.
enum class scorecard_step {
  ready,   ///< `b` is filled in: send it to the creator
  wait,    ///< the database does not hold the hour before b.scheduled_at yet
  nothing, ///< no signal of the week had resolved: nothing to publish
};
/// Fills a scorecard brief (b.piece "scorecard:<Monday ms>", b.channel,
/// b.scheduled_at set): title, markdown, facts and, for the articles
/// channel, the combined signal's reliability diagram. `why` says why not
/// for wait / nothing.
scorecard_step fill_scorecard(db::storage& store, content_brief& b, const scorecard_options& o,
                              std::string* why);

/// Every number performance_markdown prints for `scopes`, as facts named
/// "<scope>_<figure>" in the units the text shows (percentages as 51.2).
content::facts performance_facts(const std::vector<scope_stats>& scopes);

} // namespace herald::learning
