#pragma once
// What the content desk knows about the market, and the facts it hands the
// creator (pure code; the strategist actor feeds it).
//   market_view     per series: candles up to a little after the analysis
//                   clock, the latest signal, the approved insights, and news
//   alert_facts     the named values of a signal alert
//   recap_facts     the day in numbers over all tracked series
//   research_report the weekly report as markdown: per symbol trend, regime,
//                   indicators, signals and news
//   chart_data      candles, EMA, Bollinger and markers for the chart agent
// Facts are rounded here, once, so that every number a template or an LLM
// may print is one of them (the LLM check relies on it).

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "analysis/aggregate.hpp"
#include "analysis/risk.hpp"
#include "content/templates.hpp"
#include "messages/market.hpp"
#include "messages/storage.hpp"

namespace herald::content {

/// A marker on a chart: an approved insight at a candle.
struct chart_marker {
  std::int64_t time = 0;
  double price = 0;
  bool long_side = true;
};

/// Everything the chart agent draws.
struct chart_data {
  std::string title;
  std::vector<candle> candles;
  /// Per candle, 0 while warming up (prices are positive; NaN would not
  /// survive CAF 0.17's serializer on its way to another node).
  std::vector<double> ema;
  std::vector<double> bb_upper;
  std::vector<double> bb_lower;
  std::vector<chart_marker> markers;
};

struct view_options {
  std::size_t keep = 1500;     ///< candles kept per series behind the clock (a day of 1m)
  std::size_t chart_bars = 120;
  std::size_t ema_period = 20;
  std::size_t bb_period = 20;
  double bb_k = 2;
  std::size_t rsi_period = 14;
  std::size_t atr_period = 14;
  std::size_t news_keep = 50;  ///< articles kept per symbol
};

struct series_view {
  std::string symbol, interval;
  std::int64_t first_time = 0;     ///< open time of the first candle seen (report periods)
  std::deque<candle> candles;      ///< oldest first
  /// Volatility regime of recent signals by candle time (bounded): an alert
  /// names the regime of its own signal, or none.
  std::deque<std::pair<std::int64_t, std::string>> regimes;
  analysis::signal last_signal;    ///< time 0: none yet
  std::vector<analysis::insight> insights; ///< approved, newest last (bounded)
  std::uint64_t signals = 0, longs = 0, shorts = 0;
};

class market_view {
public:
  explicit market_view(view_options o = {});

  /// A closed candle from the hub (may run ahead of the analysis clock).
  void on_candle(const candle& c);
  void on_news(const db::news_article& a);
  /// Signals and insights released by the risk manager, in order; advances
  /// the clock and trims candles far behind it.
  void on_report(const std::vector<analysis::signal>& sigs,
                 const std::vector<analysis::insight>& ins);

  /// The latest market time analysed (INT64_MIN before the first report).
  std::int64_t clock() const { return clock_; }
  const std::map<std::string, series_view>& series() const { return series_; }

  /// Facts of an alert for `in` (its series' candles up to the insight).
  facts alert_facts(const analysis::insight& in) const;
  /// The 24 hours up to `now_ms` over every series.
  facts recap_facts(std::int64_t now_ms) const;
  /// What an answer about `symbol` may state, up to `now_ms` (its series of
  /// the shortest interval): price, change, trend, RSI, ATR, regime, the
  /// day's low and high as levels, and the last signal. Empty when the
  /// symbol is not tracked or has no candle yet.
  facts symbol_facts(const std::string& symbol, std::int64_t now_ms) const;
  /// Markdown report over every series up to `now_ms`; `title` receives its
  /// title, `used` (when given) every number and date the text prints, so
  /// the fact check can hold the page to them. The report states the period
  /// it covers (at most a week, from the first candle seen) and is called
  /// weekly only when that period is a week.
  std::string research_report(std::int64_t now_ms, std::string* title,
                              facts* used = nullptr) const;
  /// Plain-text digest of the report for threads (paragraph per symbol);
  /// `used` as above.
  std::string report_digest(std::int64_t now_ms, facts* used = nullptr) const;
  /// Hours the report up to `now_ms` covers (<= 168).
  double report_hours(std::int64_t now_ms) const;
  /// Chart of a series up to `until_ms` ("" symbol: the first series).
  chart_data chart(const std::string& symbol, const std::string& interval,
                   std::int64_t until_ms) const;

private:
  const series_view* find(const std::string& symbol, const std::string& interval) const;
  view_options o_;
  std::map<std::string, series_view> series_; ///< key "SYMBOL:interval"
  std::map<std::string, std::deque<db::news_article>> news_; ///< per symbol
  std::int64_t clock_ = INT64_MIN;
};

/// "2023-11-14 22:13 UTC": how texts name a market minute.
std::string minute_utc(std::int64_t ms);

/// Rounds to `digits` significant decimals as printed ("%.*f").
double round_to(double x, int digits);
/// Decimal places that suit a price (2 above 100, 4 above 1, else 6).
int price_digits(double price);

/// Facts as JSON ({"name": number | string}) for messages and the ledger,
/// and back (integers stay integers).
std::string facts_to_json(const facts& f);
facts facts_from_json(const std::string& json);

/// Sample facts of every content type: what templates are checked against at load.
std::map<content_type, facts> sample_facts();
/// Per content type, the facts that may be absent (templates must render
/// without them: they belong inside optional [[ ... ]] segments).
std::map<content_type, std::vector<std::string>> optional_facts();

} // namespace herald::content
