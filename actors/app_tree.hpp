#pragma once
// The application's supervision tree, built from the configuration:
//
//   root (one_for_one)
//   ├── ops        (one_for_one)   health, chaos (when chaos.kill-rate > 0)
//   ├── data       (rest_for_one)  persistence, hub, scanner, news (with news.feeds)
//   ├── analysis   (one_for_one)   risk, series (pool of per-series supervisors,
//   │                                each with one actor per analyzer kind), pipeline
//   ├── content    (rest_for_one)
//   ├── community  (one_for_one)   listener.<platform> (one per enabled platform,
//   │                                one per channel on Discord)
//   └── learning   (one_for_one)   ab, tuning, performance, coordinator (with a
//                                   database, where content runs)
//
// Later issues add their agents to the domain supervisors here.

#include <atomic>
#include <memory>

#include "actors/analysis/pipeline.hpp"
#include "actors/community/analytics.hpp"
#include "actors/community/engagement.hpp"
#include "actors/community/repurpose.hpp"
#include "actors/community/track_record.hpp"
#include "actors/community/listener.hpp"
#include "actors/content/content.hpp"
#include "actors/learning/ab.hpp"
#include "actors/learning/coordinator.hpp"
#include "actors/learning/loop_agents.hpp"
#include "actors/ops/inspector.hpp"
#include "config/secrets.hpp"
#include "actors/data/hub.hpp"
#include "actors/data/persistence.hpp"
#include "actors/data/run_progress.hpp"
#include "config/settings.hpp"
#include "db/storage.hpp"
#include "supervisor/supervisor.hpp"

namespace herald {

/// Restart flags of supervisor `name` ([supervision.<name>] over [supervision]).
supervision::supervisor_flags supervisor_flags_for(const config::settings& s,
                                                   const std::string& name,
                                                   supervision::strategy strat);

/// Backoff options of the children of supervisor `name`.
supervision::backoff_options backoff_for(const config::settings& s, const std::string& name);

/// What the agents of the tree share.
struct app_services {
  std::shared_ptr<supervision::agent_directory> directory;
  /// The database; null runs the tree without the persistence agent.
  std::shared_ptr<db::storage> storage;
  /// Where bounded runs report completion; null: no market data agents.
  std::shared_ptr<data::run_progress> progress;
  /// The content agents' options (content_options_from); null: no content agents.
  std::shared_ptr<const content_actors::content_options> content;
  /// The inspector's options (board, journal, tokens, control, publication);
  /// null: no inspector.
  std::shared_ptr<const ops::inspector_options> inspector;
  /// Counts records the persistence agent could not write at shutdown
  /// (spilled or lost): herald exits 1 when it is not 0. Null: not counted.
  std::shared_ptr<std::atomic<std::uint64_t>> unwritten;
  /// Back-pressure gauges of the hub, pipeline and risk agent (null: none).
  std::shared_ptr<ops::flow_gauges> flow;
  /// The roles this node holds (`herald node`); empty: all (`herald run`).
  /// data: persistence, hub, scanner, news; analysis: the analysis subtree;
  /// content: the content subtree; ops: the chaos agent. Every node keeps
  /// its own health agent and inspector (it must be observable).
  std::vector<std::string> roles;
  /// `herald node`: what the database says (leases, series assignments) and
  /// this node's name; the analysis subtree then runs the series assigned
  /// here and, where the `analysis` lease is held, the pipeline and the risk
  /// manager. Null: one process (`herald run`).
  std::shared_ptr<cluster::board> board;
  std::string node_name;
  /// The community agents' options (community_options_from); null: none.
  /// Runs where content runs, with a database.
  std::shared_ptr<const community_actors::community_options> community;
  /// The A/B-testing agent's options (learning_actors::ab_options_from);
  /// null: none. Runs where content runs, with a database.
  std::shared_ptr<const learning_actors::ab_options> ab;
  /// The feedback-loop coordinator's options; null: none. Runs where content
  /// runs, with a database. With it, the pipeline reads the applied weight
  /// epochs when it starts.
  std::shared_ptr<const learning_actors::coordinator_options> coordinator;
};

/// The inspector's options from [ops] and [inspector] (without the shared
/// objects, which the caller fills in).
ops::inspector_options inspector_options_from(const config::settings& s);

/// The content strategist's rules from [content] and the schedules of the
/// enabled [publish.*] channels (also used by herald backtest's alert
/// track record).
content::strategist_options strategist_options_from(const config::settings& s);

/// The content subtree's options from [content] and [publish.*], with the
/// templates loaded and checked and the channel adapters' credentials from
/// the secrets; a relative content.templates is resolved against the
/// directory of `config_path` (when a file was read). Throws content::template_error or std::invalid_argument
/// naming the file, key or secret that is wrong. An empty content.site-url
/// means `served_site_url` (where this process serves the site, e.g.
/// "http://127.0.0.1:8080/site/"), or the folder as a file:// URL when the
/// site is not served.
/// The templates of content.templates (relative to the config file),
/// checked: each renders against sample facts, and every type an enabled
/// channel carries has one. Throws content::template_error naming the file,
/// or the missing <type>.<channel>.
std::shared_ptr<const content::template_set> load_templates(const config::settings& s,
                                                            const std::string& config_path);

content_actors::content_options content_options_from(const config::settings& s,
                                                     const config::secrets& secrets,
                                                     std::shared_ptr<db::storage> storage,
                                                     const std::string& config_path = "",
                                                     const std::string& served_site_url = "");

/// The hub's options from [hub].
data::hub_options hub_options_from(const config::settings& s);

/// The analysis subtree's options from [analysis], [analysis.*] and [risk].
analysis_actors::analysis_tree_options analysis_options_from(const config::settings& s);

/// The write-behind agent's options from [db].
data::persistence_options persistence_options_from(const config::settings& s);

/// The root supervisor's configuration with the whole tree below it.
supervision::supervisor_config make_root_config(const config::settings& s,
                                                const app_services& services);

} // namespace herald
