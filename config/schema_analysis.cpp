// [analysis], [analysis.<analyzer>] and [risk]: the analysis keys (issue 5).
#include "config/schema_parts.hpp"

#include <chrono>
#include <cstdint>

namespace herald::config::detail {

using std::chrono::nanoseconds;

void add_analysis_keys(std::vector<key_spec>& out) {
  // [analysis], [analysis.<analyzer>], [risk] (generated table: docs/architecture.md)
  out.push_back(key("analysis.enabled", value_type::boolean, value{true}, "",
                    "run the analysis pipeline (analyzers, signals, risk manager)"));
  out.push_back(key("analysis.symbols", value_type::string_list, value{std::vector<std::string>{"*"}}, "",
                    "symbols to analyse; \"*\" means every symbol the hub carries"));
  {
    auto k = key("analysis.intervals", value_type::string_list, value{std::vector<std::string>{"1m"}}, "",
                    "base intervals to analyse (each tracked series gets its own analyzer actors)");
    k.check_element = &check_interval;
    out.push_back(std::move(k));
  }
  out.push_back(one_of(key("analysis.analyzers", value_type::string_list, value{std::vector<std::string>{"market_structure", "order_flow", "momentum", "volatility_regime", "news_sentiment", "multi_timeframe", "pattern_recognition", "statistical_edge"}}, "",
                    "analyzer kinds to run for each series, out of: market_structure, order_flow, momentum, volatility_regime, news_sentiment, multi_timeframe, pattern_recognition, statistical_edge"), {"market_structure", "order_flow", "momentum", "volatility_regime", "news_sentiment", "multi_timeframe", "pattern_recognition", "statistical_edge"}));
  out.push_back(ranged(key("analysis.deadline", value_type::duration, value{nanoseconds{std::chrono::seconds{1}}}, "duration",
                    "time an analyzer may take per job (per 1000 candles of a batch); a late one is left out and lowers the signal's confidence"),
                   0.001, 3600));
  out.push_back(ranged(key("analysis.restart-wait", value_type::duration, value{nanoseconds{std::chrono::seconds{10}}}, "duration",
                    "how long a job waits for a crashed analyzer's replacement before it is left out"),
                   0.01, 3600));
  out.push_back(ranged(key("analysis.order-wait", value_type::duration, value{nanoseconds{std::chrono::seconds{2}}}, "duration",
                    "how long finished signals wait for a slower series before the risk manager gets them"),
                   0.001, 3600));
  out.push_back(ranged(key("analysis.max-batch", value_type::integer, value{std::int64_t{4096}}, "candles",
                    "candles per analyzer job when candles arrive faster than they are analysed"),
                   1, 1000000));
  out.push_back(ranged(key("analysis.max-backlog", value_type::integer, value{std::int64_t{10000}}, "candles",
                    "candles the pipeline may hold (queued, in analysis, signals not yet taken by the risk manager) before the hub's sources wait"),
                   1, 100000000));
  out.push_back(ranged(key("analysis.rebuild-candles", value_type::integer, value{std::int64_t{5000}}, "candles",
                    "history a new or restarted analyzer replays from the hub's window (hub.depth must hold it)"),
                   0, 10000000));
  out.push_back(key("analysis.persist", value_type::boolean, value{true}, "",
                    "store analysis results, signals and insights in the database"));
  out.push_back(ranged(key("analysis.threshold", value_type::real, value{0.15}, "",
                    "|aggregated score| from which a signal is long or short, else neutral"),
                   0, 1));
  out.push_back(ranged(key("analysis.regime-scale-low", value_type::real, value{0.9}, "",
                    "signal confidence factor in the low-volatility regime"),
                   0, 1));
  out.push_back(ranged(key("analysis.regime-scale-high", value_type::real, value{0.75}, "",
                    "signal confidence factor in the high-volatility regime"),
                   0, 1));
  out.push_back(ranged(key("analysis.market-structure.weight", value_type::real, value{1.0}, "",
                    "weight in the aggregation"),
                   0, 100));
  out.push_back(ranged(key("analysis.market-structure.fast", value_type::integer, value{std::int64_t{20}}, "bars",
                    "fast EMA period"),
                   1, 10000));
  out.push_back(ranged(key("analysis.market-structure.slow", value_type::integer, value{std::int64_t{50}}, "bars",
                    "slow EMA period (> fast)"),
                   2, 10000));
  out.push_back(ranged(key("analysis.market-structure.swing", value_type::integer, value{std::int64_t{3}}, "bars",
                    "bars each side of a swing high / low"),
                   1, 100));
  out.push_back(ranged(key("analysis.order-flow.weight", value_type::real, value{1.0}, "",
                    "weight in the aggregation"),
                   0, 100));
  out.push_back(ranged(key("analysis.order-flow.volume-period", value_type::integer, value{std::int64_t{20}}, "bars",
                    "window of the volume z-score"),
                   2, 10000));
  out.push_back(ranged(key("analysis.order-flow.obv-slope", value_type::integer, value{std::int64_t{10}}, "bars",
                    "bars over which the OBV slope is taken"),
                   2, 10000));
  out.push_back(ranged(key("analysis.momentum.weight", value_type::real, value{1.0}, "",
                    "weight in the aggregation"),
                   0, 100));
  out.push_back(ranged(key("analysis.momentum.rsi-period", value_type::integer, value{std::int64_t{14}}, "bars",
                    "RSI period (Wilder)"),
                   2, 10000));
  out.push_back(ranged(key("analysis.momentum.overbought", value_type::real, value{70.0}, "",
                    "RSI at or above: overbought (bearish lean)"),
                   50, 100));
  out.push_back(ranged(key("analysis.momentum.oversold", value_type::real, value{30.0}, "",
                    "RSI at or below: oversold (bullish lean)"),
                   0, 50));
  out.push_back(ranged(key("analysis.volatility-regime.atr-period", value_type::integer, value{std::int64_t{14}}, "bars",
                    "ATR period (Wilder)"),
                   2, 10000));
  out.push_back(ranged(key("analysis.volatility-regime.lookback", value_type::integer, value{std::int64_t{100}}, "bars",
                    "window of the ATR/close percentile"),
                   10, 100000));
  out.push_back(ranged(key("analysis.volatility-regime.low", value_type::real, value{0.2}, "",
                    "percentile below which the regime is low"),
                   0, 1));
  out.push_back(ranged(key("analysis.volatility-regime.high", value_type::real, value{0.8}, "",
                    "percentile above which the regime is high"),
                   0, 1));
  out.push_back(ranged(key("analysis.news-sentiment.weight", value_type::real, value{1.0}, "",
                    "weight in the aggregation"),
                   0, 100));
  out.push_back(ranged(key("analysis.news-sentiment.half-life", value_type::duration, value{nanoseconds{std::chrono::hours{6}}}, "duration",
                    "an article's weight halves every half-life"),
                   1, 31536000));
  out.push_back(ranged(key("analysis.news-sentiment.prior", value_type::real, value{1.0}, "articles",
                    "neutral articles mixed into the mean (few articles give a weak score)"),
                   0.01, 1000));
  out.push_back(key("analysis.news-sentiment.lexicon", value_type::string, value{std::string{""}}, "path",
                    "sentiment lexicon file (format in config/lexicon/finance.tsv); empty: the built-in finance lexicon"));
  out.push_back(ranged(key("analysis.multi-timeframe.weight", value_type::real, value{1.0}, "",
                    "weight in the aggregation"),
                   0, 100));
  {
    auto k = key("analysis.multi-timeframe.intervals", value_type::string_list, value{std::vector<std::string>{"5m", "15m", "1h"}}, "",
                    "higher intervals whose trends must agree (built from the base series)");
    k.check_element = &check_interval;
    out.push_back(std::move(k));
  }
  out.push_back(ranged(key("analysis.multi-timeframe.fast", value_type::integer, value{std::int64_t{9}}, "bars",
                    "fast EMA period on each higher interval"),
                   1, 10000));
  out.push_back(ranged(key("analysis.multi-timeframe.slow", value_type::integer, value{std::int64_t{21}}, "bars",
                    "slow EMA period on each higher interval (> fast)"),
                   2, 10000));
  out.push_back(ranged(key("analysis.pattern-recognition.weight", value_type::real, value{1.0}, "",
                    "weight in the aggregation"),
                   0, 100));
  out.push_back(ranged(key("analysis.pattern-recognition.breakout-bars", value_type::integer, value{std::int64_t{20}}, "bars",
                    "range whose break is a breakout"),
                   2, 10000));
  out.push_back(ranged(key("analysis.pattern-recognition.double-tolerance", value_type::real, value{0.003}, "",
                    "two tops (bottoms) within this share of price are a double top (bottom)"),
                   0, 0.5));
  out.push_back(ranged(key("analysis.pattern-recognition.double-window", value_type::integer, value{std::int64_t{60}}, "bars",
                    "window searched for double tops and bottoms"),
                   12, 10000));
  out.push_back(ranged(key("analysis.statistical-edge.weight", value_type::real, value{1.0}, "",
                    "weight in the aggregation"),
                   0, 100));
  out.push_back(ranged(key("analysis.statistical-edge.period", value_type::integer, value{std::int64_t{20}}, "bars",
                    "window of the close's z-score"),
                   2, 10000));
  out.push_back(ranged(key("analysis.statistical-edge.full-scale", value_type::real, value{3.0}, "",
                    "|z| that gives the full mean-reversion score"),
                   0.1, 100));
  out.push_back(ranged(key("risk.initial-equity", value_type::real, value{100000.0}, "quote currency",
                    "starting equity of the paper portfolio"),
                   1, 1000000000000000.0));
  out.push_back(ranged(key("risk.position-fraction", value_type::real, value{0.1}, "",
                    "notional of a new position as a share of equity"),
                   0.0001, 10));
  out.push_back(ranged(key("risk.max-symbol-exposure", value_type::real, value{0.25}, "",
                    "open notional per symbol, share of equity"),
                   0, 100));
  out.push_back(ranged(key("risk.max-total-exposure", value_type::real, value{1.0}, "",
                    "open notional over all symbols, share of equity"),
                   0, 100));
  out.push_back(ranged(key("risk.reduce-drawdown", value_type::real, value{0.05}, "",
                    "drawdown from which the state is REDUCING (positions sized by reduce-factor); ACTIVE again below half of it"),
                   0, 1));
  out.push_back(ranged(key("risk.halt-drawdown", value_type::real, value{0.1}, "",
                    "drawdown from which the state is HALTED: positions closed, every signal vetoed"),
                   0, 1));
  out.push_back(ranged(key("risk.reduce-factor", value_type::real, value{0.5}, "",
                    "position size factor while REDUCING"),
                   0, 1));
  out.push_back(ranged(key("risk.halt-bars", value_type::integer, value{std::int64_t{240}}, "bars",
                    "bars a halt lasts; then REDUCING with the high-water mark reset"),
                   0, 100000000));
  out.push_back(ranged(key("risk.hold-bars", value_type::integer, value{std::int64_t{60}}, "bars",
                    "bars a paper position is held (an approved opposite signal replaces it sooner)"),
                   1, 100000000));
  out.push_back(ranged(key("risk.cooldown-losses", value_type::integer, value{std::int64_t{3}}, "insights",
                    "losing insights within cooldown-window that start a cooldown (0: never)"),
                   0, 1000));
  out.push_back(ranged(key("risk.cooldown-window", value_type::integer, value{std::int64_t{120}}, "bars",
                    "window in which losses are counted"),
                   1, 100000000));
  out.push_back(ranged(key("risk.cooldown-bars", value_type::integer, value{std::int64_t{60}}, "bars",
                    "length of a cooldown (every signal vetoed)"),
                   0, 100000000));
  out.push_back(ranged(key("risk.min-confidence", value_type::real, value{30.0}, "",
                    "signals below this confidence are vetoed"),
                   0, 100));
  out.push_back(key("risk.veto-high-volatility", value_type::boolean, value{true}, "",
                    "veto every signal in the high-volatility regime"));
  out.push_back(ranged(key("risk.fee", value_type::real, value{0.0004}, "",
                    "paper trading fee per side, share of notional"),
                   0, 0.1));
}

} // namespace herald::config::detail
