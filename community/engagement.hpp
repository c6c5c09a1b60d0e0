#pragma once
// The engagement agent's logic (issue 18), without actors: for every stored
// interaction not decided yet, the gate decides; a refused one is recorded
// as skipped with its rule; an allowed one gets a reply composed from
// templates and facts, recorded in the reply ledger (community_replies,
// keyed by platform and replied-to id) BEFORE the call, then sent and
// marked sent / failed / in_doubt. Modes: live, dry-run (recorded, never
// sent), approval (held as pending_approval until approve()). At start the
// gate's history is rebuilt from the ledger and replies a crash left in
// `sending` become in_doubt (X refuses a duplicate reply, so those are sent
// again there; elsewhere an operator decides). Pure: the sender and the
// facts come in as functions.

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "community/gate.hpp"
#include "community/reply.hpp"
#include "db/storage.hpp"

namespace herald::community {

struct engagement_settings {
  gate_settings gate;
  std::string mode = "live"; ///< live | dry-run | approval
  std::string footer = "Research, not investment advice.";
  /// Messages older than this (platform time, at processing) are not
  /// answered: a restart or a first start does not answer the backlog.
  std::int64_t reply_window_ms = 3'600'000;
  std::map<std::string, std::size_t> max_chars{{"x", 280}, {"telegram", 4096}, {"discord", 2000}};
  /// A reply the platform refused for now (429, 5xx, a refused connection)
  /// is queued again after the platform's Retry-After, or after a backoff
  /// from retry_min doubling to retry_max; after max_attempts it is failed
  /// (an operator may send it again).
  int max_attempts = 5;
  std::int64_t retry_min_ms = 5'000;
  std::int64_t retry_max_ms = 600'000;
};

struct send_result {
  enum class status { sent, retry, failed, unknown } st = status::failed;
  std::string remote_id;
  std::string error;
  std::int64_t retry_after_ms = 0;
};

/// Sends `r.text` as a reply to r.in_reply_to in r.conversation_id.
using send_fn = std::function<send_result(const db::reply_row& r)>;
/// The facts an answer about a symbol may state (content::market_view).
using facts_fn = std::function<content::facts(const std::string& symbol)>;

struct engagement_report {
  std::size_t decided = 0, sent = 0, held = 0, dry_run = 0, failed = 0, in_doubt = 0, retrying = 0;
  std::map<std::string, std::size_t> skipped; ///< by gate rule
};

class engagement_core {
public:
  engagement_core(engagement_settings s, std::map<std::string, std::set<std::string>> own_ids,
                  reply_templates templates, std::map<std::string, std::string> aliases,
                  std::vector<std::string> tracked, db::storage& store);

  /// At start: the gate's history from the ledger (replies sent, being
  /// sent, in doubt or dry-run within the last day count), and `sending`
  /// rows made in_doubt. Returns how many were in doubt.
  std::size_t start(std::int64_t now_ms);
  /// Sends the replies approved since (state queued), then decides every
  /// interaction within the reply window that has no ledger row yet, in
  /// time order.
  engagement_report process(const facts_fn& facts, const send_fn& send, std::int64_t now_ms);
  /// Sends a held reply (pending_approval, or in_doubt / failed when the
  /// operator says so); "" on success, else why not.
  std::string approve(const std::string& id, const send_fn& send, std::int64_t now_ms);
  std::string reject(const std::string& id, std::int64_t now_ms);

  engagement_gate& gate() { return gate_; }
  const engagement_report& totals() const { return totals_; }

private:
  void deliver(db::reply_row& r, const inbound& m, const send_fn& send, std::int64_t now_ms,
               engagement_report& rep);

  engagement_settings s_;
  engagement_gate gate_;
  reply_templates templates_;
  std::map<std::string, std::string> aliases_;
  std::vector<std::string> tracked_;
  std::string tracked_text_;
  db::storage& store_;
  std::set<std::string> decided_; ///< interaction ids with a ledger row
  engagement_report totals_;
};

/// The gate's view of a stored interaction (metadata parsed).
inbound to_inbound(const db::stored_interaction& i);

} // namespace herald::community
