#include "analysis/news_sentiment.hpp"

#include <algorithm>
#include <cmath>

namespace herald::analysis {

void news_sentiment::on_news(std::int64_t published_ms, double sentiment) {
  if (!std::isfinite(sentiment))
    return;
  sentiment = std::clamp(sentiment, -1.0, 1.0);
  item x{published_ms, sentiment};
  auto less = [](const item& a, const item& b) { return a.t != b.t ? a.t < b.t : a.s < b.s; };
  pending_.insert(std::upper_bound(pending_.begin(), pending_.end(), x, less), x);
  if (pending_.size() > opts_.max_pending)
    pending_.erase(pending_.begin()); // the oldest: it would weigh least
}

void news_sentiment::analyse(const candle& c, result& out) {
  auto now = std::max(c.close_time, c.open_time);
  double h = static_cast<double>(std::max<std::int64_t>(opts_.half_life_ms, 1));
  if (!started_) {
    started_ = true;
    ref_ = now;
  }
  if (now > ref_) {
    double f = std::exp2(-static_cast<double>(now - ref_) / h);
    sum_ *= f;
    weight_ *= f;
    if (weight_ < 1e-12) // all news decayed away: start clean
      sum_ = weight_ = 0;
    ref_ = now;
  }
  std::size_t taken = 0;
  for (; taken < pending_.size() && pending_[taken].t <= now; ++taken) {
    double w = std::exp2(-static_cast<double>(now - pending_[taken].t) / h);
    sum_ += w * pending_[taken].s;
    weight_ += w;
    ++articles_;
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(taken));
  out.score = sum_ / (weight_ + opts_.prior);
  out.confidence = 100 * weight_ / (weight_ + opts_.prior);
  out.fact("decayed_articles", weight_);
  out.fact("decayed_mean", weight_ > 0 ? sum_ / weight_ : 0.0);
  out.fact("articles_seen", static_cast<double>(articles_));
}

} // namespace herald::analysis
