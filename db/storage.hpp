#pragma once
// Herald's one storage interface. Two backends implement it: SQLite (the
// default, zero setup) and PostgreSQL (libpqxx, for clusters). Nothing
// outside db/ writes SQL. Pure C++: no CAF.
//
// Errors: every method throws db::storage_error; `transient()` tells a
// connection problem (retry later: the write-behind actor does) from a
// permanent one (bad data, newer schema). Thread-safe: each call takes a
// connection from the backend's pool.

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "db/url.hpp"
#include "messages/storage.hpp"

namespace herald::db {

class storage_error : public std::runtime_error {
public:
  storage_error(bool transient, const std::string& what)
    : std::runtime_error(what), transient_(transient) {}
  /// A connection problem that a retry may overcome.
  bool transient() const { return transient_; }

private:
  bool transient_;
};

/// A write refused because the lease it was fenced by is no longer held
/// by the writer at that epoch (issue 16: a frozen or partitioned node).
class fenced_error : public storage_error {
public:
  explicit fenced_error(const std::string& what) : storage_error(false, what) {}
};

/// The lease a write depends on: written only while `holder` holds `lease`
/// at `epoch` and it has not expired, checked in the same transaction.
struct lease_fence {
  std::string lease;
  std::string holder;
  std::int64_t epoch = 0;
};

struct migrate_report {
  int from_version = 0;
  int to_version = 0;
  std::vector<std::string> applied; ///< "0001_initial", ...
};

/// One row of security_audit_logs: who did what to what, from where, and
/// how it ended. Written synchronously (an audit record must not wait in a
/// queue that a crash could lose).
struct audit_entry {
  std::string actor;   ///< token name ("" never: "anonymous" for failed logins)
  std::string action;  ///< "content.approve", "agent.restart", ...
  std::string target;  ///< piece id, agent path, ...
  std::string outcome; ///< "ok", "denied", "error: ..."
  std::string details_json = "{}"; ///< {"source":"127.0.0.1", ...}
  std::int64_t ts = 0; ///< unix ms
};

/// A lease of the cluster (coordinator, publisher): who holds it, its
/// fencing epoch, until when (database clock, ms).
struct lease_state {
  std::string name;
  std::string holder;
  std::int64_t epoch = 0;
  std::int64_t expires_at = 0;
  std::int64_t now = 0; ///< the database's clock when it was read
  bool held = false;    ///< the asking holder has it
};

/// Which node analyses a series ("SYMBOL:interval"), since when, at which
/// assignment epoch (a stale owner's outputs are refused).
struct series_owner {
  std::string series;
  std::string owner;
  std::int64_t epoch = 0;
  std::int64_t moved_at = 0;
};

/// One node of the cluster as the membership table has it.
struct member_state {
  std::string name;
  std::string incarnation; ///< unique per start of a node
  std::string roles;       ///< "data,ops"
  std::string address;     ///< "host:port" its peers dial
  std::string version;     ///< Herald version
  std::int64_t started_at = 0;
  std::int64_t renewed_at = 0;
  std::string status;      ///< "up" or "left" (an orderly stop)
  std::int64_t now = 0;    ///< the database's clock when it was read
};

/// One agent of a node as agent_registry has it.
struct registry_row {
  std::string node;
  std::string path;
  std::string kind;   ///< "supervisor" or "worker"
  std::string status; ///< "running" or "down"
  std::int64_t restarts = 0;
  std::string last_exit_reason;
  std::int64_t started_at = 0; ///< unix ms, 0 when unknown
  std::int64_t updated_at = 0; ///< the database's clock when written
};

/// One message someone sent us, as the listeners store it (issue 18).
struct interaction_record {
  std::string id;       ///< "platform:message id": stored once
  std::string platform; ///< x | telegram | discord
  std::string author_id;
  std::string author_handle;
  std::string author_name;
  bool author_is_bot = false;
  std::string kind; ///< mention | message | edited
  std::string text;
  std::int64_t ts = 0;                ///< unix ms (the platform's time)
  std::string metadata_json = "{}";   ///< conversation, reply_to, mentions_us, replies_to_us
};

/// A stored interaction with its author, oldest first in reads.
struct stored_interaction {
  interaction_record rec;
  std::int64_t user_id = 0;
};

struct community_user {
  std::int64_t id = 0;
  std::string platform, external_id, handle, display_name;
  bool is_bot = false;
  std::int64_t first_seen = 0, last_seen = 0, messages = 0, replies_sent = 0;
};

/// One decision of the engagement agent: a reply to one inbound message,
/// keyed by (platform, replied-to message id), or the rule that skipped it.
struct reply_row {
  std::string id;          ///< "platform:message id" of the message answered
  std::string platform;
  std::string conversation_id;
  std::string in_reply_to; ///< the platform's message id
  std::string author_id;   ///< whom we answer
  std::string intent;
  /// skipped | dry_run | pending_approval | queued | sending | sent |
  /// in_doubt | failed | rejected
  std::string state;
  std::string rule;        ///< the gate rule that skipped it
  std::string text;
  std::string remote_id;   ///< our reply's id on the platform
  std::string error;
  std::int64_t attempts = 0; ///< send attempts the platform refused for now (429, 5xx)
  std::int64_t retry_at = 0; ///< queued: not sent before this (unix ms)
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

/// One metrics snapshot of a published piece (post_metrics), keyed by
/// (post_id, channel, offset_ms). Written once.
struct metric_snapshot {
  std::string post_id;  ///< published_content.id (the piece)
  std::string channel;
  std::int64_t offset_ms = 0;  ///< after publication: 3600000 = the +1 h snapshot
  std::int64_t due_at = 0;     ///< published_at + offset_ms
  std::int64_t taken_at = 0;   ///< when it was read (late after a stop)
  /// ok | deleted (the platform no longer has the piece) | missed (a later
  /// snapshot was due too when it was read: not taken)
  std::string status;
  std::int64_t impressions = -1; ///< -1: the platform does not report them
  std::int64_t engagements = 0;
  double rate = -1;              ///< engagements / impressions; -1: not defined
  std::string formula;           ///< how engagements and rate were computed
  std::string counts_json = "{}"; ///< the raw counts read
  std::string kind, variant, symbol; ///< content type, template variant, symbol ("" = none)
  std::int64_t hour = 0;             ///< posting hour (UTC, 0..23)
  std::int64_t published_at = 0;
};

/// One arm of an experiment (ab_test_variants) as the A/B agent keeps it.
struct ab_arm_row {
  std::string arm;
  std::int64_t exposures = 0; ///< units with an outcome (column impressions)
  std::int64_t successes = 0; ///< of which successes (column conversions)
  std::int64_t assigned = 0;  ///< units assigned (counted from ab_assignments)
  double weight = 0;          ///< current allocation weight
  double expected = 0;        ///< traffic expected over the settled units
};

/// An experiment (ab_tests) with its arms in definition order.
struct ab_experiment_row {
  std::string id;
  std::string name;
  std::string status;          ///< running | stopped
  std::string definition_json; ///< learning::experiment_def as JSON (metadata)
  std::int64_t started_at = 0;
  std::int64_t updates = 0;    ///< reweights so far
  std::int64_t lost = 0;       ///< settled units without an outcome
  std::int64_t reweighted_at = 0; ///< when the weights were last computed (0 = never / unknown)
  std::vector<ab_arm_row> arms;
};

/// A unit's assignment (ab_assignments), stored once.
struct ab_assignment_row {
  std::string test_id;
  std::string unit;         ///< "<piece>@<channel>"
  std::string arm;
  std::string weights_json; ///< the allocation it was assigned under
  std::int64_t assigned_at = 0;
  std::string state = "open"; ///< open | success | failure | lost
  std::int64_t settled_at = 0;
};

/// A weight set of the tuning loop (weight_sets), versioned from 1; the
/// configured set is version 0 and has no row.
struct weight_set_row {
  std::int64_t version = 0;
  std::string weights_json = "{}"; ///< {"momentum": 1.0, ...}
  double threshold = 0.15;
  std::string source;      ///< tuning | rollback | expiry
  std::int64_t parent = 0; ///< the version current when it was made
  /// proposed | refused | applied | superseded
  std::string state;
  std::string evidence_json = "{}"; ///< the comparison that decided it
  std::int64_t created_at = 0;
  std::int64_t effective_from = 0;  ///< applied: first candle open time it aggregates
  std::int64_t applied_at = 0;      ///< 0: never applied
};

/// One run of a feedback loop (learning_runs), recorded once.
struct learning_run_row {
  std::string id; ///< "<loop>:<scheduled_at>"
  std::string loop;
  std::int64_t scheduled_at = 0, started_at = 0, finished_at = 0;
  std::string status;             ///< ok | skipped | failed
  std::string inputs_json = "{}"; ///< the ids of what it read
  std::string result_json = "{}";
};

struct storage_options {
  std::size_t pool_size = 4;
  std::string password;            ///< PostgreSQL only; from the secrets
  int connect_timeout_seconds = 5; ///< PostgreSQL only
  /// PostgreSQL: the longest a statement may run on the server
  /// (statement_timeout) and the longest sent data may stay unacknowledged
  /// (tcp_user_timeout), with TCP keepalives: a database that hangs or a
  /// network that drops packets ends a call with an error (retried) instead
  /// of blocking the persistence agent for ever.
  int statement_timeout_ms = 60'000;
  /// PostgreSQL: a session idle inside an open transaction this long is
  /// ended by the server (idle_in_transaction_session_timeout), so a
  /// process frozen mid-transaction (SIGSTOP, a paused VM, a cut link)
  /// does not hold its row locks, e.g. on a cluster lease, for ever.
  int idle_in_transaction_ms = 2'000;
};

class storage {
public:
  virtual ~storage() = default;

  /// "sqlite" or "postgresql".
  virtual const char* backend() const = 0;
  /// Where the data lives (URL or file path; never a password).
  virtual std::string location() const = 0;

  // -- schema -----------------------------------------------------------------

  /// The version recorded in schema_migrations (0 for an empty database).
  virtual int schema_version() = 0;
  /// Applies every missing migration in order, each in its own transaction.
  /// Safe to run twice and from several nodes at once. Refuses (permanent
  /// error) a database whose schema is newer than this binary.
  virtual migrate_report migrate() = 0;

  // -- writes -----------------------------------------------------------------

  /// Writes a batch in one transaction. Idempotent: a record whose key is
  /// already stored is ignored (facts: candles, news, posts, logs) or
  /// replaced (state: plans, analysis re-runs, counters), as the table's
  /// meaning requires. JSON fields must hold valid JSON (see validate()).
  virtual void write(const write_batch& batch) = 0;
  /// write() in a transaction that first checks `fence` (the lease row,
  /// locked against a concurrent take on PostgreSQL); throws fenced_error
  /// and writes nothing when the lease is not held at that epoch.
  virtual void write_fenced(const write_batch& batch, const lease_fence& fence) = 0;

  // -- reads ------------------------------------------------------------------

  /// The last `n` candles of a series, oldest first.
  virtual std::vector<candle> last_candles(const std::string& symbol,
                                           const std::string& interval, std::size_t n)
    = 0;
  /// Candles with open_time in [from, to), oldest first.
  virtual std::vector<candle> candles_between(const std::string& symbol,
                                              const std::string& interval, std::int64_t from,
                                              std::int64_t to)
    = 0;
  /// Every stored series (symbol, interval), sorted: what the hub rebuilds.
  virtual std::vector<std::pair<std::string, std::string>> candle_series() = 0;
  /// Number of stored candles of a series.
  virtual std::int64_t count_candles(const std::string& symbol, const std::string& interval)
    = 0;
  virtual std::vector<news_article> news_since(std::int64_t from, std::size_t limit) = 0;
  virtual std::vector<sentiment_point> sentiment_between(const std::string& symbol,
                                                         std::int64_t from, std::int64_t to)
    = 0;
  virtual std::vector<analysis_result> analysis_for(const std::string& symbol,
                                                    const std::string& interval,
                                                    std::int64_t open_time)
    = 0;
  /// Newest first; all symbols when `symbol` is empty.
  virtual std::vector<signal_record> latest_signals(std::size_t n, const std::string& symbol)
    = 0;
  /// Signals with open_time >= from, oldest first (ties by symbol, interval),
  /// at most `limit`: what a restarted risk manager replays.
  virtual std::vector<signal_record> signals_since(std::int64_t from, std::size_t limit) = 0;
  /// Newest first.
  virtual std::vector<insight_record> latest_insights(std::size_t n) = 0;
  virtual std::optional<insight_record> insight_by_id(const std::string& id) = 0;
  /// Plans of `kind` in `state` ("" = any) scheduled at or after `from`,
  /// oldest first.
  virtual std::vector<content_plan> plans_of_kind(const std::string& kind, const std::string& state,
                                                  std::int64_t from, std::size_t limit) = 0;
  /// Plans in `state`, by scheduled time.
  virtual std::vector<content_plan> content_by_state(const std::string& state,
                                                     std::size_t limit)
    = 0;
  /// The plan with this id, if any.
  virtual std::optional<content_plan> content_plan_by_id(const std::string& id) = 0;
  /// Newest first.
  virtual std::vector<published_post> published_on(const std::string& channel,
                                                   std::size_t limit)
    = 0;
  /// Newest first.
  virtual std::vector<agent_log> agent_logs_of(const std::string& agent, std::size_t limit) = 0;
  /// Appends one security audit row (its own transaction).
  virtual void write_audit(const audit_entry& e) = 0;
  /// The newest audit rows, newest first.
  virtual std::vector<audit_entry> audit_log(std::size_t limit) = 0;
  virtual std::optional<ab_test> experiment(const std::string& test_id) = 0;
  virtual std::vector<ab_variant> experiment_variants(const std::string& test_id) = 0;

  // -- the cluster's authority (db/cluster_store.cpp) --------------------------
  // Times are the database's clock, so that the nodes' clocks do not matter.

  /// Takes or renews the lease `name` for `holder` for `ttl_ms` from now:
  /// granted when it is free, expired, or already `holder`'s. A new holder
  /// gets epoch + 1 (the fencing token); a renewal keeps the epoch. One
  /// atomic statement. Returns the lease as it stands (held tells whether
  /// `holder` has it).
  virtual lease_state acquire_lease(const std::string& name, const std::string& holder,
                                    std::int64_t ttl_ms) = 0;
  /// Gives the lease up at once if `holder` has it (an orderly stop).
  virtual void release_lease(const std::string& name, const std::string& holder) = 0;
  /// Whether `holder` holds `name` at `epoch` and it has not expired.
  virtual bool lease_valid(const std::string& name, const std::string& holder,
                           std::int64_t epoch) = 0;
  virtual std::vector<lease_state> leases() = 0;
  /// The owner of every analysis series.
  virtual std::vector<series_owner> series_owners() = 0;
  /// Writes owner changes in one transaction, only while `holder` holds the
  /// coordinator lease at `epoch` (fenced: a coordinator that lost its lease
  /// writes nothing); a change never replaces a newer epoch. False when
  /// the fence refused.
  virtual bool assign_series(const std::vector<series_owner>& changes, const std::string& holder,
                             std::int64_t epoch) = 0;
  /// Records `m` as the incarnation that holds its name now (started and
  /// renewed now, status "up"), replacing an earlier incarnation.
  virtual void join_member(const member_state& m) = 0;
  /// Renews `name` for `incarnation`; false when another incarnation has
  /// taken the name (this one must stop: it was replaced).
  virtual bool renew_member(const std::string& name, const std::string& incarnation) = 0;
  /// Marks `name` as left (an orderly stop) if `incarnation` still holds it.
  virtual void leave_member(const std::string& name, const std::string& incarnation) = 0;
  virtual std::vector<member_state> members() = 0;
  /// Appends one deployment_logs row (node joined/left/lost, assignment
  /// changes, ...), stamped with the database's clock.
  virtual void log_deployment(const std::string& node, const std::string& version,
                              const std::string& event, const std::string& details_json) = 0;
  /// Replaces the agent_registry rows of `node` with `rows` (one
  /// transaction; agents no longer listed are removed).
  virtual void write_registry(const std::string& node, const std::vector<registry_row>& rows) = 0;
  /// Every agent of every node, by node then path.
  virtual std::vector<registry_row> registry() = 0;
  /// The newest deployment_logs rows, newest first: (node, version, event,
  /// details, ts).
  virtual std::vector<std::vector<std::string>> deployment_log(std::size_t limit) = 0;

  // -- community (issue 18) --
  /// Stores what a listener read from `source` and moves the source's
  /// cursor to `cursor`, in one transaction: an interaction whose id is
  /// stored already is skipped (its author is not counted again); each new
  /// one upserts its author in community_users (first seen, last seen,
  /// messages). Returns how many were new.
  virtual std::size_t store_inbound(const std::string& source,
                                    const std::vector<interaction_record>& items,
                                    const std::string& cursor) = 0;
  /// The cursor stored for `source` ("" when none).
  virtual std::string inbound_cursor(const std::string& source) = 0;
  /// Interactions of a platform ("" = all) with ts >= from, oldest first.
  virtual std::vector<stored_interaction> interactions_since(const std::string& platform,
                                                            std::int64_t from,
                                                            std::size_t limit) = 0;
  virtual std::optional<community_user> find_user(const std::string& platform,
                                                  const std::string& external_id) = 0;
  /// Records a decision once: false (and nothing changed) when a row with
  /// this id exists (the message was decided before, maybe by a previous
  /// incarnation).
  virtual bool insert_reply(const reply_row& r) = 0;
  /// Moves a reply from `from` to r.state (with its text, remote id and
  /// error); false when it is no longer in `from`.
  virtual bool update_reply(const reply_row& r, const std::string& from) = 0;
  virtual std::optional<reply_row> find_reply(const std::string& id) = 0;
  /// Replies in `state` ("" = any) created at or after `from`, oldest first.
  virtual std::vector<reply_row> replies(const std::string& state, std::int64_t from,
                                         std::size_t limit) = 0;

  // -- analytics (issue 18) --
  /// Pieces published at or after `from` (unix ms), oldest first.
  virtual std::vector<published_post> published_since(std::int64_t from, std::size_t limit) = 0;
  /// Records a snapshot once: false when its key exists.
  virtual bool write_snapshot(const metric_snapshot& m) = 0;
  /// Snapshots of pieces published in [from, to), by published_at then post.
  virtual std::vector<metric_snapshot> snapshots_between(std::int64_t from, std::int64_t to) = 0;
  /// Adds `n` views of `page` (an article's file name) in the hour starting
  /// at `hour_ms`.
  virtual void add_page_views(const std::string& page, std::int64_t hour_ms, std::int64_t n) = 0;
  /// Every view of `page` counted so far.
  virtual std::int64_t page_views(const std::string& page) = 0;
  /// The reaction counts of one message as last seen (replaces the old ones).
  virtual void store_reactions(const std::string& platform, const std::string& chat_id,
                               const std::string& message_id, std::int64_t total,
                               const std::string& counts_json, std::int64_t at) = 0;
  /// (total, counts JSON) of one message; nullopt when none were seen.
  virtual std::optional<std::pair<std::int64_t, std::string>>
  reactions_of(const std::string& platform, const std::string& chat_id,
               const std::string& message_id) = 0;

  // -- experiments (issue 19) --
  /// Creates an experiment with its arms: false (nothing changed) when the
  /// id exists.
  virtual bool create_experiment(const ab_experiment_row& e) = 0;
  /// Every experiment with its arms in definition order, oldest first.
  virtual std::vector<ab_experiment_row> experiments() = 0;
  /// Stores an assignment once and returns the stored one, and whether it
  /// was stored now: a unit assigned before (by an earlier incarnation too)
  /// keeps its first arm.
  virtual std::pair<ab_assignment_row, bool> assign_unit(const ab_assignment_row& a) = 0;
  /// Sets an experiment's status (running | stopped): false when no such id.
  virtual bool set_experiment_status(const std::string& id, const std::string& status) = 0;
  /// Open assignments of an experiment made before `before`, oldest first.
  virtual std::vector<ab_assignment_row> open_assignments(const std::string& test_id,
                                                          std::int64_t before,
                                                          std::size_t limit) = 0;
  /// In one transaction: settles the assignments that are still open and
  /// stores the experiment's arms (counts, weights, expected traffic),
  /// update count and lost count (not its status: the API sets that). Returns how many were settled
  /// (0 when another writer settled them first: then nothing is stored).
  virtual std::size_t save_update(const ab_experiment_row& e,
                                  const std::vector<ab_assignment_row>& settled) = 0;
  /// The snapshot of a piece on a channel at one offset, if taken.
  virtual std::optional<metric_snapshot> snapshot_at(const std::string& post_id,
                                                     const std::string& channel,
                                                     std::int64_t offset_ms) = 0;

  // -- feedback loops (issue 19) --
  /// Stores a new weight set with the next version and returns it.
  virtual std::int64_t add_weight_set(const weight_set_row& w) = 0;
  /// Weight sets, newest first.
  virtual std::vector<weight_set_row> weight_sets(std::size_t limit) = 0;
  virtual std::optional<weight_set_row> weight_set(std::int64_t version) = 0;
  /// In one transaction: `version` becomes applied from `effective_from`
  /// and the applied one before it superseded. False (nothing changed)
  /// unless it is proposed, or `parent` is no longer the applied version
  /// (someone applied another meanwhile; 0 = the configured set).
  virtual bool apply_weight_set(std::int64_t version, std::int64_t parent,
                                std::int64_t effective_from, std::int64_t at) = 0;
  /// Every weight set ever applied (applied or superseded), by effective_from.
  virtual std::vector<weight_set_row> applied_weight_sets() = 0;
  /// Records a loop run once: false when its id exists.
  virtual bool record_run(const learning_run_row& r) = 0;
  /// Runs of a loop ("" = all), newest first.
  virtual std::vector<learning_run_row> learning_runs(const std::string& loop,
                                                      std::size_t limit) = 0;
  virtual std::optional<learning_run_row> learning_run(const std::string& id) = 0;
  /// The newest open time of any stored candle (0 when none).
  virtual std::int64_t latest_candle_time() = 0;
  /// Stores (or replaces) one performance snapshot (performance_snapshots:
  /// scope, key, ts).
  virtual void write_performance(const std::string& scope, const std::string& key,
                                 std::int64_t ts, const std::string& metrics_json) = 0;
  /// (key, ts, metrics) of a scope with ts in [from, to], by ts then key.
  virtual std::vector<std::tuple<std::string, std::int64_t, std::string>>
  performance_snapshots(const std::string& scope, std::int64_t from, std::int64_t to) = 0;

  /// Per-variant impressions, conversions and conversion rate.
  std::vector<variant_stats> experiment_stats(const std::string& test_id);
};

/// The longest key or indexed text field, in bytes (PostgreSQL's btree index
/// rows must stay under 8 KB; SQLite gets the same limit so that both
/// backends accept the same data). Free-text fields are unbounded.
constexpr std::size_t max_key_bytes = 512;

/// Checks a batch before it is accepted: JSON fields must be valid JSON, key
/// fields non-empty, keys and indexed fields at most max_key_bytes. Returns
/// what is wrong ("" when fine), naming the record and the field.
std::string validate(const write_batch& batch);

/// Opens (and for SQLite creates, with its directory) the database at `url`.
/// Throws storage_error when it cannot.
std::unique_ptr<storage> open_storage(const db_url& url, const storage_options& opts);

} // namespace herald::db
