#pragma once
// The track record (issue 18), without actors: what a published alert
// called and what the market did after it, measured the way `herald
// backtest` measures an approved insight, so the two agree:
//   entry   the close of the alert's candle (the signal's price);
//   exit    the close of the candle `horizon` bars later (bars of the
//           series, not wall time: a gap does not shorten the horizon);
//   return  exit / entry - 1; signed: times +1 for long, -1 for short;
//   hit     signed return > 0.
// The hit rate comes with its 95% Wilson interval (analysis::proportion);
// the verdict says "not distinguishable from chance" whenever the interval
// holds 50%. Buy-and-hold is the mean unsigned return over the same
// windows: what holding long through every alert's horizon gave.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/backtest_report.hpp"
#include "messages/market.hpp"

namespace herald::community {

/// An alert as published: its piece id "alert:<symbol>:<interval>:<time>".
struct alert_call {
  std::string piece;
  std::string symbol, interval;
  std::int64_t time = 0;  ///< the alert candle's open time
  int dir = 0;            ///< +1 long, -1 short
  double entry = 0;       ///< the signal's price (close of the alert candle)
  double confidence = 0;
  std::vector<std::string> channels; ///< where it was published
};

/// symbol, interval and time of an alert piece id; false when it is not one.
bool parse_alert_piece(const std::string& piece, alert_call& out);

struct call_outcome {
  alert_call call;
  int bars = 0;
  std::int64_t exit_time = 0; ///< open time of the exit candle
  double exit = 0;
  double ret = 0;             ///< exit / entry - 1
  double signed_ret = 0;
  bool hit = false;
};

/// The outcome once `horizon` candles after the alert's are known:
/// `after` holds the series' candles with open_time > call.time, in time
/// order (more are ignored). nullopt while fewer are known or prices are 0.
std::optional<call_outcome> resolve(const alert_call& call, const std::vector<candle>& after,
                                    int horizon);

/// The text of an outcome post ("Called SHORT BTCUSDT 1m at 43210.5 ...").
std::string outcome_text(const call_outcome& o, const std::string& interval_label);

struct track_summary {
  analysis::proportion hits;
  analysis::mean_stat signed_return; ///< of the calls
  analysis::mean_stat market_return; ///< buy-and-hold over the same windows
  std::vector<call_outcome> outcomes;
  /// "better than chance at 95%", "worse than chance at 95%", "not
  /// distinguishable from chance ..." or "no resolved alert".
  std::string verdict() const;
};
track_summary summarize(std::vector<call_outcome> outcomes);

/// The track-record article: title and markdown over `s`, every alert
/// listed (misses included), for `period` ("week of 2026-12-07", "this run").
struct track_article {
  std::string title;
  std::string markdown;
};
track_article track_record_article(const track_summary& s, const std::string& period, int horizon);

} // namespace herald::community
