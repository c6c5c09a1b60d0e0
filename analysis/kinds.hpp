#pragma once
// The eight per-series analyzers by kind (the ninth, the risk manager, gates
// signals over all series: analysis/risk.hpp), their options as read from
// config ([analysis.<name>] sections), and a factory. Pure code.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "analysis/analyzer.hpp"
#include "analysis/analyzers.hpp"
#include "analysis/news_sentiment.hpp"

namespace herald::analysis {

enum class kind : std::uint8_t {
  market_structure,
  order_flow,
  momentum,
  volatility_regime,
  news_sentiment,
  multi_timeframe,
  pattern_recognition,
  statistical_edge,
};
constexpr std::size_t kind_count = 8;

/// "market_structure", ... (the analyzer's name()).
const char* kind_name(kind k);
std::optional<kind> kind_from_name(const std::string& name);
inline kind kind_at(std::size_t i) { return static_cast<kind>(i); }

/// Every analyzer's options and weight: the [analysis.*] config sections.
struct analyzer_options {
  analysis::market_structure::options market_structure_opts;
  analysis::order_flow::options order_flow_opts;
  analysis::momentum::options momentum_opts;
  analysis::volatility_regime::options volatility_regime_opts;
  analysis::news_sentiment::options news_sentiment_opts;
  analysis::multi_timeframe::options multi_timeframe_opts;
  analysis::pattern_recognition::options pattern_recognition_opts;
  analysis::statistical_edge::options statistical_edge_opts;
  std::array<bool, kind_count> enabled{true, true, true, true, true, true, true, true};
};

std::unique_ptr<analyzer> make_analyzer(kind k, const analyzer_options& o);

} // namespace herald::analysis
