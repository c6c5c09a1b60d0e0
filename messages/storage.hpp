#pragma once
// Persistence messages: the records of Herald's public write API and the
// batch that carries them to the write-behind actor. Plain structs with
// inspect() overloads that need no CAF header (db/ uses them without CAF).
// All times are milliseconds since the epoch, UTC. *_json fields hold JSON
// text (stored as TEXT in SQLite and jsonb in PostgreSQL).

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string>
#include <vector>

#include "messages/market.hpp"

namespace herald::db {

/// A news item (news_articles). Key: id (source-unique).
struct news_article {
  std::string id;
  std::string source;
  std::string url;
  std::string title;
  std::string body;
  std::string symbols_json;  ///< JSON array of symbols
  std::int64_t published_at = 0;
  double sentiment = 0;  ///< [-1, 1]
};

inline bool operator==(const news_article& a, const news_article& b) {
  return a.id == b.id && a.source == b.source && a.url == b.url && a.title == b.title && a.body == b.body && a.symbols_json == b.symbols_json && a.published_at == b.published_at && a.sentiment == b.sentiment;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, news_article& x) {
  return f(x.id, x.source, x.url, x.title, x.body, x.symbols_json, x.published_at, x.sentiment);
}

/// Aggregated sentiment (sentiment_data). Key: symbol+source+ts.
struct sentiment_point {
  std::string symbol;
  std::string source;
  std::int64_t ts = 0;
  double score = 0;
  std::int64_t samples = 0;
};

inline bool operator==(const sentiment_point& a, const sentiment_point& b) {
  return a.symbol == b.symbol && a.source == b.source && a.ts == b.ts && a.score == b.score && a.samples == b.samples;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, sentiment_point& x) {
  return f(x.symbol, x.source, x.ts, x.score, x.samples);
}

/// One analyzer's result for one candle (analysis_results). Key: symbol+interval+open_time+analyzer; a re-run replaces it.
struct analysis_result {
  std::string symbol;
  std::string interval;
  std::int64_t open_time = 0;
  std::string analyzer;
  double score = 0;  ///< [-1, 1]
  double confidence = 0;  ///< [0, 100]
  std::string payload_json;
  std::int64_t duration_ns = 0;
};

inline bool operator==(const analysis_result& a, const analysis_result& b) {
  return a.symbol == b.symbol && a.interval == b.interval && a.open_time == b.open_time && a.analyzer == b.analyzer && a.score == b.score && a.confidence == b.confidence && a.payload_json == b.payload_json && a.duration_ns == b.duration_ns;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, analysis_result& x) {
  return f(x.symbol, x.interval, x.open_time, x.analyzer, x.score, x.confidence, x.payload_json, x.duration_ns);
}

/// An aggregated signal (signals). Key: id.
struct signal_record {
  std::string id;
  std::string symbol;
  std::string interval;
  std::int64_t open_time = 0;
  std::string direction;  ///< long / short / flat
  double score = 0;
  double confidence = 0;
  std::string payload_json;
  std::int64_t created_at = 0;
};

inline bool operator==(const signal_record& a, const signal_record& b) {
  return a.id == b.id && a.symbol == b.symbol && a.interval == b.interval && a.open_time == b.open_time && a.direction == b.direction && a.score == b.score && a.confidence == b.confidence && a.payload_json == b.payload_json && a.created_at == b.created_at;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, signal_record& x) {
  return f(x.id, x.symbol, x.interval, x.open_time, x.direction, x.score, x.confidence, x.payload_json, x.created_at);
}

/// An insight content is made from (insights). Key: id.
struct insight_record {
  std::string id;
  std::string signal_id;  ///< may be empty
  std::string symbol;
  std::string kind;
  std::string title;
  std::string body;
  double importance = 0;
  std::string payload_json;
  std::int64_t created_at = 0;
};

inline bool operator==(const insight_record& a, const insight_record& b) {
  return a.id == b.id && a.signal_id == b.signal_id && a.symbol == b.symbol && a.kind == b.kind && a.title == b.title && a.body == b.body && a.importance == b.importance && a.payload_json == b.payload_json && a.created_at == b.created_at;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, insight_record& x) {
  return f(x.id, x.signal_id, x.symbol, x.kind, x.title, x.body, x.importance, x.payload_json, x.created_at);
}

/// A planned piece of content (content_plans). Key: id; a newer state replaces the old one.
struct content_plan {
  std::string id;
  std::string insight_id;  ///< may be empty
  std::string kind;
  std::string channel;
  std::string state;  ///< planned / approved / published / cancelled ...
  std::int64_t scheduled_at = 0;
  std::string payload_json;
  std::int64_t updated_at = 0;
};

inline bool operator==(const content_plan& a, const content_plan& b) {
  return a.id == b.id && a.insight_id == b.insight_id && a.kind == b.kind && a.channel == b.channel && a.state == b.state && a.scheduled_at == b.scheduled_at && a.payload_json == b.payload_json && a.updated_at == b.updated_at;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, content_plan& x) {
  return f(x.id, x.insight_id, x.kind, x.channel, x.state, x.scheduled_at, x.payload_json, x.updated_at);
}

/// A piece delivered to one channel (published_content). Key: id+channel; metrics are updated in place.
struct published_post {
  std::string id;
  std::string plan_id;  ///< may be empty
  std::string channel;
  std::string channel_message_id;
  std::string url;
  std::string body;
  std::string metrics_json;
  std::int64_t published_at = 0;
};

inline bool operator==(const published_post& a, const published_post& b) {
  return a.id == b.id && a.plan_id == b.plan_id && a.channel == b.channel && a.channel_message_id == b.channel_message_id && a.url == b.url && a.body == b.body && a.metrics_json == b.metrics_json && a.published_at == b.published_at;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, published_post& x) {
  return f(x.id, x.plan_id, x.channel, x.channel_message_id, x.url, x.body, x.metrics_json, x.published_at);
}

/// An agent event (agent_logs). Key: id.
struct agent_log {
  std::string id;
  std::string agent;
  std::string level;
  std::string message;
  std::string payload_json;
  std::int64_t ts = 0;
};

inline bool operator==(const agent_log& a, const agent_log& b) {
  return a.id == b.id && a.agent == b.agent && a.level == b.level && a.message == b.message && a.payload_json == b.payload_json && a.ts == b.ts;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, agent_log& x) {
  return f(x.id, x.agent, x.level, x.message, x.payload_json, x.ts);
}

/// An A/B test (ab_tests). Key: id.
struct ab_test {
  std::string id;
  std::string name;
  std::string status;
  std::int64_t started_at = 0;
};

inline bool operator==(const ab_test& a, const ab_test& b) {
  return a.id == b.id && a.name == b.name && a.status == b.status && a.started_at == b.started_at;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ab_test& x) {
  return f(x.id, x.name, x.status, x.started_at);
}

/// Counters of one variant (ab_test_variants). Key: test_id+variant; counts are replaced.
struct ab_variant {
  std::string test_id;
  std::string variant;
  std::string content;
  std::int64_t impressions = 0;
  std::int64_t conversions = 0;
};

inline bool operator==(const ab_variant& a, const ab_variant& b) {
  return a.test_id == b.test_id && a.variant == b.variant && a.content == b.content && a.impressions == b.impressions && a.conversions == b.conversions;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ab_variant& x) {
  return f(x.test_id, x.variant, x.content, x.impressions, x.conversions);
}

/// Records written together (one transaction per flush).
struct write_batch {
  std::vector<herald::candle> candles;
  std::vector<news_article> news;
  std::vector<sentiment_point> sentiment;
  std::vector<analysis_result> analysis;
  std::vector<signal_record> signals;
  std::vector<insight_record> insights;
  std::vector<content_plan> plans;
  std::vector<published_post> posts;
  std::vector<agent_log> logs;
  std::vector<ab_test> ab_tests;
  std::vector<ab_variant> ab_variants;

  /// Number of records in the batch.
  std::size_t size() const {
    return candles.size() + news.size() + sentiment.size() + analysis.size() + signals.size() + insights.size() + plans.size() + posts.size() + logs.size() + ab_tests.size() + ab_variants.size();
  }
  bool empty() const { return size() == 0; }
  /// Moves every record of `other` to the end of this batch.
  void append(write_batch&& other);
  /// Moves up to `n` records from the front of this batch (kind by kind, in
  /// the order of the members above, each kind in its order) into a new one.
  write_batch take_front(std::size_t n);
};

inline bool operator==(const write_batch& a, const write_batch& b) {
  return a.candles == b.candles && a.news == b.news && a.sentiment == b.sentiment && a.analysis == b.analysis && a.signals == b.signals && a.insights == b.insights && a.plans == b.plans && a.posts == b.posts && a.logs == b.logs && a.ab_tests == b.ab_tests && a.ab_variants == b.ab_variants;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, write_batch& x) {
  return f(x.candles, x.news, x.sentiment, x.analysis, x.signals, x.insights, x.plans, x.posts, x.logs, x.ab_tests, x.ab_variants);
}

inline write_batch write_batch::take_front(std::size_t n) {
  write_batch out;
  if (size() <= n) {
    std::swap(out, *this);
    return out;
  }
  auto take = [&n](auto& dst, auto& src) {
    auto k = std::min(n, src.size());
    auto end = src.begin() + static_cast<std::ptrdiff_t>(k);
    dst.insert(dst.end(), std::make_move_iterator(src.begin()), std::make_move_iterator(end));
    src.erase(src.begin(), end);
    n -= k;
  };
  take(out.candles, candles);
  take(out.news, news);
  take(out.sentiment, sentiment);
  take(out.analysis, analysis);
  take(out.signals, signals);
  take(out.insights, insights);
  take(out.plans, plans);
  take(out.posts, posts);
  take(out.logs, logs);
  take(out.ab_tests, ab_tests);
  take(out.ab_variants, ab_variants);
  return out;
}

inline void write_batch::append(write_batch&& o) {
  auto move_all = [](auto& to, auto& from) {
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
    from.clear();
  };
  move_all(candles, o.candles);
  move_all(news, o.news);
  move_all(sentiment, o.sentiment);
  move_all(analysis, o.analysis);
  move_all(signals, o.signals);
  move_all(insights, o.insights);
  move_all(plans, o.plans);
  move_all(posts, o.posts);
  move_all(logs, o.logs);
  move_all(ab_tests, o.ab_tests);
  move_all(ab_variants, o.ab_variants);
}

/// The write-behind actor's answer to a write: how many records it accepted
/// (all of the batch, or none when it refused it under back-pressure).
struct write_ack {
  std::uint64_t accepted = 0;
  std::uint64_t pending = 0; ///< records accepted but not yet in the database
};

inline bool operator==(const write_ack& a, const write_ack& b) {
  return a.accepted == b.accepted && a.pending == b.pending;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, write_ack& x) {
  return f(x.accepted, x.pending);
}

/// Health of the persistence layer (readiness).
struct db_status {
  std::string backend;          ///< "sqlite" or "postgresql"
  bool available = true;        ///< false during an outage
  std::uint64_t pending = 0;    ///< accepted, not yet written
  std::uint64_t written = 0;    ///< records written since start
  std::uint64_t failures = 0;   ///< failed flush attempts since start
  std::uint64_t rejected = 0;   ///< records the database refused for good (logged)
  std::string last_error;       ///< "" when healthy
};

inline bool operator==(const db_status& a, const db_status& b) {
  return a.backend == b.backend && a.available == b.available && a.pending == b.pending
         && a.written == b.written && a.failures == b.failures && a.rejected == b.rejected
         && a.last_error == b.last_error;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, db_status& x) {
  return f(x.backend, x.available, x.pending, x.written, x.failures, x.rejected, x.last_error);
}

/// Per-variant statistics of an experiment (a read).
struct variant_stats {
  std::string variant;
  std::int64_t impressions = 0;
  std::int64_t conversions = 0;
  double conversion_rate = 0; ///< conversions / impressions, 0 without impressions
};

inline bool operator==(const variant_stats& a, const variant_stats& b) {
  return a.variant == b.variant && a.impressions == b.impressions
         && a.conversions == b.conversions && a.conversion_rate == b.conversion_rate;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, variant_stats& x) {
  return f(x.variant, x.impressions, x.conversions, x.conversion_rate);
}

} // namespace herald::db
