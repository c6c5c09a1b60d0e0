#include "learning/loops.hpp"

#include "community/analytics.hpp"
#include "learning/performance.hpp"
#include "learning/scorecard.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace herald::learning {

namespace {

using json = nlohmann::json;

json hits_json(const analysis::proportion& p) {
  return {{"hits", p.hits}, {"calls", p.n}, {"rate", p.rate()}};
}

std::int64_t due_at(std::int64_t now, std::int64_t every) {
  return every > 0 ? now - ((now % every) + every) % every : 0;
}

} // namespace

namespace detail {

/// A weight set row to store (its version comes from the database).
db::weight_set_row new_set(const weight_set& w, const char* source, std::int64_t parent,
                           const char* state, std::string evidence, std::int64_t now_ms) {
  db::weight_set_row r;
  r.weights_json = weights_json(w);
  r.threshold = w.threshold;
  r.source = source;
  r.parent = parent;
  r.state = state;
  r.evidence_json = std::move(evidence);
  r.created_at = now_ms;
  return r;
}

std::optional<db::weight_set_row> applied_set(db::storage& store) {
  for (auto& w : store.applied_weight_sets())
    if (w.state == "applied")
      return w;
  return std::nullopt;
}

std::int64_t effective_from_now(db::storage& store, std::int64_t now_ms) {
  auto latest = store.latest_candle_time();
  return latest > 0 ? latest + 1 : now_ms;
}

} // namespace detail

std::vector<outcome_row> stored_outcomes(db::storage& store, std::int64_t from, std::int64_t to,
                                         int horizon, std::size_t limit,
                                         std::vector<std::string>* ids,
                                         const std::vector<std::string>* only,
                                         std::vector<db::signal_record>* records) {
  std::set<std::string> keep;
  if (only)
    keep.insert(only->begin(), only->end());
  // A signal read and parsed at once: its payload (most of a stored
  // signal's size) is dropped before the next page is read, so a year of
  // signals costs its compact rows, not its JSON.
  struct parsed {
    outcome_row row;
    db::signal_record record; ///< without its payload
  };
  std::map<std::pair<std::string, std::string>, std::vector<parsed>> by_series;
  auto take = [&](db::signal_record& r) {
    if (r.open_time >= to || (only && !keep.count(r.id)))
      return;
    analysis::signal sig;
    try {
      sig = analysis::parse_signal(r.symbol, r.interval, r.open_time, r.direction, r.confidence,
                                   r.payload_json);
    } catch (const std::invalid_argument&) {
      return; // a malformed stored payload is no outcome
    }
    parsed x;
    x.row.time = r.open_time;
    x.row.present = 0;
    for (auto& c : sig.contributions)
      if (c.analyzer < kind_count && c.present) {
        x.row.score[c.analyzer] = c.score;
        x.row.confidence[c.analyzer] = c.confidence;
        x.row.present |= static_cast<std::uint8_t>(1u << c.analyzer);
      }
    x.row.regime = sig.regime == "unknown" ? "" : sig.regime;
    r.payload_json.clear();
    r.payload_json.shrink_to_fit();
    x.record = std::move(r);
    by_series[{x.record.symbol, x.record.interval}].push_back(std::move(x));
  };
  // Pages in (open_time, symbol, interval) order; a page ends before its
  // last open time, which the next page starts with (no row twice, none
  // skipped), unless one open time fills a whole page.
  constexpr std::size_t page = 20'000;
  std::size_t read = 0;
  for (auto cursor = from; read < limit && cursor < to;) {
    auto rows = store.signals_since(cursor, std::min(page, limit - read));
    if (rows.empty())
      break;
    bool full = rows.size() == std::min(page, limit - read);
    bool last_page = !full || read + rows.size() >= limit;
    auto last = rows.back().open_time;
    bool one_time = rows.front().open_time == last;
    for (auto& r : rows) {
      if (!last_page && !one_time && r.open_time == last)
        break; // the next page starts at `last`
      take(r);
      ++read;
    }
    if (last_page)
      break;
    cursor = one_time ? last + 1 : last;
  }
  struct item {
    std::string first;
    outcome_row second;
    db::signal_record record;
  };
  std::vector<item> out;
  std::uint32_t index = 0;
  for (auto& [key, sigs] : by_series) {
    auto candles = store.candles_between(key.first, key.second, sigs.front().row.time, to);
    std::map<std::int64_t, std::size_t> at;
    for (std::size_t i = 0; i < candles.size(); ++i)
      at[candles[i].open_time] = i;
    for (auto& x : sigs) {
      auto it = at.find(x.row.time);
      if (it == at.end())
        continue;
      auto j = it->second + static_cast<std::size_t>(horizon);
      if (j >= candles.size() || candles[j].close_time >= to || candles[it->second].close <= 0)
        continue;
      auto row = std::move(x.row);
      row.series = index;
      row.price = candles[it->second].close;
      row.resolved = true;
      row.fwd = candles[j].close / row.price - 1;
      row.resolved_at = candles[j].close_time;
      out.push_back({x.record.id, std::move(row), std::move(x.record)});
    }
    ++index;
  }
  std::stable_sort(out.begin(), out.end(), [](auto& a, auto& b) {
    return a.second.time != b.second.time ? a.second.time < b.second.time : a.first < b.first;
  });
  std::vector<outcome_row> rows;
  rows.reserve(out.size());
  for (auto& x : out) {
    if (ids)
      ids->push_back(x.first);
    if (records)
      records->push_back(std::move(x.record));
    rows.push_back(std::move(x.second));
  }
  return rows;
}

std::string weights_json(const weight_set& w) {
  json j = json::object();
  for (std::size_t k = 0; k < kind_count; ++k)
    j[analysis::kind_name(analysis::kind_at(k))] = w.weights[k];
  return j.dump();
}

weight_set weights_from_json(const std::string& text, double threshold, const weight_set& base) {
  auto j = json::parse(text, nullptr, false);
  if (!j.is_object())
    throw std::invalid_argument("weights: not a JSON object");
  auto w = base;
  w.threshold = threshold;
  for (auto& [name, v] : j.items()) {
    auto k = analysis::kind_from_name(name);
    if (!k || !v.is_number())
      throw std::invalid_argument("weights: '" + name + "' is not an analyzer with a number");
    w.weights[static_cast<std::size_t>(*k)] = v.get<double>();
  }
  return w;
}

weight_epoch epoch_of(const db::weight_set_row& row, const weight_set& base) {
  auto w = weights_from_json(row.weights_json, row.threshold, base);
  weight_epoch e;
  e.version = row.version;
  e.effective_from = row.effective_from;
  e.weights = w.weights;
  e.threshold = w.threshold;
  return e;
}

coordinator_core::coordinator_core(db::storage& store, loop_settings s, settle_fn settle,
                                   push_fn push)
  : store_(store), s_(std::move(s)), settle_(std::move(settle)), push_(std::move(push)) {}

void coordinator_core::delegate(const std::string& loop, run_fn f) {
  if (loop == "tuning")
    tuning_ = std::move(f);
  else if (loop == "performance")
    performance_ = std::move(f);
  else
    throw std::invalid_argument("no loop '" + loop + "' to delegate");
}

std::pair<std::int64_t, weight_set> coordinator_core::current() const {
  if (auto w = detail::applied_set(store_))
    return {w->version, weights_from_json(w->weights_json, w->threshold, s_.configured)};
  return {0, s_.configured};
}

void coordinator_core::sync() {
  if (!push_)
    return;
  for (auto& row : store_.applied_weight_sets()) {
    if (std::find(pushed_.begin(), pushed_.end(), row.version) != pushed_.end())
      continue;
    push_(epoch_of(row, s_.configured));
    pushed_.push_back(row.version);
  }
}

db::learning_run_row coordinator_core::run_tuning(std::int64_t due, std::int64_t now_ms) {
  db::learning_run_row run;
  run.id = "tuning:" + std::to_string(due);
  run.loop = "tuning";
  run.scheduled_at = due;
  run.started_at = now_ms;
  auto [version, weights] = current();
  auto from = now_ms - s_.window_ms;
  std::vector<std::string> ids;
  auto rows = stored_outcomes(store_, from, now_ms, s_.horizon, s_.max_signals, &ids);
  std::vector<const outcome_row*> ptrs;
  for (auto& r : rows)
    ptrs.push_back(&r);
  auto p = propose(weights, ptrs, s_.proposal);
  run.inputs_json = json{{"current", version}, {"from", from},       {"to", now_ms},
                         {"horizon", s_.horizon}, {"count", ids.size()}, {"signals", ids}}
                      .dump();
  json result{{"decision", p.apply ? "proposed" : "refused"},
              {"reason", p.reason},
              {"fit_rows", p.fit_rows},
              {"holdout_rows", p.holdout_rows},
              {"trials", p.trials},
              {"current_hits", hits_json(p.current_hits)},
              {"candidate_hits", hits_json(p.candidate_hits)},
              {"weights", json::parse(weights_json(p.candidate))},
              {"threshold", p.candidate.threshold}};
  if (p.trials > 0) {
    auto v = store_.add_weight_set(detail::new_set(p.candidate, "tuning", version,
                                           p.apply ? "proposed" : "refused", result.dump(), now_ms));
    result["version"] = v;
    if (p.apply && s_.auto_apply) {
      auto eff = detail::effective_from_now(store_, now_ms);
      bool ok = store_.apply_weight_set(v, version, eff, now_ms);
      result["applied"] = ok;
      if (ok)
        result["effective_from"] = eff;
    }
  }
  run.result_json = result.dump();
  run.status = p.trials > 0 ? "ok" : "skipped";
  run.finished_at = now_ms;
  return run;
}

db::learning_run_row coordinator_core::run_expiry(std::int64_t due, std::int64_t now_ms) {
  db::learning_run_row run;
  run.id = "expiry:" + std::to_string(due);
  run.loop = "expiry";
  run.scheduled_at = due;
  run.started_at = run.finished_at = now_ms;
  run.status = "ok";
  auto applied = detail::applied_set(store_);
  run.inputs_json = json{{"current", applied ? applied->version : 0},
                         {"applied_at", applied ? applied->applied_at : 0},
                         {"max_age_ms", s_.max_age_ms}}
                      .dump();
  if (!applied || applied->source == "expiry" || now_ms - applied->applied_at <= s_.max_age_ms) {
    run.result_json = json{{"expired", false}}.dump();
    return run;
  }
  auto v = store_.add_weight_set(
    detail::new_set(s_.configured, "expiry", applied->version, "proposed",
            json{{"expired", applied->version}, {"applied_at", applied->applied_at}}.dump(), now_ms));
  auto eff = detail::effective_from_now(store_, now_ms);
  bool ok = store_.apply_weight_set(v, applied->version, eff, now_ms);
  run.result_json =
    json{{"expired", applied->version}, {"version", v}, {"applied", ok}, {"effective_from", eff}}
      .dump();
  return run;
}

db::learning_run_row coordinator_core::run_performance(std::int64_t due, std::int64_t now_ms) {
  db::learning_run_row run;
  run.id = "performance:" + std::to_string(due);
  run.loop = "performance";
  run.scheduled_at = due;
  run.started_at = now_ms;
  // Up to the newest stored candle when the market runs ahead of the wall
  // clock (a simulated market after its catch-up), else to now.
  auto to = std::max(now_ms, store_.latest_candle_time() + 1);
  auto from = to - s_.performance_window_ms;
  std::vector<std::string> ids;
  std::vector<db::signal_record> records;
  auto rows = stored_outcomes(store_, from, to, s_.horizon, s_.max_signals, &ids, nullptr,
                              &records);
  std::map<std::int64_t, std::vector<std::size_t>> weeks;
  for (std::size_t i = 0; i < rows.size(); ++i)
    weeks[community::week_start(rows[i].time)].push_back(i);
  auto threshold = s_.configured.threshold;
  for (auto& [start, idx] : weeks)
    for (auto& sc : scopes_of(rows, idx, records, threshold))
      store_.write_performance("analysis.week", sc.scope, start, to_json(sc));
  std::vector<std::size_t> all(rows.size());
  for (std::size_t i = 0; i < all.size(); ++i)
    all[i] = i;
  auto overall = scopes_of(rows, all, records, threshold);
  for (auto& sc : overall)
    store_.write_performance("analysis.all", sc.scope, 0, to_json(sc));
  auto& combined = overall.back();
  run.inputs_json = json{{"from", from},
                         {"to", to},
                         {"horizon", s_.horizon},
                         {"count", ids.size()},
                         {"first", ids.empty() ? "" : ids.front()},
                         {"last", ids.empty() ? "" : ids.back()}}
                      .dump();
  run.result_json = json{{"weeks", weeks.size()},
                         {"outcomes", rows.size()},
                         {"combined", json::parse(to_json(combined))}}
                      .dump();
  run.status = rows.empty() ? "skipped" : "ok";
  run.finished_at = now_ms;
  return run;
}

std::vector<db::learning_run_row> coordinator_core::step(std::int64_t now_ms) {
  std::vector<db::learning_run_row> done;
  waiting_.clear();
  auto due_run = [&](const char* loop, std::int64_t every, auto&& body) {
    if (every <= 0)
      return;
    auto due = due_at(now_ms, every);
    auto id = std::string{loop} + ":" + std::to_string(due);
    if (store_.learning_run(id))
      return;
    db::learning_run_row run;
    try {
      run = body(due);
    } catch (const agent_unavailable& e) {
      waiting_.push_back(e.what()); // not recorded: the next step tries again
      return;
    } catch (const std::exception& e) {
      run = db::learning_run_row{};
      run.id = id;
      run.loop = loop;
      run.scheduled_at = due;
      run.started_at = run.finished_at = now_ms;
      run.status = "failed";
      run.result_json = json{{"error", e.what()}}.dump();
    }
    if (store_.record_run(run))
      done.push_back(run);
  };
  due_run("ab", s_.ab_every_ms, [&](std::int64_t due) {
    db::learning_run_row run;
    run.id = "ab:" + std::to_string(due);
    run.loop = "ab";
    run.scheduled_at = due;
    run.started_at = now_ms;
    auto n = settle_ ? settle_() : 0;
    run.finished_at = now_ms;
    run.status = "ok";
    run.inputs_json = json{{"experiments", store_.experiments().size()}}.dump();
    run.result_json = json{{"settled", n}}.dump();
    return run;
  });
  due_run("tuning", s_.tuning_every_ms, [&](std::int64_t due) {
    return tuning_ ? tuning_(due, now_ms) : run_tuning(due, now_ms);
  });
  due_run("expiry", s_.expiry_every_ms, [&](std::int64_t due) { return run_expiry(due, now_ms); });
  due_run("performance", s_.performance_every_ms, [&](std::int64_t due) {
    return performance_ ? performance_(due, now_ms) : run_performance(due, now_ms);
  });
  sync();
  return done;
}

std::vector<loop_state> coordinator_core::status(std::int64_t now_ms) {
  std::vector<loop_state> out;
  for (auto [loop, every] : {std::pair<const char*, std::int64_t>{"ab", s_.ab_every_ms},
                             {"tuning", s_.tuning_every_ms},
                             {"expiry", s_.expiry_every_ms},
                             {"performance", s_.performance_every_ms}}) {
    loop_state st;
    st.loop = loop;
    st.every_ms = every;
    auto runs = store_.learning_runs(loop, 1);
    if (!runs.empty())
      st.last = runs.front();
    if (every > 0) {
      auto due = due_at(now_ms, every);
      st.next_at = st.last && st.last->scheduled_at >= due ? due + every : due;
    }
    out.push_back(st);
  }
  return out;
}

} // namespace herald::learning
