#pragma once
// The track-record agent ("community.track_record", issue 18): every
// track-record.interval it looks for published alerts whose horizon
// (track-record.horizon bars) has passed in the stored candles, and hands
// an outcome post (type `outcome`, id "outcome:<alert piece>@<channel>")
// for each to content.publisher, on the channels the alert went to
// (articles excepted). Once a week (track-record.report-day/-time, wall
// clock) the track-record article (type `track_record`) of the alerts of
// the week before goes to the articles channel; a bounded run ends with one
// over every alert (drain). Crash-only: what is done is what the ledger
// holds; a piece is sent again until its row exists, and the publisher
// records an id once. Detached: it reads the database.

#include <memory>
#include <string>

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/community/listener.hpp"
#include "community/track_record.hpp"
#include "messages/type_ids.hpp"

namespace herald::community_actors {

/// drain: every outcome due now handed over, and the closing article;
/// answered with (outcome posts handed over, article piece id or "").
using track_record_actor =
  caf::typed_actor<caf::reacts_to<caf::tick_atom>,
                   caf::replies_to<drain_atom>::with<std::uint64_t, std::string>>;

/// Every published alert with its direction and price (from its insight)
/// and the channels it went to, oldest first.
std::vector<community::alert_call> published_alerts(db::storage& store);

track_record_actor spawn_track_record(caf::local_actor* parent,
                                      std::shared_ptr<const community_options> opts,
                                      std::shared_ptr<supervision::agent_directory> dir);

} // namespace herald::community_actors
