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
                           "how often due outcomes are settled and the weights recomputed"),
                       0.01, 86400));
  out.push_back(ranged(key("learning.ab.sharpen", value_type::real, value{2.0}, "",
                           "Thompson draws come from Beta(m*a, m*b): 1 = textbook Thompson "
                           "sampling, 2 = the default measured in bench/bandit_bench"),
                       1, 16));
  out.push_back(ranged(key("learning.ab.ask-timeout", value_type::duration,
                           value{nanoseconds{2s}}, "duration",
                           "how long the creator waits for the agent before it writes the piece "
                           "outside every experiment"),
                       0.01, 60));
}

} // namespace herald::config::detail
