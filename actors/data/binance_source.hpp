#pragma once
// The live Binance source ("data.scanner" with scanner.source = "binance"):
// backfills recent history over REST, then follows the kline WebSocket
// stream and sends every closed kline to the hub; after a reconnect it
// backfills the gap over REST first. Detached: REST calls block.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "actors/data/run_progress.hpp"
#include "actors/data/sources.hpp"
#include "io/binance/rest.hpp"
#include "io/binance/stream.hpp"
#include "supervisor/agent_directory.hpp"

namespace herald::data {

struct binance_source_options {
  io::binance::rest_options rest;
  std::string ws_url = "wss://stream.binance.com:9443";
  std::vector<std::string> symbols;
  std::string interval = "1m";
  std::chrono::milliseconds backfill{std::chrono::hours{24}}; ///< history loaded at start
  std::uint64_t max_candles = 0;                              ///< per series; 0 = unbounded
  /// Stream klines that may wait for the hub (the exchange cannot be slowed
  /// down). Beyond it the buffer is dropped with an error, the stream's
  /// klines are ignored, and once the hub takes candles again the gap is
  /// backfilled over REST: late, never lost.
  std::size_t max_buffer = 10'000;
  std::string name = "binance";
  /// Clock (ms since the epoch); injectable for tests.
  std::function<std::int64_t()> now;
};

/// A source's tick plus what its stream thread reports.
using binance_source_actor = caf::typed_actor<
  caf::reacts_to<caf::tick_atom>,
  /// A closed kline from the stream.
  caf::reacts_to<candle>,
  /// The stream connected (true) or dropped (false), and why.
  caf::reacts_to<caf::connect_atom, bool, std::string>,
  /// A frame the stream could not read.
  caf::reacts_to<caf::close_atom, std::string>>;

binance_source_actor spawn_binance_source(caf::local_actor* parent, binance_source_options opts,
                                          std::shared_ptr<supervision::agent_directory> dir,
                                          std::shared_ptr<run_progress> progress);
binance_source_actor spawn_binance_source(caf::actor_system& sys, binance_source_options opts,
                                          std::shared_ptr<supervision::agent_directory> dir,
                                          std::shared_ptr<run_progress> progress);

} // namespace herald::data
