#include "actors/data/hub.hpp"
#include "actors/ops/instrumented.hpp"

#include <algorithm>
#include <climits>
#include <deque>
#include <map>
#include <utility>

#include <caf/all.hpp>

#include "actors/data/persistence.hpp"
#include "io/logging.hpp"
#include "io/news/feed.hpp"
#include "market/candle_window.hpp"
#include "messages/errors.hpp"
#include "market/interval.hpp"
#include "market/resample.hpp"
#include "market/validation.hpp"

namespace herald::data {

namespace {

using series_key = std::pair<std::string, std::string>; // symbol, interval

struct series {
  series(std::size_t depth, std::int64_t ms) : window(depth), validator(ms) {}
  market::candle_window window;
  market::series_validator validator;
  std::vector<market::resampler> up; ///< builders of the higher intervals
  std::vector<std::string> up_names;
};

struct subscription {
  std::string symbol;
  std::string interval;
  candle_sink_actor sink;
  bool matches(const candle& c) const {
    return (symbol == "*" || symbol == c.symbol) && (interval == "*" || interval == c.interval);
  }
};

struct batch_subscription {
  std::string symbol;
  std::string interval;
  candle_batch_sink_actor sink;
  candle_batch pending; ///< collected during one source batch
  int in_flight = 0;    ///< batches sent and not yet answered
  bool matches(const candle& c) const {
    return (symbol == "*" || symbol == c.symbol) && (interval == "*" || interval == c.interval);
  }
};

struct hub_state {
  static inline const char* name = "herald.hub";
  /// An orderly stop (or a kill) hands the candles not yet stored to the
  /// persistence agent, unanswered (it stops after the hub and writes what
  /// it holds; writes are idempotent).
  ~hub_state() {
    if (to_persist.empty() || !dir)
      return;
    auto p = caf::actor_cast<persistence_actor>(dir->find("data.persistence"));
    if (!p)
      return;
    db::write_batch b;
    for (auto& c : to_persist) {
      b.candles.push_back(c);
      if (b.candles.size() >= 10'000)
        caf::anon_send(p, std::exchange(b, db::write_batch{}));
    }
    if (!b.candles.empty())
      caf::anon_send(p, std::move(b));
  }
  hub_actor::pointer self = nullptr;
  hub_options opts;
  std::shared_ptr<supervision::agent_directory> dir;
  std::shared_ptr<spdlog::logger> log;
  std::map<series_key, series> all;
  std::vector<subscription> subs;
  std::vector<batch_subscription> batch_subs;
  std::deque<db::news_article> news; ///< the last news_depth articles
  std::vector<std::pair<std::string, news_sink_actor>> news_subs; ///< symbol or "*"
  std::deque<candle> to_persist;
  /// Answers to sources held back until the hub has room (back-pressure).
  std::vector<std::pair<caf::typed_response_promise<std::uint64_t>, std::uint64_t>> held;
  bool warned_full = false;
  /// Writes in flight: the first `sent` candles of to_persist, in `flying`
  /// requests. A candle leaves to_persist only when its write is answered,
  /// which data.persistence does after the commit; an error resends all
  /// (`epoch` makes the answers of the old requests void; writes are
  /// idempotent). One write at a time, of up to `write_batches` batches:
  /// with several in flight, a refused write followed by an accepted one
  /// left a hole in the stored series, and a restarted hub (which resumes
  /// after the newest stored candle) would never fill it.
  static constexpr int max_flying = 1;
  static constexpr std::size_t write_batches = 16;
  /// Candles per write: halved after a refusal (a persistence queue smaller
  /// than a write would refuse it forever), doubled again after a success.
  std::size_t write_size = 0;
  int flying = 0;
  std::size_t sent = 0;
  std::uint64_t epoch = 0;
  std::vector<std::function<void(bool)>> waiters; ///< flushes: all stored, or not
  bool timer_armed = false;

  /// A fresh incarnation: every stored series' last `depth` candles, base
  /// series first (their candles also rebuild the partial higher bars),
  /// then the derived ones, and the last news.
  void rebuild(db::storage& store) {
    auto t0 = std::chrono::steady_clock::now();
    auto is_derived = [&](const std::string& iv) {
      return std::find(opts.resample_to.begin(), opts.resample_to.end(), iv)
             != opts.resample_to.end();
    };
    std::size_t n = 0, count = 0;
    std::int64_t newest = INT64_MIN;
    std::vector<candle> built; ///< higher bars completed by the stored base candles
    auto all_series = store.candle_series();
    for (int pass = 0; pass < 2; ++pass)
      for (auto& [symbol, interval] : all_series) {
        bool derived = is_derived(interval);
        if (derived != (pass == 1))
          continue;
        auto ms = market::interval_ms(interval);
        if (!ms)
          continue;
        // A base series needs enough candles for its longest higher bar in
        // progress, not only the window.
        std::size_t want = opts.depth;
        if (!derived)
          for (auto& name : opts.resample_to)
            if (auto to = market::interval_ms(name); to && *to > *ms)
              want = std::max<std::size_t>(want, static_cast<std::size_t>(*to / *ms) + 1);
        auto cs = store.last_candles(symbol, interval, want);
        if (cs.empty())
          continue;
        log->debug("rebuild {} {}: {} stored candles up to {}", symbol, interval, cs.size(),
                   market::format_utc(cs.back().open_time));
        ++n;
        auto& s = get_series(cs.front(), *ms, derived);
        auto window_from = cs.size() > opts.depth ? cs.size() - opts.depth : 0;
        for (std::size_t i = 0; i < cs.size(); ++i) {
          auto& c = cs[i];
          for (auto& r : s.up) {
            if (auto bar = r.push(c))
              built.push_back(*bar);
            if (r.complete())
              if (auto bar = r.flush())
                built.push_back(*bar);
          }
          if (i < window_from)
            continue;
          if (s.validator.check(c) != market::series_validator::verdict::accepted)
            continue;
          s.window.push(c);
          ++count;
          newest = std::max(newest, c.open_time);
        }
      }
    // Higher bars the previous incarnation completed but did not store: the
    // sources resume after the base candle that completed them, so they are
    // built here (older ones are duplicates and dropped; a first bar built
    // from part of its period is older than the stored ones).
    std::size_t recovered = 0;
    for (auto& bar : built) {
      auto it = all.find({bar.symbol, bar.interval});
      if (it != all.end() && !it->second.validator.empty()
          && bar.open_time <= it->second.validator.last_open_time())
        continue;
      if (it == all.end() || it->second.validator.empty()) {
        // No stored bar of that series: only a bar from a whole period counts.
        auto base_ms = market::interval_ms(bar.interval);
        if (!base_ms || bar.open_time < newest - 2 * *base_ms)
          continue;
      }
      recovered += accept(bar, true) ? 1 : 0;
    }
    if (recovered > 0)
      log->info("{} higher bars completed before the restart were built again", recovered);
    if (newest != INT64_MIN) {
      // The news of the last two days before the newest candle.
      auto articles = store.news_since(newest - 2 * 86'400'000, 100'000);
      for (auto& a : articles) {
        news.push_back(std::move(a));
        if (news.size() > opts.news_depth)
          news.pop_front();
      }
    }
    if (n > 0)
      log->info("rebuilt {} series ({} candles) and {} news from the database in {} ms", n,
                count, news.size(),
                std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - t0)
                  .count());
  }

  /// Candles of a series from `from` on, at most the newest `max`.
  std::vector<candle> since(const std::string& symbol, const std::string& interval,
                            std::int64_t from, std::uint32_t max) {
    auto it = all.find({symbol, interval});
    std::vector<candle> out;
    if (it != all.end())
      out = it->second.window.since(from, max);
    bool window_reaches = it != all.end() && !it->second.window.empty()
                          && it->second.window.front().open_time <= from;
    if (window_reaches || out.size() >= max || !opts.storage)
      return out;
    auto to = out.empty() ? INT64_MAX : out.front().open_time;
    auto older = opts.storage->candles_between(symbol, interval, from, to);
    auto room = max - out.size();
    if (older.size() > room)
      older.erase(older.begin(), older.end() - static_cast<std::ptrdiff_t>(room));
    older.insert(older.end(), out.begin(), out.end());
    return older;
  }

  series& get_series(const candle& c, std::int64_t ms, bool derived) {
    auto key = series_key{c.symbol, c.interval};
    auto it = all.find(key);
    if (it != all.end())
      return it->second;
    it = all.emplace(key, series{opts.depth, ms}).first;
    if (derived)
      return it->second; // higher bars are built from the base series only
    for (auto& name : opts.resample_to) {
      auto to = market::interval_ms(name);
      if (to && *to > ms && *to % ms == 0) {
        it->second.up.emplace_back(ms, *to, name);
        it->second.up_names.push_back(name);
      }
    }
    return it->second;
  }

  /// Validates, stores, resamples and fans out one candle; true if accepted.
  /// `derived`: a bar the hub built itself from a base series.
  bool accept(const candle& c, bool derived = false) {
    auto ms = market::interval_ms(c.interval);
    if (!ms) {
      log->warn("candle with unknown interval '{}' for {} rejected", c.interval, c.symbol);
      return false;
    }
    auto& s = get_series(c, *ms, derived);
    // A higher bar this hub built again after a restart that is stored
    // already (its base candles are sent again from the first one not
    // stored): a duplicate, not a data error.
    if (derived && !s.validator.empty() && c.open_time <= s.validator.last_open_time())
      return false;
    auto gaps_before = s.validator.gaps().size();
    switch (s.validator.check(c)) {
      case market::series_validator::verdict::duplicate:
        return false;
      case market::series_validator::verdict::rejected:
        log->warn("{} {} candle at {} rejected: {}", c.symbol, c.interval,
                  market::format_utc(c.open_time), market::to_string(s.validator.last_reason()));
        return false;
      case market::series_validator::verdict::accepted:
        break;
    }
    if (s.validator.gaps().size() > gaps_before) {
      auto& g = s.validator.gaps().back();
      log->warn("{} {}: gap of {} bars from {} to {}", c.symbol, c.interval, g.missing(*ms),
                market::format_utc(g.from), market::format_utc(g.to));
    }
    s.window.push(c);
    fan_out(c);
    if (opts.persist)
      enqueue(c);
    for (auto& r : s.up) {
      if (auto bar = r.push(c))
        accept(*bar, true); // a completed higher bar is a candle of its own series
      // The bar's last input arrived: it is complete now, not only when the
      // next one starts (or the last bar of a replay would never come).
      if (r.complete())
        if (auto bar = r.flush())
          accept(*bar, true);
    }
    return true;
  }

  void fan_out(const candle& c) {
    for (auto& sub : subs)
      if (sub.matches(c))
        self->send(sub.sink, c);
    for (auto& sub : batch_subs)
      if (sub.matches(c))
        sub.pending.candles.push_back(c);
  }

  /// Sends what each batch subscriber collected during a source batch, as
  /// a request: its answer returns the subscriber's credit. A subscriber
  /// that dies is removed by the down handler (its credit with it); one that
  /// holds an answer for a minute is logged and given the credit back.
  void flush_batches() {
    for (auto& sub : batch_subs) {
      if (sub.pending.candles.empty())
        continue;
      ++sub.in_flight;
      auto addr = sub.sink.address();
      self->request(sub.sink, std::chrono::seconds{60}, std::exchange(sub.pending, candle_batch{}))
        .then([this, addr](bool) { returned(addr); },
              [this, addr](caf::error& e) {
                bool still = std::any_of(batch_subs.begin(), batch_subs.end(),
                                         [&](auto& s) { return s.sink.address() == addr; });
                if (still && e == caf::sec::request_timeout)
                  log->warn("a candle subscriber has not taken a batch for 60 s; sending on");
                returned(addr);
              });
    }
  }

  void returned(const caf::actor_addr& addr) {
    for (auto& sub : batch_subs)
      if (sub.sink.address() == addr && sub.in_flight > 0)
        --sub.in_flight;
    release_held();
  }

  /// Whether sources must wait: too many candles not stored yet, or a batch
  /// subscriber behind.
  bool saturated() const {
    if (opts.persist && to_persist.size() >= opts.persist_buffer)
      return true;
    for (auto& sub : batch_subs)
      if (sub.in_flight >= opts.sink_window)
        return true;
    return false;
  }

  void release_held() {
    gauge();
    if (held.empty() || saturated())
      return;
    for (auto& [rp, n] : std::exchange(held, {}))
      rp.deliver(n);
    if (opts.flow)
      opts.flow->hub.holding(false, 0);
  }

  void gauge() {
    if (opts.flow)
      opts.flow->hub.set(static_cast<std::int64_t>(to_persist.size()),
                         static_cast<std::int64_t>(opts.persist_buffer));
  }

  // -- persistence ---------------------------------------------------------------

  void enqueue(const candle& c) {
    // Never dropped: at the bound the sources wait (saturated()).
    if (!warned_full && to_persist.size() >= opts.persist_buffer) {
      warned_full = true;
      log->warn("{} candles wait to be stored: the sources wait for the database",
                to_persist.size());
    } else if (warned_full && to_persist.size() < opts.persist_buffer / 2) {
      warned_full = false;
      log->info("the database has caught up: {} candles wait to be stored", to_persist.size());
    }
    to_persist.push_back(c);
    if (to_persist.size() - sent >= opts.persist_batch)
      persist(nullptr, false);
    else
      arm();
  }

  void arm() {
    if (timer_armed || to_persist.empty())
      return;
    timer_armed = true;
    self->delayed_send(self, opts.persist_interval, caf::tick_atom::value);
  }

  persistence_actor persistence() const {
    return caf::actor_cast<persistence_actor>(dir->find("data.persistence"));
  }

  /// Every flush waiter hears `ok` when all is stored, or false at once on
  /// a failure.
  void settle(bool ok) {
    if (ok && (!to_persist.empty() || flying > 0))
      return;
    for (auto& w : std::exchange(waiters, {}))
      w(ok);
  }

  /// Sends the buffered candles, one write of up to write_batches *
  /// persist_batch at a time (large, so the commit latency does not bound
  /// the throughput);
  /// `partial` also sends a last short batch (timer, flush). `done` runs once
  /// everything buffered is stored (true) or a write failed (false).
  void persist(std::function<void(bool)> done = nullptr, bool partial = true) {
    if (done)
      waiters.push_back(std::move(done));
    if (to_persist.empty() && flying == 0) {
      settle(true);
      return;
    }
    auto p = persistence();
    if (!p) {
      arm();
      settle(false);
      return;
    }
    while (flying < max_flying && sent < to_persist.size()) {
      auto most = opts.persist_batch * write_batches;
      if (write_size == 0 || write_size > most)
        write_size = most;
      auto n = std::min(to_persist.size() - sent, write_size);
      if (n < std::min(opts.persist_batch, write_size) && !partial)
        break;
      db::write_batch b;
      auto from = to_persist.begin() + static_cast<std::ptrdiff_t>(sent);
      b.candles.assign(from, from + static_cast<std::ptrdiff_t>(n));
      sent += n;
      ++flying;
      self->request(p, std::chrono::seconds{60}, std::move(b))
        .then(
          [this, n, e = epoch](db::write_ack&) {
            if (e != epoch)
              return;
            --flying;
            sent -= n;
            write_size = std::min(write_size * 2, opts.persist_batch * write_batches);
            to_persist.erase(to_persist.begin(), to_persist.begin() + static_cast<std::ptrdiff_t>(n));
            if (!waiters.empty())
              persist(nullptr, true);
            else if (to_persist.size() - sent >= opts.persist_batch)
              persist(nullptr, false);
            else
              arm();
            settle(true);
            release_held();
          },
          [this, e = epoch](caf::error& err) {
            if (e != epoch)
              return;
            // Overloaded, restarting or killed: keep the candles and send
            // them again later.
            ++epoch;
            flying = 0;
            sent = 0;
            if (err.category() == caf::atom("herald")
                && err.code() == static_cast<std::uint8_t>(herald_errc::db_overloaded))
              write_size = std::max<std::size_t>(1, write_size / 2);
            log->info("persistence did not take {} candles ({}); retrying", to_persist.size(),
                      caf::to_string(err));
            arm();
            settle(false);
          });
    }
  }
};

hub_actor::behavior_type hub_impl(ops::instrumented_stateful<hub_actor, hub_state>* self, hub_options opts,
                                  std::shared_ptr<supervision::agent_directory> dir) {
  auto& st = self->state;
  st.self = self;
  st.opts = std::move(opts);
  st.dir = std::move(dir);
  st.log = logging::get("data.hub");
  // A database that cannot be read throws: the hub dies and its supervisor
  // tries again after the backoff (crash-only).
  if (st.opts.storage)
    st.rebuild(*st.opts.storage);
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& subs = self->state.subs;
    subs.erase(std::remove_if(subs.begin(), subs.end(),
                              [&](const subscription& s) { return s.sink.address() == dm.source; }),
               subs.end());
    auto& bs = self->state.batch_subs;
    bs.erase(std::remove_if(bs.begin(), bs.end(),
                            [&](const auto& s) { return s.sink.address() == dm.source; }),
             bs.end());
    self->state.release_held();
    auto& ns = self->state.news_subs;
    ns.erase(std::remove_if(ns.begin(), ns.end(),
                            [&](const auto& s) { return s.second.address() == dm.source; }),
             ns.end());
  });
  return {
    [self](std::vector<candle>& cs) -> caf::result<std::uint64_t> {
      auto& st = self->state;
      std::uint64_t n = 0;
      for (auto& c : cs)
        n += st.accept(c) ? 1 : 0;
      st.flush_batches();
      if (!st.saturated())
        return n;
      // Back-pressure: the source sends its next batch when this answer
      // comes, i.e. when the database or the slowest subscriber caught up.
      st.gauge();
      if (st.opts.flow)
        st.opts.flow->hub.holding(true, ops::wall_ms());
      auto rp = self->make_response_promise<std::uint64_t>();
      st.held.emplace_back(rp, n);
      return rp;
    },
    [self](subscribe_atom, std::string& symbol, std::string& interval,
           candle_sink_actor& sink) -> bool {
      if (!sink)
        return false;
      self->monitor(sink);
      self->state.subs.push_back({std::move(symbol), std::move(interval), std::move(sink)});
      return true;
    },
    [self](subscribe_atom, std::string& symbol, std::string& interval,
           candle_batch_sink_actor& sink) -> bool {
      if (!sink)
        return false;
      self->monitor(sink);
      self->state.batch_subs.push_back({std::move(symbol), std::move(interval), std::move(sink), {}});
      return true;
    },
    [self](db::news_article& a) {
      auto& st = self->state;
      for (auto& [symbol, sink] : st.news_subs)
        if (io::news::mentions_symbol(a.symbols_json, symbol))
          self->send(sink, a);
      st.news.push_back(std::move(a));
      while (st.news.size() > st.opts.news_depth)
        st.news.pop_front();
    },
    [self](caf::get_atom, news_atom, const std::string& symbol) {
      std::vector<db::news_article> out;
      for (auto& a : self->state.news)
        if (io::news::mentions_symbol(a.symbols_json, symbol))
          out.push_back(a);
      return out;
    },
    [self](caf::get_atom, const std::string& symbol, const std::string& interval,
           std::uint32_t n, std::int64_t before) -> caf::result<std::vector<candle>> {
      // Whoever asks holds a candle at `before` that came through a hub: if
      // this hub has not reached the candle before it (it restarted and its
      // sources are still sending again what it had not stored), the history
      // would have a hole. Ask again shortly.
      auto& all = self->state.all;
      auto it = all.find({symbol, interval});
      auto ms = market::interval_ms(interval);
      if (it == all.end() || (ms && it->second.validator.last_open_time() < before - *ms))
        return make_error(herald_errc::not_ready,
                          symbol + " " + interval + ": the hub has not reached "
                            + std::to_string(before) + " yet");
      return it->second.window.last_before(n, before);
    },
    [self](caf::get_atom, since_atom, const std::string& symbol, const std::string& interval,
           std::int64_t from, std::uint32_t max) -> caf::result<std::vector<candle>> {
      try {
        return self->state.since(symbol, interval, from, max);
      } catch (const std::exception& e) { // the database is down: the caller retries
        return caf::make_error(caf::sec::runtime_error, e.what());
      }
    },
    [self](subscribe_atom, std::string& symbol, news_sink_actor& sink) -> bool {
      if (!sink)
        return false;
      self->monitor(sink);
      self->state.news_subs.emplace_back(std::move(symbol), std::move(sink));
      return true;
    },
    [self](caf::get_atom, const std::string& symbol, const std::string& interval,
           std::uint32_t n) -> std::vector<candle> {
      auto& all = self->state.all;
      auto it = all.find({symbol, interval});
      if (it == all.end())
        return {};
      return it->second.window.last(n);
    },
    [self](stats_atom) {
      std::vector<series_stats> out;
      for (auto& [key, s] : self->state.all)
        out.push_back({key.first, key.second, s.validator.accepted(), s.validator.duplicates(),
                       s.validator.rejected(), s.validator.gaps().size(),
                       s.validator.last_open_time()});
      return out;
    },
    [self](caf::flush_atom) -> caf::result<bool> {
      auto& st = self->state;
      auto rp = self->make_response_promise<bool>();
      st.persist([self, rp](bool stored_all) mutable {
        if (!stored_all) {
          rp.deliver(false);
          return;
        }
        auto p = self->state.persistence();
        if (!p) {
          rp.deliver(false);
          return;
        }
        self->request(p, std::chrono::seconds{60}, caf::flush_atom::value)
          .then([rp](db::db_status& s) mutable { rp.deliver(s.pending == 0); },
                [rp](caf::error&) mutable { rp.deliver(false); });
      });
      // The writes just sent are answered only once committed: ask the
      // persistence agent to commit now (it gets this after them).
      if (st.flying > 0)
        if (auto p = st.persistence())
          self->request(p, std::chrono::seconds{60}, caf::flush_atom::value)
            .then([](db::db_status&) {}, [](caf::error&) {});
      return rp;
    },
    [self](caf::tick_atom) {
      self->state.timer_armed = false;
      self->state.persist();
    },
  };
}

} // namespace

hub_actor spawn_hub(caf::local_actor* parent, hub_options opts,
                    std::shared_ptr<supervision::agent_directory> dir) {
  return parent->spawn(hub_impl, std::move(opts), std::move(dir));
}

hub_actor spawn_hub(caf::actor_system& sys, hub_options opts,
                    std::shared_ptr<supervision::agent_directory> dir) {
  return sys.spawn(hub_impl, std::move(opts), std::move(dir));
}

} // namespace herald::data
