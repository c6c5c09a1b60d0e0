#include "actors/data/sources.hpp"
#include "actors/ops/instrumented.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <caf/all.hpp>

#include "actors/data/hub.hpp"
#include "actors/data/outbox.hpp"
#include "actors/data/persistence.hpp"
#include "io/files/candle_file.hpp"
#include "io/logging.hpp"
#include "market/interval.hpp"

namespace herald::data {

market::sim_symbol default_sim_symbol(const std::string& symbol, std::int64_t interval_ms) {
  return market::default_symbol(symbol, interval_ms);
}

namespace {

std::chrono::nanoseconds pace(std::int64_t market_ms, double speed) {
  if (speed <= 0)
    return std::chrono::nanoseconds{0};
  return std::chrono::nanoseconds{static_cast<std::int64_t>(market_ms * 1e6 / speed)};
}

/// What every source shares: its handles, the tick schedule, the hub lookup.
struct source_base {
  source_actor::pointer self = nullptr;
  std::shared_ptr<supervision::agent_directory> dir;
  std::shared_ptr<run_progress> progress;
  std::shared_ptr<spdlog::logger> log;

  void init(source_actor::pointer s, std::shared_ptr<supervision::agent_directory> d,
            std::shared_ptr<run_progress> p) {
    self = s;
    dir = std::move(d);
    progress = std::move(p);
    log = logging::get("data.scanner");
  }

  void next_tick(std::chrono::nanoseconds delay) {
    if (delay.count() == 0)
      self->send(self, caf::tick_atom::value);
    else
      self->delayed_send(self, delay, caf::tick_atom::value);
  }

  /// The hub, or null while it is (re)starting.
  hub_actor hub() const { return caf::actor_cast<hub_actor>(dir->find("data.hub")); }

  /// Where the hub stands per series (symbol, interval) -> newest open time.
  using positions = std::map<std::pair<std::string, std::string>, std::int64_t>;

  /// Asks the hub where each series stands, then runs `then`: a source that
  /// (re)starts resumes after the newest candle the hub holds (a restarted
  /// hub holds what was stored), so nothing is sent twice and nothing the
  /// hub had not stored is lost. Waits while the hub is (re)starting.
  template <class F>
  void resume(F then) {
    auto h = hub();
    if (!h) {
      self->delayed_send(self, std::chrono::milliseconds{100}, caf::tick_atom::value);
      return;
    }
    self->request(h, std::chrono::seconds{30}, stats_atom::value)
      .then(
        [this, then](std::vector<series_stats>& all) mutable {
          positions at;
          for (auto& x : all)
            if (x.accepted > 0)
              at[{x.symbol, x.interval}] = x.last_open_time;
          then(std::move(at));
        },
        [this](caf::error& e) {
          log->info("hub position unknown ({}); asking again", caf::to_string(e));
          self->delayed_send(self, std::chrono::milliseconds{100}, caf::tick_atom::value);
        });
  }

  static bool taken(const positions& at, const candle& c) {
    auto it = at.find({c.symbol, c.interval});
    return it != at.end() && c.open_time <= it->second;
  }

  /// An orderly shutdown asked the sources to stop producing: true (and the
  /// source goes quiet) once it did. What it holds is not lost: a restarted
  /// source resumes after the hub's position.
  bool quiet(std::uint64_t sent) {
    if (!progress || !progress->stopping())
      return false;
    if (!quiet_logged) {
      quiet_logged = true;
      log->info("source stopped for the shutdown after {} candles per series", sent);
    }
    return true;
  }
  bool quiet_logged = false;

  caf::actor_addr watched;     ///< the hub monitored
  std::uint64_t send_epoch = 0; ///< answers of an older send are void
  bool in_flight = false;

  /// Sends a batch to the hub; `ok` runs on its answer, which the hub holds
  /// while it has no room (back-pressure). The hub is monitored: one that
  /// dies holding the answer makes the source send again at once, not after
  /// the request's timeout (CAF 0.17 drops a dead actor's promises silently).
  template <class Ok>
  void send_batch(const hub_actor& h, std::vector<candle> batch, Ok ok) {
    if (h.address() != watched) {
      watched = h.address();
      self->monitor(h);
    }
    auto e = ++send_epoch;
    in_flight = true;
    self->request(h, std::chrono::seconds{60}, std::move(batch))
      .then(
        [this, e, ok](std::uint64_t n) mutable {
          if (e != send_epoch)
            return;
          in_flight = false;
          ok(n);
        },
        [this, e](caf::error& err) {
          if (e != send_epoch)
            return;
          in_flight = false;
          retry_later(err);
        });
  }

  void on_down(const caf::down_msg& dm) {
    if (dm.source != watched)
      return;
    watched = nullptr;
    if (!in_flight)
      return;
    ++send_epoch;
    in_flight = false;
    log->info("the hub stopped while it held a batch; sending it again");
    next_tick(std::chrono::milliseconds{100});
  }

  /// The hub did not take a batch: keep it and try again shortly.
  void retry_later(const caf::error& e) {
    log->warn("hub did not take candles ({}); retrying", caf::to_string(e));
    next_tick(std::chrono::milliseconds{100});
  }
};

// -- simulated --------------------------------------------------------------------

struct sim_state : source_base {
  static inline const char* name = "herald.source.simulated";
  std::unique_ptr<market::simulator> sim;
  sim_source_options opts;
  std::vector<candle> pending; ///< bars not yet taken by the hub
  std::unique_ptr<outbox<source_actor::base>> writes; ///< headlines until stored
  std::uint64_t sent = 0;      ///< bars per series
  std::int64_t interval_ms = 60'000;
  bool finished = false;
  bool resumed = false; ///< skipped what the hub holds already

  /// Skips the seeded bars the hub holds already (the generator is
  /// deterministic: the same bars come out again), counting them as sent.
  void skip_to(const positions& at) {
    std::uint64_t skipped = 0;
    while (opts.max_candles == 0 || sent < opts.max_candles) {
      auto bar = sim->next();
      bool all_taken = !bar.empty();
      for (auto& c : bar)
        all_taken = all_taken && taken(at, c);
      if (!all_taken) {
        pending = std::move(bar);
        break;
      }
      ++sent;
      ++skipped;
    }
    if (skipped > 0)
      log->info("simulated source resumes after {} bars the hub holds already", skipped);
  }

  void finish() {
    finished = true;
    log->info("simulated source done: {} candles per series", sent);
    if (progress)
      progress->source_done(opts.name, sent);
  }

  /// Stores the bar's headlines and hands them to the hub before the bar
  /// itself (same sender, same receiver: they arrive first), so the news
  /// analyzer and the strategist see exactly the headlines of the market
  /// they analyse, in the same order on every run.
  void store_news(const hub_actor& h) {
    if (sim->news().empty())
      return;
    db::write_batch b;
    for (auto& n : sim->news()) {
      db::news_article a;
      a.id = "sim-" + std::to_string(opts.sim.seed) + "-" + n.symbol + "-" + std::to_string(n.time);
      a.source = "simulated";
      a.url = "sim://news/" + a.id;
      a.title = n.title;
      a.body = n.title;
      a.symbols_json = "[\"" + n.symbol + "\"]";
      a.published_at = n.time;
      a.sentiment = n.sentiment;
      b.news.push_back(std::move(a));
    }
    for (auto& a : b.news)
      self->send(h, a);
    writes->push(std::move(b)); // kept and resent until stored
  }

  void tick() {
    if (finished || quiet(sent))
      return;
    if (!resumed) {
      resume([this](positions at) {
        resumed = true;
        skip_to(at);
        if (auto h = hub(); h && !pending.empty())
          store_news(h);
        if (opts.max_candles > 0 && sent >= opts.max_candles) {
          finish();
          return;
        }
        next_tick(std::chrono::nanoseconds{0});
      });
      return;
    }
    auto h = hub();
    if (!h) {
      next_tick(std::chrono::milliseconds{100}); // the hub is (re)starting
      return;
    }
    if (pending.empty()) {
      pending = sim->next();
      store_news(h);
    }
    send_batch(h, pending, [this](std::uint64_t) {
      pending.clear();
      ++sent;
      if (opts.max_candles > 0 && sent >= opts.max_candles) {
        finish();
        return;
      }
      next_tick(sent < opts.backfill ? std::chrono::nanoseconds{0}
                                     : pace(interval_ms, opts.speed));
    });
  }
};

source_actor::behavior_type sim_impl(ops::instrumented_stateful<source_actor, sim_state>* self,
                                     sim_source_options opts,
                                     std::shared_ptr<supervision::agent_directory> dir,
                                     std::shared_ptr<run_progress> progress) {
  auto& st = self->state;
  st.init(self, std::move(dir), std::move(progress));
  st.opts = std::move(opts);
  st.sim = std::make_unique<market::simulator>(st.opts.sim);
  st.writes = std::make_unique<outbox<source_actor::base>>(self, st.dir, st.log, "headlines");
  st.interval_ms = *market::interval_ms(st.opts.sim.interval);
  st.log->info("simulated market: {} symbols, {} bars, speed {}, seed {}",
               st.opts.sim.symbols.size(), st.opts.sim.interval,
               st.opts.speed == 0 ? std::string{"max"} : fmt::format("{:g}x", st.opts.speed),
               st.opts.sim.seed);
  st.next_tick(std::chrono::nanoseconds{0});
  self->set_down_handler([self](caf::down_msg& dm) {
    if (!self->state.writes->on_down(dm))
      self->state.on_down(dm);
  });
  return {
    [self](caf::tick_atom) { self->state.tick(); },
    [self](persist_retry_atom) { self->state.writes->retry(); },
  };
}

// -- replay -----------------------------------------------------------------------

struct replay_state : source_base {
  static inline const char* name = "herald.source.replay";
  replay_source_options opts;
  std::vector<candle> candles;
  std::size_t next = 0;
  std::size_t skipped = 0; ///< held by the hub already when this source started
  bool finished = false;
  bool resumed = false;

  void finish() {
    finished = true;
    log->info("replay done: {} candles sent", next + skipped);
    if (progress)
      progress->source_done(opts.name, next + skipped);
  }

  void tick() {
    if (finished || quiet(next))
      return;
    if (!resumed) {
      resume([this](positions at) {
        resumed = true;
        if (!at.empty()) {
          auto before = candles.size();
          candles.erase(std::remove_if(candles.begin(), candles.end(),
                                       [&](const candle& c) { return taken(at, c); }),
                        candles.end());
          skipped = before - candles.size();
          if (skipped > 0)
            log->info("replay resumes after {} candles the hub holds already", skipped);
          if (opts.max_candles > 0 && skipped >= opts.max_candles) {
            next = 0;
            finish();
            return;
          }
          if (opts.max_candles > 0)
            opts.max_candles -= skipped; // counted against `next` below
        }
        next_tick(std::chrono::nanoseconds{0});
      });
      return;
    }
    if (next >= candles.size()) {
      finish();
      return;
    }
    auto h = hub();
    if (!h) {
      next_tick(std::chrono::milliseconds{100});
      return;
    }
    // As fast as possible: chunks; paced: one bar at a time.
    std::size_t n = opts.speed <= 0 ? std::min<std::size_t>(500, candles.size() - next) : 1;
    std::vector<candle> chunk(candles.begin() + static_cast<std::ptrdiff_t>(next),
                              candles.begin() + static_cast<std::ptrdiff_t>(next + n));
    send_batch(h, std::move(chunk), [this, n](std::uint64_t) {
      next += n;
      if (opts.max_candles > 0 && next >= opts.max_candles) {
        finish();
        return;
      }
      auto delay = std::chrono::nanoseconds{0};
      if (opts.speed > 0 && next < candles.size())
        delay = pace(candles[next].open_time - candles[next - 1].open_time, opts.speed);
      next_tick(delay);
    });
  }
};

source_actor::behavior_type replay_impl(ops::instrumented_stateful<source_actor, replay_state>* self,
                                        replay_source_options opts,
                                        std::shared_ptr<supervision::agent_directory> dir,
                                        std::shared_ptr<run_progress> progress) {
  auto& st = self->state;
  st.init(self, std::move(dir), std::move(progress));
  st.opts = std::move(opts);
  for (auto& f : st.opts.files) {
    auto named = io::symbol_from_path(f);
    auto& syms = st.opts.symbols;
    auto r = io::read_candle_file(
      f, !named.empty() && std::find(syms.begin(), syms.end(), named) != syms.end()
           ? named
           : st.opts.symbol,
      st.opts.interval);
    if (!r.ok()) {
      // A file that cannot be read stops this source; its supervisor decides.
      st.log->error("replay: {}", r.error->to_string());
      self->quit(caf::make_error(caf::sec::runtime_error, r.error->to_string()));
      return {[](caf::tick_atom) {}, [](persist_retry_atom) {}};
    }
    for (auto& p : r.file.problems)
      st.log->warn("replay: {}:{}: skipped: {}", f, p.line, p.reason);
    st.log->info("replay: {} ({}, {}): {} candles", f, io::to_string(r.file.format),
                 r.file.interval, r.file.candles.size());
    st.candles.insert(st.candles.end(), r.file.candles.begin(), r.file.candles.end());
  }
  std::stable_sort(st.candles.begin(), st.candles.end(),
                   [](const candle& a, const candle& b) { return a.open_time < b.open_time; });
  st.next_tick(std::chrono::nanoseconds{0});
  self->set_down_handler([self](caf::down_msg& dm) { self->state.on_down(dm); });
  return {
    [self](caf::tick_atom) { self->state.tick(); },
    [](persist_retry_atom) {}, // a replay stores nothing itself
  };
}

} // namespace

source_actor spawn_sim_source(caf::local_actor* parent, sim_source_options opts,
                              std::shared_ptr<supervision::agent_directory> dir,
                              std::shared_ptr<run_progress> progress) {
  return parent->spawn(sim_impl, std::move(opts), std::move(dir), std::move(progress));
}

source_actor spawn_replay_source(caf::local_actor* parent, replay_source_options opts,
                                 std::shared_ptr<supervision::agent_directory> dir,
                                 std::shared_ptr<run_progress> progress) {
  // Detached: it reads its files while starting.
  return parent->spawn<caf::detached>(replay_impl, std::move(opts), std::move(dir),
                                      std::move(progress));
}

} // namespace herald::data
