#pragma once
// The statistics of a backtest, computed as signals and insights stream in
// (memory O(series x horizon)): each signal is resolved once the candle
// `horizon` bars later arrives, giving its forward return. Pure code.

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "analysis/aggregate.hpp"
#include "analysis/risk.hpp"

namespace herald::analysis {

/// A proportion with its 95% Wilson score interval.
struct proportion {
  std::uint64_t hits = 0, n = 0;
  double rate() const { return n ? static_cast<double>(hits) / static_cast<double>(n) : 0; }
  double lower() const;
  double upper() const;
  /// Whether the interval contains `chance` (not distinguishable from it).
  bool chance_like(double chance = 0.5) const { return n == 0 || (lower() <= chance && chance <= upper()); }
};

/// A mean with its standard error.
struct mean_stat {
  std::uint64_t n = 0;
  double sum = 0, sum_sq = 0;
  void add(double x) {
    ++n;
    sum += x;
    sum_sq += x * x;
  }
  double mean() const { return n ? sum / static_cast<double>(n) : 0; }
  double stderr_() const;
};

class backtest_report {
public:
  explicit backtest_report(std::int64_t horizon) : horizon_(horizon < 1 ? 1 : horizon) {}
  /// Every signal in order per series, with the risk manager's insight for
  /// it; `alert`: the content strategist published it as an alert (the
  /// track record's population).
  void add(const signal& s, const std::optional<insight>& in, bool alert = false);
  /// The paper portfolio at the end.
  void set_portfolio(double initial, double final_equity, double max_drawdown,
                     std::uint64_t trades);

  std::int64_t horizon() const { return horizon_; }
  std::uint64_t candles() const { return candles_; }
  const std::map<std::string, std::uint64_t>& signals_by_direction() const { return by_dir_; }
  std::uint64_t approved() const { return approved_; }
  const std::map<std::string, std::uint64_t>& vetoed() const { return vetoed_; }
  const proportion& hit_rate() const { return hit_; }
  /// Alerts (insights the strategist published): hit rate, mean signed
  /// return of the calls, mean market return over the same windows
  /// (buy and hold), as the track record computes them.
  bool alerts_tracked() const { return alerts_tracked_; }
  void track_alerts() { alerts_tracked_ = true; }
  const proportion& alert_hit_rate() const { return alert_hit_; }
  const mean_stat& alert_return() const { return alert_ret_; }
  const mean_stat& alert_market_return() const { return alert_market_; }
  /// Each resolved alert: signal id, direction (+1/-1), forward return, hit.
  struct alert_outcome {
    std::string signal_id;
    int dir = 0;
    double ret = 0;
    bool hit = false;
  };
  const std::vector<alert_outcome>& alert_outcomes() const { return alert_list_; }
  const mean_stat& long_return() const { return long_ret_; }
  const mean_stat& short_return() const { return short_ret_; }
  const mean_stat& market_return() const { return market_ret_; } ///< every candle, horizon N
  double buy_and_hold() const; ///< first to last close, averaged over series
  const std::array<proportion, kind_count>& analyzer_hits() const { return analyzer_hits_; }
  double portfolio_return() const { return initial_ > 0 ? final_ / initial_ - 1 : 0; }
  double max_drawdown() const { return max_dd_; }
  std::uint64_t trades() const { return trades_; }

  /// The report as text (what `herald backtest` prints) and as JSON.
  std::string text() const;
  std::string json() const;

private:
  nlohmann::json alert_list_json() const;
  struct pending {
    double price;
    direction sig;
    std::optional<direction> approved;
    bool alert = false;
    std::string id; ///< the signal's (alerts only)
    std::array<double, kind_count> score;
    std::array<bool, kind_count> voted;
  };
  struct series {
    std::deque<pending> open;
    double first = 0, last = 0;
  };
  std::int64_t horizon_;
  std::map<std::string, series> series_;
  std::uint64_t candles_ = 0, approved_ = 0, trades_ = 0;
  std::map<std::string, std::uint64_t> by_dir_, vetoed_;
  proportion hit_;
  bool alerts_tracked_ = false;
  proportion alert_hit_;
  mean_stat alert_ret_, alert_market_;
  std::vector<alert_outcome> alert_list_;
  mean_stat long_ret_, short_ret_, market_ret_;
  std::array<proportion, kind_count> analyzer_hits_{};
  double initial_ = 0, final_ = 0, max_dd_ = 0;
};

} // namespace herald::analysis
