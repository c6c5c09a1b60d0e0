#pragma once
// News sentiment of one symbol: articles (already scored by the lexicon, see
// sentiment.hpp) are weighed by an exponential time decay with a half-life;
// the score is the decayed mean pulled towards 0 by a prior of one neutral
// article, the confidence grows with the decayed article count. An article
// counts from the first candle that closes after it was published, so a
// replay never sees news from its future. Pure code.

#include <cstdint>
#include <vector>

#include "analysis/analyzer.hpp"

namespace herald::analysis {

class news_sentiment final : public analyzer {
public:
  struct options {
    std::int64_t half_life_ms = 6 * 3'600'000; ///< weight halves every 6 h
    double prior = 1;                          ///< neutral articles added to the mean
    std::size_t max_pending = 10'000;          ///< articles waiting for their candle
  };
  news_sentiment() : news_sentiment(options{}) {}
  explicit news_sentiment(options o) : opts_(o) {}
  const char* name() const override { return "news_sentiment"; }

  /// An article about the symbol: its publication time and sentiment in [-1, 1].
  void on_news(std::int64_t published_ms, double sentiment);

protected:
  void analyse(const candle& c, result& out) override;

private:
  options opts_;
  struct item {
    std::int64_t t;
    double s;
  };
  std::vector<item> pending_; ///< sorted by (t, s)
  bool started_ = false;
  std::int64_t ref_ = 0;  ///< time S and W refer to
  double sum_ = 0;        ///< decayed sum of sentiments
  double weight_ = 0;     ///< decayed article count
  std::uint64_t articles_ = 0;
};

} // namespace herald::analysis
