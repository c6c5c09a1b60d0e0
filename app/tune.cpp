// herald tune --walk-forward (--file F... | --db URL) [--symbol S] [--interval I]
//             [--train N] [--test M] [--horizon H] [--json PATH]
// Walk-forward evaluation of strategy tuning (learning/walk_forward.hpp):
// the analyzers run over every series once (pure, no actors), then rolling
// folds fit the analyzer weights and the aggregate's threshold on a window
// and evaluate them, next to the configured weights, on the window after.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>

#include <chrono>
#include <optional>

#include <nlohmann/json.hpp>

#include "actors/app_tree.hpp"
#include "actors/learning/coordinator.hpp"
#include "app/database.hpp"
#include "app/candle_input.hpp"
#include "app/commands.hpp"
#include "learning/loops.hpp"
#include "learning/walk_forward.hpp"
#include "market/interval.hpp"

namespace herald::app {

namespace {

bool bars_arg(const invocation& inv, const char* name, std::int64_t& out, const char* me) {
  if (!inv.has(name))
    return true;
  char* end = nullptr;
  auto v = std::strtoll(inv.get(name).c_str(), &end, 10);
  if (*end != '\0' || v < 1 || v > 10'000'000) {
    std::cerr << me << ": --" << name << " '" << inv.get(name)
              << "' must be a whole number of bars in [1, 10000000]\n";
    return false;
  }
  out = v;
  return true;
}

} // namespace

namespace {

/// herald tune --list | --apply V | --rollback [--to V] | --replay RUN:
/// the weight sets of the tuning loop in the database.
int tune_weights(const invocation& inv, const char* me) {
  auto p = prepare(inv);
  if (!p || !setup_logging(p->loaded.values))
    return exit_usage;
  bool usage_error = false;
  auto store = open_database(p->loaded, inv.get("db"), usage_error, true);
  if (!store)
    return usage_error ? exit_usage : exit_failure;
  try {
    store->migrate(); // an older database gets the weight_sets and learning_runs tables
  } catch (const std::exception& e) {
    std::cerr << me << ": " << e.what() << "\n";
    return exit_failure;
  }
  auto loops = learning_actors::loop_settings_from(p->loaded.values);
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count();
  auto number = [&](const std::string& v, std::int64_t& out) {
    char* end = nullptr;
    out = std::strtoll(v.c_str(), &end, 10);
    return !v.empty() && *end == '\0' && out >= 0;
  };
  try {
    if (inv.has("apply")) {
      std::int64_t v = 0;
      if (!number(inv.get("apply"), v)) {
        std::cerr << me << ": --apply '" << inv.get("apply") << "' is not a version number\n";
        return exit_usage;
      }
      auto why = learning::apply_version(*store, v, loops, now);
      if (!why.empty()) {
        std::cerr << me << ": " << why << "\n";
        return exit_usage;
      }
      std::cout << "weight set " << v << " applied; a running herald sends it to the pipeline "
                << "within learning.coordinator.tick\n";
      return exit_ok;
    }
    if (inv.has("rollback")) {
      std::optional<std::int64_t> to;
      if (inv.has("to")) {
        std::int64_t v = 0;
        if (!number(inv.get("to"), v)) {
          std::cerr << me << ": --to '" << inv.get("to") << "' is not a version number\n";
          return exit_usage;
        }
        to = v;
      }
      auto v = learning::rollback(*store, to, loops, now);
      std::cout << "weight set " << v << " applied (a copy of version "
                << (to ? std::to_string(*to) : std::string{"before the current one"}) << ")\n";
      return exit_ok;
    }
    if (inv.has("replay")) {
      auto run = store->learning_run(inv.get("replay"));
      if (!run) {
        std::cerr << me << ": no run " << inv.get("replay") << " (ids: herald tune --list)\n";
        return exit_usage;
      }
      auto p2 = learning::replay_tuning(*store, *run, loops);
      auto logged = nlohmann::json::parse(run->result_json);
      auto same = logged.value("weights", nlohmann::json{})
                      == nlohmann::json::parse(learning::weights_json(p2.candidate))
                  && logged.value("threshold", -1.0) == p2.candidate.threshold
                  && logged.value("decision", std::string{})
                       == std::string{p2.apply ? "proposed" : "refused"};
      std::cout << "replayed " << run->id << ": " << p2.reason << "\n"
                << "weights " << learning::weights_json(p2.candidate) << " threshold "
                << p2.candidate.threshold << "\n"
                << (same ? "the same as logged" : "DIFFERENT from the logged result: "
                                                    + run->result_json.substr(0, 600))
                << "\n";
      return same ? exit_ok : exit_failure;
    }
    // --list
    std::cout << learning::status_json(*store, loops, now) << "\n";
    return exit_ok;
  } catch (const std::invalid_argument& e) { // what was asked cannot be done
    std::cerr << me << ": " << e.what() << "\n";
    return exit_usage;
  } catch (const std::exception& e) {
    std::cerr << me << ": " << e.what() << "\n";
    return exit_failure;
  }
}

} // namespace

int tune_command(const invocation& inv) {
  const char* me = "herald tune";
  if (inv.has("apply") || inv.has("rollback") || inv.has("list") || inv.has("replay"))
    return tune_weights(inv, me);
  if (!inv.has("walk-forward")) {
    std::cerr << me << ": give --walk-forward (evaluate tuning on past candles), or --list, "
                       "--apply V, --rollback [--to V], --replay RUN (the tuning loop's weight "
                       "sets)\n";
    return exit_usage;
  }
  std::vector<std::string> files = inv.args;
  if (inv.has("file"))
    files.insert(files.begin(), inv.get("file"));
  if (files.empty() == !inv.has("db")) {
    std::cerr << me << ": give either --file F... or --db URL\n";
    return exit_usage;
  }
  candle_request req;
  req.files = files;
  req.db_url = inv.get("db");
  req.symbol = inv.get("symbol");
  req.interval = inv.get("interval");
  req.strict = inv.has("strict");
  if (!req.interval.empty() && !market::interval_ms(req.interval)) {
    std::cerr << me << ": --interval '" << req.interval << "' is not an interval\n";
    return exit_usage;
  }
  if (!parse_range(inv, me, req))
    return exit_usage;
  learning::wf_options o;
  std::int64_t horizon = 10;
  if (!bars_arg(inv, "train", o.train_bars, me) || !bars_arg(inv, "test", o.test_bars, me)
      || !bars_arg(inv, "horizon", horizon, me))
    return exit_usage;
  if (!json_writable(inv, me))
    return exit_usage;
  auto p = prepare(inv);
  if (!p || !setup_logging(p->loaded.values))
    return exit_usage;
  int code = exit_ok;
  auto candles = gather_candles(me, *p, req, code);
  if (!candles)
    return code;
  o.bar_ms = *market::interval_ms(req.interval);
  auto aopts = analysis_options_from(p->loaded.values);
  o.fixed.weights = aopts.pipeline.aggregate.weights;
  o.fixed.threshold = aopts.pipeline.aggregate.threshold;

  // One series per symbol, in time order; the analyzers run once over each.
  std::map<std::string, std::vector<candle>> series;
  for (auto& c : *candles)
    series[c.symbol].push_back(c);
  std::vector<learning::outcome_row> rows;
  std::string what;
  std::uint32_t index = 0;
  for (auto& [sym, cs] : series) {
    auto r = learning::outcome_rows(cs, index++, aopts.analyzers, static_cast<int>(horizon));
    rows.insert(rows.end(), r.begin(), r.end());
    what += (what.empty() ? "" : ", ") + sym + " " + req.interval + " (" + std::to_string(cs.size())
            + " candles)";
  }
  auto rep = learning::walk_forward(rows, o);
  if (rep.folds.empty()) {
    auto span = (candles->back().open_time - candles->front().open_time) / o.bar_ms + 1;
    if (span <= o.train_bars)
      std::cerr << me << ": no fold: the candles span " << span << " bars, not more than --train "
                << o.train_bars << "\n";
    else
      std::cerr << me << ": no fold has outcomes to fit and to test: each window must be longer "
                << "than --horizon (" << horizon << " bars), or the series has gaps\n";
    return exit_usage;
  }
  std::cout << learning::wf_text(rep, o, what + ", horizon " + std::to_string(horizon) + " bars");
  if (inv.has("json")) {
    std::ofstream out(inv.get("json"), std::ios::trunc);
    out << learning::wf_json(rep, o) << "\n";
    if (!out) {
      std::cerr << me << ": --json " << inv.get("json") << ": write failed\n";
      return exit_failure;
    }
  }
  return exit_ok;
}

} // namespace herald::app
