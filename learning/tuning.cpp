#include "learning/tuning.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

namespace herald::learning {

namespace {

constexpr auto regime_kind = static_cast<std::size_t>(analysis::kind::volatility_regime);

double sigmoid(double x) {
  if (x >= 0)
    return 1 / (1 + std::exp(-x));
  auto e = std::exp(x);
  return e / (1 + e);
}

// Solves A x = b (n <= 9) by Gaussian elimination with partial pivoting;
// false when A is singular.
bool solve(std::vector<std::vector<double>> a, std::vector<double> b, std::vector<double>& x) {
  auto n = b.size();
  for (std::size_t c = 0; c < n; ++c) {
    auto p = c;
    for (std::size_t r = c + 1; r < n; ++r)
      if (std::fabs(a[r][c]) > std::fabs(a[p][c]))
        p = r;
    if (std::fabs(a[p][c]) < 1e-12)
      return false;
    std::swap(a[p], a[c]);
    std::swap(b[p], b[c]);
    for (std::size_t r = c + 1; r < n; ++r) {
      auto f = a[r][c] / a[c][c];
      for (std::size_t k = c; k < n; ++k)
        a[r][k] -= f * a[c][k];
      b[r] -= f * b[c];
    }
  }
  x.assign(n, 0);
  for (std::size_t i = n; i-- > 0;) {
    double s = b[i];
    for (std::size_t k = i + 1; k < n; ++k)
      s -= a[i][k] * x[k];
    x[i] = s / a[i][i];
  }
  return true;
}

analysis::aggregate_options options_of(const weight_set& w) {
  analysis::aggregate_options o;
  o.weights = w.weights;
  o.threshold = w.threshold;
  return o;
}

} // namespace

bool operator==(const weight_set& a, const weight_set& b) {
  return a.weights == b.weights && a.threshold == b.threshold;
}

std::vector<outcome_row> outcome_rows(const std::vector<candle>& series, std::uint32_t index,
                                      const analysis::analyzer_options& opts, int horizon) {
  std::vector<std::unique_ptr<analysis::analyzer>> an(kind_count);
  for (std::size_t k = 0; k < kind_count; ++k)
    if (opts.enabled[k])
      an[k] = analysis::make_analyzer(analysis::kind_at(k), opts);
  std::vector<outcome_row> rows(series.size());
  std::vector<analysis::result> out(series.size());
  for (std::size_t k = 0; k < kind_count; ++k) {
    if (!an[k])
      continue;
    an[k]->on_candles(series.data(), series.size(), out.data());
    for (std::size_t i = 0; i < series.size(); ++i) {
      rows[i].score[k] = out[i].score;
      rows[i].confidence[k] = out[i].confidence;
      if (k == regime_kind && out[i].text)
        rows[i].regime = out[i].text;
    }
  }
  std::uint8_t present = 0;
  for (std::size_t k = 0; k < kind_count; ++k)
    if (an[k])
      present |= static_cast<std::uint8_t>(1u << k);
  for (std::size_t i = 0; i < series.size(); ++i) {
    auto& r = rows[i];
    r.time = series[i].open_time;
    r.series = index;
    r.price = series[i].close;
    r.present = present;
    auto j = i + static_cast<std::size_t>(horizon);
    if (horizon > 0 && j < series.size() && series[i].close > 0) {
      r.resolved = true;
      r.fwd = series[j].close / series[i].close - 1;
      r.resolved_at = series[j].close_time;
    }
  }
  return rows;
}

double aggregate_score(const weight_set& w, const outcome_row& r) {
  analysis::contribution_set parts;
  for (std::size_t k = 0; k < kind_count; ++k)
    if (r.present & (1u << k))
      parts.push_back({static_cast<std::uint8_t>(k), true, r.score[k], r.confidence[k], 0});
  static const std::string sym, iv;
  return analysis::aggregate(options_of(w), sym, iv, r.time, r.price, parts, r.regime).score;
}

int call_of(const weight_set& w, const outcome_row& r) {
  auto s = aggregate_score(w, r);
  return s >= w.threshold ? 1 : s <= -w.threshold ? -1 : 0;
}

std::array<double, kind_count> votes(const outcome_row& r) {
  std::array<double, kind_count> z{};
  for (std::size_t k = 0; k < kind_count; ++k)
    if (k != regime_kind && (r.present & (1u << k)))
      z[k] = r.score[k] * r.confidence[k] / 100;
  return z;
}

double logistic_model::predict(const outcome_row& r) const {
  auto z = votes(r);
  double x = bias;
  for (std::size_t k = 0; k < kind_count; ++k)
    x += beta[k] * z[k];
  return sigmoid(x);
}

logistic_model fit_logistic(const std::vector<const outcome_row*>& rows, double l2) {
  constexpr std::size_t n = kind_count + 1; // bias first
  std::vector<double> theta(n, 0.0);
  std::vector<std::array<double, kind_count>> zs;
  std::vector<int> ys;
  for (auto* r : rows)
    if (r->resolved) {
      zs.push_back(votes(*r));
      ys.push_back(r->fwd > 0);
    }
  for (int it = 0; it < 50 && !zs.empty(); ++it) {
    std::vector<double> grad(n, 0.0);
    std::vector<std::vector<double>> hess(n, std::vector<double>(n, 0.0));
    for (std::size_t i = 0; i < zs.size(); ++i) {
      double x = theta[0];
      for (std::size_t k = 0; k < kind_count; ++k)
        x += theta[k + 1] * zs[i][k];
      double p = sigmoid(x), w = p * (1 - p), e = p - ys[i];
      std::array<double, n> f{};
      f[0] = 1;
      for (std::size_t k = 0; k < kind_count; ++k)
        f[k + 1] = zs[i][k];
      for (std::size_t a = 0; a < n; ++a) {
        grad[a] += e * f[a];
        for (std::size_t b = 0; b <= a; ++b)
          hess[a][b] += w * f[a] * f[b];
      }
    }
    for (std::size_t a = 0; a < n; ++a)
      for (std::size_t b = 0; b < a; ++b)
        hess[b][a] = hess[a][b];
    for (std::size_t a = 1; a < n; ++a) {
      grad[a] += l2 * theta[a];
      hess[a][a] += l2;
    }
    hess[0][0] += 1e-9;
    std::vector<double> step;
    if (!solve(hess, grad, step))
      break;
    double biggest = 0;
    for (std::size_t a = 0; a < n; ++a) {
      theta[a] -= step[a];
      biggest = std::max(biggest, std::fabs(step[a]));
    }
    if (biggest < 1e-10)
      break;
  }
  logistic_model m;
  m.bias = theta[0];
  for (std::size_t k = 0; k < kind_count; ++k)
    m.beta[k] = theta[k + 1];
  return m;
}

double platt::predict(double score) const {
  return sigmoid(a + b * score);
}

platt fit_platt(const std::vector<double>& scores, const std::vector<int>& ups) {
  double a = 0, b = 0;
  for (int it = 0; it < 50; ++it) {
    double ga = 0, gb = 0, haa = 1e-9, hab = 0, hbb = 1e-9;
    for (std::size_t i = 0; i < scores.size(); ++i) {
      double p = sigmoid(a + b * scores[i]), w = p * (1 - p), e = p - ups[i];
      ga += e;
      gb += e * scores[i];
      haa += w;
      hab += w * scores[i];
      hbb += w * scores[i] * scores[i];
    }
    hbb += 1e-6; // a tiny penalty: a score that never varies keeps b = 0
    gb += 1e-6 * b;
    double det = haa * hbb - hab * hab;
    if (std::fabs(det) < 1e-15)
      break;
    double da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (std::fabs(da) + std::fabs(db) < 1e-10)
      break;
  }
  return {a, b};
}

analysis::proportion hit_rate(const weight_set& w, const std::vector<const outcome_row*>& rows) {
  analysis::proportion p;
  for (auto* r : rows) {
    if (!r->resolved)
      continue;
    auto c = call_of(w, *r);
    if (c == 0)
      continue;
    ++p.n;
    p.hits += (c > 0 && r->fwd > 0) || (c < 0 && r->fwd < 0);
  }
  return p;
}

tuned tune(const std::vector<const outcome_row*>& train, const weight_set& current,
           const tune_options& o) {
  tuned t;
  t.model = fit_logistic(train, o.l2);
  double current_total = 0;
  for (std::size_t k = 0; k < kind_count; ++k)
    if (k != regime_kind)
      current_total += current.weights[k];
  double positive = 0;
  for (std::size_t k = 0; k < kind_count; ++k)
    if (k != regime_kind)
      positive += std::max(0.0, t.model.beta[k]);
  t.weights = current;
  for (std::size_t k = 0; k < kind_count; ++k)
    if (k != regime_kind)
      t.weights.weights[k] = positive > 0 ? current_total * std::max(0.0, t.model.beta[k]) / positive
                                          : 0.0;
  auto grid = o.thresholds;
  if (grid.empty())
    for (int i = 1; i <= 30; ++i)
      grid.push_back(0.02 * i);
  double best = -1;
  for (auto th : grid) {
    ++t.trials;
    auto w = t.weights;
    w.threshold = th;
    auto p = hit_rate(w, train);
    if (p.n < o.min_calls)
      continue;
    if (p.lower() > best) {
      best = p.lower();
      t.weights.threshold = th;
    }
  }
  if (best < 0)
    t.weights.threshold = current.threshold;
  return t;
}

double brier(const std::vector<double>& p, const std::vector<int>& ups) {
  if (p.empty())
    return 0;
  double s = 0;
  for (std::size_t i = 0; i < p.size(); ++i)
    s += (p[i] - ups[i]) * (p[i] - ups[i]);
  return s / static_cast<double>(p.size());
}

} // namespace herald::learning
