#pragma once
// The analyzer contract: one instance per series, fed closed candles in time
// order, each answer a score in [-1, 1] (bearish .. bullish), a confidence in
// [0, 100], a payload explaining the result (the values it used), and meta
// (name, duration, candle time). Pure code: analyzers know nothing of actors.
//
// The payload is kept as facts (key -> number, one text, one list of names)
// and rendered to JSON only when someone asks (payload_json()): a backtest
// over millions of candles never pays for JSON it does not store.

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "messages/market.hpp"

namespace herald::analysis {

struct result {
  double score = 0;       ///< [-1, 1]
  double confidence = 0;  ///< [0, 100]; 0 while warming up
  const char* agent = ""; ///< analyzer name (static storage)
  std::int64_t duration_ns = 0;
  std::int64_t candle_time = 0;

  // -- the explanation --------------------------------------------------------
  static constexpr std::size_t max_facts = 8;
  /// Numbers the analyzer used; NaN renders as null. A key "a.b" renders as
  /// {"a": {"b": ...}}. Keys point to storage that outlives the result's use
  /// (string literals, or strings owned by the analyzer).
  std::array<std::pair<const char*, double>, max_facts> facts{};
  std::uint8_t n_facts = 0;
  const char* text_key = nullptr; ///< one string fact, e.g. "regime": "high"
  const char* text = nullptr;
  const char* list_key = nullptr; ///< a list of names picked by bits
  const char* const* list_names = nullptr;
  std::uint32_t list_bits = 0;

  /// Clears the answer for reuse (cheaper than assigning result{}).
  void reset();
  void fact(const char* key, double value) {
    if (n_facts < max_facts)
      facts[n_facts++] = {key, value};
  }
  void fact(const char* key, std::optional<double> value) {
    fact(key, value ? *value : std::numeric_limits<double>::quiet_NaN());
  }
  void label(const char* key, const char* value) {
    text_key = key;
    text = value;
  }
  /// Renders the explanation as a JSON object.
  std::string payload_json() const;
  /// Value of a fact by key (NaN when absent or null).
  double get(const char* key) const;
};

class analyzer {
public:
  virtual ~analyzer() = default;
  virtual const char* name() const = 0;
  /// Analyses the next closed candle of the series (timed on its own).
  result on_candle(const candle& c);
  /// Analyses `n` consecutive candles into `out[0..n)`, timing the batch once:
  /// each result's duration is the batch's mean. What a backtest uses.
  void on_candles(const candle* cs, std::size_t n, result* out);

protected:
  /// Fills score, confidence and the facts.
  virtual void analyse(const candle& c, result& out) = 0;

private:
  static void finish(const candle& c, const char* agent, result& r);
};

/// The saturating map of the analyzers' scores: tanh as a [7/6] Padé
/// approximant, clamped to +-1 beyond |x| = 4.97 (within 1e-4 of std::tanh
/// everywhere). Cheaper than libm's tanh (no exp call), and the same bits on
/// every platform, which keeps signals reproducible across machines.
inline double squash(double x) {
  if (x > 4.97)
    return 1.0;
  if (x < -4.97)
    return -1.0;
  double x2 = x * x;
  return x * (135135 + x2 * (17325 + x2 * (378 + x2)))
         / (135135 + x2 * (62370 + x2 * (3150 + 28 * x2)));
}

/// Clamps to [lo, hi] and maps NaN and infinities to 0 (or the bound nearest
/// to it): no analyzer ever answers NaN.
inline double safe(double x, double lo, double hi) {
  if (!(x - x == 0)) // NaN or infinite
    return 0.0 < lo ? lo : (0.0 > hi ? hi : 0.0);
  return x < lo ? lo : (x > hi ? hi : x);
}

} // namespace herald::analysis
