#include "learning/bandit.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace herald::learning {

namespace {

double beta_draw(std::mt19937_64& g, double a, double b) {
  std::gamma_distribution<double> x(a, 1.0), y(b, 1.0);
  double u = x(g), v = y(g);
  return u + v > 0 ? u / (u + v) : 0.5;
}

std::uint64_t fnv1a(const std::string& s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

// Continued fraction of the incomplete beta function (modified Lentz).
double beta_cf(double x, double a, double b) {
  constexpr double tiny = 1e-300, eps = 1e-14;
  double qab = a + b, qap = a + 1, qam = a - 1;
  double c = 1, d = 1 - qab * x / qap;
  if (std::fabs(d) < tiny)
    d = tiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= 1000; ++m) {
    int m2 = 2 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < tiny)
      d = tiny;
    c = 1 + aa / c;
    if (std::fabs(c) < tiny)
      c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < tiny)
      d = tiny;
    c = 1 + aa / c;
    if (std::fabs(c) < tiny)
      c = tiny;
    d = 1 / d;
    double del = d * c;
    h *= del;
    if (std::fabs(del - 1) < eps)
      break;
  }
  return h;
}

// Regularised lower incomplete gamma P(s, x).
double gamma_p(double s, double x) {
  if (x <= 0)
    return 0;
  double lg = std::lgamma(s);
  if (x < s + 1) {
    double sum = 1 / s, term = sum;
    for (int n = 1; n < 10000; ++n) {
      term *= x / (s + n);
      sum += term;
      if (std::fabs(term) < std::fabs(sum) * 1e-15)
        break;
    }
    return sum * std::exp(-x + s * std::log(x) - lg);
  }
  constexpr double tiny = 1e-300;
  double b = x + 1 - s, c = 1 / tiny, d = 1 / b, h = d;
  for (int i = 1; i < 10000; ++i) {
    double an = -i * (i - s);
    b += 2;
    d = an * d + b;
    if (std::fabs(d) < tiny)
      d = tiny;
    c = b + an / c;
    if (std::fabs(c) < tiny)
      c = tiny;
    d = 1 / d;
    double del = d * c;
    h *= del;
    if (std::fabs(del - 1) < 1e-15)
      break;
  }
  return 1 - std::exp(-x + s * std::log(x) - lg) * h;
}

} // namespace

std::vector<double> thompson_weights(const std::vector<arm_counts>& arms,
                                     const bandit_options& o, std::uint64_t seed) {
  auto k = arms.size();
  std::vector<double> w(k, 0.0);
  if (k == 0)
    return w;
  if (k == 1)
    return {1.0};
  std::mt19937_64 g(seed);
  std::vector<double> a(k), b(k), mean(k);
  for (std::size_t i = 0; i < k; ++i) {
    a[i] = 1.0 + static_cast<double>(arms[i].successes);
    b[i] = 1.0 + static_cast<double>(arms[i].exposures - arms[i].successes);
    mean[i] = a[i] / (a[i] + b[i]);
  }
  auto m = o.sharpen > 0 ? o.sharpen : 1.0;
  std::vector<int> wins(k, 0);
  auto draws = std::max(o.draws, 1);
  for (int n = 0; n < draws; ++n) {
    std::size_t best = 0;
    double top = -1;
    int ties = 0;
    for (std::size_t i = 0; i < k; ++i) {
      double x = beta_draw(g, m * a[i], m * b[i]);
      if (o.optimistic)
        x = std::max(x, mean[i]); // arms at their mean tie: broken at random below
      if (x > top) {
        top = x;
        best = i;
        ties = 1;
      } else if (x == top && std::uniform_int_distribution<int>(0, ties++)(g) == 0) {
        best = i;
      }
    }
    ++wins[best];
  }
  std::int64_t assigned = 0;
  for (auto& c : arms)
    assigned += c.assigned;
  double total = 0;
  for (std::size_t i = 0; i < k; ++i) {
    w[i] = static_cast<double>(wins[i]) / draws;
    bool starved = assigned >= o.floor_after
                   && static_cast<double>(arms[i].assigned) < o.min_share * assigned;
    if (starved)
      w[i] = std::max(w[i], o.min_share);
    total += w[i];
  }
  for (auto& x : w)
    x /= total;
  return w;
}

std::vector<double> fixed_weights(std::size_t arms, const std::vector<double>& split) {
  std::vector<double> w(arms, 0.0);
  double total = 0;
  for (std::size_t i = 0; i < arms && i < split.size(); ++i)
    total += std::max(split[i], 0.0);
  for (std::size_t i = 0; i < arms; ++i)
    w[i] = total > 0 ? (i < split.size() ? std::max(split[i], 0.0) / total : 0.0)
                     : 1.0 / static_cast<double>(arms);
  return w;
}

std::size_t pick(const std::vector<double>& weights, double u) {
  double c = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    c += weights[i];
    if (u < c)
      return i;
  }
  // Rounding left u past the sum: the last arm with weight.
  for (std::size_t i = weights.size(); i-- > 0;)
    if (weights[i] > 0)
      return i;
  return 0;
}

double unit_uniform(const std::string& key) {
  // FNV-1a, then a splitmix64 finaliser: the top 53 bits as a double.
  auto z = fnv1a(key) + 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

double chi2_sf(double x, int dof) {
  if (dof <= 0)
    return 1;
  if (x <= 0)
    return 1;
  return std::max(0.0, 1 - gamma_p(dof / 2.0, x / 2.0));
}

double srm_p_value(const std::vector<double>& observed, const std::vector<double>& expected) {
  double obs = 0, exp = 0;
  for (std::size_t i = 0; i < observed.size() && i < expected.size(); ++i) {
    obs += observed[i];
    exp += expected[i];
  }
  if (obs <= 0 || exp <= 0)
    return 1;
  double chi2 = 0;
  int cells = 0;
  for (std::size_t i = 0; i < observed.size() && i < expected.size(); ++i) {
    double e = expected[i] * obs / exp;
    if (e <= 0)
      continue; // an arm meant to get nothing: not a cell
    chi2 += (observed[i] - e) * (observed[i] - e) / e;
    ++cells;
  }
  return cells < 2 ? 1 : chi2_sf(chi2, cells - 1);
}

double incomplete_beta(double x, double a, double b) {
  if (x <= 0)
    return 0;
  if (x >= 1)
    return 1;
  double lbt = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x)
               + b * std::log1p(-x);
  double bt = std::exp(lbt);
  if (x < (a + 1) / (a + b + 2))
    return bt * beta_cf(x, a, b) / a;
  return 1 - bt * beta_cf(1 - x, b, a) / b;
}

double beta_quantile(double q, double a, double b) {
  double lo = 0, hi = 1;
  for (int i = 0; i < 100; ++i) {
    double mid = 0.5 * (lo + hi);
    if (incomplete_beta(mid, a, b) < q)
      lo = mid;
    else
      hi = mid;
  }
  return 0.5 * (lo + hi);
}

std::vector<arm_readout> read(const std::vector<arm_counts>& arms, std::size_t control,
                              std::uint64_t seed, int draws) {
  auto k = arms.size();
  std::vector<arm_readout> out(k);
  std::vector<double> a(k), b(k);
  for (std::size_t i = 0; i < k; ++i) {
    a[i] = 1.0 + static_cast<double>(arms[i].successes);
    b[i] = 1.0 + static_cast<double>(arms[i].exposures - arms[i].successes);
    out[i].mean = a[i] / (a[i] + b[i]);
    out[i].lo = beta_quantile(0.025, a[i], b[i]);
    out[i].hi = beta_quantile(0.975, a[i], b[i]);
  }
  if (k == 0)
    return out;
  std::mt19937_64 g(seed);
  std::vector<double> x(k);
  std::vector<int> beat(k, 0), best(k, 0);
  draws = std::max(draws, 1);
  for (int n = 0; n < draws; ++n) {
    std::size_t top = 0;
    for (std::size_t i = 0; i < k; ++i) {
      x[i] = beta_draw(g, a[i], b[i]);
      if (x[i] > x[top])
        top = i;
    }
    ++best[top];
    for (std::size_t i = 0; i < k; ++i)
      if (control < k && x[i] > x[control])
        ++beat[i];
  }
  for (std::size_t i = 0; i < k; ++i) {
    out[i].p_best = static_cast<double>(best[i]) / draws;
    out[i].p_beat_control = i == control ? 0.5 : static_cast<double>(beat[i]) / draws;
  }
  return out;
}

} // namespace herald::learning
