// Aggregation of analyzer results into signals, and the risk manager's
// states, vetoes and paper portfolio.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "analysis/aggregate.hpp"
#include "analysis/backtest_report.hpp"
#include "analysis/risk.hpp"

using namespace herald::analysis;

namespace {

contribution part(const char* name, double score, double conf, bool present = true) {
  contribution c;
  c.analyzer = static_cast<std::uint8_t>(*kind_from_name(name));
  c.score = score;
  c.confidence = conf;
  c.present = present;
  return c;
}

signal sig(direction d, double price, std::int64_t minute, double conf = 80,
           const char* regime = "normal", const char* symbol = "BTCUSDT") {
  signal s;
  s.symbol = symbol;
  s.interval = "1m";
  s.time = minute * 60'000;
  s.price = price;
  s.dir = d;
  s.score = d == direction::long_ ? 0.5 : d == direction::short_ ? -0.5 : 0;
  s.strength = 0.5;
  s.confidence = conf;
  s.regime = regime;
  return s;
}

} // namespace

TEST_CASE("aggregation: confidence-weighted, weights from config, absent analyzers lower "
          "confidence", "[analysis][aggregate]") {
  aggregate_options o;
  o.weights[static_cast<std::size_t>(kind::momentum)] = 2.0;
  auto s = aggregate(o, "BTCUSDT", "1m", 0, 100,
                     {part("momentum", 1.0, 100), part("order_flow", -1.0, 50)}, "normal");
  // (2*1*1 + 1*0.5*-1) / (2*1 + 1*0.5) = 1.5 / 2.5
  CHECK(s.score == Approx(0.6));
  CHECK(s.dir == direction::long_);
  CHECK(s.confidence == Approx((2 * 100 + 50) / 3.0));
  auto partial = aggregate(o, "BTCUSDT", "1m", 0, 100,
                           {part("momentum", 1.0, 100), part("order_flow", -1.0, 50, false)},
                           "normal");
  CHECK(partial.score == 1.0);
  CHECK(partial.missing == 1);
  CHECK(partial.confidence == Approx(200 / 3.0)); // the absent weight still counts
  auto high = aggregate(o, "BTCUSDT", "1m", 0, 100, {part("momentum", 1.0, 100)}, "high");
  CHECK(high.confidence == Approx(75));
  auto none = aggregate(o, "BTCUSDT", "1m", 0, 100, {part("momentum", 0.9, 0)}, "");
  CHECK(none.dir == direction::neutral);
  CHECK(none.score == 0);
  CHECK(none.regime == "unknown");
  auto weak = aggregate(o, "BTCUSDT", "1m", 0, 100, {part("momentum", -0.1, 90)}, "normal");
  CHECK(weak.dir == direction::neutral);
  CHECK(weak.id() == "BTCUSDT:1m:0");
}

TEST_CASE("risk manager: approves within limits and vetoes with a reason", "[analysis][risk]") {
  risk_options o;
  o.position_fraction = 0.1;
  o.max_symbol_exposure = 0.25;
  o.max_total_exposure = 0.35;
  o.hold_bars = 1000;
  risk_manager r{o};
  CHECK_FALSE(r.on_signal(sig(direction::neutral, 100, 0)));
  auto a = r.on_signal(sig(direction::long_, 100, 1));
  REQUIRE(a);
  CHECK(a->approved);
  CHECK(a->reason == "approved");
  CHECK(a->notional == Approx(10'000).epsilon(1e-3));
  CHECK(r.on_signal(sig(direction::long_, 100, 2))->approved);        // 20% of equity
  CHECK(r.on_signal(sig(direction::long_, 100, 3))->reason == "exposure_symbol"); // 30% > 25%
  CHECK(r.on_signal(sig(direction::long_, 100, 4, 10))->reason == "low_confidence");
  CHECK(r.on_signal(sig(direction::long_, 100, 5, 80, "high"))->reason == "high_volatility");
  CHECK(r.on_signal(sig(direction::long_, 50, 6, 80, "normal", "ETHUSDT"))->approved);
  // 20% + 10% + 10% > 35%
  CHECK(r.on_signal(sig(direction::long_, 20, 7, 80, "normal", "SOLUSDT"))->reason
        == "exposure_total");
  // the other direction replaces the BTC position
  auto flip = r.on_signal(sig(direction::short_, 100, 8));
  CHECK(flip->approved);
  CHECK(r.trades() == 1);
  o.veto_high_volatility = false;
  risk_manager lax{o};
  CHECK(lax.on_signal(sig(direction::long_, 100, 1, 80, "high"))->approved);
}

TEST_CASE("risk manager halts on drawdown and resumes per its rules", "[analysis][risk]") {
  risk_options o;
  o.position_fraction = 0.25;
  o.max_symbol_exposure = 1;
  o.reduce_drawdown = 0.02;
  o.halt_drawdown = 0.04;
  o.halt_bars = 30;
  o.hold_bars = 1000;
  o.cooldown_losses = 0;
  o.fee = 0;
  risk_manager r{o};
  REQUIRE(r.on_signal(sig(direction::long_, 100, 0))->approved); // 25k long
  CHECK(r.state() == risk_state::active);
  // -10%: equity -2.5% -> REDUCING
  r.on_signal(sig(direction::neutral, 90, 1));
  CHECK(r.state() == risk_state::reducing);
  auto reduced = r.on_signal(sig(direction::long_, 90, 2));
  CHECK(reduced->approved);
  CHECK(reduced->notional == Approx(0.25 * r.equity() * 0.5).epsilon(1e-3));
  // another -10%: over 4% -> HALTED, positions closed
  r.on_signal(sig(direction::neutral, 81, 3));
  CHECK(r.state() == risk_state::halted);
  CHECK(r.open_exposure() == 0);
  CHECK(r.max_drawdown() >= 0.04);
  auto vetoed = r.on_signal(sig(direction::long_, 81, 4));
  CHECK_FALSE(vetoed->approved);
  CHECK(vetoed->reason == "halted");
  CHECK(vetoed->state == risk_state::halted);
  // still halted until halt-bars have passed, then REDUCING with a new high-water mark
  r.on_signal(sig(direction::neutral, 81, 30));
  CHECK(r.state() == risk_state::halted);
  r.on_signal(sig(direction::neutral, 81, 33));
  CHECK(r.state() == risk_state::reducing);
  CHECK(r.drawdown() == 0);
  CHECK(r.on_signal(sig(direction::long_, 81, 34))->approved);
  // recovery below half the reduce threshold -> ACTIVE
  r.on_signal(sig(direction::neutral, 90, 35));
  CHECK(r.state() == risk_state::active);
}

TEST_CASE("risk manager: a cooldown after N losing insights in a window", "[analysis][risk]") {
  risk_options o;
  o.hold_bars = 2;
  o.cooldown_losses = 2;
  o.cooldown_window = 100;
  o.cooldown_bars = 10;
  o.halt_drawdown = 0.9;
  o.reduce_drawdown = 0.8;
  risk_manager r{o};
  double p = 100;
  int minute = 0;
  auto losing_trade = [&] {
    REQUIRE(r.on_signal(sig(direction::long_, p, minute++))->approved);
    p -= 1;
    r.on_signal(sig(direction::neutral, p, minute++));
    r.on_signal(sig(direction::neutral, p, minute++)); // held 2 bars: closed at a loss
  };
  losing_trade();
  CHECK(r.losing_trades() == 1);
  losing_trade();
  CHECK(r.losing_trades() == 2);
  auto v = r.on_signal(sig(direction::long_, p, minute));
  CHECK(v->reason == "cooldown");
  CHECK(r.on_signal(sig(direction::long_, p, minute + 8))->reason == "cooldown");
  CHECK(r.on_signal(sig(direction::long_, p, minute + 11))->approved);
}

TEST_CASE("backtest statistics: Wilson intervals and forward returns at the horizon",
          "[analysis][backtest]") {
  proportion half{50, 100};
  CHECK(half.lower() == Approx(0.4038).margin(1e-4));
  CHECK(half.upper() == Approx(0.5962).margin(1e-4));
  CHECK(half.chance_like());
  proportion good{70, 100};
  CHECK(good.lower() > 0.5);
  CHECK_FALSE(good.chance_like());
  // one long insight at 100, the price is 110 two bars later: a hit
  backtest_report r{2};
  auto s0 = sig(direction::long_, 100, 0);
  insight in;
  in.approved = true;
  in.dir = direction::long_;
  r.add(s0, in);
  r.add(sig(direction::neutral, 105, 1), std::nullopt);
  r.add(sig(direction::neutral, 110, 2), std::nullopt);
  CHECK(r.hit_rate().n == 1);
  CHECK(r.hit_rate().hits == 1);
  CHECK(r.long_return().mean() == Approx(0.10));
  CHECK(r.buy_and_hold() == Approx(0.10));
  CHECK(r.approved() == 1);
  CHECK(r.signals_by_direction().at("neutral") == 2);
}
