#pragma once
// The market-data hub ("data.hub"): replaces the Redis of the systems we
// replace. Sources send closed candles; the hub validates them per series
// (bad ones rejected with a counted reason, duplicates dropped, gaps logged),
// keeps a rolling window per (symbol, interval), builds the configured higher
// intervals with the resampler, fans every accepted candle out to the
// subscribers of its series, and persists candles through data.persistence
// (found by name in the agent directory). News articles from the news agent
// are fanned out to the subscribers of the symbols they mention.
//
// Crash-safe: with a database, a fresh incarnation rebuilds every stored
// series' window, validator position and partial higher bars, and the last
// news, from the database before it takes any message; sources then resume
// after the newest candle it holds (stats), so a candle the previous
// incarnation accepted but had not stored yet is sent again.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "db/storage.hpp"
#include "ops/flow.hpp"
#include "messages/type_ids.hpp"
#include "supervisor/agent_directory.hpp"

namespace herald::data {

// The subscriber interfaces (messages/sinks.hpp: their handles cross nodes).
using herald::candle_batch_sink_actor;
using herald::candle_sink_actor;
using herald::news_sink_actor;

struct hub_options {
  std::size_t depth = 1000;                ///< candles kept per series
  std::vector<std::string> resample_to;    ///< higher intervals built from each base series
  bool persist = true;
  std::size_t persist_batch = 500;         ///< candles per write to data.persistence
  std::chrono::nanoseconds persist_interval = std::chrono::milliseconds{100};
  /// Candles accepted but not yet stored beyond which the hub holds its
  /// answers to the sources (they wait: back-pressure from the database).
  /// Nothing is dropped; the bound is exceeded by at most one source batch
  /// per source and the higher bars it completes.
  std::size_t persist_buffer = 50'000;
  /// Unanswered candle batches a batch sink may have before the sources wait.
  int sink_window = 2;
  /// Where the hub reports how full it is (null: not reported).
  std::shared_ptr<ops::flow_gauges> flow;
  std::size_t news_depth = 1000;           ///< articles kept for snapshot queries
  /// Where a fresh incarnation rebuilds its windows from (null: starts empty).
  std::shared_ptr<db::storage> storage;
};

using hub_actor = caf::typed_actor<
  /// Closed candles from a source, oldest first; answers how many were
  /// accepted, once the hub has room for more (the source sends its next
  /// batch only then): held while too many candles wait to be stored or a
  /// batch sink is behind.
  caf::replies_to<std::vector<candle>>::with<std::uint64_t>,
  /// Subscribes a sink to a series; "*" matches every symbol or interval.
  caf::replies_to<subscribe_atom, std::string, std::string, candle_sink_actor>::with<bool>,
  /// Subscribes a batch sink to a series; "*" matches every symbol or interval.
  caf::replies_to<subscribe_atom, std::string, std::string, candle_batch_sink_actor>::with<bool>,
  /// A news article (from the news agent): fanned out to news subscribers.
  caf::reacts_to<db::news_article>,
  /// Subscribes a sink to news about a symbol ("*": all news).
  caf::replies_to<subscribe_atom, std::string, news_sink_actor>::with<bool>,
  /// The last N candles of a series, oldest first.
  caf::replies_to<caf::get_atom, std::string, std::string, std::uint32_t>::with<std::vector<candle>>,
  /// The last N candles of a series that opened before a time (ms), oldest
  /// first: what a restarted analyzer rebuilds its state from.
  caf::replies_to<caf::get_atom, std::string, std::string, std::uint32_t,
                  std::int64_t>::with<std::vector<candle>>,
  /// The candles of a series that opened at or after a time (ms), at most
  /// the newest N, oldest first: from the window, or from the database where
  /// the window does not reach back far enough (a rewinding pipeline).
  caf::replies_to<caf::get_atom, since_atom, std::string, std::string, std::int64_t,
                  std::uint32_t>::with<std::vector<candle>>,
  /// The articles kept about a symbol ("*": all), oldest first.
  caf::replies_to<caf::get_atom, news_atom, std::string>::with<std::vector<db::news_article>>,
  /// Counters of every series.
  caf::replies_to<stats_atom>::with<std::vector<series_stats>>,
  /// Hands every buffered candle to data.persistence and waits for it to
  /// write them; answers whether all were stored.
  caf::replies_to<caf::flush_atom>::with<bool>,
  // internal timer
  caf::reacts_to<caf::tick_atom>>;

hub_actor spawn_hub(caf::local_actor* parent, hub_options opts,
                    std::shared_ptr<supervision::agent_directory> dir);
hub_actor spawn_hub(caf::actor_system& sys, hub_options opts,
                    std::shared_ptr<supervision::agent_directory> dir);

} // namespace herald::data
