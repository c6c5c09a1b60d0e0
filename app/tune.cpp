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

#include "actors/app_tree.hpp"
#include "app/candle_input.hpp"
#include "app/commands.hpp"
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

int tune_command(const invocation& inv) {
  const char* me = "herald tune";
  if (!inv.has("walk-forward")) {
    std::cerr << me << ": give --walk-forward (the evaluation of tuning on past candles; the live "
                       "tuning agent proposes weights on its own)\n";
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
  for (auto [opt, out] : {std::pair{"from", &req.from}, std::pair{"to", &req.to}})
    if (inv.has(opt)) {
      auto t = parse_time(inv.get(opt));
      if (!t) {
        std::cerr << me << ": --" << opt << " '" << inv.get(opt)
                  << "' is not a time (ms since the epoch, YYYY-MM-DD or "
                     "YYYY-MM-DDTHH:MM:SSZ)\n";
        return exit_usage;
      }
      *out = *t;
      req.ranged = true;
    }
  learning::wf_options o;
  std::int64_t horizon = 10;
  if (!bars_arg(inv, "train", o.train_bars, me) || !bars_arg(inv, "test", o.test_bars, me)
      || !bars_arg(inv, "horizon", horizon, me))
    return exit_usage;
  if (inv.has("json")) {
    std::ofstream probe(inv.get("json"), std::ios::app);
    if (!probe) {
      std::cerr << me << ": --json " << inv.get("json") << ": cannot write there ("
                << std::strerror(errno) << ")\n";
      return exit_usage;
    }
  }
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
