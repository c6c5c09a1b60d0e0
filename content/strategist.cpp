#include "content/strategist.hpp"

#include <algorithm>

namespace herald::content {

namespace {

constexpr std::int64_t minute_ms = 60'000, day_ms = 24 * 60 * minute_ms, week_ms = 7 * day_ms;
// 1970-01-01 was a Thursday (weekday 4).
constexpr std::int64_t epoch_weekday = 4;

std::int64_t floor_to(std::int64_t t, std::int64_t unit) {
  return t - (((t % unit) + unit) % unit);
}

/// The last moment <= t that is `minute` minutes into a day.
std::int64_t last_daily(std::int64_t t, int minute) {
  auto x = floor_to(t, day_ms) + minute * minute_ms;
  return x <= t ? x : x - day_ms;
}

/// The last moment <= t that is `minute` into weekday `wd` (0 = Sunday).
std::int64_t last_weekly(std::int64_t t, int wd, int minute) {
  // Days since the epoch's Sunday (1969-12-28).
  auto sunday0 = -epoch_weekday * day_ms;
  auto x = sunday0 + floor_to(t - sunday0, week_ms) + wd * day_ms + minute * minute_ms;
  return x <= t ? x : x - week_ms;
}

std::string day_key(std::int64_t t) {
  return std::to_string(floor_to(t, day_ms));
}

/// Monday 00:00 UTC of the week holding t.
std::int64_t monday_of(std::int64_t t) {
  return last_weekly(t, 1, 0);
}

} // namespace

strategist::strategist(strategist_options o) : o_(std::move(o)) {
  for (auto& c : o_.channels)
    budgets_.emplace_back(c.per_hour, c.per_day);
}

std::int64_t strategist::open_slot(std::size_t i, std::int64_t at) {
  auto when = at;
  for (int guard = 0; guard < 100; ++guard) { // quiet hours and budget interact
    auto open = o_.channels[i].quiet.next_open(when);
    auto slot = budgets_[i].next_slot(open);
    if (slot == when)
      break;
    when = slot;
  }
  return when;
}

std::int64_t strategist::next_in_hour(std::int64_t t, int hour) {
  constexpr std::int64_t hour_ms = 60 * minute_ms;
  if (((t % day_ms) + day_ms) % day_ms / hour_ms == hour)
    return t;
  auto x = floor_to(t, day_ms) + hour * hour_ms;
  return x > t ? x : x + day_ms;
}

void strategist::move_to_hour(plan& p, int hour) {
  if (p.type == content_type::alert || hour < 0 || hour > 23)
    return;
  auto i = static_cast<std::size_t>(p.ch);
  budgets_[i].forget(p.scheduled_at);
  p.scheduled_at = open_slot(i, next_in_hour(p.scheduled_at, hour));
  budgets_[i].record(p.scheduled_at);
}

std::vector<plan> strategist::schedule(const std::string& piece, content_type t, std::int64_t at,
                                       const std::string& insight_id, double importance) {
  std::vector<plan> out;
  for (std::size_t i = 0; i < channel_count; ++i) {
    auto& c = o_.channels[i];
    if (!c.enabled)
      continue;
    auto ch = static_cast<channel>(i);
    // Threads are cut for the short channels; articles and webhooks take the
    // report itself, Discord a recap-length summary of it.
    if (!carries(ch, t))
      continue;
    auto when = open_slot(i, at);
    if (t == content_type::alert && when - at > o_.max_alert_delay_ms) {
      ++dropped_[i];
      continue;
    }
    budgets_[i].record(when);
    plan p;
    p.piece = piece;
    p.id = piece + "@" + channel_name(ch);
    p.type = t;
    p.ch = ch;
    p.scheduled_at = when;
    p.insight_id = insight_id;
    p.importance = importance;
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<plan> strategist::on_insights(std::vector<analysis::insight> ins,
                                          std::vector<skipped>* why) {
  auto skip = [&](const analysis::insight& in, const char* reason) {
    if (why)
      why->push_back({in.id(), reason});
  };
  // In time order, and within one candle time by importance: the result
  // does not depend on how the risk manager's reports happened to group the
  // insights (a replay plans exactly what live planned).
  std::stable_sort(ins.begin(), ins.end(), [](auto& a, auto& b) {
    if (a.time != b.time)
      return a.time < b.time;
    return a.strength * a.confidence > b.strength * b.confidence;
  });
  std::vector<plan> out;
  for (auto& in : ins) {
    clock_ = std::max(clock_, in.time);
    if (!in.approved) {
      skip(in, "not_approved");
      continue;
    }
    if (in.confidence < o_.min_confidence) {
      skip(in, "low_confidence");
      continue;
    }
    auto key = in.symbol + ":" + analysis::to_string(in.dir);
    auto last = last_alert_.find(key);
    if (last != last_alert_.end() && in.time - last->second < o_.novelty_ms) {
      skip(in, "not_novel");
      continue;
    }
    auto plans = schedule("alert:" + in.signal_id, content_type::alert, in.time, in.id(),
                          in.strength * in.confidence / 100);
    if (plans.empty()) {
      skip(in, "no_channel");
      continue;
    }
    last_alert_[key] = in.time;
    for (auto& p : plans)
      out.push_back(std::move(p));
  }
  return out;
}

std::vector<plan> strategist::on_time(std::int64_t now_ms) {
  std::vector<plan> out;
  if (timed_through_ == INT64_MIN) {
    timed_through_ = now_ms; // the first time seen: nothing is overdue yet
    return out;
  }
  if (now_ms <= timed_through_)
    return out;
  auto recap = last_daily(now_ms, o_.recap_minute);
  if (recap > timed_through_)
    for (auto& p : schedule("recap:" + day_key(recap), content_type::recap, recap, "", 0))
      out.push_back(std::move(p));
  auto report = last_weekly(now_ms, o_.report_weekday, o_.report_minute);
  if (report > timed_through_) {
    auto piece = "report:" + day_key(report);
    for (auto t : {content_type::report, content_type::thread})
      for (auto& p : schedule(piece + (t == content_type::thread ? ":thread" : ""), t, report, "", 0))
        out.push_back(std::move(p));
  }
  if (o_.scorecard) {
    auto at = last_weekly(now_ms, o_.scorecard_weekday, o_.scorecard_minute);
    if (at > timed_through_) {
      auto week = monday_of(at) - week_ms; // the last full week before it
      for (auto& p : schedule("scorecard:" + std::to_string(week), content_type::scorecard, at, "", 0))
        out.push_back(std::move(p));
    }
  }
  timed_through_ = now_ms;
  return out;
}

std::int64_t strategist::scorecard_week(const std::string& piece) {
  auto colon = piece.rfind(':');
  try {
    return std::stoll(piece.substr(colon == std::string::npos ? 0 : colon + 1));
  } catch (const std::exception&) {
    return INT64_MIN;
  }
}

std::vector<plan> strategist::closing(std::int64_t now_ms) {
  std::vector<plan> out;
  auto tag = std::to_string(now_ms);
  for (auto& p : schedule("recap:closing:" + tag, content_type::recap, now_ms, "", 0))
    out.push_back(std::move(p));
  for (auto t : {content_type::report, content_type::thread})
    for (auto& p : schedule("report:closing:" + tag + (t == content_type::thread ? ":thread" : ""),
                            t, now_ms, "", 0))
      out.push_back(std::move(p));
  return out;
}

} // namespace herald::content
