#include "actors/data/binance_source.hpp"
#include "actors/ops/instrumented.hpp"

#include <map>

#include <caf/all.hpp>

#include "actors/data/hub.hpp"
#include "io/logging.hpp"
#include "market/interval.hpp"

namespace herald::data {

namespace {

struct binance_state {
  static inline const char* name = "herald.source.binance";
  binance_source_actor::pointer self = nullptr;
  binance_source_options opts;
  std::shared_ptr<supervision::agent_directory> dir;
  std::shared_ptr<run_progress> progress;
  std::shared_ptr<spdlog::logger> log;
  std::unique_ptr<io::binance::rest_client> rest;
  std::unique_ptr<io::binance::kline_stream> stream;
  std::int64_t interval_ms = 60'000;
  std::map<std::string, std::int64_t> last_closed; ///< open time of the last closed kline sent
  std::map<std::string, std::uint64_t> sent;
  std::vector<candle> outbox;                      ///< waiting for the hub
  std::vector<candle> in_flight;                   ///< sent, not yet answered
  /// Newest open time per symbol the hub has taken (answered batches).
  std::map<std::string, std::int64_t> taken_through;
  /// The buffer overflowed: stream klines are ignored until the hub caught
  /// up and the gap was backfilled over REST.
  bool resync = false;
  std::uint64_t overflows = 0;
  bool sending = false;
  bool was_connected = false;
  bool finished = false;

  /// A stream kline: to the outbox, unless the hub is so far behind that the
  /// buffer is full (then the buffer goes and REST fills the gap later).
  void take_live(candle c) {
    if (resync)
      return;
    if (outbox.size() >= opts.max_buffer) {
      ++overflows;
      log->error("binance: {} klines wait for the hub (binance.max-buffer = {}): the buffer is "
                 "dropped; the gap is backfilled over REST once the hub takes candles again "
                 "(overflow #{})",
                 outbox.size(), opts.max_buffer, overflows);
      outbox.clear();
      // What was not taken is fetched again: from the hub's position on.
      for (auto& s : opts.symbols) {
        auto it = taken_through.find(s);
        if (it != taken_through.end())
          last_closed[s] = it->second;
        else
          last_closed.erase(s);
        for (auto& c2 : in_flight)
          if (c2.symbol == s)
            last_closed[s] = std::max(last_closed[s], c2.open_time);
      }
      resync = true;
      if (!sending)
        self->delayed_send(self, std::chrono::milliseconds{100}, caf::tick_atom::value);
      return;
    }
    take({std::move(c)});
  }

  /// Closed klines newer than what was sent, to the outbox.
  void take(std::vector<candle> cs) {
    for (auto& c : cs) {
      auto& last = last_closed[c.symbol];
      if (c.open_time <= last)
        continue;
      if (opts.max_candles > 0 && sent[c.symbol] >= opts.max_candles)
        continue;
      last = c.open_time;
      ++sent[c.symbol];
      outbox.push_back(std::move(c));
    }
    flush();
  }

  void flush() {
    if (sending || (outbox.empty() && !resync))
      return;
    auto hub = caf::actor_cast<hub_actor>(dir->find("data.hub"));
    if (!hub) {
      self->delayed_send(self, std::chrono::milliseconds{100}, caf::tick_atom::value);
      return;
    }
    if (resync && outbox.empty()) { // nothing in flight: the hub is there again
      resync = false;
      log->info("binance: the hub takes candles again; backfilling the dropped klines");
      backfill(); // calls take() -> flush()
      return;
    }
    sending = true;
    in_flight = std::move(outbox);
    outbox.clear();
    if (hub.address() != watched) { // a hub that dies holding the answer
      watched = hub.address();
      self->monitor(hub);
    }
    auto e = ++send_epoch;
    // No timeout: a hub that holds its answer is back-pressure (the buffer
    // bound above handles it); a hub that dies is noticed by its down message.
    self->request(hub, caf::infinite, in_flight)
      .then(
        [this, e](std::uint64_t) {
          if (e != send_epoch)
            return;
          sending = false;
          for (auto& c : in_flight)
            taken_through[c.symbol] = std::max(taken_through[c.symbol], c.open_time);
          in_flight.clear();
          if (resync && outbox.empty()) {
            resync = false;
            log->info("binance: the hub takes candles again; backfilling the dropped klines");
            backfill();
          }
          check_done();
          flush();
        },
        [this, e](caf::error& err) mutable {
          if (e != send_epoch)
            return;
          requeue(caf::to_string(err));
        });
  }

  caf::actor_addr watched;
  std::uint64_t send_epoch = 0;

  /// The batch in flight was not taken: it goes back in front of the outbox.
  void requeue(const std::string& why) {
    ++send_epoch;
    sending = false;
    log->warn("hub did not take {} klines ({}); retrying", in_flight.size(), why);
    in_flight.insert(in_flight.end(), outbox.begin(), outbox.end());
    outbox = std::move(in_flight);
    in_flight.clear();
    self->delayed_send(self, std::chrono::milliseconds{100}, caf::tick_atom::value);
  }

  void check_done() {
    if (finished || opts.max_candles == 0)
      return;
    for (auto& s : opts.symbols)
      if (sent[s] < opts.max_candles)
        return;
    finished = true;
    log->info("binance source done: {} candles per series", opts.max_candles);
    if (progress)
      progress->source_done(opts.name, opts.max_candles);
  }

  /// Closed klines of every symbol from its last one (or the backfill window)
  /// up to now, over REST.
  void backfill() {
    auto now = opts.now();
    for (auto& s : opts.symbols) {
      auto from = last_closed.count(s) ? last_closed[s] + interval_ms
                                       : market::bar_start(now - opts.backfill.count(), interval_ms);
      if (from > now)
        continue;
      try {
        auto cs = rest->klines(s, opts.interval, from, now);
        std::vector<candle> closed;
        for (auto& c : cs)
          if (c.close_time < now)
            closed.push_back(std::move(c));
        log->info("{} {}: backfilled {} klines over REST from {}", s, opts.interval,
                  closed.size(), market::format_utc(from));
        take(std::move(closed));
      } catch (const io::binance::rest_error& e) {
        log->error("{} {}: backfill failed: {}", s, opts.interval, e.what());
      }
    }
  }
};

binance_source_actor::behavior_type
binance_impl(ops::instrumented_stateful<binance_source_actor, binance_state>* self,
                                         binance_source_options opts,
                                         std::shared_ptr<supervision::agent_directory> dir,
                                         std::shared_ptr<run_progress> progress) {
  auto& st = self->state;
  st.self = self;
  if (!opts.now)
    opts.now = [] {
      using namespace std::chrono;
      return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    };
  st.opts = std::move(opts);
  st.dir = std::move(dir);
  st.progress = std::move(progress);
  st.log = logging::get("data.scanner");
  st.interval_ms = market::interval_ms(st.opts.interval).value_or(60'000);
  st.rest = std::make_unique<io::binance::rest_client>(st.opts.rest);
  st.backfill();
  io::binance::stream_options so;
  so.base_url = st.opts.ws_url;
  for (auto& s : st.opts.symbols)
    so.streams.push_back(io::binance::stream_name(s, st.opts.interval));
  // The stream's callbacks run on its thread: they only send messages here.
  auto me = caf::actor_cast<caf::actor>(self);
  st.stream = std::make_unique<io::binance::kline_stream>(
    so,
    [me](const io::binance::kline_event& ev) {
      if (ev.closed)
        caf::anon_send(me, ev.bar);
    },
    [me](bool connected, const std::string& why) {
      caf::anon_send(me, caf::connect_atom::value, connected, why);
    },
    [me](const std::string& error) { caf::anon_send(me, caf::close_atom::value, error); });
  st.stream->start();
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    if (dm.source != st.watched)
      return;
    st.watched = nullptr;
    if (st.sending)
      st.requeue("the hub stopped");
  });
  return {
    [self](caf::tick_atom) { self->state.flush(); },
    [self](candle& c) {
      auto& st = self->state;
      auto last = st.last_closed.count(c.symbol) ? st.last_closed[c.symbol] : 0;
      if (!st.resync && last != 0 && c.open_time > last + st.interval_ms) {
        st.log->warn("{} {}: stream skipped {} klines; backfilling", c.symbol, c.interval,
                     (c.open_time - last) / st.interval_ms - 1);
        st.backfill();
      }
      st.take_live(std::move(c));
    },
    [self](caf::connect_atom, bool connected, const std::string& why) {
      auto& st = self->state;
      if (connected) {
        st.log->info("binance stream: {}", why);
        if (st.was_connected && !st.resync)
          st.backfill(); // the gap while we were away
        st.was_connected = true;
      } else {
        st.log->warn("binance stream: {}", why);
      }
    },
    [self](caf::close_atom, const std::string& error) {
      self->state.log->warn("binance stream: {}", error);
    },
  };
}

} // namespace

binance_source_actor spawn_binance_source(caf::local_actor* parent, binance_source_options opts,
                                          std::shared_ptr<supervision::agent_directory> dir,
                                          std::shared_ptr<run_progress> progress) {
  return parent->spawn<caf::detached>(binance_impl, std::move(opts), std::move(dir),
                                      std::move(progress));
}

binance_source_actor spawn_binance_source(caf::actor_system& sys, binance_source_options opts,
                                          std::shared_ptr<supervision::agent_directory> dir,
                                          std::shared_ptr<run_progress> progress) {
  return sys.spawn<caf::detached>(binance_impl, std::move(opts), std::move(dir),
                                  std::move(progress));
}

} // namespace herald::data
