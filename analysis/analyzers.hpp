#pragma once
// The technical analyzers (pure classes, one instance per series). Options
// carry the periods and thresholds; their defaults are the documented ones.

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>
#include <optional>

#include "analysis/analyzer.hpp"
#include "market/indicators.hpp"
#include "market/ring.hpp"
#include "market/resample.hpp"

namespace herald::analysis {

/// RSI(14) zones and the MACD histogram's direction.
class momentum final : public analyzer {
public:
  struct options {
    std::size_t rsi_period = 14;
    double overbought = 70;
    double oversold = 30;
  };
  momentum() : momentum(options{}) {}
  explicit momentum(options o) : opts_(o), rsi_(o.rsi_period), macd_(12, 26, 9), atr_(14) {}
  const char* name() const override { return "momentum"; }

protected:
  void analyse(const candle& c, result& out) override;

private:
  options opts_;
  market::rsi rsi_;
  market::macd macd_;
  market::atr atr_;
  std::optional<double> prev_hist_;
};

/// ATR(14)/close percentile over a lookback: low / normal / high regime. It
/// drives confidence scaling, not direction: its score is always 0.
class volatility_regime final : public analyzer {
public:
  struct options {
    std::size_t atr_period = 14;
    std::size_t lookback = 100;
    double low = 0.2;  ///< percentile below: low regime
    double high = 0.8; ///< percentile above: high regime
  };
  volatility_regime() : volatility_regime(options{}) {}
  explicit volatility_regime(options o) : opts_(o), atr_(o.atr_period), pct_(o.lookback) {}
  const char* name() const override { return "volatility_regime"; }

protected:
  void analyse(const candle& c, result& out) override;

private:
  options opts_;
  market::atr atr_;
  market::rolling_percentile pct_;
};

/// Z-score mean reversion: far above the mean is bearish, far below bullish.
class statistical_edge final : public analyzer {
public:
  struct options {
    std::size_t period = 20;
    double full_scale = 3; ///< |z| giving the full score
  };
  statistical_edge() : statistical_edge(options{}) {}
  explicit statistical_edge(options o) : opts_(o), z_(o.period) {}
  const char* name() const override { return "statistical_edge"; }

protected:
  void analyse(const candle& c, result& out) override;

private:
  options opts_;
  market::zscore z_;
};

/// Fast/slow moving-average trend, slope of the slow average, and the swing
/// high/low structure (higher highs and higher lows, or lower ones).
class market_structure final : public analyzer {
public:
  struct options {
    std::size_t fast = 20;
    std::size_t slow = 50;
    std::size_t swing = 3; ///< bars each side of a swing point
  };
  market_structure() : market_structure(options{}) {}
  explicit market_structure(options o) : opts_(o), fast_(o.fast), slow_(o.slow) {}
  const char* name() const override { return "market_structure"; }

protected:
  void analyse(const candle& c, result& out) override;

private:
  options opts_;
  market::ema fast_, slow_;
  market::ring<double> slow_hist_{10};
  struct hl {
    double high = 0, low = 0;
  };
  market::ring<hl> recent_{2 * opts_.swing + 1};
  market::ring<double> swing_highs_{2}, swing_lows_{2};
};

/// Taker buy/sell imbalance, volume z-score and OBV slope; lower confidence
/// when the source has no taker volumes.
class order_flow final : public analyzer {
public:
  struct options {
    std::size_t volume_period = 20;
    std::size_t obv_slope = 10;
  };
  order_flow() : order_flow(options{}) {}
  explicit order_flow(options o) : opts_(o), vol_z_(o.volume_period) {}
  const char* name() const override { return "order_flow"; }

protected:
  void analyse(const candle& c, result& out) override;

private:
  options opts_;
  market::zscore vol_z_;
  market::obv obv_;
  market::ring<double> obv_hist_{opts_.obv_slope};
  market::rolling_stats vol_scale_{50};
};

/// Candlestick patterns (engulfing, hammer, shooting star, doji, morning /
/// evening star, three soldiers / crows), N-bar range breakouts, and double
/// tops / bottoms. The score sums the patterns found on this bar.
class pattern_recognition final : public analyzer {
public:
  struct options {
    std::size_t breakout_bars = 20;
    double double_tolerance = 0.003; ///< two tops within 0.3% are "double"
    std::size_t double_window = 60;
  };
  pattern_recognition() : pattern_recognition(options{}) {}
  explicit pattern_recognition(options o)
    : opts_(o), bars_(o.breakout_bars + 1), highs_(o.double_window), lows_(o.double_window) {}
  const char* name() const override { return "pattern_recognition"; }

protected:
  void analyse(const candle& c, result& out) override;

private:
  options opts_;
  struct ohlc {
    double open = 0, high = 0, low = 0, close = 0;
  };
  market::ring<ohlc> bars_;           ///< the last breakout_bars + 1
  market::ring<double> highs_, lows_; ///< for double tops / bottoms
  /// The last double top / bottom shape found, by bar sequence number; it is
  /// searched again only when the window invalidates it.
  struct shape_cache {
    bool valid = false, has_i2 = false;
    std::uint64_t i1 = 0, i2 = 0;
    double pull = 0;
  };
  shape_cache tops_, bottoms_;
  std::uint64_t seq_ = 0; ///< bars seen
  bool double_fires(shape_cache& k, const market::ring<double>& top,
                    const market::ring<double>& other, double close, bool tops);
  market::rolling_stats body_{20};
};

/// Agreement of the trend (fast vs slow EMA) across higher intervals built
/// from the base series by the resampler.
class multi_timeframe final : public analyzer {
public:
  struct options {
    std::vector<std::int64_t> higher_ms = {5 * 60'000, 15 * 60'000, 60 * 60'000};
    std::size_t fast = 9;
    std::size_t slow = 21;
  };
  multi_timeframe() : multi_timeframe(options{}) {}
  explicit multi_timeframe(options o);
  const char* name() const override { return "multi_timeframe"; }

protected:
  void analyse(const candle& c, result& out) override;

private:
  struct frame;
  options opts_;
  std::vector<std::shared_ptr<frame>> frames_;
  std::vector<std::string> keys_; ///< "trend.5m", ... (payload keys)
};

} // namespace herald::analysis
