#pragma once
// The risk manager: the gate between signals and insights. It follows a
// paper portfolio that takes every approved insight and decides on each
// directional signal, in this order, with the reason of a veto:
//   halted        the portfolio's drawdown reached halt-drawdown (HALTED)
//   cooldown      N losing insights closed within a window of bars
//   low_confidence  the signal's confidence is below min-confidence
//   high_volatility the volatility regime is high (when the veto is on)
//   exposure_symbol / exposure_total  the position would exceed a limit
// States: ACTIVE -> REDUCING at reduce-drawdown (new positions are sized by
// reduce-factor), back to ACTIVE below half of it; any -> HALTED at
// halt-drawdown (positions closed); HALTED -> REDUCING after halt-bars
// candles, with the high-water mark reset to the equity then.
// Positions are held hold-bars candles of their symbol, or until an approved
// signal in the other direction replaces them. Pure code.

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include "analysis/aggregate.hpp"

namespace herald::analysis {

enum class risk_state : std::uint8_t { active, reducing, halted };
const char* to_string(risk_state s);

struct risk_options {
  double initial_equity = 100'000;
  double position_fraction = 0.1;  ///< notional of a new position, share of equity
  double max_symbol_exposure = 0.25; ///< open notional per symbol, share of equity
  double max_total_exposure = 1.0;   ///< open notional in total, share of equity
  double reduce_drawdown = 0.05;
  double halt_drawdown = 0.10;
  double reduce_factor = 0.5;
  std::int64_t halt_bars = 240;
  std::int64_t hold_bars = 60;
  int cooldown_losses = 3;          ///< losing insights ...
  std::int64_t cooldown_window = 120; ///< ... within this many bars
  std::int64_t cooldown_bars = 60;  ///< start a cooldown of this many bars
  double min_confidence = 30;
  bool veto_high_volatility = true;
  double fee = 0.0004;              ///< per side, share of notional
};

/// What the gate made of a directional signal.
struct insight {
  std::string signal_id;
  std::string symbol;
  std::string interval;
  std::int64_t time = 0;
  direction dir = direction::neutral;
  double strength = 0;
  double confidence = 0;
  double price = 0;
  bool approved = false;
  std::string reason;  ///< "approved", or the veto reason
  double notional = 0; ///< of the position opened (approved only)
  risk_state state = risk_state::active;
  double equity = 0;   ///< of the paper portfolio after the decision
  double drawdown = 0; ///< [0, 1]
  std::string id() const { return "insight:" + signal_id; }
};

class risk_manager {
public:
  explicit risk_manager(risk_options o = {});
  risk_manager(const risk_manager&) = delete; // holds a pointer into its own map
  risk_manager& operator=(const risk_manager&) = delete;
  /// Marks the signal's symbol at its price (closing positions that reached
  /// their holding time), then decides: an insight for a long/short signal,
  /// nullopt for a neutral one.
  std::optional<insight> on_signal(const signal& s);

  risk_state state() const { return state_; }
  double equity() const;
  double drawdown() const;
  double max_drawdown() const { return max_dd_; }
  double open_exposure() const; ///< total |notional| at current marks
  /// Closed positions: count and realised PnL.
  std::uint64_t trades() const { return trades_; }
  std::uint64_t losing_trades() const { return losing_; }
  double initial_equity() const { return opts_.initial_equity; }

private:
  struct position {
    double qty = 0; ///< signed units
    double entry = 0;
    std::int64_t bars_left = 0;
  };
  struct book {
    double last = 0;  ///< last price
    std::int64_t bar = 0; ///< candles seen of this symbol
    std::optional<position> pos;
  };
  void close(book& b);
  void update_state();
  void record_close(double pnl);

  risk_options opts_;
  double cash_;
  double peak_;
  double max_dd_ = 0;
  risk_state state_ = risk_state::active;
  // Times are candle times (ms); bar counts are turned into time with the
  // signal's interval, so they mean the same with one symbol or a hundred.
  std::int64_t now_ = 0;
  std::int64_t bar_ms_ = 60'000;
  std::int64_t halted_at_ = 0;
  std::int64_t cooldown_until_ = -1;
  std::deque<std::int64_t> losses_; ///< times of recent losing closes
  std::map<std::string, book> books_;
  std::string interval_;     ///< of the last signal (bar_ms_ is its length)
  std::string last_symbol_;  ///< the last signal's book, found without a lookup
  book* last_book_ = nullptr;
  std::uint64_t trades_ = 0, losing_ = 0;
};

} // namespace herald::analysis
