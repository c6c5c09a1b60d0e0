#include "market/simulator.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "market/interval.hpp"

namespace herald::market {

const char* to_string(regime r) {
  switch (r) {
    case regime::trend_up: return "trend up";
    case regime::trend_down: return "trend down";
    case regime::range: return "range";
  }
  return "?";
}

sim_symbol default_symbol(const std::string& symbol, std::int64_t interval_ms) {
  struct known {
    const char* prefix;
    double price;
    double vol_per_minute;
    double volume_per_minute;
  };
  static const known table[] = {{"BTC", 42000, 0.00066, 40},  {"ETH", 2300, 0.00087, 400},
                                {"SOL", 100, 0.00113, 5000},  {"BNB", 300, 0.0008, 800},
                                {"XRP", 0.6, 0.0011, 300000}, {"ADA", 0.5, 0.0011, 200000}};
  sim_symbol s;
  s.symbol = symbol;
  s.start_price = 10;
  double vol = 0.0012, volume = 1000;
  for (auto& k : table)
    if (symbol.rfind(k.prefix, 0) == 0) {
      s.start_price = k.price;
      vol = k.vol_per_minute;
      volume = k.volume_per_minute;
    }
  double minutes = static_cast<double>(interval_ms) / 60'000.0;
  s.volatility = vol * std::sqrt(minutes);
  s.base_volume = volume * minutes;
  return s;
}

simulator::simulator(sim_options opts) : opts_(std::move(opts)), rng_(opts_.seed) {
  auto ms = interval_ms(opts_.interval);
  if (!ms)
    throw std::invalid_argument("simulator: unknown interval '" + opts_.interval + "'");
  interval_ms_ = *ms;
  t_ = bar_start(opts_.start_time, interval_ms_);
  for (auto& s : opts_.symbols)
    states_.push_back({s.start_price, s.volatility * s.volatility, 0, s.start_price});
}

double simulator::student_t() {
  // t(4) = N / sqrt(chi2(4) / 4); its variance is 4 / (4 - 2) = 2.
  double t = normal_(rng_) / std::sqrt(chi2_(rng_) / 4.0);
  return t / std::sqrt(2.0);
}

std::vector<candle> simulator::next() {
  news_.clear();
  // Regime switches (one market-wide regime, as in real crypto markets).
  if (uniform_(rng_) < opts_.regime_switch) {
    auto pick = static_cast<int>(uniform_(rng_) * 3);
    regime_ = static_cast<regime>(std::clamp(pick, 0, 2));
    for (auto& s : states_)
      s.anchor = s.price;
  }
  double factor = student_t();
  std::vector<candle> out;
  out.reserve(states_.size());
  for (std::size_t i = 0; i < states_.size(); ++i) {
    auto& spec = opts_.symbols[i];
    auto& st = states_[i];
    double lr_var = spec.volatility * spec.volatility;
    double omega = lr_var * (1.0 - opts_.garch_alpha - opts_.garch_beta);
    st.variance = omega + opts_.garch_alpha * st.last_return * st.last_return
                  + opts_.garch_beta * st.variance;
    double sigma = std::sqrt(st.variance);
    double z = std::sqrt(opts_.correlation) * factor
               + std::sqrt(1.0 - opts_.correlation) * student_t();
    double mu = 0;
    if (regime_ == regime::trend_up)
      mu = opts_.trend_drift * sigma;
    else if (regime_ == regime::trend_down)
      mu = -opts_.trend_drift * sigma;
    else
      mu = opts_.range_pull * std::log(st.anchor / st.price);
    double r = mu + sigma * z;
    st.last_return = r;

    candle c;
    c.symbol = spec.symbol;
    c.interval = opts_.interval;
    c.open_time = t_;
    c.close_time = t_ + interval_ms_ - 1;
    c.open = st.price;
    c.close = st.price * std::exp(r);
    double wick_up = std::abs(normal_(rng_)) * sigma * 0.6;
    double wick_down = std::abs(normal_(rng_)) * sigma * 0.6;
    c.high = std::max(c.open, c.close) * std::exp(wick_up);
    c.low = std::min(c.open, c.close) * std::exp(-wick_down);
    // Round to cents (or finer for small prices) as an exchange tick would.
    double tick = c.open >= 1000 ? 0.01 : c.open >= 1 ? 0.0001 : 1e-8;
    auto round_tick = [tick](double x) { return std::round(x / tick) * tick; };
    c.open = round_tick(c.open);
    c.close = round_tick(c.close);
    c.high = std::max({round_tick(c.high), c.open, c.close});
    c.low = std::min({round_tick(c.low), c.open, c.close});
    st.price = c.close;
    // Volume follows the size of the move and the volatility regime (busy
    // markets trade more), as on real exchanges (corr(volume, |r|) ~0.6 a
    // hour on Binance BTC/ETH).
    double activity = (sigma / spec.volatility) * (0.4 + 1.2 * std::abs(r) / std::max(sigma, 1e-12));
    c.volume = std::round(spec.base_volume * activity * std::exp(0.3 * normal_(rng_) - 0.045)
                          * 1e6)
               / 1e6;
    c.has_extras = true;
    double vwap = (c.open + c.high + c.low + c.close) / 4;
    c.quote_volume = std::round(c.volume * vwap * 100) / 100;
    c.trades = static_cast<std::int64_t>(std::max(1.0, c.volume * 12 * (0.8 + 0.4 * uniform_(rng_))));
    double buy_share = std::clamp(0.5 + 0.3 * std::tanh(r / std::max(sigma, 1e-12)), 0.05, 0.95);
    c.taker_buy_base = std::round(c.volume * buy_share * 1e6) / 1e6;
    c.taker_buy_quote = std::round(c.taker_buy_base * vwap * 100) / 100;
    out.push_back(std::move(c));

    if (uniform_(rng_) < opts_.news_rate) {
      static const char* up[] = {"{} rallies as buyers return", "Funds pile into {} after breakout",
                                 "{} surges to a weekly high on strong demand"};
      static const char* down[] = {"{} slides as sellers take control",
                                   "Liquidations hit {} longs after sharp drop",
                                   "{} falls on regulatory fears"};
      static const char* flat[] = {"{} trades sideways ahead of data",
                                   "Traders wait for direction in {}",
                                   "{} holds its range as volume thins"};
      const char* const* set = regime_ == regime::trend_up     ? up
                               : regime_ == regime::trend_down ? down
                                                               : flat;
      std::string title = set[news_counter_++ % 3];
      title.replace(title.find("{}"), 2, spec.symbol);
      double tone = regime_ == regime::trend_up ? 0.6 : regime_ == regime::trend_down ? -0.6 : 0.0;
      news_.push_back({spec.symbol, title, std::clamp(tone + 0.2 * normal_(rng_), -1.0, 1.0),
                       t_ + interval_ms_ - 1});
    }
  }
  t_ += interval_ms_;
  return out;
}

} // namespace herald::market
