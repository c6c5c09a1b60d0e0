#pragma once
// The publishing ledger: every piece for every channel is a row of
// content_plans whose state moves
//
//   scheduled ──> planned                        (strategist: planned for a later time,
//                                                rendered when due; survives restarts)
//   planned ──> publishing ─┬─> published       (remote id recorded)
//      ^                    ├─> planned         (transient failure: retried after a wait)
//      │                    ├─> failed          (permanent error, or too many attempts)
//      │                    └─> in_doubt        (crash mid-call, channel cannot dedupe)
//      └── approve ── pending_approval | in_doubt | failed ── reject ──> rejected
//   dry_run                                     (dry-run mode: logged and recorded, never sent)
//
// A piece enters as planned (live), pending_approval (approval mode) or
// dry_run.
//
// `publishing` is written (synchronously) before the remote call and
// `published` right after it, so after a crash the rows left in
// `publishing` are exactly the calls whose outcome is unknown; reconcile()
// decides for each. Pure C++ over db::storage (no CAF).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "db/storage.hpp"

namespace herald::content {

namespace state {
constexpr const char* scheduled = "scheduled";
constexpr const char* planned = "planned";
constexpr const char* pending_approval = "pending_approval";
constexpr const char* publishing = "publishing";
constexpr const char* published = "published";
constexpr const char* failed = "failed";
constexpr const char* in_doubt = "in_doubt";
constexpr const char* rejected = "rejected";
constexpr const char* dry_run = "dry_run";
} // namespace state

/// Every state, for listings and checks.
const std::vector<std::string>& all_states();

/// A row of content_plans with its payload unpacked.
struct piece_record {
  std::string id;        ///< "<piece>@<channel>"
  std::string piece;
  std::string type;      ///< alert / recap / report / thread
  std::string channel;
  std::string insight_id;
  std::string state = state::planned;
  std::int64_t scheduled_at = 0;
  std::int64_t updated_at = 0;
  // payload
  std::string title;
  std::vector<std::string> parts;
  std::string markdown;
  std::string variant;
  std::string writer;     ///< "template" or "llm"
  std::string chart_path; ///< PNG on disk, "" when none
  std::int64_t attempts = 0;
  std::size_t parts_done = 0;
  std::string last_id;    ///< last delivered part (thread resume)
  std::string remote_id;
  std::string url;
  std::string last_error;
  std::string facts_json; ///< scheduled alerts: the facts taken when planned
  std::string lineage;    ///< repurposed pieces: the piece they were made from

  db::content_plan to_row() const;
  /// Throws std::invalid_argument naming the plan when its payload is not
  /// the JSON Herald writes.
  static piece_record from_row(const db::content_plan& row);
};

class ledger {
public:
  using clock = std::function<std::int64_t()>; ///< unix ms

  explicit ledger(std::shared_ptr<db::storage> store, clock now = {});

  /// Cluster (issue 16): every transition is written only while this node
  /// holds the publisher lease, checked in the same transaction
  /// (db::fenced_error otherwise). `f` gives the lease as this node holds it
  /// now (nullopt: not held, or not renewed within its TTL).
  using fence_fn = std::function<std::optional<db::lease_fence>()>;
  void fence(fence_fn f) { fence_ = std::move(f); }
  /// Whether this node may call a remote now (no fence, or the lease held):
  /// checked again right before each call, so that a node that was frozen
  /// past its lease calls nothing when it resumes.
  bool may_publish() const { return !fence_ || fence_().has_value(); }

  std::optional<piece_record> find(const std::string& id);
  /// Writes the record as it is (state and payload), stamped with now.
  void save(piece_record& r);
  /// Records `published` with the remote id and a published_content row, in
  /// one transaction.
  void mark_published(piece_record& r, const std::string& remote_id, const std::string& url);
  std::vector<piece_record> in_state(const std::string& st, std::size_t limit = 10'000);

  /// Operator decisions (`herald content approve|reject`, the console):
  /// approve takes pending_approval, in_doubt or failed back to planned (it
  /// will be sent); reject takes pending_approval, in_doubt, failed or
  /// planned to rejected. Returns "" or why not ("no plan 'x'", "'x' is published").
  std::string approve(const std::string& id);
  std::string reject(const std::string& id);

  /// After a restart: rows left in `publishing` go back to `planned` when
  /// `resend_safe(channel)` (the remote dedupes), else to `in_doubt` with an
  /// explanation. Returns the records changed.
  std::vector<piece_record> reconcile(const std::function<bool(const std::string&)>& resend_safe);

private:
  void commit(const db::write_batch& b);
  std::shared_ptr<db::storage> store_;
  clock now_;
  fence_fn fence_;
};

} // namespace herald::content
