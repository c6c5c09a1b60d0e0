#include "actors/community/repurpose.hpp"

#include <chrono>

#include <caf/all.hpp>

#include "actors/community/track_record.hpp"
#include "actors/content/content.hpp"
#include "actors/ops/instrumented.hpp"
#include "community/analytics.hpp"
#include "community/repurpose.hpp"
#include "content/channel.hpp"
#include "content/ledger.hpp"
#include "io/logging.hpp"
#include "market/interval.hpp"

namespace herald::community_actors {

namespace {

std::size_t limit_of(const std::string& ch) {
  auto c = content::parse_channel(ch);
  return c ? content::text_limit(*c) : 280;
}

struct repurpose_state {
  static inline const char* name = "herald.community.repurpose";
  std::shared_ptr<const community_options> opts;
  std::shared_ptr<supervision::agent_directory> dir;
  std::function<std::int64_t()> clock;
  std::shared_ptr<spdlog::logger> log;

  db::storage& store() const { return *opts->storage; }
  bool has(const std::string& plan_id) { return store().content_plan_by_id(plan_id).has_value(); }

  /// Hands `p` over unless its row exists; true when handed.
  bool hand(content_actors::publisher_actor& pub, content_piece p) {
    if (has(p.id))
      return false;
    if (!pub && !(pub = caf::actor_cast<content_actors::publisher_actor>(
                    dir->find("content.publisher"))))
      return false;
    caf::anon_send(pub, std::move(p));
    return true;
  }

  /// The latest reports as a thread and a summary post.
  std::uint64_t reports() {
    auto& o = opts->repurpose;
    std::map<std::string, std::vector<content::piece_record>> by;
    std::vector<std::string> order;
    for (auto& row : store().plans_of_kind("report", "published", INT64_MIN, 100'000)) {
      auto r = content::piece_record::from_row(row);
      if (!by.count(r.piece))
        order.push_back(r.piece);
      by[r.piece].push_back(std::move(r));
    }
    if (order.size() > o.reports)
      order.erase(order.begin(), order.end() - static_cast<std::ptrdiff_t>(o.reports));
    std::uint64_t handed = 0;
    content_actors::publisher_actor pub;
    for (auto& piece : order) {
      auto& recs = by[piece];
      // the article holds the markdown and the link
      auto src = recs.front();
      for (auto& r : recs)
        if (r.channel == "articles")
          src = r;
      auto markdown = src.markdown.empty() && !src.parts.empty() ? src.parts.front() : src.markdown;
      auto rows = community::report_summary(markdown);
      if (rows.empty())
        continue;
      // the source texts a variant must not repeat: the report, and the
      // strategist's own thread of it
      auto source = markdown;
      for (auto& row : store().plans_of_kind("thread", "", INT64_MIN, 100'000)) {
        auto t = content::piece_record::from_row(row);
        if (t.piece.rfind(piece, 0) == 0)
          for (auto& part : t.parts)
            source += "\n" + part;
      }
      for (auto& ch : o.channels) {
        std::vector<std::pair<std::string, std::vector<std::string>>> variants;
        if (ch == "x" || ch == "telegram")
          variants.emplace_back("thread", community::report_thread(src.title, rows, src.url,
                                                                   limit_of(ch)));
        variants.emplace_back("summary", std::vector<std::string>{community::report_summary_post(
                                           src.title, rows, src.url, limit_of(ch))});
        for (auto& [type, parts] : variants) {
          content_piece p;
          p.piece = "repurposed:" + type + ":" + piece;
          p.id = p.piece + "@" + ch;
          if (parts.empty() || has(p.id))
            continue;
          if (community::repeats_source(parts, source)) {
            log->warn("{}: repeats its source's text; not published", p.id);
            continue;
          }
          p.type = type;
          p.channel = ch;
          p.scheduled_at = src.scheduled_at; // the report's (market) time
          p.title = src.title + (type == "thread" ? " (thread)" : " (summary)");
          p.parts = std::move(parts);
          p.writer = "repurpose";
          p.lineage = piece;
          if (hand(pub, std::move(p)))
            ++handed;
        }
      }
    }
    return handed;
  }

  /// The follow-up on the alert with the most engagements among the
  /// snapshots of pieces published in [from, to); piece `key` (a key ending
  /// in ':' gets the alert's piece id appended).
  std::uint64_t followup(const std::string& key, std::int64_t from, std::int64_t to) {
    std::map<std::string, std::map<std::string, const db::metric_snapshot*>> latest;
    auto snaps = store().snapshots_between(from, to);
    for (auto& m : snaps)
      if (m.status == "ok" && m.kind == "alert") {
        auto& b = latest[m.post_id][m.channel];
        if (!b || m.offset_ms > b->offset_ms)
          b = &m;
      }
    std::string best;
    std::int64_t most = -1;
    for (auto& [post, chans] : latest) {
      std::int64_t e = 0;
      for (auto& [ch, m] : chans)
        e += m->engagements;
      if (e > most)
        most = e, best = post;
    }
    if (best.empty())
      return 0;
    community::alert_call call;
    for (auto& c : published_alerts(store()))
      if (c.piece == best)
        call = c;
    if (call.piece.empty())
      return 0;
    auto piece = key.back() == ':' ? key + call.piece : key;
    auto last = store().last_candles(call.symbol, call.interval, 1);
    if (last.empty())
      return 0;
    community::followup_input in{call.symbol, call.interval, call.dir, call.entry, call.time,
                                 most, last.back().close, last.back().open_time};
    std::uint64_t handed = 0;
    content_actors::publisher_actor pub;
    for (auto& ch : call.channels) {
      if (ch == "articles" || ch == "webhook")
        continue;
      auto text = community::followup_post(in, limit_of(ch));
      if (!text)
        continue;
      // the source: the alert as it went out on this channel
      std::string source;
      if (auto row = store().content_plan_by_id(call.piece + "@" + ch)) {
        auto r = content::piece_record::from_row(*row);
        for (auto& part : r.parts)
          source += part + "\n";
      }
      if (community::repeats_source({*text}, source)) {
        log->warn("follow-up on {} repeats the alert's text on {}; not published", call.piece, ch);
        continue;
      }
      content_piece p;
      p.piece = piece;
      p.id = piece + "@" + ch;
      p.type = "followup";
      p.channel = ch;
      p.scheduled_at = in.now_ms; // the last candle's (market) time
      p.title = "Follow-up: " + call.symbol + " " + (call.dir > 0 ? "long" : "short") + " call";
      p.parts = {*text};
      p.writer = "repurpose";
      p.lineage = call.piece;
      if (hand(pub, std::move(p)))
        ++handed;
    }
    if (handed)
      log->info("{}: follow-up on {} ({} engagements)", piece, best, most);
    return handed;
  }

  std::uint64_t tick(bool closing) {
    std::uint64_t n = 0;
    try {
      auto now = clock();
      n += reports();
      if (closing) {
        n += followup("followup:closing:", INT64_MIN, INT64_MAX);
      } else {
        // the week before, once it is over
        constexpr std::int64_t week = 7 * 86'400'000LL;
        auto from = community::week_start(now) - week;
        n += followup("followup:" + market::format_utc(from).substr(0, 10), from, from + week);
      }
    } catch (const std::exception& e) {
      log->warn("repurposing: {}; next try in {} ms", e.what(), opts->repurpose.interval.count());
    }
    return n;
  }
};

repurpose_actor::behavior_type
repurpose_impl(ops::instrumented_stateful<repurpose_actor, repurpose_state>* self,
               std::shared_ptr<const community_options> opts,
               std::shared_ptr<supervision::agent_directory> dir) {
  auto& st = self->state;
  st.opts = opts;
  st.dir = std::move(dir);
  st.clock = clock_or_system(opts->repurpose.clock);
  st.log = logging::get("community.repurpose");
  self->send(self, caf::tick_atom::value);
  return {
    [self](caf::tick_atom) {
      self->state.tick(false);
      self->delayed_send(self, self->state.opts->repurpose.interval, caf::tick_atom::value);
    },
    [self](drain_atom) -> std::uint64_t { return self->state.tick(true); },
  };
}

} // namespace

repurpose_actor spawn_repurpose(caf::local_actor* parent,
                                std::shared_ptr<const community_options> opts,
                                std::shared_ptr<supervision::agent_directory> dir) {
  return parent->spawn<caf::detached>(repurpose_impl, std::move(opts), std::move(dir));
}

} // namespace herald::community_actors
