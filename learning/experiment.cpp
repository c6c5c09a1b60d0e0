#include "learning/experiment.hpp"

#include <algorithm>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace herald::learning {

namespace {

std::uint64_t seed_of(const std::string& id, std::int64_t n) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : id) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h ^ (static_cast<std::uint64_t>(n) * 0x9E3779B97F4A7C15ULL);
}

std::size_t control_index(const experiment_def& d) {
  auto it = std::find(d.arms.begin(), d.arms.end(), d.control);
  return it == d.arms.end() ? 0 : static_cast<std::size_t>(it - d.arms.begin());
}

} // namespace

const char* factor_name(factor f) {
  switch (f) {
    case factor::chart: return "chart";
    case factor::posting_hour: return "posting_hour";
    case factor::template_variant: break;
  }
  return "template";
}

std::optional<int> arm_hour(const std::string& arm) {
  if (arm.size() != 2 || !std::isdigit(static_cast<unsigned char>(arm[0]))
      || !std::isdigit(static_cast<unsigned char>(arm[1])))
    return std::nullopt;
  int h = (arm[0] - '0') * 10 + (arm[1] - '0');
  return h < 24 ? std::optional<int>{h} : std::nullopt;
}

std::optional<factor> parse_factor(const std::string& s) {
  if (s == "template")
    return factor::template_variant;
  if (s == "chart")
    return factor::chart;
  if (s == "posting_hour")
    return factor::posting_hour;
  return std::nullopt;
}

std::string validate(const experiment_def& d) {
  auto where = "experiment '" + d.id + "': ";
  if (d.id.empty() || d.id.size() > 128)
    return "experiment: id must have 1 to 128 characters";
  for (unsigned char c : d.id)
    if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.'))
      return "experiment: id '" + d.id + "' may hold only letters, digits, '-', '_' and '.'";
  if (d.arms.size() < 2)
    return where + "arms: at least two are needed";
  for (std::size_t i = 0; i < d.arms.size(); ++i) {
    if (d.arms[i].empty() || d.arms[i].size() > 64)
      return where + "arms: a name must have 1 to 64 characters";
    if (std::count(d.arms.begin(), d.arms.end(), d.arms[i]) > 1)
      return where + "arms: '" + d.arms[i] + "' is listed twice";
  }
  if (d.factor == factor::chart)
    for (auto& a : d.arms)
      if (a != "with" && a != "without")
        return where + "arms: a chart experiment has the arms \"with\" and \"without\", not '"
               + a + "'";
  if (d.factor == factor::posting_hour) {
    for (auto& a : d.arms)
      if (!arm_hour(a))
        return where + "arms: a posting-hour experiment's arms are UTC hours \"00\" to \"23\", "
               "not '" + a + "'";
    if (d.content_type == "alert")
      return where + "type: an alert cannot wait for a posting hour (recap, report, "
             "thread or scorecard)";
  }
  if (!d.control.empty() && std::find(d.arms.begin(), d.arms.end(), d.control) == d.arms.end())
    return where + "control: '" + d.control + "' is not one of the arms";
  if (!d.split.empty()) {
    if (d.split.size() != d.arms.size())
      return where + "split: one share per arm is needed (" + std::to_string(d.arms.size())
             + " arms, " + std::to_string(d.split.size()) + " shares)";
    double total = 0;
    for (auto x : d.split) {
      if (!(x >= 0))
        return where + "split: shares must be 0 or more";
      total += x;
    }
    if (total <= 0)
      return where + "split: the shares add up to 0";
  }
  if (!(d.min_share >= 0 && d.min_share * static_cast<double>(d.arms.size()) <= 1))
    return where + "min-share: must be between 0 and 1/arms";
  if (d.min_sample < 1)
    return where + "min-sample: must be at least 1";
  if (d.metric != "engagements" && d.metric != "rate")
    return where + "metric: '" + d.metric + "' is not engagements or rate";
  if (!(d.threshold >= 0))
    return where + "threshold: must be 0 or more";
  if (d.snapshot_ms <= 0 || d.grace_ms < 0)
    return where + "snapshot and grace must be positive";
  if (!(d.srm_alpha > 0 && d.srm_alpha < 1))
    return where + "srm-alpha: must be between 0 and 1";
  return {};
}

std::string to_json(const experiment_def& d) {
  nlohmann::json j{{"id", d.id},
                   {"name", d.name},
                   {"factor", factor_name(d.factor)},
                   {"type", d.content_type},
                   {"channel", d.channel},
                   {"arms", d.arms},
                   {"control", d.control.empty() && !d.arms.empty() ? d.arms[0] : d.control},
                   {"mode", d.fixed ? "fixed" : "thompson"},
                   {"split", d.split},
                   {"min_share", d.min_share},
                   {"min_sample", d.min_sample},
                   {"metric", d.metric},
                   {"threshold", d.threshold},
                   {"snapshot_ms", d.snapshot_ms},
                   {"grace_ms", d.grace_ms},
                   {"srm_alpha", d.srm_alpha}};
  return j.dump();
}

experiment_def def_from_json(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    throw std::invalid_argument("experiment: not a JSON object");
  experiment_def d;
  auto field = [&](const char* name, auto& out) {
    if (!j.contains(name))
      return;
    try {
      j.at(name).get_to(out);
    } catch (const nlohmann::json::exception&) {
      throw std::invalid_argument(std::string{"experiment: field '"} + name
                                  + "' has the wrong type");
    }
  };
  field("id", d.id);
  field("name", d.name);
  std::string f = "template", mode = "thompson";
  field("factor", f);
  auto pf = parse_factor(f);
  if (!pf)
    throw std::invalid_argument("experiment: factor '" + f + "' is not template, chart or posting_hour");
  d.factor = *pf;
  field("type", d.content_type);
  field("channel", d.channel);
  field("arms", d.arms);
  field("control", d.control);
  field("mode", mode);
  if (mode != "thompson" && mode != "fixed")
    throw std::invalid_argument("experiment: mode '" + mode + "' is not thompson or fixed");
  d.fixed = mode == "fixed";
  field("split", d.split);
  field("min_share", d.min_share);
  field("min_sample", d.min_sample);
  field("metric", d.metric);
  field("threshold", d.threshold);
  field("snapshot_ms", d.snapshot_ms);
  field("grace_ms", d.grace_ms);
  field("srm_alpha", d.srm_alpha);
  if (d.control.empty() && !d.arms.empty())
    d.control = d.arms[0];
  if (auto err = validate(d); !err.empty())
    throw std::invalid_argument(err);
  return d;
}

bool applies(const experiment_def& d, const std::string& type, const std::string& channel) {
  if (d.factor == factor::posting_hour && type == "alert")
    return false; // an alert goes out when its signal comes
  return (d.content_type.empty() || d.content_type == type)
         && (d.channel.empty() || d.channel == channel);
}

experiment_state start(experiment_def d) {
  experiment_state s;
  if (d.control.empty() && !d.arms.empty())
    d.control = d.arms[0];
  s.arms.resize(d.arms.size());
  s.expected.assign(d.arms.size(), 0.0);
  s.weights = fixed_weights(d.arms.size(), d.fixed ? d.split : std::vector<double>{});
  s.def = std::move(d);
  return s;
}

std::size_t assign(const experiment_state& s, const std::string& unit) {
  return assign(s, unit, s.weights);
}

std::size_t assign(const experiment_state& s, const std::string& unit,
                   const std::vector<double>& weights) {
  return pick(weights, unit_uniform(s.def.id + "\x1f" + unit));
}

bool stale(const experiment_state& s, std::int64_t now_ms, std::int64_t max_age_ms) {
  return max_age_ms > 0 && s.updates > 0 && s.reweighted_at > 0
         && now_ms - s.reweighted_at > max_age_ms;
}

std::vector<double> allocation(const experiment_state& s, std::int64_t now_ms,
                               std::int64_t max_age_ms) {
  if (!stale(s, now_ms, max_age_ms))
    return s.weights;
  return fixed_weights(s.def.arms.size(), s.def.fixed ? s.def.split : std::vector<double>{});
}

void count_assignment(experiment_state& s, std::size_t arm) {
  if (arm < s.arms.size())
    ++s.arms[arm].assigned;
}

void settle(experiment_state& s, std::size_t arm, const std::vector<double>& weights,
            std::optional<bool> success) {
  auto& w = weights.size() == s.arms.size() ? weights : s.weights;
  for (std::size_t i = 0; i < s.expected.size() && i < w.size(); ++i)
    s.expected[i] += w[i];
  if (!success || arm >= s.arms.size()) {
    ++s.lost;
    return;
  }
  ++s.arms[arm].exposures;
  if (*success)
    ++s.arms[arm].successes;
}

void reweight(experiment_state& s, const bandit_options& base) {
  ++s.updates;
  if (s.def.fixed) {
    s.weights = fixed_weights(s.arms.size(), s.def.split);
    return;
  }
  auto o = base;
  o.min_share = s.def.min_share;
  s.weights = thompson_weights(s.arms, o, seed_of(s.def.id, s.updates));
}

std::optional<bool> outcome_of(const experiment_def& d, const std::string& status,
                               std::int64_t engagements, double rate) {
  if (status != "ok")
    return std::nullopt;
  if (d.metric == "rate") {
    if (rate < 0)
      return std::nullopt;
    return rate >= d.threshold;
  }
  return static_cast<double>(engagements) >= d.threshold;
}

verdict judge(const experiment_state& s) {
  verdict v;
  std::vector<double> observed;
  for (auto& a : s.arms)
    observed.push_back(static_cast<double>(a.exposures));
  v.srm_p = srm_p_value(observed, s.expected);
  auto control = control_index(s.def);
  v.arms = read(s.arms, control, seed_of(s.def.id, -1));
  if (!s.def.fixed)
    v.warning = "allocated by Thompson sampling: arms that led early got more traffic, so the "
                "estimates are biased; use a fixed split for a clean comparison";
  if (v.srm_p < s.def.srm_alpha) {
    v.state = "mismatch";
    return v;
  }
  for (auto& a : s.arms)
    if (a.exposures < s.def.min_sample) {
      v.state = "collecting";
      return v;
    }
  v.state = "ready";
  std::size_t best = 0;
  for (std::size_t i = 1; i < v.arms.size(); ++i)
    if (v.arms[i].p_best > v.arms[best].p_best)
      best = i;
  if (!s.def.arms.empty())
    v.leader = s.def.arms[best];
  return v;
}

} // namespace herald::learning
