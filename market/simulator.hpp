#pragma once
// A seeded generator of realistic candles for several symbols: the offline
// market of `herald run`. Pure code; the same seed gives the same data.
//
// Per bar and symbol the log return is  r = mu(regime) + sigma_t * z  where
//  - sigma_t follows GARCH(1,1): sigma^2 = omega + alpha r_prev^2 + beta sigma^2_prev
//    (volatility clustering), omega set so the long-run volatility is the
//    symbol's;
//  - z is Student-t (4 degrees of freedom, scaled to unit variance: fat tails),
//    correlated across symbols through one common market factor (`correlation`);
//  - the market switches between regimes (trend up, trend down, range) as a
//    Markov chain; trends add drift, the range pulls back to its anchor.
// Volume grows with |r| / sigma; taker buy share leans with the return.
// Headlines about a symbol appear at random, their tone following the regime.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "messages/market.hpp"

namespace herald::market {

enum class regime { trend_up, trend_down, range };
const char* to_string(regime r);

struct sim_symbol {
  std::string symbol;
  double start_price = 100;
  double volatility = 0.001; ///< long-run per-bar standard deviation of log returns
  double base_volume = 100;  ///< mean volume per bar
};

struct sim_options {
  std::vector<sim_symbol> symbols;
  std::string interval = "1m";
  std::int64_t start_time = 0;       ///< open time of the first bar (aligned down)
  std::uint64_t seed = 42;
  double correlation = 0.6;          ///< share of variance from the market factor
  double garch_alpha = 0.08;
  double garch_beta = 0.90;
  double regime_switch = 0.01;       ///< per bar probability of leaving a regime
  double trend_drift = 0.04;         ///< drift in units of sigma per bar during trends
  double range_pull = 0.02;          ///< share of the distance to the anchor closed per bar
  double news_rate = 0.002;          ///< per bar and symbol probability of a headline
};

/// Price level, volatility and volume of a symbol as on Binance spot
/// (BTC, ETH, SOL, BNB, XRP, ADA by prefix; others a generic altcoin), per
/// bar of `interval_ms`. The volatilities are per-minute standard deviations
/// of log returns fitted to real daily volatility (BTC ~2.8%, ETH ~3.7%,
/// SOL ~4.8% a day; tests/unit/market/simulator_stats_test.cpp compares).
sim_symbol default_symbol(const std::string& symbol, std::int64_t interval_ms);

/// A generated headline.
struct sim_news {
  std::string symbol;
  std::string title;
  double sentiment = 0; ///< [-1, 1], tied to the regime
  std::int64_t time = 0;
};

class simulator {
public:
  explicit simulator(sim_options opts);

  /// The next bar of every symbol (same open time for all), in symbol order.
  std::vector<candle> next();

  /// Headlines produced with the last call to next().
  const std::vector<sim_news>& news() const { return news_; }

  regime current_regime() const { return regime_; }
  std::int64_t next_open_time() const { return t_; }
  const sim_options& options() const { return opts_; }

private:
  double student_t();
  sim_options opts_;
  std::int64_t interval_ms_;
  std::int64_t t_;
  std::mt19937_64 rng_;
  std::normal_distribution<double> normal_{0.0, 1.0};
  std::chi_squared_distribution<double> chi2_{4.0};
  std::uniform_real_distribution<double> uniform_{0.0, 1.0};
  regime regime_ = regime::range;
  struct state {
    double price;
    double variance;
    double last_return = 0;
    double anchor;
  };
  std::vector<state> states_;
  std::vector<sim_news> news_;
  std::uint64_t news_counter_ = 0;
};

} // namespace herald::market
