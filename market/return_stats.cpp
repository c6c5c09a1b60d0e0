#include "market/return_stats.hpp"

#include <cmath>

namespace herald::market {

namespace {

double mean(const std::vector<double>& x) {
  double s = 0;
  for (auto v : x)
    s += v;
  return x.empty() ? 0 : s / static_cast<double>(x.size());
}

double sd(const std::vector<double>& x, double m) {
  if (x.size() < 2)
    return 0;
  double s = 0;
  for (auto v : x)
    s += (v - m) * (v - m);
  return std::sqrt(s / static_cast<double>(x.size() - 1));
}

} // namespace

return_stats hourly_return_stats(const std::vector<candle>& hourly) {
  return_stats out;
  std::vector<double> r, vol, absr, daily;
  for (std::size_t i = 1; i < hourly.size(); ++i) {
    if (hourly[i - 1].close <= 0 || hourly[i].close <= 0)
      continue;
    auto x = std::log(hourly[i].close / hourly[i - 1].close);
    r.push_back(x);
    absr.push_back(std::fabs(x));
    vol.push_back(hourly[i].volume);
  }
  out.hours = r.size();
  for (std::size_t d = 0; d + 24 <= r.size(); d += 24) {
    double s = 0;
    for (std::size_t h = d; h < d + 24; ++h)
      s += r[h];
    daily.push_back(s);
  }
  out.days = daily.size();
  out.daily_mean = mean(daily);
  out.daily_sd = sd(daily, out.daily_mean);
  auto m = mean(r);
  double m2 = 0, m4 = 0;
  for (auto v : r) {
    auto d = v - m;
    m2 += d * d;
    m4 += d * d * d * d;
  }
  if (!r.empty() && m2 > 0) {
    m2 /= static_cast<double>(r.size());
    m4 /= static_cast<double>(r.size());
    out.hourly_kurtosis = m4 / (m2 * m2) - 3;
  }
  auto mv = mean(vol), ma = mean(absr);
  double cov = 0, sv = 0, sa = 0;
  for (std::size_t i = 0; i < vol.size(); ++i) {
    cov += (vol[i] - mv) * (absr[i] - ma);
    sv += (vol[i] - mv) * (vol[i] - mv);
    sa += (absr[i] - ma) * (absr[i] - ma);
  }
  out.volume_abs_corr = sv > 0 && sa > 0 ? cov / std::sqrt(sv * sa) : 0;
  return out;
}

} // namespace herald::market
