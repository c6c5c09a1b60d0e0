#include "learning/performance.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "content/chart.hpp"

namespace herald::learning {

namespace {

using json = nlohmann::json;

struct acc {
  scope_stats s;
  double se = 0;
  std::array<double, 10> p_sum{}, up_sum{};
  double long_sum = 0, short_sum = 0, all_sum = 0;
  std::size_t all = 0;

  void forecast(double p, bool up) {
    ++s.rows;
    se += (p - up) * (p - up);
    auto b = std::min<std::size_t>(9, static_cast<std::size_t>(p * 10));
    ++s.bins[b].rows;
    p_sum[b] += p;
    up_sum[b] += up;
  }
  void call(int dir, double fwd) {
    if (dir == 0)
      return;
    ++s.hits.n;
    s.hits.hits += (dir > 0 && fwd > 0) || (dir < 0 && fwd < 0);
    if (dir > 0) {
      ++s.longs;
      long_sum += fwd;
    } else {
      ++s.shorts;
      short_sum -= fwd;
    }
  }
  scope_stats done() {
    s.brier = s.rows ? se / static_cast<double>(s.rows) : 0;
    s.brier_half = 0.25;
    for (std::size_t b = 0; b < 10; ++b)
      if (s.bins[b].rows) {
        s.bins[b].mean_p = p_sum[b] / static_cast<double>(s.bins[b].rows);
        s.bins[b].up = up_sum[b] / static_cast<double>(s.bins[b].rows);
      }
    s.long_return = s.longs ? long_sum / static_cast<double>(s.longs) : 0;
    s.short_return = s.shorts ? short_sum / static_cast<double>(s.shorts) : 0;
    s.buy_hold = all ? all_sum / static_cast<double>(all) : 0;
    return s;
  }
};

std::string pct(double x, const char* fmt = "%.1f%%") {
  char buf[32];
  std::snprintf(buf, sizeof buf, fmt, 100 * x);
  return buf;
}

} // namespace

double implied_up(double score, double confidence) {
  return std::clamp((1 + score * confidence / 100) / 2, 0.0, 1.0);
}

std::vector<scope_stats> performance(const std::vector<const outcome_row*>& rows,
                                     const std::vector<int>& signal_dirs,
                                     const std::vector<double>& signal_scores,
                                     const std::vector<double>& signal_confidences,
                                     const performance_options& o) {
  std::vector<acc> scopes(kind_count + 1);
  for (std::size_t k = 0; k < kind_count; ++k)
    scopes[k].s.scope = analysis::kind_name(analysis::kind_at(k));
  scopes[kind_count].s.scope = "combined";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    auto& r = *rows[i];
    if (!r.resolved)
      continue;
    bool up = r.fwd > 0;
    for (auto& a : scopes) {
      a.all_sum += r.fwd;
      ++a.all;
    }
    for (std::size_t k = 0; k < kind_count; ++k) {
      if (!(r.present & (1u << k)) || r.confidence[k] <= 0)
        continue;
      scopes[k].forecast(implied_up(r.score[k], r.confidence[k]), up);
      int dir = std::fabs(r.score[k]) >= o.call_threshold ? (r.score[k] > 0 ? 1 : -1) : 0;
      scopes[k].call(dir, r.fwd);
    }
    auto& c = scopes[kind_count];
    if (i < signal_scores.size() && i < signal_confidences.size())
      c.forecast(implied_up(signal_scores[i], signal_confidences[i]), up);
    if (i < signal_dirs.size())
      c.call(signal_dirs[i], r.fwd);
  }
  std::vector<scope_stats> out;
  for (auto& a : scopes)
    out.push_back(a.done());
  return out;
}

std::string to_json(const scope_stats& s) {
  auto bins = json::array();
  for (auto& b : s.bins)
    bins.push_back({{"rows", b.rows}, {"mean_p", b.mean_p}, {"up", b.up}});
  return json{{"calls", s.hits.n},
              {"hits", s.hits.hits},
              {"hit_rate", s.hits.rate()},
              {"ci95", {s.hits.lower(), s.hits.upper()}},
              {"rows", s.rows},
              {"brier", s.brier},
              {"brier_half", s.brier_half},
              {"calibration", bins},
              {"longs", s.longs},
              {"shorts", s.shorts},
              {"long_return", s.long_return},
              {"short_return", s.short_return},
              {"buy_hold", s.buy_hold}}
    .dump();
}

scope_stats scope_from_json(const std::string& scope, const std::string& text) {
  auto j = json::parse(text);
  scope_stats s;
  s.scope = scope;
  s.hits.n = j.value("calls", std::uint64_t{0});
  s.hits.hits = j.value("hits", std::uint64_t{0});
  s.rows = j.value("rows", std::size_t{0});
  s.brier = j.value("brier", 0.0);
  s.brier_half = j.value("brier_half", 0.25);
  if (j.contains("calibration"))
    for (std::size_t b = 0; b < 10 && b < j["calibration"].size(); ++b) {
      auto& x = j["calibration"][b];
      s.bins[b] = {x.value("rows", std::size_t{0}), x.value("mean_p", 0.0), x.value("up", 0.0)};
    }
  s.longs = j.value("longs", std::size_t{0});
  s.shorts = j.value("shorts", std::size_t{0});
  s.long_return = j.value("long_return", 0.0);
  s.short_return = j.value("short_return", 0.0);
  s.buy_hold = j.value("buy_hold", 0.0);
  return s;
}

std::string reliability_png(const scope_stats& s, int width, int height) {
  std::vector<content::reliability_point> pts;
  for (auto& b : s.bins)
    pts.push_back({b.mean_p, b.up, b.rows});
  return content::render_reliability_png("Reliability: " + s.scope + " (" + std::to_string(s.rows)
                                           + " forecasts)",
                                         pts, content::chart_size{width, height});
}

std::string performance_markdown(const std::vector<scope_stats>& scopes,
                                 const std::string& period) {
  std::string md = "# Analysis performance, " + period + "\n\n";
  md += "How often each analyzer's calls and the combined signal's were right at the horizon, "
        "with the 95% interval, and how good their stated probability of an up move was (Brier "
        "score; 0.25 is what always saying 50% scores). A hit rate whose interval holds 50% "
        "shows no skill.\n\n";
  md += "| Scope | Calls | Hit rate [95%] | Brier | Long calls: mean return | Short calls: mean "
        "return | Buy and hold |\n|---|---|---|---|---|---|---|\n";
  for (auto& s : scopes) {
    char brier[16];
    std::snprintf(brier, sizeof brier, "%.4f", s.brier);
    md += "| " + s.scope + " | " + std::to_string(s.hits.n) + " | "
          + (s.hits.n ? pct(s.hits.rate()) + " [" + pct(s.hits.lower()) + ", "
                          + pct(s.hits.upper()) + "]"
                      : std::string{"-"})
          + " | " + (s.rows ? std::string{brier} : std::string{"-"}) + " | "
          + (s.longs ? pct(s.long_return, "%+.3f%%") + " (" + std::to_string(s.longs) + ")" : "-")
          + " | "
          + (s.shorts ? pct(s.short_return, "%+.3f%%") + " (" + std::to_string(s.shorts) + ")"
                      : "-")
          + " | " + pct(s.buy_hold, "%+.3f%%") + " |\n";
  }
  md += "\nThis is research, not investment advice.\n";
  return md;
}

} // namespace herald::learning
