// A channel agent ("content.channel.<name>"): one per live channel. It
// works through its queue of plan ids in order, one blocking call of its
// publisher adapter at a time (detached: its own thread), under the
// channel's token bucket; the ledger records `publishing` before each call
// and the outcome after it (retry with backoff, park as failed); in a
// cluster every transition is fenced by the publisher lease.
#include "actors/content/content.hpp"
#include "actors/ops/instrumented.hpp"

#include <deque>
#include <fstream>
#include <set>

#include <caf/all.hpp>

#include "content/ledger.hpp"
#include "io/logging.hpp"

namespace herald::content_actors {

namespace {

// ---------------------------------------------------------------------------
// channel agents
// ---------------------------------------------------------------------------

io::publish::outbound outbound_of(const content::piece_record& r, std::string chart_png) {
  io::publish::outbound m;
  m.id = r.id;
  m.piece = r.piece;
  m.type = r.type;
  m.title = r.title;
  m.parts = r.parts;
  m.markdown = r.markdown;
  m.chart_png = std::move(chart_png);
  // Dated with the time it is published (wall clock); the market time it
  // speaks of is in its text. A simulated run at 60x must not date pages in
  // the future.
  m.at = std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
           .count();
  m.first_part = r.parts_done;
  m.reply_to = r.last_id;
  return m;
}

std::string read_file(const std::string& path) {
  if (path.empty())
    return {};
  std::ifstream in{path, std::ios::binary};
  return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

struct channel_state {
  static inline const char* name = "herald.content.channel";
  channel_actor::pointer self = nullptr;
  std::shared_ptr<supervision::agent_directory> dir;
  std::shared_ptr<spdlog::logger> log;
  std::unique_ptr<io::publish::publisher> pub;
  std::unique_ptr<content::ledger> book;
  std::unique_ptr<content::token_bucket> bucket;
  content::retry_policy retry;
  std::deque<std::string> queue; ///< plan ids
  std::set<std::string> queued;
  bool timer = false;
  int failures = 0; ///< of the head of the queue
  std::uint64_t rng = 0x9e3779b97f4a7c15ULL;
  std::string ch;

  std::int64_t mono_ms() const {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
  }

  void wait(std::int64_t ms) {
    if (timer)
      return;
    timer = true;
    self->delayed_send(self, std::chrono::milliseconds{ms}, caf::tick_atom::value);
  }

  void report(const content::piece_record& r) {
    publish_result res{r.id, r.channel, r.state, r.remote_id, r.url, r.last_error};
    if (auto m = caf::actor_cast<publisher_actor>(dir->find("content.publisher")))
      self->send(m, std::move(res));
  }

  void pop() {
    queued.erase(queue.front());
    queue.pop_front();
    failures = 0;
  }

  /// Works on the head of the queue until it waits or the queue is empty.
  void pump() {
    while (!timer && !queue.empty()) {
      auto id = queue.front();
      std::optional<content::piece_record> rec;
      try {
        rec = book->find(id);
      } catch (const std::exception& e) {
        log->error("{}: cannot read the ledger: {}; retrying", id, e.what());
        wait(1000);
        return;
      }
      if (!rec || (rec->state != content::state::planned
                   && rec->state != content::state::publishing)) {
        pop(); // published, rejected or gone meanwhile
        continue;
      }
      if (auto w = bucket->take(mono_ms())) {
        wait(*w);
        return;
      }
      rec->state = content::state::publishing;
      ++rec->attempts;
      try {
        book->save(*rec); // before the call: a crash now leaves it in doubt, not lost
      } catch (const std::exception& e) {
        log->error("{}: cannot record the attempt: {}; not calling {} yet", id, e.what(), ch);
        wait(1000);
        return;
      }
      if (!book->may_publish()) {
        // The lease went while this agent was busy or frozen: the new holder
        // reconciles the piece; calling now could publish it twice.
        log->warn("{}: not calling {}: this node no longer holds the publisher lease", id, ch);
        wait(1000);
        return;
      }
      auto d = pub->publish(outbound_of(*rec, read_file(rec->chart_path)));
      rec->parts_done = d.parts_done;
      rec->last_id = d.last_id;
      try {
        using st = io::publish::delivery::status;
        if (d.st == st::ok) {
          book->mark_published(*rec, d.remote_id, d.url);
          log->info("published {} on {}{}{}", id, ch, d.url.empty() ? "" : ": ", d.url);
          report(*rec);
          pop();
          continue;
        }
        std::optional<std::int64_t> delay;
        if (d.st == st::retry) {
          if (d.retry_after_ms < 0)
            ++failures;
          delay = content::retry_wait(retry, failures, d.retry_after_ms, rng);
        }
        rec->last_error = d.error;
        if (!delay) {
          rec->state = content::state::failed;
          book->save(*rec);
          log->error("{} parked as failed on {} after {} attempts: {}", id, ch, rec->attempts,
                     d.error);
          report(*rec);
          pop();
          continue;
        }
        rec->state = content::state::planned;
        book->save(*rec);
        if (d.retry_after_ms >= 0)
          bucket->pause_until(mono_ms() + d.retry_after_ms);
        log->warn("{} on {}: {}; retrying in {} ms", id, ch, d.error, *delay);
        wait(*delay);
        return;
      } catch (const std::exception& e) {
        // The remote has it but the ledger does not say so: keep it out of
        // the queue (in `publishing`, reconciled at the next start).
        log->critical("{} delivered to {} but not recorded: {}", id, ch, e.what());
        pop();
      }
    }
  }
};

channel_actor::behavior_type channel_impl(ops::instrumented_stateful<channel_actor, channel_state>* self,
                                          std::shared_ptr<const content_options> o,
                                          channel_setup setup,
                                          std::shared_ptr<supervision::agent_directory> dir) {
  auto& st = self->state;
  st.self = self;
  st.dir = std::move(dir);
  st.ch = content::channel_name(setup.ch);
  st.log = logging::get("content.channel." + st.ch);
  st.pub = setup.make();
  st.book = std::make_unique<content::ledger>(o->storage);
  st.book->fence(o->fence);
  st.bucket = std::make_unique<content::token_bucket>(setup.burst, setup.per_minute);
  st.retry = o->retry;
  st.rng ^= std::hash<std::string>{}(st.ch);
  return {
    [self](content_piece& p) {
      auto& st = self->state;
      if (st.queued.insert(p.id).second)
        st.queue.push_back(p.id);
      st.pump();
    },
    [self](caf::tick_atom) {
      self->state.timer = false;
      self->state.pump();
    },
  };
}

} // namespace

channel_actor spawn_channel(caf::local_actor* parent, std::shared_ptr<const content_options> o,
                            channel_setup c, std::shared_ptr<supervision::agent_directory> dir) {
  // detached: its HTTP calls block their own thread, not the scheduler
  return parent->spawn<caf::detached>(channel_impl, std::move(o), std::move(c), std::move(dir));
}

} // namespace herald::content_actors
