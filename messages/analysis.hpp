#pragma once
// Analysis messages: jobs for the per-series analyzer actors, their answers,
// and inspect() overloads for the pure signal and insight types, so that all
// of them can cross a node boundary. No CAF header needed.

#include <array>
#include <climits>
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/aggregate.hpp"
#include "analysis/risk.hpp"
#include "messages/market.hpp"
#include "messages/storage.hpp"

namespace herald {

/// Consecutive closed candles of one series for one analyzer, with the news
/// about its symbol that arrived since the last job.
struct analysis_job {
  std::uint64_t seq = 0;
  std::vector<candle> candles;
  std::vector<db::news_article> news;
  bool want_payload = false; ///< render the JSON explanation (for persistence)
  /// The first job of a series after the pipeline restarted or rewound: the
  /// analyzer drops its state and rebuilds it from the hub's window before
  /// the job's first candle (it may have analysed these candles already).
  bool fresh = false;
  /// The series' assignment epoch (cluster): the analyzer echoes it and the
  /// pipeline refuses a reply whose epoch is not the series' current one (a
  /// stale owner's output). 0 in one process.
  std::int64_t epoch = 0;
};

/// One analyzer's answer for one candle.
struct analyzer_output {
  std::int64_t time = 0;
  double score = 0;
  double confidence = 0;
  std::int64_t duration_ns = 0;
  std::string label;   ///< the regime of volatility_regime, else ""
  std::string payload; ///< JSON, when asked for
};

struct analysis_reply {
  std::uint64_t seq = 0;
  std::uint8_t analyzer = 0; ///< analysis::kind
  std::vector<analyzer_output> results;
  std::int64_t epoch = 0; ///< the job's assignment epoch, echoed
};

/// Candles fanned out by the hub to a batch subscriber (accepted candles of
/// one source batch that match the subscription, in order).
struct candle_batch {
  std::vector<candle> candles;
};

/// A set of aggregate weights and its threshold, in force for every candle
/// with open time >= effective_from until the next epoch's (the learning
/// coordinator's hot swap, issue 19). Version 0 is the configured set.
struct weight_epoch {
  std::int64_t version = 0;
  std::int64_t effective_from = 0;
  std::array<double, analysis::kind_count> weights{1, 1, 1, 1, 1, 1, 1, 1};
  double threshold = 0.15;
};

inline bool operator==(const weight_epoch& a, const weight_epoch& b) {
  return a.version == b.version && a.effective_from == b.effective_from
         && a.weights == b.weights && a.threshold == b.threshold;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, weight_epoch& x) {
  return f(x.version, x.effective_from, x.weights, x.threshold);
}

/// Signals released by the pipeline to the risk manager, in order. `prev_*`
/// is the key of the signal the pipeline released just before this batch
/// (time INT64_MIN and "" before the first): the risk manager takes a batch
/// only if it continues exactly where its own state is, so a batch sent to
/// a restarted risk agent cannot skip signals it never saw.
struct signal_batch {
  std::int64_t prev_time = INT64_MIN;
  std::string prev_series;
  std::vector<analysis::signal> signals;
  /// The analyzers' results behind these signals, stored by the risk agent
  /// with them (empty when nothing is persisted).
  std::vector<db::analysis_result> analysis;
};

/// What the risk manager made of a run of signals, for its subscribers:
/// every signal in order and, per signal, the insight (if directional).
struct risk_report {
  std::vector<analysis::signal> signals;
  std::vector<analysis::insight> insights; ///< approved or vetoed
  std::vector<std::int32_t> insight_of;    ///< per signal: index in insights, or -1
  double equity = 0;
  double max_drawdown = 0;
  std::uint64_t trades = 0;
};

#define HERALD_INSPECT(type, ...)                                                             \
  template <class Inspector>                                                                   \
  typename Inspector::result_type inspect(Inspector& f, type& x) {                             \
    return f(__VA_ARGS__);                                                                     \
  }

HERALD_INSPECT(analysis_job, x.seq, x.candles, x.news, x.want_payload, x.fresh, x.epoch)
HERALD_INSPECT(analyzer_output, x.time, x.score, x.confidence, x.duration_ns, x.label,
                  x.payload)
HERALD_INSPECT(analysis_reply, x.seq, x.analyzer, x.results, x.epoch)
HERALD_INSPECT(candle_batch, x.candles)
HERALD_INSPECT(signal_batch, x.prev_time, x.prev_series, x.signals, x.analysis)
HERALD_INSPECT(risk_report, x.signals, x.insights, x.insight_of, x.equity, x.max_drawdown,
                  x.trades)

inline bool operator==(const analysis_job& a, const analysis_job& b) {
  return a.seq == b.seq && a.candles == b.candles && a.news == b.news
         && a.want_payload == b.want_payload && a.fresh == b.fresh && a.epoch == b.epoch;
}
inline bool operator==(const analyzer_output& a, const analyzer_output& b) {
  return a.time == b.time && a.score == b.score && a.confidence == b.confidence
         && a.duration_ns == b.duration_ns && a.label == b.label && a.payload == b.payload;
}
inline bool operator==(const analysis_reply& a, const analysis_reply& b) {
  return a.seq == b.seq && a.analyzer == b.analyzer && a.results == b.results && a.epoch == b.epoch;
}
inline bool operator==(const signal_batch& a, const signal_batch& b) {
  return a.prev_time == b.prev_time && a.prev_series == b.prev_series && a.signals == b.signals
         && a.analysis == b.analysis;
}
inline bool operator==(const candle_batch& a, const candle_batch& b) {
  return a.candles == b.candles;
}

} // namespace herald

namespace herald::analysis {

HERALD_INSPECT(contribution, x.analyzer, x.present, x.score, x.confidence, x.weight)
HERALD_INSPECT(signal, x.symbol, x.interval, x.time, x.price, x.dir, x.score, x.strength,
                  x.confidence, x.regime, x.missing, x.contributions)
HERALD_INSPECT(insight, x.signal_id, x.symbol, x.interval, x.time, x.dir, x.strength,
                  x.confidence, x.price, x.approved, x.reason, x.notional, x.state, x.equity,
                  x.drawdown)

inline bool operator==(const signal& a, const signal& b) {
  return a.symbol == b.symbol && a.interval == b.interval && a.time == b.time
         && a.price == b.price && a.dir == b.dir && a.score == b.score
         && a.strength == b.strength && a.confidence == b.confidence && a.regime == b.regime
         && a.missing == b.missing && a.contributions == b.contributions;
}
inline bool operator==(const insight& a, const insight& b) {
  return a.signal_id == b.signal_id && a.symbol == b.symbol && a.interval == b.interval
         && a.time == b.time && a.dir == b.dir && a.strength == b.strength
         && a.confidence == b.confidence && a.price == b.price && a.approved == b.approved
         && a.reason == b.reason && a.notional == b.notional && a.state == b.state
         && a.equity == b.equity && a.drawdown == b.drawdown;
}

} // namespace herald::analysis

namespace herald {
inline bool operator==(const risk_report& a, const risk_report& b) {
  return a.signals == b.signals && a.insights == b.insights && a.insight_of == b.insight_of
         && a.equity == b.equity && a.max_drawdown == b.max_drawdown && a.trades == b.trades;
}
} // namespace herald

#undef HERALD_INSPECT
