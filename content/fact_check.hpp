#pragma once
// The fact checker: runs on every rendered piece before it is recorded
// (templates and LLM drafts alike). A piece passes when
//   - every number in its text is one of the piece's facts, as given or at
//     the rounding the text shows (ungrounded_numbers in creator.hpp), and
//   - no two statements contradict each other or the facts:
//       a percentage and the direction word of the same clause ("-6.17%
//       (up)", "-5.2% over 24 h: the trend is up"),
//       an RSI label that its value does not support ("RSI 45 (overbought)"),
//       the same symbol as strongest and weakest,
//       "weekly" for a period shorter than a week (fact period_hours),
//       a long direction with a bearish bias (or short and bullish),
//       a strongest move below the weakest.
// A refused piece is parked `failed` with the reason (the publisher does it).
// Pure code.

#include <string>
#include <vector>

#include "content/templates.hpp"

namespace herald::content {

/// Statements of `text` that contradict each other or `f` (empty: none).
std::vector<std::string> contradictions(const std::string& text, const facts& f);

/// "" when `text` passes, else every problem, "; "-separated.
std::string fact_check(const std::string& text, const facts& f);

} // namespace herald::content
