#include "community/analytics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <set>
#include <stdexcept>
#include <tuple>

#include <nlohmann/json.hpp>

namespace herald::community {

using json = nlohmann::json;

std::string engagement_formula(const std::string& channel) {
  if (channel == "x")
    return "engagements = likes + replies + reposts + quotes + bookmarks; rate = engagements / "
           "impressions";
  if (channel == "discord" || channel == "telegram")
    return "engagements = reactions; rate not defined (no impressions reported)";
  if (channel == "articles")
    return "impressions = page views; rate not defined (no engagements counted)";
  return "engagements = reactions; rate not defined";
}

void derive(const std::string& channel, const post_counts& c, db::metric_snapshot& m) {
  m.formula = engagement_formula(channel);
  if (channel == "x") {
    m.engagements = c.likes + c.replies + c.reposts + c.quotes + c.bookmarks;
    m.impressions = c.impressions;
    m.rate = c.impressions > 0
               ? static_cast<double>(m.engagements) / static_cast<double>(c.impressions)
               : -1;
  } else if (channel == "articles") {
    m.engagements = 0;
    m.impressions = c.impressions;
    m.rate = -1;
  } else {
    m.engagements = c.reactions;
    m.impressions = -1;
    m.rate = -1;
  }
}

piece_attributes attributes_of(db::storage& store, const db::published_post& p) {
  piece_attributes a;
  if (!p.plan_id.empty()) {
    if (auto row = store.content_plan_by_id(p.plan_id)) {
      a.kind = row->kind;
      auto j = json::parse(row->payload_json, nullptr, false);
      if (j.is_object() && j.contains("variant") && j["variant"].is_string())
        a.variant = j["variant"].get<std::string>();
    }
  }
  // Piece ids name their symbol second: "alert:BTCUSDT:1m:<time>",
  // "outcome:alert:BTCUSDT:..." names it third.
  auto parts = std::vector<std::string>{};
  std::size_t start = 0;
  while (start <= p.id.size()) {
    auto colon = p.id.find(':', start);
    parts.push_back(p.id.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
    if (colon == std::string::npos)
      break;
    start = colon + 1;
  }
  if (a.kind.empty() && !parts.empty())
    a.kind = parts[0];
  auto looks_like_symbol = [](const std::string& s) {
    return s.size() >= 5 && s.size() <= 20
           && std::all_of(s.begin(), s.end(), [](char c) {
                return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
              });
  };
  for (std::size_t i = 1; i < parts.size() && i < 3; ++i)
    if (looks_like_symbol(parts[i])) {
      a.symbol = parts[i];
      break;
    }
  return a;
}

analytics_core::analytics_core(analytics_settings s, std::map<std::string, metrics_source> sources,
                               db::storage& store)
  : s_(std::move(s)), sources_(std::move(sources)), store_(store) {
  std::sort(s_.offsets_ms.begin(), s_.offsets_ms.end());
  s_.offsets_ms.erase(std::unique(s_.offsets_ms.begin(), s_.offsets_ms.end()), s_.offsets_ms.end());
}

std::int64_t analytics_core::paused_until(const std::string& channel) const {
  auto it = paused_.find(channel);
  return it == paused_.end() ? 0 : it->second;
}

analytics_tick analytics_core::tick(std::int64_t now) {
  analytics_tick out;
  if (s_.offsets_ms.empty() || sources_.empty())
    return out;
  auto from = now - s_.offsets_ms.back() - s_.grace_ms;
  auto posts = store_.published_since(from, 100'000);
  std::set<std::tuple<std::string, std::string, std::int64_t>> have;
  std::set<std::pair<std::string, std::string>> gone;
  for (auto& m : store_.snapshots_between(from, now + 1)) {
    have.emplace(m.post_id, m.channel, m.offset_ms);
    if (m.status == "deleted")
      gone.emplace(m.post_id, m.channel);
  }
  struct due_item {
    db::published_post post;
    std::vector<std::int64_t> offsets; ///< ascending; the last is read, the others missed
    piece_attributes attrs{};          ///< read once, when the item is recorded
    bool attrs_read = false;
  };
  std::map<std::string, std::vector<due_item>> due;
  for (auto& p : posts) {
    if (!sources_.count(p.channel) || gone.count({p.id, p.channel}))
      continue;
    if (p.channel_message_id.empty() || p.channel_message_id == "duplicate")
      continue; // no id to read it by
    due_item d{p, {}};
    for (auto off : s_.offsets_ms) {
      auto at = p.published_at + off;
      if (at <= now && now - at <= s_.grace_ms && !have.count({p.id, p.channel, off}))
        d.offsets.push_back(off);
    }
    if (!d.offsets.empty())
      due[p.channel].push_back(std::move(d));
  }

  auto record = [&](due_item& d, std::int64_t off, const std::string& status,
                    const fetched* f) {
    db::metric_snapshot m;
    m.post_id = d.post.id;
    m.channel = d.post.channel;
    m.offset_ms = off;
    m.due_at = d.post.published_at + off;
    m.taken_at = now;
    m.status = status;
    m.published_at = d.post.published_at;
    if (!d.attrs_read) {
      d.attrs = attributes_of(store_, d.post);
      d.attrs_read = true;
    }
    m.kind = d.attrs.kind;
    m.variant = d.attrs.variant;
    m.symbol = d.attrs.symbol;
    std::time_t secs = static_cast<std::time_t>(d.post.published_at / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    m.hour = tm.tm_hour;
    if (f && status == "ok") {
      derive(d.post.channel, f->counts, m);
      m.counts_json = f->raw_json;
    } else {
      m.formula = engagement_formula(d.post.channel);
      m.counts_json = f ? f->raw_json : "{}";
    }
    if (store_.write_snapshot(m)) {
      if (status == "ok")
        ++out.taken;
      else if (status == "deleted")
        ++out.deleted;
      else
        ++out.missed;
    }
  };

  for (auto& [channel, items] : due) {
    auto& src = sources_.at(channel);
    if (paused_until(channel) > now) {
      out.retrying += items.size();
      continue;
    }
    auto batch = std::max<std::size_t>(1, src.batch);
    for (std::size_t i = 0; i < items.size(); i += batch) {
      std::vector<post_ref> refs;
      for (std::size_t k = i; k < std::min(items.size(), i + batch); ++k) {
        auto& p = items[k].post;
        refs.push_back({p.id, p.channel, p.channel_message_id, p.url, p.published_at});
      }
      std::map<std::string, fetched> got;
      std::string failure;
      try {
        got = src.fetch(refs);
      } catch (const std::exception& e) {
        failure = e.what();
      }
      std::int64_t wait = -1;
      for (std::size_t k = i; k < std::min(items.size(), i + batch); ++k) {
        auto& d = items[k];
        auto it = got.find(d.post.channel_message_id);
        if (!failure.empty() || it == got.end() || it->second.st == fetched::status::retry) {
          ++out.retrying;
          if (failure.empty())
            failure = it == got.end() ? channel + ": no answer for " + d.post.channel_message_id
                                      : it->second.error;
          if (it != got.end())
            wait = std::max(wait, it->second.retry_after_ms);
          continue;
        }
        for (std::size_t j = 0; j + 1 < d.offsets.size(); ++j)
          record(d, d.offsets[j], "missed", nullptr);
        record(d, d.offsets.back(),
               it->second.st == fetched::status::ok ? "ok" : "deleted", &it->second);
      }
      if (!failure.empty()) {
        // The channel waits: what the platform asked for, else a backoff.
        // A rate limit says how long; only failures grow the backoff.
        if (wait > 0)
          paused_[channel] = now + wait;
        else {
          auto& n = failures_[channel];
          ++n;
          paused_[channel] = now + std::min<std::int64_t>(s_.retry_max_ms,
                                                          s_.retry_min_ms << std::min(n - 1, 20));
        }
        out.errors.push_back(failure);
        // the rest of this channel's batches wait too
        for (std::size_t k = i + batch; k < items.size(); ++k)
          ++out.retrying;
        break;
      }
      failures_[channel] = 0;
    }
  }
  return out;
}

// -- reports --------------------------------------------------------------------

const std::vector<std::string>& report_dimensions() {
  static const std::vector<std::string> all{"channel", "type", "variant", "symbol", "hour"};
  return all;
}

namespace {

/// The latest ok snapshot of each piece.
std::vector<const db::metric_snapshot*> latest(const std::vector<db::metric_snapshot>& snaps) {
  std::map<std::pair<std::string, std::string>, const db::metric_snapshot*> best;
  for (auto& m : snaps) {
    if (m.status != "ok")
      continue;
    auto& b = best[{m.post_id, m.channel}];
    if (!b || m.offset_ms > b->offset_ms)
      b = &m;
  }
  std::vector<const db::metric_snapshot*> out;
  for (auto& [k, m] : best)
    out.push_back(m);
  return out;
}

std::string key_of(const db::metric_snapshot& m, const std::string& by) {
  if (by == "channel")
    return m.channel;
  if (by == "type")
    return m.kind.empty() ? "(none)" : m.kind;
  if (by == "variant")
    return m.variant.empty() ? "(none)" : m.variant;
  if (by == "symbol")
    return m.symbol.empty() ? "(market)" : m.symbol;
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d", static_cast<int>(m.hour));
  return buf;
}

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string date_of(std::int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

} // namespace

std::vector<report_row> analytics_report(const std::vector<db::metric_snapshot>& snaps,
                                         const std::string& by) {
  auto& dims = report_dimensions();
  if (std::find(dims.begin(), dims.end(), by) == dims.end()) {
    std::string list;
    for (auto& d : dims)
      list += (list.empty() ? "" : ", ") + d;
    throw std::invalid_argument{"unknown report grouping '" + by + "' (" + list + ")"};
  }
  std::map<std::string, report_row> rows;
  for (auto* m : latest(snaps)) {
    auto& r = rows[key_of(*m, by)];
    r.key = key_of(*m, by);
    ++r.posts;
    r.engagements += m->engagements;
    if (m->impressions >= 0) {
      r.impressions += m->impressions;
      ++r.with_impressions;
      if (m->rate >= 0)
        r.engagements_rated += m->engagements;
    }
  }
  std::vector<report_row> out;
  for (auto& [k, r] : rows)
    out.push_back(r);
  return out;
}

std::int64_t week_start(std::int64_t t) {
  constexpr std::int64_t day = 86'400'000;
  auto days = t >= 0 ? t / day : (t - day + 1) / day;
  // 1970-01-01 was a Thursday: Monday is 3 days before.
  auto monday = days - ((days + 3) % 7 + 7) % 7;
  return monday * day;
}

performance_article weekly_performance(const std::vector<db::metric_snapshot>& snaps,
                                       std::int64_t week) {
  constexpr std::int64_t week_ms = 7 * 86'400'000LL;
  std::vector<db::metric_snapshot> in;
  for (auto& m : snaps)
    if (m.published_at >= week && m.published_at < week + week_ms)
      in.push_back(m);
  performance_article a;
  a.id = "performance:" + date_of(week);
  a.title = "Performance, week of " + date_of(week);
  auto pieces = latest(in);
  std::string md;
  md += "What Herald published from " + date_of(week) + " to " + date_of(week + week_ms - 1)
        + " (UTC) and how it was received, from the latest metrics snapshot of each piece ("
        + std::to_string(pieces.size()) + " pieces with metrics).\n\n";
  if (pieces.empty()) {
    md += "No piece published this week has metrics yet.\n";
    a.markdown = md;
    a.bar_label = "engagements per piece";
    return a;
  }
  auto table = [&](const std::string& by, const std::string& heading) {
    md += "## By " + heading + "\n\n| " + heading
          + " | pieces | impressions | engagements | engagement rate |\n|---|---:|---:|---:|---:|\n";
    for (auto& r : analytics_report(in, by))
      md += "| " + r.key + " | " + std::to_string(r.posts) + " | "
            + (r.with_impressions ? std::to_string(r.impressions) : std::string{"n/a"}) + " | "
            + std::to_string(r.engagements) + " | "
            + (r.rate() >= 0 ? fixed(100 * r.rate(), 2) + "%" : std::string{"n/a"}) + " |\n";
    md += "\n";
  };
  table("channel", "channel");
  table("type", "type");
  table("variant", "variant");
  table("symbol", "symbol");
  table("hour", "hour");
  // the best pieces
  std::vector<const db::metric_snapshot*> best(pieces.begin(), pieces.end());
  std::sort(best.begin(), best.end(), [](auto* x, auto* y) {
    return std::tie(y->engagements, x->post_id) < std::tie(x->engagements, y->post_id);
  });
  md += "## Most engaging pieces\n\n";
  for (std::size_t i = 0; i < best.size() && i < 5; ++i)
    md += std::to_string(i + 1) + ". " + best[i]->post_id + " on " + best[i]->channel + ": "
          + std::to_string(best[i]->engagements) + " engagements\n";
  md += "\n## How this is measured\n\n"
        "- X: engagements = likes + replies + reposts + quotes + bookmarks; engagement rate = "
        "engagements / impressions (the definition Buffer and Typefully use), summed over the "
        "pieces of a row.\n"
        "- Discord and Telegram: engagements = reactions; they report no impressions, so no "
        "rate.\n"
        "- Articles: impressions = page views counted by the server of this site.\n";
  a.markdown = md;
  a.bar_label = "engagements per piece, by content type";
  for (auto& r : analytics_report(in, "type"))
    a.bars.emplace_back(r.key, r.engagements_per_post());
  return a;
}

} // namespace herald::community
