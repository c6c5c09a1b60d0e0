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
  /// Double top (or bottom) search over the window in O(1) amortised per
  /// bar: `best` is the window's extreme (first of equals) as a monotonic
  /// deque of bar sequence numbers; `prefix` the same over the bars before
  /// the extreme's 5-bar zone. Both windows only move forward, so the second
  /// extreme (outside the zone) is the better of prefix.front() and the first
  /// entry of `best` past the zone.
  class seq_deque {
  public:
    /// Holds up to `cap` + 1 entries (a power of two, so indexing is a mask).
    explicit seq_deque(std::size_t cap) {
      std::size_t n = 2;
      while (n < cap + 2)
        n *= 2;
      buf_.resize(n);
      mask_ = n - 1;
    }
    bool empty() const { return size_ == 0; }
    std::size_t size() const { return size_; }
    std::uint64_t operator[](std::size_t i) const { return buf_[(head_ + i) & mask_]; }
    std::uint64_t front() const { return (*this)[0]; }
    std::uint64_t back() const { return (*this)[size_ - 1]; }
    void push_back(std::uint64_t x) {
      buf_[(head_ + size_) & mask_] = x;
      ++size_;
    }
    void pop_back() { --size_; }
    void pop_front() {
      head_ = (head_ + 1) & mask_;
      --size_;
    }

  private:
    std::vector<std::uint64_t> buf_;
    std::size_t mask_ = 1;
    std::size_t head_ = 0, size_ = 0;
  };
  struct shape_search {
    explicit shape_search(std::size_t window) : best(window), prefix(window) {}
    seq_deque best, prefix;
    std::uint64_t prefix_end = 0; ///< bars before this are in `prefix`
    std::uint64_t pull_i1 = UINT64_MAX, pull_i2 = UINT64_MAX; ///< key of `pull`
    double pull = 0;
  };
  shape_search tops_{opts_.double_window}, bottoms_{opts_.double_window};
  std::uint64_t seq_ = 0; ///< bars seen
  bool double_fires(shape_search& k, const market::ring<double>& top,
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
  // A higher bar closes when the first base candle of the next one arrives
  // (as the resampler emits it); only its close matters here, so a frame
  // keeps its bucket and last close instead of building candles.
  struct frame {
    frame(std::int64_t to, std::size_t fast, std::size_t slow)
      : ms(to), fast_ema(fast), slow_ema(slow) {}
    std::int64_t ms;
    std::int64_t bucket = INT64_MIN;
    double last_close = 0;
    market::ema fast_ema, slow_ema;
    std::optional<double> trend; ///< (fast - slow) / slow of the last closed bar
  };
  options opts_;
  std::vector<frame> frames_;
  std::vector<std::string> keys_; ///< "trend.5m", ... (payload keys)
};

} // namespace herald::analysis
