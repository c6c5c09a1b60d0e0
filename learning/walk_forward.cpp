#include "learning/walk_forward.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <limits>

#include <nlohmann/json.hpp>

namespace herald::learning {

namespace {

struct side_acc {
  analysis::proportion hits;
  double se = 0, se_const = 0;
  std::size_t n = 0;
  void add(const side_acc& o) {
    hits.hits += o.hits.hits;
    hits.n += o.hits.n;
    se += o.se;
    se_const += o.se_const;
    n += o.n;
  }
  wf_side done() const {
    wf_side s;
    s.hits = hits;
    s.brier = n ? se / static_cast<double>(n) : 0;
    s.brier_const = n ? se_const / static_cast<double>(n) : 0;
    return s;
  }
};

std::string day(std::int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::string pct(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100 * x);
  return buf;
}

std::string num(double x, const char* fmt = "%.4f") {
  char buf[32];
  std::snprintf(buf, sizeof buf, fmt, x);
  return buf;
}

std::string hits_text(const analysis::proportion& p) {
  if (p.n == 0)
    return "no calls";
  return std::to_string(p.hits) + "/" + std::to_string(p.n) + " = " + pct(p.rate()) + " ["
         + pct(p.lower()) + ", " + pct(p.upper()) + "]";
}

nlohmann::json side_json(const wf_side& s) {
  return {{"calls", s.hits.n},          {"hits", s.hits.hits},
          {"hit_rate", s.hits.rate()},  {"ci95", {s.hits.lower(), s.hits.upper()}},
          {"brier", s.brier},           {"brier_constant", s.brier_const},
          {"brier_skill", s.skill()}};
}

} // namespace

double wf_side::skill() const {
  return brier_const > 0 ? 1 - brier / brier_const : 0;
}

wf_report walk_forward(const std::vector<outcome_row>& rows, const wf_options& o) {
  wf_report rep;
  if (rows.empty() || o.bar_ms <= 0 || o.train_bars <= 0 || o.test_bars <= 0)
    return rep;
  std::vector<const outcome_row*> sorted;
  for (auto& r : rows)
    sorted.push_back(&r);
  std::stable_sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) {
    return a->time != b->time ? a->time < b->time : a->series < b->series;
  });
  auto first = sorted.front()->time, last = sorted.back()->time;
  auto train_span = o.train_bars * o.bar_ms, test_span = o.test_bars * o.bar_ms;
  side_acc all_fixed, all_tuned;
  for (int j = 0;; ++j) {
    wf_fold f;
    f.index = j + 1;
    f.train_from = first + j * test_span;
    f.test_from = f.train_from + train_span;
    f.test_to = f.test_from + test_span;
    if (f.test_from > last)
      break;
    std::vector<const outcome_row*> train, test;
    for (auto* r : sorted) {
      if (!r->resolved)
        continue;
      if (r->time >= f.train_from && r->time < f.test_from && r->resolved_at < f.test_from)
        train.push_back(r);
      else if (r->time >= f.test_from && r->time < f.test_to && r->resolved_at < f.test_to)
        test.push_back(r);
    }
    f.train_rows = train.size();
    f.test_rows = test.size();
    if (train.empty() || test.empty())
      continue;
    auto t = tune(train, o.fixed, o.tune);
    f.weights = t.weights;
    f.trials = t.trials;
    rep.trials += t.trials;
    // Calibration of the fixed weights' score, and the base rate, on the
    // training rows only.
    std::vector<double> train_scores;
    std::vector<int> train_ups;
    for (auto* r : train) {
      train_scores.push_back(aggregate_score(o.fixed, *r));
      train_ups.push_back(r->fwd > 0);
    }
    auto cal = fit_platt(train_scores, train_ups);
    double ups = 0;
    for (auto u : train_ups)
      ups += u;
    f.base_rate = ups / static_cast<double>(train_ups.size());
    side_acc fixed, tuned;
    fixed.hits = hit_rate(o.fixed, test);
    tuned.hits = hit_rate(t.weights, test);
    for (auto* r : test) {
      double y = r->fwd > 0 ? 1 : 0;
      double pf = cal.predict(aggregate_score(o.fixed, *r)), pt = t.model.predict(*r);
      double pc = f.base_rate;
      fixed.se += (pf - y) * (pf - y);
      tuned.se += (pt - y) * (pt - y);
      fixed.se_const += (pc - y) * (pc - y);
      tuned.se_const += (pc - y) * (pc - y);
      ++fixed.n;
      ++tuned.n;
    }
    f.fixed = fixed.done();
    f.tuned = tuned.done();
    all_fixed.add(fixed);
    all_tuned.add(tuned);
    rep.rows += test.size();
    rep.folds.push_back(f);
  }
  rep.fixed = all_fixed.done();
  rep.tuned = all_tuned.done();
  return rep;
}

std::string wf_text(const wf_report& r, const wf_options& o, const std::string& what) {
  std::string out = "walk-forward: " + what + "; train " + std::to_string(o.train_bars)
                    + " bars, test " + std::to_string(o.test_bars) + " bars, " 
                    + std::to_string(r.folds.size()) + " folds\n";
  out += "fold  test window              rows   fixed: hit rate [95%]          BSS      "
         "tuned: hit rate [95%]          BSS      threshold\n";
  for (auto& f : r.folds) {
    char line[512];
    std::snprintf(line, sizeof line, "%4d  %s..%s  %5zu   %-32s %+.4f  %-32s %+.4f  %.2f\n",
                  f.index, day(f.test_from).c_str(), day(f.test_to).c_str(), f.test_rows,
                  hits_text(f.fixed.hits).c_str(), f.fixed.skill(),
                  hits_text(f.tuned.hits).c_str(), f.tuned.skill(), f.weights.threshold);
    out += line;
  }
  out += "overall (" + std::to_string(r.rows) + " test rows):\n";
  out += "  fixed weights: hit rate " + hits_text(r.fixed.hits) + "; Brier "
         + num(r.fixed.brier) + " vs constant " + num(r.fixed.brier_const) + " (skill "
         + num(r.fixed.skill(), "%+.4f") + ")\n";
  out += "  tuned weights: hit rate " + hits_text(r.tuned.hits) + "; Brier "
         + num(r.tuned.brier) + " vs constant " + num(r.tuned.brier_const) + " (skill "
         + num(r.tuned.skill(), "%+.4f") + ")\n";
  auto verdict = [](const analysis::proportion& p) {
    if (p.n == 0)
      return std::string{"no calls"};
    if (p.chance_like())
      return std::string{"not distinguishable from a coin (the interval holds 50%)"};
    return std::string{p.lower() > 0.5 ? "better than a coin" : "worse than a coin"};
  };
  out += "  reading: fixed " + verdict(r.fixed.hits) + "; tuned " + verdict(r.tuned.hits)
         + ". A Brier skill at or below 0 means the probability is no better than always "
           "saying the base rate. "
         + std::to_string(r.trials)
         + " thresholds were tried in all (one family per fold): the best of many tries looks "
           "good by chance.\n";
  return out;
}

std::string wf_json(const wf_report& r, const wf_options& o) {
  auto folds = nlohmann::json::array();
  for (auto& f : r.folds) {
    auto w = nlohmann::json::object();
    for (std::size_t k = 0; k < kind_count; ++k)
      w[analysis::kind_name(analysis::kind_at(k))] = f.weights.weights[k];
    folds.push_back({{"fold", f.index},
                     {"train_from", f.train_from},
                     {"test_from", f.test_from},
                     {"test_to", f.test_to},
                     {"train_rows", f.train_rows},
                     {"test_rows", f.test_rows},
                     {"base_rate", f.base_rate},
                     {"fixed", side_json(f.fixed)},
                     {"tuned", side_json(f.tuned)},
                     {"weights", w},
                     {"threshold", f.weights.threshold},
                     {"trials", f.trials}});
  }
  return nlohmann::json{{"train_bars", o.train_bars},
                        {"test_bars", o.test_bars},
                        {"folds", folds},
                        {"rows", r.rows},
                        {"trials", r.trials},
                        {"fixed", side_json(r.fixed)},
                        {"tuned", side_json(r.tuned)}}
    .dump(2);
}

} // namespace herald::learning
