#include "learning/scorecard.hpp"

#include "content/briefing.hpp"
#include "content/chart.hpp"
#include "content/strategist.hpp"
#include "learning/loops.hpp"
#include "market/interval.hpp"

namespace herald::learning {

namespace {

constexpr std::int64_t day_ms = 86'400'000;

std::string day(std::int64_t t) {
  return market::format_utc(t).substr(0, 10);
}

} // namespace

std::vector<scope_stats> scopes_of(const std::vector<outcome_row>& rows,
                                   const std::vector<std::size_t>& idx,
                                   const std::vector<db::signal_record>& records,
                                   double call_threshold) {
  std::vector<const outcome_row*> rs;
  std::vector<int> dirs;
  std::vector<double> scores, confs;
  for (auto i : idx) {
    rs.push_back(&rows[i]);
    auto& d = records[i].direction;
    dirs.push_back(d == "long" ? 1 : d == "short" ? -1 : 0);
    scores.push_back(records[i].score);
    confs.push_back(records[i].confidence);
  }
  performance_options po;
  po.call_threshold = call_threshold;
  return performance(rs, dirs, scores, confs, po);
}

content::facts performance_facts(const std::vector<scope_stats>& scopes) {
  content::facts f;
  // The constants the article's explanation prints.
  f.set("ci_level", 95).set("coin_pct", 50).set("brier_coin", 0.25);
  for (auto& s : scopes) {
    auto k = [&](const char* figure) { return s.scope + "_" + figure; };
    f.set(k("calls"), static_cast<std::int64_t>(s.hits.n))
      .set(k("hit_rate"), 100 * s.hits.rate())
      .set(k("low"), 100 * s.hits.lower())
      .set(k("high"), 100 * s.hits.upper())
      .set(k("brier"), s.brier)
      .set(k("longs"), static_cast<std::int64_t>(s.longs))
      .set(k("long_return"), 100 * s.long_return)
      .set(k("shorts"), static_cast<std::int64_t>(s.shorts))
      .set(k("short_return"), 100 * s.short_return)
      .set(k("buy_hold"), 100 * s.buy_hold);
  }
  return f;
}

scorecard weekly_scorecard(db::storage& store, std::int64_t week_start, std::int64_t at,
                           const scorecard_options& o) {
  scorecard sc;
  sc.week_start = week_start;
  auto week_end = week_start + 7 * day_ms;
  std::vector<std::string> ids;
  std::vector<db::signal_record> records;
  auto rows = stored_outcomes(store, week_start, at, o.horizon,
                              o.max_signals, &ids, nullptr, &records);
  std::vector<std::size_t> idx;
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (rows[i].time < week_end && rows[i].resolved_at < at)
      idx.push_back(i);
  sc.outcomes = idx.size();
  auto week = day(week_start);
  auto last_day = day(week_end - day_ms);
  auto until = market::format_utc(at).substr(0, 16) + " UTC";
  sc.title = "Weekly analysis scorecard, week of " + week;
  if (!idx.empty())
    sc.scopes = scopes_of(rows, idx, records, o.call_threshold);
  sc.facts = performance_facts(sc.scopes);
  sc.facts.set("title", sc.title)
    .set("week", week)
    .set("week_last_day", last_day)
    .set("date", day(at))
    .set("until", until)
    .set("horizon", o.horizon)
    .set("outcomes", static_cast<std::int64_t>(sc.outcomes))
    .set("period_hours", 168);
  if (sc.scopes.empty())
    return sc;
  auto md = performance_markdown(sc.scopes, "week of " + week);
  md = md.substr(md.find('\n') + 1); // the page shows the title itself
  sc.markdown = "Signals of " + week + " to " + last_day + " (UTC) whose outcome " +
                std::to_string(o.horizon) + " bars later had resolved by " + until + ": " +
                std::to_string(sc.outcomes) + ". The chart is the combined signal's reliability "
                "diagram: each bin's stated probability of an up move against how often the "
                "market went up.\n" + md;
  auto& c = sc.scopes.back();
  char buf[256];
  if (c.hits.n > 0)
    std::snprintf(buf, sizeof buf,
                  "The combined signal was right on %.1f%% of %zu calls (95%% interval %.1f%% to "
                  "%.1f%%); a coin is right on 50%%.",
                  100 * c.hits.rate(), c.hits.n, 100 * c.hits.lower(), 100 * c.hits.upper());
  else
    std::snprintf(buf, sizeof buf, "The combined signal made no call.");
  sc.summary = buf;
  // The best analyzer among those with enough calls to say anything.
  const scope_stats* best = nullptr;
  for (std::size_t k = 0; k + 1 < sc.scopes.size(); ++k) {
    auto& s = sc.scopes[k];
    if (s.hits.n >= 30 && (!best || s.hits.lower() > best->hits.lower()))
      best = &s;
  }
  if (best) {
    std::snprintf(buf, sizeof buf, " Best analyzer by its interval's lower bound: %s, %.1f%% of %zu calls.",
                  best->scope.c_str(), 100 * best->hits.rate(), best->hits.n);
    sc.summary += buf;
    sc.facts.set("best_scope", best->scope).set("best_hit_rate", 100 * best->hits.rate());
  }
  sc.facts.set("combined_calls", static_cast<std::int64_t>(c.hits.n))
    .set("summary", sc.summary)
    .set("body", sc.markdown);
  return sc;
}

scorecard_step fill_scorecard(db::storage& store, content_brief& b, const scorecard_options& o,
                              std::string* why) {
  auto week = content::strategist::scorecard_week(b.piece);
  if (week == INT64_MIN)
    throw std::invalid_argument{"'" + b.piece + "' is not a scorecard piece (scorecard:<ms>)"};
  // The writers lag the market (write-behind; a replay runs far ahead of
  // them): wait until the database holds signals and candles of the hour
  // before the scorecard's time, so that it scores every signal of the week
  // that had resolved by then.
  constexpr std::int64_t hour_ms = 3'600'000;
  auto need = b.scheduled_at - hour_ms;
  if (store.signals_since(need, 1).empty() || store.latest_candle_time() < need) {
    if (why)
      *why = "the database has no signal and candle of the hour before "
             + market::format_utc(b.scheduled_at) + " yet";
    return scorecard_step::wait;
  }
  auto sc = weekly_scorecard(store, week, b.scheduled_at, o);
  if (sc.outcomes == 0) {
    if (why)
      *why = "no signal of the week of " + day(week) + " had a resolved outcome by "
             + market::format_utc(b.scheduled_at);
    return scorecard_step::nothing;
  }
  b.title = sc.title;
  b.markdown = sc.markdown;
  b.facts_json = content::facts_to_json(sc.facts);
  auto ch = content::parse_channel(b.channel);
  if (ch && *ch == content::channel::articles) {
    auto size = content::chart_size_for(*ch);
    try {
      b.chart_png = reliability_png(sc.scopes.back(), size.width, size.height);
    } catch (const std::runtime_error&) {
      // cairo out of memory: the table goes out without its diagram
    }
  }
  return scorecard_step::ready;
}

} // namespace herald::learning
