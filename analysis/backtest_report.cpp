#include "analysis/backtest_report.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace herald::analysis {

namespace {

constexpr double z95 = 1.959963984540054;

} // namespace

namespace {

/// The Wilson score interval's bound (sign -1: lower, +1: upper).
double wilson(const proportion& p, double sign) {
  double r = p.rate(), nn = static_cast<double>(p.n), z2 = z95 * z95;
  double centre = (r + z2 / (2 * nn)) / (1 + z2 / nn);
  double half = z95 * std::sqrt(r * (1 - r) / nn + z2 / (4 * nn * nn)) / (1 + z2 / nn);
  return std::clamp(centre + sign * half, 0.0, 1.0);
}

} // namespace

double proportion::lower() const {
  return n == 0 ? 0 : wilson(*this, -1);
}

double proportion::upper() const {
  return n == 0 ? 1 : wilson(*this, +1);
}

double mean_stat::stderr_() const {
  if (n < 2)
    return 0;
  double nn = static_cast<double>(n), m = mean();
  double var = std::max(0.0, (sum_sq - nn * m * m) / (nn - 1));
  return std::sqrt(var / nn);
}

void backtest_report::add(const signal& s, const std::optional<insight>& in, bool alert) {
  ++candles_;
  ++by_dir_[to_string(s.dir)];
  if (in) {
    if (in->approved)
      ++approved_;
    else
      ++vetoed_[in->reason];
  }
  auto& ser = series_[s.symbol + " " + s.interval];
  if (ser.first == 0)
    ser.first = s.price;
  if (s.price > 0)
    ser.last = s.price;
  pending p{};
  p.price = s.price;
  p.sig = s.dir;
  if (in && in->approved) {
    p.approved = in->dir;
    p.alert = alert;
    if (alert)
      p.id = s.id();
  }
  for (auto& c : s.contributions)
    if (c.analyzer < kind_count && c.present && c.confidence > 0 && std::abs(c.score) >= 0.1) {
      p.score[c.analyzer] = c.score;
      p.voted[c.analyzer] = true;
    }
  ser.open.push_back(p);
  if (static_cast<std::int64_t>(ser.open.size()) <= horizon_)
    return;
  // The signal `horizon` bars ago is resolved by this candle's close.
  auto old = ser.open.front();
  ser.open.pop_front();
  if (old.price <= 0 || s.price <= 0)
    return;
  double r = s.price / old.price - 1;
  market_ret_.add(r);
  if (old.approved) {
    double sign = *old.approved == direction::long_ ? 1 : -1;
    ++hit_.n;
    hit_.hits += sign * r > 0;
    (*old.approved == direction::long_ ? long_ret_ : short_ret_).add(r);
    if (old.alert) {
      ++alert_hit_.n;
      alert_hit_.hits += sign * r > 0;
      alert_ret_.add(sign * r);
      alert_market_.add(r);
      alert_list_.push_back({old.id, sign > 0 ? 1 : -1, r, sign * r > 0});
    }
  }
  for (std::size_t k = 0; k < kind_count; ++k)
    if (old.voted[k]) {
      ++analyzer_hits_[k].n;
      analyzer_hits_[k].hits += old.score[k] * r > 0;
    }
}

void backtest_report::set_portfolio(double initial, double final_equity, double max_drawdown,
                                    std::uint64_t trades) {
  initial_ = initial;
  final_ = final_equity;
  max_dd_ = max_drawdown;
  trades_ = trades;
}

double backtest_report::buy_and_hold() const {
  double sum = 0;
  int n = 0;
  for (auto& [key, s] : series_)
    if (s.first > 0 && s.last > 0) {
      sum += s.last / s.first - 1;
      ++n;
    }
  return n ? sum / n : 0;
}

namespace {

std::string verdict(const proportion& p) {
  if (p.n == 0)
    return "no resolved insights";
  return p.chance_like()
           ? "NOT distinguishable from chance (the 95% interval contains 50%)"
           : (p.lower() > 0.5 ? "better than chance at 95%" : "worse than chance at 95%");
}

nlohmann::json prop_json(const proportion& p) {
  return {{"hits", p.hits},           {"n", p.n},
          {"rate", p.rate()},         {"ci95", {p.lower(), p.upper()}},
          {"chance_like", p.chance_like()}};
}

nlohmann::json mean_json(const mean_stat& m) {
  return {{"n", m.n}, {"mean", m.mean()}, {"stderr", m.stderr_()}};
}

} // namespace

std::string backtest_report::text() const {
  std::ostringstream o;
  auto pct = [](double x) { return fmt::format("{:+.3f}%", 100 * x); };
  o << fmt::format("candles            {}\n", candles_);
  o << "signals            ";
  for (auto d : {"long", "short", "neutral"}) {
    auto it = by_dir_.find(d);
    o << fmt::format("{} {}  ", d, it == by_dir_.end() ? 0 : it->second);
  }
  o << "\n";
  std::uint64_t vetoes = 0;
  for (auto& [r, n] : vetoed_)
    vetoes += n;
  o << fmt::format("insights           approved {}  vetoed {}", approved_, vetoes);
  for (auto& [r, n] : vetoed_)
    o << fmt::format("  {} {}", r, n);
  o << "\n";
  o << fmt::format("hit rate @{}       {:.2f}% of {} approved insights, 95% CI [{:.2f}%, {:.2f}%]: {}\n",
                   horizon_, 100 * hit_.rate(), hit_.n, 100 * hit_.lower(), 100 * hit_.upper(),
                   verdict(hit_));
  o << fmt::format("forward return @{}  long {} (n {}, se {:.3f}%)  short {} (n {}, se {:.3f}%)  "
                   "all candles {} (n {})\n",
                   horizon_, pct(long_ret_.mean()), long_ret_.n, 100 * long_ret_.stderr_(),
                   pct(short_ret_.mean()), short_ret_.n, 100 * short_ret_.stderr_(),
                   pct(market_ret_.mean()), market_ret_.n);
  if (alerts_tracked_)
    o << fmt::format("published alerts   {:.2f}% of {} hit @{}, 95% CI [{:.2f}%, {:.2f}%]: {}; mean "
                     "call return {} against buy and hold {} over the same windows\n",
                     100 * alert_hit_.rate(), alert_hit_.n, horizon_, 100 * alert_hit_.lower(),
                     100 * alert_hit_.upper(), verdict(alert_hit_), pct(alert_ret_.mean()),
                     pct(alert_market_.mean()));
  o << fmt::format("buy and hold       {}\n", pct(buy_and_hold()));
  o << fmt::format("paper portfolio    {} (max drawdown {:.2f}%, {} closed trades)\n",
                   pct(portfolio_return()), 100 * max_dd_, trades_);
  o << "per analyzer       hit rate of its direction at the horizon (|score| >= 0.1)\n";
  for (std::size_t k = 0; k < kind_count; ++k) {
    auto& p = analyzer_hits_[k];
    if (k == static_cast<std::size_t>(kind::volatility_regime))
      continue; // gives no direction
    o << fmt::format("  {:<20} {:6.2f}% of {:>8}  CI [{:.2f}%, {:.2f}%]{}\n",
                     kind_name(kind_at(k)), 100 * p.rate(), p.n, 100 * p.lower(),
                     100 * p.upper(), p.n == 0 ? "  (no votes)" : p.chance_like() ? "  ~ chance" : "");
  }
  return o.str();
}

nlohmann::json backtest_report::alert_list_json() const {
  auto out = nlohmann::json::array();
  for (auto& a : alert_list_)
    out.push_back({{"signal", a.signal_id},
                   {"direction", a.dir > 0 ? "long" : "short"},
                   {"return", a.ret},
                   {"hit", a.hit}});
  return out;
}

std::string backtest_report::json() const {
  nlohmann::json per = nlohmann::json::object();
  for (std::size_t k = 0; k < kind_count; ++k)
    if (k != static_cast<std::size_t>(kind::volatility_regime))
      per[kind_name(kind_at(k))] = prop_json(analyzer_hits_[k]);
  nlohmann::json j = {
    {"candles", candles_},
    {"horizon", horizon_},
    {"signals", by_dir_},
    {"insights", {{"approved", approved_}, {"vetoed", vetoed_}}},
    {"hit_rate", prop_json(hit_)},
    {"alerts", alerts_tracked_ ? nlohmann::json{{"hit_rate", prop_json(alert_hit_)},
                                                {"call_return", mean_json(alert_ret_)},
                                                {"buy_and_hold", mean_json(alert_market_)},
                                                {"list", alert_list_json()}}
                               : nlohmann::json()},
    {"forward_return",
     {{"long", mean_json(long_ret_)}, {"short", mean_json(short_ret_)}, {"all", mean_json(market_ret_)}}},
    {"buy_and_hold", buy_and_hold()},
    {"portfolio", {{"return", portfolio_return()}, {"max_drawdown", max_dd_}, {"trades", trades_}}},
    {"analyzers", per},
  };
  return j.dump(2);
}

} // namespace herald::analysis
