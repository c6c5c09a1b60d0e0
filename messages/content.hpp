#pragma once
// Content messages: the strategist's briefs to the creator, the creator's
// pieces to the publish manager and channel agents, their results, and the
// per-channel tally a bounded run prints. inspect() for each so that they
// can cross a node boundary. No CAF header needed.

#include <cstdint>
#include <string>
#include <vector>

#include "content/briefing.hpp"
#include "messages/market.hpp"

namespace herald::content {
inline bool operator==(const chart_marker& a, const chart_marker& b) {
  return a.time == b.time && a.price == b.price && a.long_side == b.long_side;
}
inline bool operator==(const chart_data& a, const chart_data& b) {
  return a.title == b.title && a.candles == b.candles && a.ema == b.ema
         && a.bb_upper == b.bb_upper && a.bb_lower == b.bb_lower && a.markers == b.markers;
}
} // namespace herald::content

namespace herald {

/// One planned piece for one channel, with what the creator needs.
struct content_brief {
  std::string id;    ///< plan id "<piece>@<channel>"
  std::string piece;
  std::string type;  ///< alert / recap / report / thread / scorecard
  std::string channel;
  std::string insight_id;
  std::int64_t scheduled_at = 0;
  std::string facts_json;
  std::string title;
  std::string markdown; ///< report / thread: the full report
  std::string digest;   ///< thread: the plain-text digest to cut
  bool with_chart = false;
  content::chart_data chart;
  std::string variant; ///< template variant an experiment chose ("" = picked by piece id)
  std::string chart_png; ///< a ready image (the scorecard's reliability diagram), "" = none
};

/// A rendered piece for one channel.
struct content_piece {
  std::string id;
  std::string piece;
  std::string type;
  std::string channel;
  std::string insight_id;
  std::int64_t scheduled_at = 0;
  std::string title;
  std::vector<std::string> parts;
  std::string markdown;
  std::string variant;
  std::string writer;    ///< "template" / "llm"
  std::string chart_png; ///< PNG bytes, may be empty
  std::string refused;   ///< why the fact check refused it ("" = it passed)
  std::string lineage;   ///< the piece this one was made from ("" = original)
};

/// A channel agent's final word on a piece.
struct publish_result {
  std::string id;
  std::string channel;
  std::string state; ///< published / failed
  std::string remote_id;
  std::string url;
  std::string error;
};

/// What happened on one channel (bounded-run summary, console).
struct channel_tally {
  std::string channel;
  std::string mode; ///< live / dry-run / approval
  std::uint64_t published = 0, failed = 0, pending_approval = 0, dry_run = 0, in_doubt = 0,
                queued = 0;
  std::uint64_t refused = 0; ///< refused by the fact check (also counted in failed)
  std::vector<std::string> urls; ///< of the pieces published in this run (first 20)
};

inline bool operator==(const content_brief& a, const content_brief& b) {
  return a.id == b.id && a.piece == b.piece && a.type == b.type && a.channel == b.channel
         && a.insight_id == b.insight_id && a.scheduled_at == b.scheduled_at
         && a.facts_json == b.facts_json && a.title == b.title && a.markdown == b.markdown
         && a.digest == b.digest && a.with_chart == b.with_chart && a.chart == b.chart
         && a.variant == b.variant && a.chart_png == b.chart_png;
}
inline bool operator==(const content_piece& a, const content_piece& b) {
  return a.id == b.id && a.piece == b.piece && a.type == b.type && a.channel == b.channel
         && a.insight_id == b.insight_id && a.scheduled_at == b.scheduled_at
         && a.title == b.title && a.parts == b.parts && a.markdown == b.markdown
         && a.variant == b.variant && a.writer == b.writer && a.chart_png == b.chart_png;
}
inline bool operator==(const publish_result& a, const publish_result& b) {
  return a.id == b.id && a.channel == b.channel && a.state == b.state
         && a.remote_id == b.remote_id && a.url == b.url && a.error == b.error;
}
inline bool operator==(const channel_tally& a, const channel_tally& b) {
  return a.channel == b.channel && a.mode == b.mode && a.published == b.published
         && a.failed == b.failed && a.pending_approval == b.pending_approval
         && a.dry_run == b.dry_run && a.in_doubt == b.in_doubt && a.queued == b.queued
         && a.urls == b.urls;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, content_brief& x) {
  return f(x.id, x.piece, x.type, x.channel, x.insight_id, x.scheduled_at, x.facts_json, x.title,
           x.markdown, x.digest, x.with_chart, x.chart, x.variant, x.chart_png);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, content_piece& x) {
  return f(x.id, x.piece, x.type, x.channel, x.insight_id, x.scheduled_at, x.title, x.parts,
           x.markdown, x.variant, x.writer, x.chart_png, x.refused, x.lineage);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, publish_result& x) {
  return f(x.id, x.channel, x.state, x.remote_id, x.url, x.error);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, channel_tally& x) {
  return f(x.channel, x.mode, x.published, x.failed, x.pending_approval, x.dry_run, x.in_doubt,
           x.queued, x.refused, x.urls);
}

} // namespace herald

namespace herald::content {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, chart_marker& x) {
  return f(x.time, x.price, x.long_side);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, chart_data& x) {
  return f(x.title, x.candles, x.ema, x.bb_upper, x.bb_lower, x.markers);
}

} // namespace herald::content
