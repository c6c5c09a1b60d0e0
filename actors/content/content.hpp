#pragma once
// The content subtree ("content", rest_for_one), started in this order:
//
//   content.channel.<name>  one detached agent per enabled live channel: a
//                           queue, a token bucket, retries with backoff, the
//                           ledger writes around each call (exactly-once)
//   content.publisher       the fan-out manager: records every piece
//                           (planned / dry_run / pending_approval), hands live
//                           ones to their channel agent, reconciles pieces a
//                           crash left in `publishing`, picks up approvals
//   content.charts          renders chart PNGs (cairo)
//   content.creator         writes each brief for its channel (templates or
//                           the checked LLM draft), asks for its chart
//   content.strategist      subscribes to candles, news and risk reports;
//                           plans alerts, recaps and reports (market time)
//
// rest_for_one: a crashed publisher restarts the agents that send to it.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "ops/journal.hpp"

#include "content/briefing.hpp"
#include "content/creator.hpp"
#include "content/rate.hpp"
#include "content/strategist.hpp"
#include "content/templates.hpp"
#include "content/ledger.hpp"
#include "db/storage.hpp"
#include "io/publish/publisher.hpp"
#include "messages/type_ids.hpp"
#include "supervisor/agent_directory.hpp"
#include "supervisor/supervisor.hpp"

namespace herald::content_actors {

enum class publish_mode : std::uint8_t { live, dry_run, approval };
const char* mode_name(publish_mode m);

struct channel_setup {
  content::channel ch = content::channel::articles;
  publish_mode mode = publish_mode::live;
  double burst = 10;
  double per_minute = 60;
  /// Makes the adapter (called in the channel agent, again after a restart).
  std::function<std::unique_ptr<io::publish::publisher>()> make;
  bool resend_safe = true; ///< the adapter's resend_is_safe()
};

struct content_options {
  content::strategist_options strategist;
  content::view_options view;
  std::shared_ptr<const content::template_set> templates;
  std::string site_url; ///< "" when the articles channel is off
  std::string chart_dir = "var/charts";
  std::vector<channel_setup> channels;
  content::retry_policy retry;
  content::llm_writer llm; ///< empty: templates only
  std::chrono::milliseconds approval_poll{5000};
  /// How long the creator waits for learning.ab (learning.ab.ask-timeout).
  std::chrono::milliseconds ab_timeout{2000};
  /// The weekly scorecard (strategist.scorecard): outcomes after this many
  /// bars (learning.tuning.horizon); an analyzer calls a direction at
  /// |score| >= the aggregate's threshold.
  int scorecard_horizon = 10;
  double scorecard_threshold = 0.15;
  std::shared_ptr<db::storage> storage;
  /// Cluster: the publisher lease every ledger transition is fenced by (see
  /// content::ledger::fence); empty in one process.
  content::ledger::fence_fn fence;
  /// Live events ("post" per published or failed piece); null: none.
  std::shared_ptr<ops::journal> journal;
};

/// The strategist: fed by the hub and the risk manager.
using strategist_actor = caf::typed_actor<
  caf::replies_to<candle_batch>::with<bool>, caf::reacts_to<db::news_article>,
  caf::replies_to<risk_report>::with<bool>,
  /// End of a bounded run: closing recap and report, every plan released,
  /// answered with what each channel did once the pieces are out.
  caf::replies_to<drain_atom>::with<std::vector<channel_tally>>,
  caf::reacts_to<caf::tick_atom>>;

/// A one-shot, detached job that fills a due scorecard brief from the
/// database (learning::fill_scorecard: months of signals are read, off the
/// strategist's thread) and quits: answered with the step (0 ready, 1 wait,
/// 2 nothing), the brief and why (actors/content/scorecard_job.cpp).
using scorecard_job_actor = caf::typed_actor<
  caf::replies_to<content_brief>::with<std::int32_t, content_brief, std::string>>;
scorecard_job_actor spawn_scorecard_job(caf::local_actor* parent,
                                        std::shared_ptr<const content_options> o);

/// The strategist (actors/content/strategist.cpp).
strategist_actor spawn_strategist(caf::local_actor* parent, std::shared_ptr<const content_options> o,
                                  std::shared_ptr<supervision::agent_directory> dir);

using creator_actor = caf::typed_actor<
  caf::reacts_to<content_brief>,
  caf::replies_to<drain_atom>::with<std::vector<channel_tally>>,
  // internal: ask a (restarted) chart agent again (piece, chart, attempt)
  caf::reacts_to<retry_atom, content_piece, content::chart_data, std::int32_t>>;

using charts_actor = caf::typed_actor<
  /// PNG bytes of the chart, sized for the channel.
  caf::replies_to<content::chart_data, std::string>::with<std::string>>;

using publisher_actor = caf::typed_actor<
  caf::reacts_to<content_piece>, caf::reacts_to<publish_result>,
  caf::replies_to<drain_atom>::with<std::vector<channel_tally>>,
  /// What each channel did so far.
  caf::replies_to<stats_atom>::with<std::vector<channel_tally>>,
  caf::reacts_to<caf::tick_atom>>;

using channel_actor = caf::typed_actor<caf::reacts_to<content_piece>,
                                       caf::reacts_to<caf::tick_atom>>;

/// A channel agent (actors/content/channel.cpp), on its own thread.
channel_actor spawn_channel(caf::local_actor* parent, std::shared_ptr<const content_options> o,
                            channel_setup c, std::shared_ptr<supervision::agent_directory> dir);

/// The content supervisor's configuration.
supervision::supervisor_config content_tree(const content_options& o,
                                            std::shared_ptr<supervision::agent_directory> dir,
                                            supervision::supervisor_flags flags,
                                            supervision::backoff_options backoff,
                                            std::chrono::nanoseconds shutdown_timeout);

} // namespace herald::content_actors
