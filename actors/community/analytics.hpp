#pragma once
// The analytics agent ("community.analytics", issue 18): every
// analytics.interval it takes the metrics snapshots that are due
// (community::analytics_core: X public_metrics in batches of 100, Discord
// reactions, Telegram reactions as the listener stored them, article page
// views), and once a week, at analytics.report-day/-time, hands the
// performance article of the week before (markdown and a bar chart) to
// content.publisher as a piece of type `performance` on the articles
// channel. Crash-only: every snapshot is one row written once; the article
// is sent again until the ledger has it (the publisher records a piece id
// once). Detached: it calls the platforms and the database.

#include <memory>

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/community/listener.hpp"
#include "messages/type_ids.hpp"

namespace herald::community_actors {

/// drain (bounded runs): the snapshots due now; answered with how many
/// were taken.
using analytics_actor = caf::typed_actor<caf::reacts_to<caf::tick_atom>,
                                         caf::replies_to<drain_atom>::with<std::uint64_t>>;

analytics_actor spawn_analytics(caf::local_actor* parent,
                                std::shared_ptr<const community_options> opts,
                                std::shared_ptr<supervision::agent_directory> dir);

/// When a weekly article (performance, track record) of the week before
/// `now` is due (unix ms):
/// the week's Monday + report_weekday (0 = Sunday, the last day of the
/// Monday-based week) + report_minute.
std::int64_t weekly_release(std::int64_t now_ms, int report_weekday, int report_minute);

} // namespace herald::community_actors
