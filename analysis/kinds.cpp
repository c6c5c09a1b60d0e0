#include "analysis/kinds.hpp"

namespace herald::analysis {

namespace {

constexpr const char* names[kind_count] = {
  "market_structure", "order_flow",      "momentum",            "volatility_regime",
  "news_sentiment",   "multi_timeframe", "pattern_recognition", "statistical_edge"};

} // namespace

const char* kind_name(kind k) {
  auto i = static_cast<std::size_t>(k);
  return i < kind_count ? names[i] : "unknown";
}

std::optional<kind> kind_from_name(const std::string& name) {
  for (std::size_t i = 0; i < kind_count; ++i)
    if (name == names[i])
      return kind_at(i);
  return std::nullopt;
}

std::unique_ptr<analyzer> make_analyzer(kind k, const analyzer_options& o) {
  switch (k) {
    case kind::market_structure:
      return std::make_unique<market_structure>(o.market_structure_opts);
    case kind::order_flow:
      return std::make_unique<order_flow>(o.order_flow_opts);
    case kind::momentum:
      return std::make_unique<momentum>(o.momentum_opts);
    case kind::volatility_regime:
      return std::make_unique<volatility_regime>(o.volatility_regime_opts);
    case kind::news_sentiment:
      return std::make_unique<news_sentiment>(o.news_sentiment_opts);
    case kind::multi_timeframe:
      return std::make_unique<multi_timeframe>(o.multi_timeframe_opts);
    case kind::pattern_recognition:
      return std::make_unique<pattern_recognition>(o.pattern_recognition_opts);
    case kind::statistical_edge:
      return std::make_unique<statistical_edge>(o.statistical_edge_opts);
  }
  return nullptr;
}

} // namespace herald::analysis
