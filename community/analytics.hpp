#pragma once
// The analytics agent's logic (issue 18), without actors: for every
// published piece, a metrics snapshot at each configured offset after its
// publication (+1 h, +24 h, +7 d by default), read from its platform in
// batches and written once (post_metrics); reports grouped by channel,
// content type, template variant, symbol or posting hour; the weekly
// performance article.
//
// What is measured (one definition, stored with every snapshot):
//   X         engagements = likes + replies + reposts + quotes + bookmarks
//             (public_metrics); impressions = impression_count;
//             engagement rate = engagements / impressions (Buffer's and
//             Typefully's definition).
//   Discord   engagements = reactions (summed over emoji); impressions are
//   Telegram  not reported, so no rate.
//   articles  impressions = page views counted by the server that serves the
//             site; no engagements, so no rate.
// A snapshot taken late (Herald was stopped) keeps its due time and its
// real reading time; when a later offset is due too, the earlier ones are
// recorded as `missed` rather than filled with later counts. A piece the
// platform no longer has is recorded `deleted` once and not read again.
// Pure: the platforms come in as functions (io/community/metrics.* has the
// real ones), the clock as an argument.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "db/storage.hpp"

namespace herald::community {

/// Counts as a platform reports them (-1: not reported).
struct post_counts {
  std::int64_t impressions = -1;
  std::int64_t likes = 0, replies = 0, reposts = 0, quotes = 0, bookmarks = 0;
  std::int64_t reactions = 0;
};

/// What one read of one piece gave.
struct fetched {
  enum class status { ok, deleted, retry } st = status::retry;
  post_counts counts;
  std::string raw_json = "{}"; ///< what the platform said about this piece
  std::string error;           ///< retry: why
  std::int64_t retry_after_ms = 0; ///< retry: the wait the platform asked for (0: backoff)
};

/// A piece to read: its channel and the id the channel gave it.
struct post_ref {
  std::string post_id;
  std::string channel;
  std::string remote_id;
  std::string url;
  std::int64_t published_at = 0;
};

/// Reads a batch of pieces of one channel; answers by remote id. A piece
/// missing from the answer is retried later.
using fetch_fn = std::function<std::map<std::string, fetched>(const std::vector<post_ref>&)>;

struct metrics_source {
  std::size_t batch = 1; ///< pieces per call (X: 100)
  fetch_fn fetch;
};

/// The formula stored with a channel's snapshots.
std::string engagement_formula(const std::string& channel);
/// Engagements, impressions and rate of `c` as read on `channel`.
void derive(const std::string& channel, const post_counts& c, db::metric_snapshot& m);

struct analytics_settings {
  std::vector<std::int64_t> offsets_ms{3'600'000, 86'400'000, 604'800'000};
  /// A snapshot overdue by more than this (Herald was stopped) is not taken.
  std::int64_t grace_ms = 86'400'000;
  std::int64_t retry_min_ms = 30'000;
  std::int64_t retry_max_ms = 3'600'000;
};

struct analytics_tick {
  std::size_t taken = 0, deleted = 0, missed = 0, retrying = 0;
  std::vector<std::string> errors; ///< one per channel that failed
};

class analytics_core {
public:
  analytics_core(analytics_settings s, std::map<std::string, metrics_source> sources,
                 db::storage& store);
  /// Takes every snapshot due at `now_ms`.
  analytics_tick tick(std::int64_t now_ms);
  /// When a channel may be read again (after a 429 or an error).
  std::int64_t paused_until(const std::string& channel) const;

private:
  analytics_settings s_;
  std::map<std::string, metrics_source> sources_;
  db::storage& store_;
  std::map<std::string, std::int64_t> paused_;
  std::map<std::string, int> failures_;
};

/// The attributes of a published piece that reports group by, from its
/// plan row (content type, variant) and piece id (symbol).
struct piece_attributes {
  std::string kind, variant, symbol;
};
piece_attributes attributes_of(db::storage& store, const db::published_post& p);

// -- reports ------------------------------------------------------------------

/// One group of a report: the latest snapshot of each of its pieces.
struct report_row {
  std::string key;
  std::size_t posts = 0;
  std::int64_t impressions = 0;       ///< over pieces that report them
  std::int64_t engagements = 0;
  std::size_t with_impressions = 0;   ///< pieces that report impressions
  std::int64_t engagements_rated = 0; ///< engagements of those pieces
  /// engagements_rated / impressions (ratio of sums); -1 when no piece
  /// reports impressions.
  double rate() const {
    return impressions > 0 ? static_cast<double>(engagements_rated) / static_cast<double>(impressions)
                           : -1;
  }
  double engagements_per_post() const {
    return posts ? static_cast<double>(engagements) / static_cast<double>(posts) : 0;
  }
};

/// The groupings a report may use.
const std::vector<std::string>& report_dimensions();
/// Groups the latest `ok` snapshot of each piece by `by` (channel, type,
/// variant, symbol, hour); throws std::invalid_argument naming the
/// dimensions for another value. Rows by key.
std::vector<report_row> analytics_report(const std::vector<db::metric_snapshot>& snaps,
                                         const std::string& by);

/// The weekly performance article: markdown and the bar values of its chart
/// (engagements per piece by content type).
struct performance_article {
  std::string id; ///< "performance:<YYYY-MM-DD of the week's Monday>"
  std::string title;
  std::string markdown;
  std::vector<std::pair<std::string, double>> bars;
  std::string bar_label;
};
/// For pieces published in the week [week_start, week_start + 7 d).
performance_article weekly_performance(const std::vector<db::metric_snapshot>& snaps,
                                       std::int64_t week_start_ms);
/// Monday 00:00 UTC of the week holding `t` (unix ms).
std::int64_t week_start(std::int64_t t_ms);

} // namespace herald::community
