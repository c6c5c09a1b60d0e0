#pragma once
// Scanner agents: the sources of candles. Each sends closed candles to the
// hub ("data.hub", found in the agent directory) and waits for its answer
// before sending more (flow control: a fast source cannot flood the hub).
//
//   simulated  the seeded market of market/simulator.hpp, at `speed` times
//              real time (0: as fast as possible); its headlines go to
//              news_articles through data.persistence
//   replay     candle files (any format of io/files/candle_file.hpp), in time
//              order, paced by `speed` (0: as fast as possible)
//
// With `max_candles` > 0 a source stops after that many candles per series
// and reports to run_progress (bounded runs).

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/data/run_progress.hpp"
#include "market/simulator.hpp"
#include "messages/type_ids.hpp"
#include "supervisor/agent_directory.hpp"

namespace herald::data {

using source_actor = caf::typed_actor<caf::reacts_to<caf::tick_atom>,
                                      // internal: resend headlines not yet stored
                                      caf::reacts_to<persist_retry_atom>>;

struct sim_source_options {
  market::sim_options sim;
  double speed = 60;             ///< times real time; 0 = as fast as possible
  std::uint64_t max_candles = 0; ///< per series; 0 = unbounded
  std::uint64_t backfill = 0;    ///< the first bars go out unpaced (history before now)
  std::string name = "simulated";
};

struct replay_source_options {
  std::vector<std::string> files;
  std::string symbol;               ///< of files not named for one of `symbols`
  std::vector<std::string> symbols; ///< a file named for one of them carries it
  std::string interval;          ///< "" = inferred per file
  double speed = 0;              ///< times real time; 0 = as fast as possible
  std::uint64_t max_candles = 0; ///< 0 = the whole files
  std::string name = "replay";
};

source_actor spawn_sim_source(caf::local_actor* parent, sim_source_options opts,
                              std::shared_ptr<supervision::agent_directory> dir,
                              std::shared_ptr<run_progress> progress);

source_actor spawn_replay_source(caf::local_actor* parent, replay_source_options opts,
                                 std::shared_ptr<supervision::agent_directory> dir,
                                 std::shared_ptr<run_progress> progress);

/// Default simulation parameters of a symbol (price level and volatility per
/// bar of `interval_ms`), so that BTC looks like BTC.
market::sim_symbol default_sim_symbol(const std::string& symbol, std::int64_t interval_ms);

} // namespace herald::data
