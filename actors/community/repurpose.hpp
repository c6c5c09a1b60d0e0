#pragma once
// The repurposing agent ("community.repurpose", issue 18): every
// repurpose.interval it turns each published research report (the latest
// repurpose.reports) into a thread (X, Telegram) and a short summary post
// (X, Telegram, Discord), and, once the week is over, the week's
// best-performing alert (most engagements in the analytics snapshots) into
// a follow-up on the channels it went to. Each variant is a content piece
// with its source's id as lineage, checked not to repeat its source's text
// (community::repeats_source), handed to content.publisher; the ledger
// records each id once, so a restart resends only what is missing.

#include <memory>
#include <string>

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/community/listener.hpp"
#include "messages/type_ids.hpp"

namespace herald::community_actors {

/// drain (bounded runs): every report repurposed now and a follow-up on the
/// run's best alert; answered with the pieces handed over.
using repurpose_actor = caf::typed_actor<caf::reacts_to<caf::tick_atom>,
                                         caf::replies_to<drain_atom>::with<std::uint64_t>>;

repurpose_actor spawn_repurpose(caf::local_actor* parent,
                                std::shared_ptr<const community_options> opts,
                                std::shared_ptr<supervision::agent_directory> dir);

} // namespace herald::community_actors
