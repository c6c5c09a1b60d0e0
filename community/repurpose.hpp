#pragma once
// Repurposing (issue 18), without actors: what performed becomes more.
//   - A research report becomes a thread (one post per series from the
//     report's summary table, a closing post with the link) and a short
//     summary post.
//   - The best-performing alert of the week (most engagements in its latest
//     metrics snapshot) gets a follow-up: what the market did since the call.
// A variant carries its source's piece id as its lineage and never repeats
// its source's text: X refuses duplicate text, and a reader gains nothing
// from it. repeats_source() is the check; a variant that fails it is not
// published. Pure.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace herald::community {

/// One row of a report's summary table.
struct summary_row {
  std::string symbol, interval, last, change, trend, regime, rsi, signal;
};
/// The rows of the "## Summary" table of a report's markdown (Herald's
/// research report); empty when there is none.
std::vector<summary_row> report_summary(const std::string& markdown);

/// The report as a thread: an opening post, one per series, a closing post
/// with `url`; each at most `max_chars` code points. Empty without rows.
std::vector<std::string> report_thread(const std::string& title,
                                       const std::vector<summary_row>& rows,
                                       const std::string& url, std::size_t max_chars);
/// The report in one short post (at most `max_chars`).
std::string report_summary_post(const std::string& title, const std::vector<summary_row>& rows,
                                const std::string& url, std::size_t max_chars);

/// A follow-up on an alert: the call, the engagement that made it the
/// week's best, and the move since (`now_price` at `now_ms`).
struct followup_input {
  std::string symbol, interval;
  int dir = 0; ///< +1 long, -1 short
  double entry = 0;
  std::int64_t called_at = 0;
  std::int64_t engagements = 0;
  double now_price = 0;
  std::int64_t now_ms = 0;
};
std::optional<std::string> followup_post(const followup_input& in, std::size_t max_chars);

/// Whether a variant repeats its source: a part equal to a line or
/// paragraph of the source, or a sentence of 40 or more characters found in
/// the source verbatim (whitespace and case folded).
bool repeats_source(const std::vector<std::string>& variant, const std::string& source);

} // namespace herald::community
