#pragma once
// The engagement gate (issue 18): decides, before anything is written or
// sent, whether Herald may answer an inbound message. Deterministic: the
// same settings, history and message give the same verdict, with the first
// rule that refused named. Times are unix milliseconds passed in by the
// caller (tests inject them). Pure: no CAF, no I/O.
//
// Rules, checked in this order:
//   own_account    the author is our own account on that platform
//   blocklist      the author is on the blocklist
//   allowlist      only-allowlisted is on and the author is not listed
//   bot            the author is a bot, bots are not allowed and the bot is
//                  not on the allowlist
//   not_summoned   X (always) or any platform with require-summons: the
//                  message neither mentions us nor replies to one of ours
//   turn_cap       we already replied max-turns times in the conversation
//   cooldown       we replied to this author less than cooldown ago
//   quiet_hours    now is inside the channel's quiet window
//   hourly_budget  the channel sent per-hour replies in the last hour
//   daily_budget   the channel sent per-day replies in the last 24 hours
// After the reply is written: duplicate_text (the same text was already
// sent to that conversation).

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "content/rate.hpp"

namespace herald::community {

enum class gate_rule {
  own_account,
  blocklist,
  allowlist,
  bot,
  not_summoned,
  turn_cap,
  cooldown,
  quiet_hours,
  hourly_budget,
  daily_budget,
  duplicate_text,
};

const char* to_string(gate_rule r);
/// Every rule, in checking order (reports list them all, with zero counts).
const std::vector<gate_rule>& all_gate_rules();

/// One inbound message as the gate sees it.
struct inbound {
  std::string platform;        ///< x | telegram | discord
  std::string message_id;
  std::string conversation_id; ///< X conversation, Telegram chat, Discord channel (or thread)
  std::string author_id;
  std::string author_handle;   ///< without "@"
  bool author_is_bot = false;
  bool mentions_us = false;    ///< names our account
  bool replies_to_us = false;  ///< a reply to one of our messages
  std::int64_t ts_ms = 0;
};

struct gate_settings {
  bool allow_bots = false;
  bool only_allowlisted = false;
  /// Entries "platform:id" or "platform:@handle" (case-insensitive handle).
  std::vector<std::string> allowlist;
  std::vector<std::string> blocklist;
  int max_turns = 3;                      ///< our replies per conversation
  std::int64_t cooldown_ms = 10 * 60'000; ///< per author
  int per_hour = 20;                      ///< per channel; 0: no limit
  int per_day = 100;
  content::quiet_hours quiet;             ///< UTC window
  bool require_summons = false;           ///< on every platform (X always)
};

struct gate_decision {
  bool reply = false;
  std::optional<gate_rule> rule; ///< the rule that refused
  std::string detail;            ///< for the log and the console
};

/// The gate with the history it needs: our replies per conversation, the
/// last reply per author, reply times per channel and the texts sent per
/// conversation. The engagement agent rebuilds it from the database at
/// start (record() for every stored reply), so a restart forgets nothing.
class engagement_gate {
public:
  /// `own_ids`: platform -> our account id (and "@handle" entries).
  engagement_gate(gate_settings s, std::map<std::string, std::set<std::string>> own_ids);

  gate_decision decide(const inbound& m, std::int64_t now_ms) const;
  /// False when `text` was already sent to this conversation.
  bool fresh_text(const inbound& m, const std::string& text) const;
  /// A reply was recorded (in the ledger) for `m` at `at_ms` with `text`.
  void record(const inbound& m, const std::string& text, std::int64_t at_ms);

  void set_lists(std::vector<std::string> allow, std::vector<std::string> block);
  const gate_settings& settings() const { return s_; }
  int turns(const std::string& platform, const std::string& conversation) const;

private:
  bool listed(const std::set<std::string>& list, const inbound& m) const;

  gate_settings s_;
  std::map<std::string, std::set<std::string>> own_;
  std::set<std::string> allow_, block_;
  std::map<std::string, int> turns_;                   ///< platform|conversation
  std::map<std::string, std::int64_t> last_to_author_; ///< platform|author
  std::map<std::string, std::vector<std::int64_t>> sent_; ///< platform -> reply times (sorted)
  std::map<std::string, std::set<std::string>> texts_;  ///< platform|conversation
};

/// "platform:id" / "platform:@handle" normalised (platform and handle lower
/// case); "" when the entry is malformed.
std::string normalise_list_entry(const std::string& entry);

} // namespace herald::community
