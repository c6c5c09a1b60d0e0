#include "analysis/risk.hpp"

#include <algorithm>
#include <cmath>

#include "market/interval.hpp"

namespace herald::analysis {

const char* to_string(risk_state s) {
  switch (s) {
    case risk_state::reducing:
      return "REDUCING";
    case risk_state::halted:
      return "HALTED";
    default:
      return "ACTIVE";
  }
}

risk_manager::risk_manager(risk_options o)
  : opts_(o), cash_(o.initial_equity), peak_(o.initial_equity) {
}

double risk_manager::equity() const {
  double e = cash_;
  for (auto& [sym, b] : books_)
    if (b.pos)
      e += b.pos->qty * b.last;
  return e;
}

double risk_manager::drawdown() const {
  return peak_ > 0 ? std::max(0.0, 1 - equity() / peak_) : 0.0;
}

double risk_manager::open_exposure() const {
  double x = 0;
  for (auto& [sym, b] : books_)
    if (b.pos)
      x += std::abs(b.pos->qty * b.last);
  return x;
}

void risk_manager::record_close(double pnl) {
  ++trades_;
  if (pnl < 0) {
    ++losing_;
    losses_.push_back(now_);
  }
  auto window = opts_.cooldown_window * bar_ms_;
  while (!losses_.empty() && losses_.front() < now_ - window)
    losses_.pop_front();
  if (opts_.cooldown_losses > 0
      && losses_.size() >= static_cast<std::size_t>(opts_.cooldown_losses)) {
    cooldown_until_ = now_ + opts_.cooldown_bars * bar_ms_;
    losses_.clear(); // the cooldown answers these losses
  }
}

void risk_manager::close(book& b) {
  if (!b.pos)
    return;
  auto& p = *b.pos;
  double fee = std::abs(p.qty * b.last) * opts_.fee;
  cash_ += p.qty * b.last - fee;
  double pnl = p.qty * (b.last - p.entry) - fee - std::abs(p.qty * p.entry) * opts_.fee;
  b.pos.reset();
  record_close(pnl);
}

void risk_manager::update_state() {
  double e = equity();
  if (state_ == risk_state::halted) {
    if (now_ - halted_at_ >= opts_.halt_bars * bar_ms_) {
      state_ = risk_state::reducing; // a fresh start, carefully
      peak_ = e;
    }
    return;
  }
  peak_ = std::max(peak_, e);
  double dd = drawdown();
  max_dd_ = std::max(max_dd_, dd);
  if (dd >= opts_.halt_drawdown) {
    state_ = risk_state::halted;
    halted_at_ = now_;
    for (auto& [sym, b] : books_)
      close(b);
    return;
  }
  if (state_ == risk_state::active && dd >= opts_.reduce_drawdown)
    state_ = risk_state::reducing;
  else if (state_ == risk_state::reducing && dd < opts_.reduce_drawdown / 2)
    state_ = risk_state::active;
}

std::optional<insight> risk_manager::on_signal(const signal& s) {
  if (s.interval != interval_) {
    interval_ = s.interval;
    if (auto ms = market::interval_ms(s.interval))
      bar_ms_ = *ms;
  }
  now_ = std::max(now_, s.time);
  if (!last_book_ || last_symbol_ != s.symbol) {
    last_book_ = &books_[s.symbol]; // map nodes never move
    last_symbol_ = s.symbol;
  }
  auto& b = *last_book_;
  ++b.bar;
  if (s.price > 0 && std::isfinite(s.price))
    b.last = s.price;
  if (b.pos && --b.pos->bars_left <= 0)
    close(b);
  update_state();
  if (s.dir == direction::neutral)
    return std::nullopt;
  insight in;
  in.signal_id = s.id();
  in.symbol = s.symbol;
  in.interval = s.interval;
  in.time = s.time;
  in.dir = s.dir;
  in.strength = s.strength;
  in.confidence = s.confidence;
  in.price = b.last;
  auto decide = [&]() -> std::string {
    if (state_ == risk_state::halted)
      return "halted";
    if (now_ < cooldown_until_)
      return "cooldown";
    if (s.confidence < opts_.min_confidence)
      return "low_confidence";
    if (opts_.veto_high_volatility && s.regime == "high")
      return "high_volatility";
    if (b.last <= 0)
      return "no_price";
    double e = equity();
    double size = opts_.position_fraction * e * (state_ == risk_state::reducing ? opts_.reduce_factor : 1);
    double sign = s.dir == direction::long_ ? 1 : -1;
    double current = b.pos ? b.pos->qty * b.last : 0;
    // Same direction adds to the position; the other direction replaces it.
    double after = (current * sign > 0 ? current : 0) + sign * size;
    if (std::abs(after) > opts_.max_symbol_exposure * e + 1e-9)
      return "exposure_symbol";
    double others = open_exposure() - std::abs(current);
    if (others + std::abs(after) > opts_.max_total_exposure * e + 1e-9)
      return "exposure_total";
    if (b.pos && b.pos->qty * sign < 0)
      close(b);
    double add_qty = sign * size / b.last;
    cash_ -= add_qty * b.last + size * opts_.fee;
    if (b.pos) {
      auto& p = *b.pos;
      p.entry = (p.entry * p.qty + b.last * add_qty) / (p.qty + add_qty);
      p.qty += add_qty;
    } else {
      b.pos = position{add_qty, b.last, 0};
    }
    b.pos->bars_left = opts_.hold_bars;
    in.notional = size;
    return "approved";
  };
  in.reason = decide();
  in.approved = in.reason == "approved";
  update_state();
  in.state = state_;
  in.equity = equity();
  in.drawdown = drawdown();
  return in;
}

} // namespace herald::analysis
