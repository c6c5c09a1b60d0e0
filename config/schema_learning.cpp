// [learning]: the self-learning agents (issue 19). The A/B-testing agent's
// experiments are defined in a JSON file (learning.experiments-file, an
// array of definitions, README "Experiments") or through the API.
#include <chrono>

#include "config/schema.hpp"
#include "config/schema_parts.hpp"

namespace herald::config::detail {

using namespace std::chrono_literals;
using std::chrono::nanoseconds;

void add_learning_keys(std::vector<key_spec>& out) {
  out.push_back(key("learning.ab.enabled", value_type::boolean, value{true}, "",
                    "run the A/B-testing agent (where content runs, with a database): the "
                    "creator asks it which template variant or chart choice a piece gets"));
  out.push_back(key("learning.ab.experiments-file", value_type::string, value{std::string{}},
                    "path", "JSON array of experiment definitions created at start when the "
                            "database does not hold them yet (\"\" = none; the API adds more)"));
  out.push_back(ranged(key("learning.ab.interval", value_type::duration, value{nanoseconds{60s}},
                           "duration",
                           "how often the experiments are read again; without the coordinator "
                           "also how often due outcomes are settled (with it, its ab loop does)"),
                       0.01, 86400));
  out.push_back(ranged(key("learning.ab.sharpen", value_type::real, value{2.0}, "",
                           "Thompson draws come from Beta(m*a, m*b): 1 = textbook Thompson "
                           "sampling, 2 = the default measured in bench/bandit_bench"),
                       1, 16));
  out.push_back(ranged(key("learning.ab.ask-timeout", value_type::duration,
                           value{nanoseconds{2s}}, "duration",
                           "how long the creator (template, chart) and the strategist (posting "
                           "hour) wait for the agent before the piece goes outside every "
                           "experiment"),
                       0.01, 60));

  out.push_back(key("learning.ab.max-age", value_type::string, value{std::string{"7d"}}, "span",
                    "weights computed longer ago (no outcome settled since) are not used: "
                    "pieces are allocated with the starting weights (\"0\" = never)"));

  out.push_back(key("learning.coordinator.enabled", value_type::boolean, value{true}, "",
                    "run the feedback-loop coordinator (where content runs, with a database)"));
  out.push_back(ranged(key("learning.coordinator.tick", value_type::duration,
                           value{nanoseconds{10s}}, "duration",
                           "how often the coordinator looks for due loops"),
                       0.01, 3600));
  auto every = [&](const char* loop, const char* def, const char* what) {
    out.push_back(key(std::string{"learning.loops."} + loop, value_type::string,
                      value{std::string{def}}, "span", what));
  };
  every("ab-every", "1h", "period of the A/B loop: settle due outcomes, reweight (\"0\" = off)");
  every("tuning-every", "1d", "period of the tuning loop: a weight proposal from the outcomes "
                              "(\"0\" = off)");
  every("expiry-every", "1h", "period of the expiry check of the applied weights (\"0\" = off)");
  every("performance-every", "1h", "period of the performance analytics: per analyzer and "
                                   "combined, per week and overall (\"0\" = off)");
  out.push_back(key("learning.performance.window", value_type::string, value{std::string{"365d"}},
                    "span", "the stored signals the performance analytics read"));
  out.push_back(key("learning.tuning.window", value_type::string, value{std::string{"90d"}},
                    "span", "the stored signals whose outcomes a proposal is fitted and tested on"));
  out.push_back(ranged(key("learning.tuning.horizon", value_type::integer, value{std::int64_t{10}},
                           "bars", "bars after a signal at which its outcome is read"),
                       1, 10'000));
  out.push_back(ranged(key("learning.tuning.holdout", value_type::integer,
                           value{std::int64_t{500}}, "outcomes",
                           "the newest resolved outcomes, never fitted on, that a proposal must "
                           "win on"),
                       10, 10'000'000));
  out.push_back(ranged(key("learning.tuning.min-outcomes", value_type::integer,
                           value{std::int64_t{500}}, "outcomes",
                           "resolved outcomes the comparison needs before anything is proposed"),
                       10, 10'000'000));
  out.push_back(ranged(key("learning.tuning.max-step", value_type::real, value{0.5}, "weight",
                           "the most one analyzer weight moves in one proposal"),
                       0.001, 100));
  out.push_back(ranged(key("learning.tuning.max-threshold-step", value_type::real, value{0.05},
                           "", "the most the aggregate threshold moves in one proposal"),
                       0.0001, 1));
  out.push_back(key("learning.tuning.auto-apply", value_type::boolean, value{false}, "",
                    "apply a proposal that beat the current weights at once (false: it waits "
                    "for herald tune apply)"));
  out.push_back(key("learning.tuning.max-age", value_type::string, value{std::string{"30d"}},
                    "span", "an applied or proposed weight set older than this is not used: the "
                            "configured weights come back"));
}

void add_learning_checks(std::vector<schema::check>& out) {
  out.push_back([](const settings& v) {
    std::vector<config_error> errs;
    for (auto k : {"learning.loops.ab-every", "learning.loops.tuning-every",
                   "learning.loops.expiry-every", "learning.loops.performance-every",
                   "learning.performance.window", "learning.tuning.window",
                   "learning.tuning.max-age", "learning.ab.max-age"})
      if (auto e = v.find(k)) {
        auto x = std::get<std::string>(e->val);
        bool off_allowed = std::string{k}.find("loops.") != std::string::npos
                           || std::string{k} == "learning.ab.max-age";
        if (!(off_allowed && x == "0") && parse_span_ms(x) <= 0)
          errs.push_back({e->source, k, render(e->val),
                          "'" + x + "' is not a span such as \"1h\" or \"7d\""
                            + std::string{off_allowed ? " (or \"0\": off)" : ""}});
      }
    return errs;
  });
}

} // namespace herald::config::detail
