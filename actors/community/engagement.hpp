#pragma once
// The engagement agent ("community.engagement", issue 18): every
// engagement.interval it decides the stored interactions not decided yet
// (community::engagement_core: gate, reply ledger, send), and sends the
// replies an operator approved (state queued). The facts of an answer come
// from the database (the symbol's candles and last signal). Detached: it
// calls the platforms and the database.

#include <memory>
#include <string>

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/community/listener.hpp"

namespace herald::community_actors {

/// drain (bounded runs): decide and send what is stored now.
using engagement_actor = caf::typed_actor<caf::reacts_to<caf::tick_atom>,
                                          caf::replies_to<drain_atom>::with<bool>>;

engagement_actor spawn_engagement(caf::local_actor* parent,
                                  std::shared_ptr<const community_options> opts,
                                  std::shared_ptr<supervision::agent_directory> dir);

} // namespace herald::community_actors
