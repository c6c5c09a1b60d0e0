#include "actors/community/track_record.hpp"

#include <chrono>
#include <set>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include "actors/community/analytics.hpp"
#include "actors/content/content.hpp"
#include "actors/ops/instrumented.hpp"
#include "community/analytics.hpp"
#include "content/channel.hpp"
#include "community/track_record.hpp"
#include "io/logging.hpp"
#include "market/interval.hpp"

namespace herald::community_actors {

namespace {

struct track_state {
  static inline const char* name = "herald.community.track_record";
  std::shared_ptr<const community_options> opts;
  std::shared_ptr<supervision::agent_directory> dir;
  std::function<std::int64_t()> clock;
  std::shared_ptr<spdlog::logger> log;
  /// Alert pieces whose outcome rows all exist (rebuilt from the ledger).
  std::set<std::string> done;

  db::storage& store() const { return *opts->storage; }

  content_actors::publisher_actor publisher() const {
    return caf::actor_cast<content_actors::publisher_actor>(dir->find("content.publisher"));
  }

  std::vector<community::alert_call> calls() { return published_alerts(store()); }

  std::optional<community::call_outcome> outcome(const community::alert_call& c) {
    auto iv = market::interval_ms(c.interval).value_or(60'000);
    // enough room for gaps: four times the horizon
    auto after = store().candles_between(c.symbol, c.interval, c.time + 1,
                                         c.time + (4 * opts->track_record.horizon + 2) * iv);
    return community::resolve(c, after, opts->track_record.horizon);
  }

  /// Hands every resolved outcome not in the ledger to the publisher;
  /// returns how many posts were handed over.
  std::uint64_t outcomes(const std::vector<community::alert_call>& cs) {
    auto& t = opts->track_record;
    if (!t.outcomes)
      return 0;
    std::uint64_t handed = 0;
    content_actors::publisher_actor pub;
    for (auto& c : cs) {
      if (done.count(c.piece))
        continue;
      std::vector<std::string> missing;
      for (auto& ch : c.channels)
        if (ch != "articles" && !store().content_plan_by_id("outcome:" + c.piece + "@" + ch))
          missing.push_back(ch);
      if (missing.empty()) {
        done.insert(c.piece);
        continue;
      }
      auto o = outcome(c);
      if (!o)
        continue; // the horizon has not passed yet
      if (!pub && !(pub = publisher()))
        return handed; // the publisher runs elsewhere or restarts: next tick
      auto label = " of " + c.interval;
      for (auto& ch : missing) {
        content_piece p;
        p.piece = "outcome:" + c.piece;
        p.id = p.piece + "@" + ch;
        p.type = "outcome";
        p.channel = ch;
        p.scheduled_at = o->exit_time; // market time: the same piece however often it is made
        p.title = "Outcome: " + c.symbol + " " + (c.dir > 0 ? "long" : "short") + " call";
        auto limit = content::parse_channel(ch) ? content::text_limit(*content::parse_channel(ch)) : 0;
        p.parts = {content::fit(community::outcome_text(*o, label), limit)};
        p.writer = "track_record";
        p.lineage = c.piece;
        caf::anon_send(pub, std::move(p));
        ++handed;
      }
      log->info("{}: {} after {} bars ({:+.2f}% for the call); outcome handed over for {} "
                "channel(s)",
                c.piece, o->hit ? "hit" : "miss", o->bars, 100 * o->signed_ret, missing.size());
    }
    return handed;
  }

  /// The article over the resolved alerts with time in [from, to); "" when
  /// none or already in the ledger.
  std::string article(const std::string& piece, const std::string& period, std::int64_t from,
                      std::int64_t to, const std::vector<community::alert_call>& cs) {
    auto& t = opts->track_record;
    if (!t.articles || store().content_plan_by_id(piece + "@articles"))
      return "";
    std::vector<community::call_outcome> os;
    for (auto& c : cs)
      if (c.time >= from && c.time < to)
        if (auto o = outcome(c))
          os.push_back(*o);
    if (os.empty())
      return "";
    auto pub = publisher();
    if (!pub)
      return "";
    auto s = community::summarize(std::move(os));
    auto a = community::track_record_article(s, period, t.horizon);
    content_piece p;
    p.piece = piece;
    p.id = piece + "@articles";
    p.type = "track_record";
    p.channel = "articles";
    p.scheduled_at = std::max_element(s.outcomes.begin(), s.outcomes.end(), // the record's
                                      [](auto& x, auto& y) { return x.exit_time < y.exit_time; })
                       ->exit_time; // market time
    p.title = a.title;
    p.markdown = a.markdown;
    p.parts = {a.markdown};
    p.writer = "track_record";
    caf::anon_send(pub, std::move(p));
    log->info("{}: {} alerts, hit rate {:.1f}% [{:.1f}%, {:.1f}%]: {}", piece, s.hits.n,
              100 * s.hits.rate(), 100 * s.hits.lower(), 100 * s.hits.upper(), s.verdict());
    return piece;
  }

  void weekly(std::int64_t now, const std::vector<community::alert_call>& cs) {
    auto& t = opts->track_record;
    if (!t.weekly_article)
      return;
    if (now < weekly_release(now, t.report_weekday, t.report_minute))
      return;
    constexpr std::int64_t week = 7 * 86'400'000LL;
    auto from = community::week_start(now) - week;
    auto date = market::format_utc(from).substr(0, 10);
    article("track_record:" + date, "week of " + date, from, from + week, cs);
  }

  void tick() {
    try {
      auto now = clock();
      auto cs = calls(); // read once per tick
      outcomes(cs);
      weekly(now, cs);
    } catch (const std::exception& e) {
      log->warn("track record: {}; next try in {} ms", e.what(),
                opts->track_record.interval.count());
    }
  }
};

track_record_actor::behavior_type
track_impl(ops::instrumented_stateful<track_record_actor, track_state>* self,
           std::shared_ptr<const community_options> opts,
           std::shared_ptr<supervision::agent_directory> dir) {
  auto& st = self->state;
  st.opts = opts;
  st.dir = std::move(dir);
  st.clock = clock_or_system(opts->track_record.clock);
  st.log = logging::get("community.track_record");
  st.log->info("outcomes of published alerts after {} bars{}", opts->track_record.horizon,
               opts->track_record.outcomes ? "" : " (outcome posts off)");
  self->send(self, caf::tick_atom::value);
  return {
    [self](caf::tick_atom) {
      self->state.tick();
      self->delayed_send(self, self->state.opts->track_record.interval, caf::tick_atom::value);
    },
    [self](drain_atom) -> std::tuple<std::uint64_t, std::string> {
      auto& st = self->state;
      std::uint64_t handed = 0;
      std::string piece;
      try {
        auto cs = st.calls();
        handed = st.outcomes(cs);
        // the closing article: every published alert to the last one
        if (!cs.empty()) {
          auto last = cs.back().time;
          for (auto& c : cs)
            last = std::max(last, c.time);
          auto date = market::format_utc(last).substr(0, 10);
          piece = st.article("track_record:closing:" + date, "every published alert to " + date,
                             INT64_MIN, INT64_MAX, cs);
        }
      } catch (const std::exception& e) {
        st.log->warn("track record at the end of the run: {}", e.what());
      }
      return {handed, piece};
    },
  };
}

} // namespace

std::vector<community::alert_call> published_alerts(db::storage& store) {
  std::map<std::string, community::alert_call> by;
  for (auto& row : store.plans_of_kind("alert", "published", INT64_MIN, 100'000)) {
    auto at = row.id.rfind('@');
    auto piece = at == std::string::npos ? row.id : row.id.substr(0, at);
    auto it = by.find(piece);
    if (it == by.end()) {
      community::alert_call c;
      if (!community::parse_alert_piece(piece, c))
        continue;
      // "alert:<signal id>" comes from the insight "insight:<signal id>"
      // (the plan row may not name it: the insight is written behind).
      auto in = store.insight_by_id(row.insight_id.empty() ? "insight:" + piece.substr(6)
                                                             : row.insight_id);
      if (!in)
        continue;
      auto j = nlohmann::json::parse(in->payload_json, nullptr, false);
      if (!j.is_object())
        continue;
      auto d = j.value("direction", std::string{});
      c.dir = d == "long" ? 1 : d == "short" ? -1 : 0;
      c.entry = j.value("price", 0.0);
      c.confidence = j.value("confidence", 0.0);
      if (c.dir == 0 || c.entry <= 0)
        continue;
      it = by.emplace(piece, c).first;
    }
    it->second.channels.push_back(row.channel);
  }
  std::vector<community::alert_call> out;
  for (auto& [k, c] : by)
    out.push_back(std::move(c));
  return out;
}


track_record_actor spawn_track_record(caf::local_actor* parent,
                                      std::shared_ptr<const community_options> opts,
                                      std::shared_ptr<supervision::agent_directory> dir) {
  return parent->spawn<caf::detached>(track_impl, std::move(opts), std::move(dir));
}

} // namespace herald::community_actors
