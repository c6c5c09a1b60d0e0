#include "actors/content/content.hpp"
#include "actors/ops/instrumented.hpp"

#include <nlohmann/json.hpp>

#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <caf/all.hpp>

#include "actors/analysis/risk.hpp"
#include "actors/data/hub.hpp"
#include "actors/learning/ab.hpp"
#include "content/chart.hpp"
#include "content/ledger.hpp"
#include "content/site.hpp"
#include "io/logging.hpp"
#include "market/interval.hpp"

namespace herald::content_actors {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const char* mode_name(publish_mode m) {
  switch (m) {
    case publish_mode::dry_run: return "dry-run";
    case publish_mode::approval: return "approval";
    default: return "live";
  }
}

namespace {

std::string channel_agent_path(const std::string& ch) { return "content.channel." + ch; }

// ---------------------------------------------------------------------------
// charts
// ---------------------------------------------------------------------------

charts_actor::behavior_type charts_impl(ops::instrumented_pointer<charts_actor> self) {
  return {
    [self](content::chart_data& d, const std::string& ch) -> caf::result<std::string> {
      auto c = content::parse_channel(ch);
      try {
        return content::render_chart_png(d, content::chart_size_for(c ? *c : content::channel::articles));
      } catch (const std::exception& e) {
        return caf::make_error(caf::sec::runtime_error, e.what());
      }
    },
  };
}

// ---------------------------------------------------------------------------
// creator
// ---------------------------------------------------------------------------

struct creator_state {
  static inline const char* name = "herald.content.creator";
  creator_actor::pointer self = nullptr;
  std::shared_ptr<const content_options> o;
  std::shared_ptr<supervision::agent_directory> dir;
  std::shared_ptr<spdlog::logger> log;
  std::unique_ptr<content::creator> writer;
  std::size_t outstanding = 0;
  std::vector<caf::typed_response_promise<std::vector<channel_tally>>> drains;

  void deliver(content_piece p) {
    if (auto pub = caf::actor_cast<publisher_actor>(dir->find("content.publisher")))
      self->send(pub, std::move(p));
    else
      log->error("no content.publisher: piece {} is lost for this run", p.id);
  }

  /// Asks the chart agent for the piece's chart. A chart agent that died or
  /// is restarting is asked again (its supervisor brings it back); only a
  /// chart that cannot be drawn sends the piece without one.
  void draw(content_piece p, content::chart_data chart, std::int32_t attempt) {
    auto charts = caf::actor_cast<charts_actor>(dir->find("content.charts"));
    if (!charts) {
      again(std::move(p), std::move(chart), attempt, "no chart agent");
      return;
    }
    auto ch = p.channel;
    self->request(charts, 30s, chart, ch)
      .then(
        [this, p](std::string& png) mutable {
          p.chart_png = std::move(png);
          deliver(std::move(p));
          done_one();
        },
        [this, p, chart, attempt](caf::error& e) mutable {
          if (e == caf::sec::runtime_error) { // the chart cannot be drawn
            log->warn("no chart for {}: {}; published without", p.id, caf::to_string(e));
            deliver(std::move(p));
            done_one();
            return;
          }
          again(std::move(p), std::move(chart), attempt, caf::to_string(e));
        });
  }

  void again(content_piece p, content::chart_data chart, std::int32_t attempt,
             const std::string& why) {
    if (attempt >= 50) { // ~25 s: the chart agent is not coming back
      log->warn("no chart for {} after {} attempts ({}); published without", p.id, attempt, why);
      deliver(std::move(p));
      done_one();
      return;
    }
    self->delayed_send(self, std::chrono::milliseconds{attempt < 5 ? 20 : 500}, retry_atom::value,
                       std::move(p), std::move(chart), attempt + 1);
  }

  /// Writes a brief and sends the piece on (through the chart agent when
  /// it has a chart).
  void write(content_brief b) {
    auto& st = *this;
    std::string err;
    std::optional<content::draft> d;
    try {
      d = st.writer->write(b, &err);
    } catch (const std::exception& e) { // costs this piece, not the creator
      err = std::string{"unexpected: "} + e.what();
    }
    if (!d) {
      st.log->error("cannot write {}: {}", b.id, err);
      return;
    }
    if (!d->note.empty())
      st.log->info("{}: {}; the template was used", b.id, d->note);
    content_piece p;
    p.id = b.id;
    p.piece = b.piece;
    p.type = b.type;
    p.channel = b.channel;
    p.insight_id = b.insight_id;
    p.scheduled_at = b.scheduled_at;
    p.title = d->title;
    p.parts = std::move(d->parts);
    p.markdown = std::move(d->markdown);
    p.variant = d->variant;
    p.writer = d->writer;
    p.refused = d->refused;
    if (!b.chart_png.empty()) { // drawn already (the scorecard's diagram)
      p.chart_png = std::move(b.chart_png);
      st.deliver(std::move(p));
      return;
    }
    auto charts = caf::actor_cast<charts_actor>(st.dir->find("content.charts"));
    if (!b.with_chart || b.chart.candles.empty() || !charts) {
      st.deliver(std::move(p));
      return;
    }
    ++st.outstanding;
    st.draw(std::move(p), std::move(b.chart), 0);
  }

  void done_one() {
    --outstanding;
    if (outstanding == 0 && !drains.empty())
      forward_drains();
  }

  void forward_drains() {
    auto pub = caf::actor_cast<publisher_actor>(dir->find("content.publisher"));
    auto waiting = std::move(drains);
    drains.clear();
    for (auto& rp : waiting) {
      if (!pub) {
        rp.deliver(caf::make_error(caf::sec::invalid_argument, "no content.publisher"));
        continue;
      }
      self->request(pub, caf::infinite, drain_atom::value)
        .then([rp](std::vector<channel_tally>& t) mutable { rp.deliver(std::move(t)); },
              [rp](caf::error& e) mutable { rp.deliver(std::move(e)); });
    }
  }
};

creator_actor::behavior_type creator_impl(ops::instrumented_stateful<creator_actor, creator_state>* self,
                                          std::shared_ptr<const content_options> o,
                                          std::shared_ptr<supervision::agent_directory> dir) {
  auto& st = self->state;
  st.self = self;
  st.o = o;
  st.dir = std::move(dir);
  st.log = logging::get("content.creator");
  st.writer = std::make_unique<content::creator>(*o->templates, o->site_url, o->llm);
  return {
    [self](content_brief& b) {
      auto& st = self->state;
      // Experiments (issue 19): the A/B agent says which arm this piece on
      // this channel gets. Without an answer in time the piece is written
      // outside every experiment (the agent counts only what it stored).
      auto ab = caf::actor_cast<learning_actors::ab_actor>(st.dir->find("learning.ab"));
      if (!ab) {
        st.write(std::move(b));
        return;
      }
      bool chart_possible = b.with_chart && !b.chart.candles.empty();
      ++st.outstanding;
      auto unit = b.id, type = b.type, ch = b.channel;
      self->request(ab, st.o->ab_timeout, ab_assign_atom::value, unit, type, ch, chart_possible)
        .then(
          [self, b](std::vector<ab_choice>& choices) mutable {
            for (auto& c : choices) {
              if (c.factor == "template")
                b.variant = c.arm;
              else if (c.factor == "chart" && c.arm == "without")
                b.with_chart = false;
            }
            self->state.write(std::move(b));
            self->state.done_one();
          },
          [self, b](caf::error& e) mutable {
            self->state.log->warn("{}: no answer from learning.ab ({}); written outside the "
                                  "experiments",
                                  b.id, caf::to_string(e));
            self->state.write(std::move(b));
            self->state.done_one();
          });
    },
    [self](retry_atom, content_piece& p, content::chart_data& chart, std::int32_t attempt) {
      self->state.draw(std::move(p), std::move(chart), attempt);
    },
    [self](drain_atom) -> caf::result<std::vector<channel_tally>> {
      auto& st = self->state;
      auto rp = self->make_response_promise<std::vector<channel_tally>>();
      st.drains.push_back(rp);
      if (st.outstanding == 0)
        st.forward_drains();
      return rp;
    },
  };
}

// ---------------------------------------------------------------------------
// publish manager
// ---------------------------------------------------------------------------

struct publisher_state {
  static inline const char* name = "herald.content.publisher";
  publisher_actor::pointer self = nullptr;
  std::shared_ptr<const content_options> o;
  std::shared_ptr<supervision::agent_directory> dir;
  std::shared_ptr<spdlog::logger> log;
  std::unique_ptr<content::ledger> book;
  std::map<std::string, channel_setup> setups; ///< by channel name
  std::map<std::string, channel_tally> tally;
  std::set<std::string> outstanding; ///< handed to a channel agent, no result yet
  std::vector<caf::typed_response_promise<std::vector<channel_tally>>> drains;

  std::vector<channel_tally> tallies() const {
    std::vector<channel_tally> out;
    for (auto& [k, t] : tally) {
      auto x = t;
      x.queued = 0;
      auto suffix = "@" + k; // plan ids are "<piece>@<channel>"
      for (auto& id : outstanding)
        x.queued += id.size() > suffix.size()
                    && id.compare(id.size() - suffix.size(), suffix.size(), suffix) == 0;
      out.push_back(std::move(x));
    }
    return out;
  }

  void answer_drains() {
    if (!outstanding.empty() || drains.empty())
      return;
    for (auto& rp : drains)
      rp.deliver(tallies());
    drains.clear();
  }

  std::string chart_path(const std::string& id) const {
    std::string name;
    for (char c : id)
      name += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
    return (fs::path{o->chart_dir} / (name + ".png")).string();
  }

  void dispatch(const content::piece_record& r) {
    auto agent = caf::actor_cast<channel_actor>(dir->find(channel_agent_path(r.channel)));
    if (!agent) {
      log->error("{}: no agent for channel {}; it stays planned", r.id, r.channel);
      return;
    }
    outstanding.insert(r.id);
    content_piece p;
    p.id = r.id;
    p.channel = r.channel;
    self->send(agent, std::move(p)); // the agent reads the record from the ledger
  }

  /// Pieces waiting to be sent on live channels (after a restart, or approved).
  void pick_up() {
    try {
      for (auto& r : book->in_state(content::state::planned)) {
        auto s = setups.find(r.channel);
        // Approval channels send what an operator approved; dry-run ones never send.
        if (s != setups.end() && s->second.mode != publish_mode::dry_run && !outstanding.count(r.id))
          dispatch(r);
      }
    } catch (const std::exception& e) {
      log->error("cannot read planned pieces: {}", e.what());
    }
  }

  void on_piece(content_piece& p) {
    auto s = setups.find(p.channel);
    if (s == setups.end()) {
      log->warn("{}: channel {} is not enabled", p.id, p.channel);
      return;
    }
    try {
      if (auto old = book->find(p.id); old && old->state != content::state::scheduled) {
        log->debug("{} is already {}; not planned again", p.id, old->state);
        return;
      }
      content::piece_record r;
      r.id = p.id;
      r.piece = p.piece;
      r.type = p.type;
      r.channel = p.channel;
      r.insight_id = p.insight_id;
      r.scheduled_at = p.scheduled_at;
      r.title = p.title;
      r.parts = p.parts;
      r.markdown = p.markdown;
      r.variant = p.variant;
      r.writer = p.writer;
      r.lineage = p.lineage;
      if (!p.chart_png.empty()) {
        std::error_code ec;
        fs::create_directories(o->chart_dir, ec);
        r.chart_path = chart_path(p.id);
        std::ofstream out{r.chart_path, std::ios::binary | std::ios::trunc};
        out.write(p.chart_png.data(), static_cast<std::streamsize>(p.chart_png.size()));
        if (!out) {
          log->warn("{}: cannot keep its chart at {}; published without", p.id, r.chart_path);
          r.chart_path.clear();
        }
      }
      auto& t = tally[p.channel];
      if (!p.refused.empty()) {
        // The fact check refused the text: parked, visible, never sent.
        r.state = content::state::failed;
        r.last_error = "refused by the fact check: " + p.refused;
        book->save(r);
        ++t.failed;
        ++t.refused;
        log->error("{} refused by the fact check and parked as failed: {}", p.id, p.refused);
        return;
      }
      switch (s->second.mode) {
        case publish_mode::dry_run:
          r.state = content::state::dry_run;
          book->save(r);
          ++t.dry_run;
          log->info("dry-run {}: would post to {}: {}", p.id, p.channel,
                    r.parts.empty() ? std::string{} : r.parts.front().substr(0, 200));
          return;
        case publish_mode::approval:
          r.state = content::state::pending_approval;
          book->save(r);
          ++t.pending_approval;
          log->info("{} waits for approval (herald content approve {})", p.id, p.id);
          return;
        case publish_mode::live:
          r.state = content::state::planned;
          book->save(r);
          dispatch(r);
          return;
      }
    } catch (const std::exception& e) {
      log->error("{}: cannot record it: {}", p.id, e.what());
    }
  }
};

publisher_actor::behavior_type publisher_impl(ops::instrumented_stateful<publisher_actor, publisher_state>* self,
                                              std::shared_ptr<const content_options> o,
                                              std::shared_ptr<supervision::agent_directory> dir) {
  auto& st = self->state;
  st.self = self;
  st.o = o;
  st.dir = std::move(dir);
  st.log = logging::get("content.publisher");
  st.book = std::make_unique<content::ledger>(o->storage);
  st.book->fence(o->fence);
  for (auto& c : o->channels) {
    auto name = content::channel_name(c.ch);
    st.setups[name] = c;
    auto& t = st.tally[name];
    t.channel = name;
    t.mode = mode_name(c.mode);
  }
  // After a crash: what was mid-call is resent where the channel dedupes,
  // else held in doubt for an operator.
  try {
    auto changed = st.book->reconcile([&st](const std::string& ch) {
      auto s = st.setups.find(ch);
      return s != st.setups.end() && s->second.resend_safe;
    });
    for (auto& r : changed) {
      if (r.state == content::state::in_doubt) {
        ++st.tally[r.channel].in_doubt;
        st.log->warn("{} was being sent when Herald stopped; {} cannot say whether it arrived, "
                     "so it is held as in_doubt (herald content approve|reject {})",
                     r.id, r.channel, r.id);
      } else
        st.log->info("{} was being sent when Herald stopped; resending ({} drops duplicates)",
                     r.id, r.channel);
    }
  } catch (const std::exception& e) {
    st.log->error("cannot reconcile pieces left in publishing: {}", e.what());
  }
  st.pick_up(); // the channel agents started before this one (rest_for_one order)
  self->delayed_send(self, o->approval_poll, caf::tick_atom::value);
  return {
    [self](content_piece& p) { self->state.on_piece(p); },
    [self](publish_result& r) {
      auto& st = self->state;
      st.outstanding.erase(r.id);
      auto& t = st.tally[r.channel];
      if (r.state == content::state::published) {
        ++t.published;
        if (!r.url.empty() && t.urls.size() < 20)
          t.urls.push_back(r.url);
      } else if (r.state == content::state::failed)
        ++t.failed;
      if (st.o->journal)
        st.o->journal->push("post", nlohmann::json{{"id", r.id},
                                                  {"channel", r.channel},
                                                  {"state", r.state},
                                                  {"url", r.url},
                                                  {"remote_id", r.remote_id},
                                                  {"error", r.error}}
                                     .dump(-1, ' ', false,
                                           nlohmann::json::error_handler_t::replace));
      st.answer_drains();
    },
    [self](drain_atom) -> caf::result<std::vector<channel_tally>> {
      auto& st = self->state;
      if (st.outstanding.empty())
        return st.tallies();
      st.drains.push_back(self->make_response_promise<std::vector<channel_tally>>());
      return st.drains.back();
    },
    [self](stats_atom) { return self->state.tallies(); },
    [self](caf::tick_atom) {
      auto& st = self->state;
      st.pick_up();
      self->delayed_send(self, st.o->approval_poll, caf::tick_atom::value);
    },
  };
}

} // namespace

supervision::supervisor_config content_tree(const content_options& opts,
                                            std::shared_ptr<supervision::agent_directory> dir,
                                            supervision::supervisor_flags flags,
                                            supervision::backoff_options backoff,
                                            std::chrono::nanoseconds shutdown_timeout) {
  using namespace supervision;
  auto o = std::make_shared<const content_options>(opts);
  auto worker = [&](std::string name, auto start) {
    return permanent_worker(std::move(name), std::move(start), shutdown_timeout, backoff);
  };
  supervisor_config cfg;
  cfg.name = "content";
  cfg.path = "content";
  cfg.flags = flags;
  cfg.flags.strat = strategy::rest_for_one;
  cfg.directory = dir;
  for (auto& c : o->channels) {
    if (c.mode == publish_mode::dry_run)
      continue; // live and approval channels send (approval: what was approved)
    auto name = std::string{"channel."} + content::channel_name(c.ch);
    cfg.children.push_back(worker(name, [o, c, dir](caf::local_actor* self, const std::string&) {
      return caf::actor_cast<caf::actor>(spawn_channel(self, o, c, dir));
    }));
  }
  cfg.children.push_back(worker("publisher", [o, dir](caf::local_actor* self, const std::string&) {
    return caf::actor_cast<caf::actor>(self->spawn(publisher_impl, o, dir));
  }));
  cfg.children.push_back(worker("charts", [](caf::local_actor* self, const std::string&) {
    return caf::actor_cast<caf::actor>(self->spawn(charts_impl));
  }));
  cfg.children.push_back(worker("creator", [o, dir](caf::local_actor* self, const std::string&) {
    // an LLM call blocks: then the creator gets its own thread
    if (o->llm)
      return caf::actor_cast<caf::actor>(self->spawn<caf::detached>(creator_impl, o, dir));
    return caf::actor_cast<caf::actor>(self->spawn(creator_impl, o, dir));
  }));
  cfg.children.push_back(worker("strategist", [o, dir](caf::local_actor* self, const std::string&) {
    return caf::actor_cast<caf::actor>(spawn_strategist(self, o, dir));
  }));
  return cfg;
}

} // namespace herald::content_actors
