#pragma once
// The subscriber interfaces that travel inside messages (a subscriber sends
// its own handle with `subscribe_atom`). They live here, next to the
// messages, because a handle that crosses nodes needs a type ID in the one
// block (messages/type_ids.hpp); the agents' headers re-export them.

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "messages/analysis.hpp"
#include "messages/market.hpp"
#include "messages/storage.hpp"

namespace herald {

/// Whoever wants candles: one closed candle per message.
using candle_sink_actor = caf::typed_actor<caf::reacts_to<candle>>;

/// Whoever wants candles in batches: per source batch, the accepted candles
/// of the matching series, in order. The answer (true) tells the hub the
/// sink has room for more: the hub keeps at most two batches unanswered per
/// sink and holds its answers to the sources meanwhile, so a slow sink slows
/// the sources instead of growing a mailbox.
using candle_batch_sink_actor = caf::typed_actor<caf::replies_to<candle_batch>::with<bool>>;

/// Whoever wants news: one article per message.
using news_sink_actor = caf::typed_actor<caf::reacts_to<db::news_article>>;

/// Whoever wants the risk manager's reports; answers true when it has room
/// for the next (back-pressure, like candle batches).
using risk_sink_actor = caf::typed_actor<caf::replies_to<risk_report>::with<bool>>;

} // namespace herald
