#include "community/gate.hpp"

#include <algorithm>
#include <cctype>

namespace herald::community {
namespace {

constexpr std::int64_t hour_ms = 3'600'000;
constexpr std::int64_t day_ms = 24 * hour_ms;

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string key(const std::string& a, const std::string& b) {
  return a + "|" + b;
}

std::string minutes(std::int64_t ms) {
  return std::to_string((ms + 59'999) / 60'000) + " min";
}

} // namespace

const char* to_string(gate_rule r) {
  switch (r) {
    case gate_rule::own_account: return "own_account";
    case gate_rule::blocklist: return "blocklist";
    case gate_rule::allowlist: return "allowlist";
    case gate_rule::bot: return "bot";
    case gate_rule::not_summoned: return "not_summoned";
    case gate_rule::turn_cap: return "turn_cap";
    case gate_rule::cooldown: return "cooldown";
    case gate_rule::quiet_hours: return "quiet_hours";
    case gate_rule::hourly_budget: return "hourly_budget";
    case gate_rule::daily_budget: return "daily_budget";
    case gate_rule::duplicate_text: return "duplicate_text";
  }
  return "unknown";
}

const std::vector<gate_rule>& all_gate_rules() {
  static const std::vector<gate_rule> all{
    gate_rule::own_account,  gate_rule::blocklist,     gate_rule::allowlist,
    gate_rule::bot,          gate_rule::not_summoned,  gate_rule::turn_cap,
    gate_rule::cooldown,     gate_rule::quiet_hours,   gate_rule::hourly_budget,
    gate_rule::daily_budget, gate_rule::duplicate_text};
  return all;
}

std::string normalise_list_entry(const std::string& entry) {
  auto colon = entry.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= entry.size())
    return "";
  auto platform = lower(entry.substr(0, colon));
  auto who = entry.substr(colon + 1);
  if (platform != "x" && platform != "telegram" && platform != "discord")
    return "";
  if (who[0] == '@') {
    if (who.size() < 2)
      return "";
    who = lower(who);
  }
  for (unsigned char c : who)
    if (std::isspace(c) || c < 0x20)
      return "";
  return platform + ":" + who;
}

engagement_gate::engagement_gate(gate_settings s,
                                 std::map<std::string, std::set<std::string>> own_ids)
    : s_(std::move(s)), own_(std::move(own_ids)) {
  set_lists(s_.allowlist, s_.blocklist);
}

void engagement_gate::set_lists(std::vector<std::string> allow, std::vector<std::string> block) {
  allow_.clear();
  block_.clear();
  for (auto& e : allow)
    if (auto n = normalise_list_entry(e); !n.empty())
      allow_.insert(n);
  for (auto& e : block)
    if (auto n = normalise_list_entry(e); !n.empty())
      block_.insert(n);
  s_.allowlist = std::move(allow);
  s_.blocklist = std::move(block);
}

bool engagement_gate::listed(const std::set<std::string>& list, const inbound& m) const {
  auto p = lower(m.platform);
  return list.count(p + ":" + m.author_id) > 0
         || (!m.author_handle.empty() && list.count(p + ":@" + lower(m.author_handle)) > 0);
}

int engagement_gate::turns(const std::string& platform, const std::string& conversation) const {
  auto it = turns_.find(key(platform, conversation));
  return it == turns_.end() ? 0 : it->second;
}

gate_decision engagement_gate::decide(const inbound& m, std::int64_t now_ms) const {
  auto refuse = [](gate_rule r, std::string detail) {
    return gate_decision{false, r, std::move(detail)};
  };
  if (auto own = own_.find(m.platform); own != own_.end()) {
    if (own->second.count(m.author_id) > 0
        || (!m.author_handle.empty() && own->second.count("@" + lower(m.author_handle)) > 0))
      return refuse(gate_rule::own_account, "the author is our own account");
  }
  if (listed(block_, m))
    return refuse(gate_rule::blocklist, "the author is on the blocklist");
  bool allowed = listed(allow_, m);
  if (s_.only_allowlisted && !allowed)
    return refuse(gate_rule::allowlist, "only allowlisted authors get replies");
  if (m.author_is_bot && !s_.allow_bots && !allowed)
    return refuse(gate_rule::bot, "the author is a bot (engagement.allow-bots is false)");
  if ((m.platform == "x" || s_.require_summons) && !m.mentions_us && !m.replies_to_us)
    return refuse(gate_rule::not_summoned,
                  "we were neither mentioned nor replied to (X allows replies only when summoned)");
  if (auto t = turns(m.platform, m.conversation_id); t >= s_.max_turns)
    return refuse(gate_rule::turn_cap, "we replied " + std::to_string(t)
                                         + " times in this conversation (max-turns "
                                         + std::to_string(s_.max_turns) + ")");
  if (auto it = last_to_author_.find(key(m.platform, m.author_id)); it != last_to_author_.end()
      && now_ms - it->second < s_.cooldown_ms)
    return refuse(gate_rule::cooldown, "we replied to this author "
                                         + minutes(now_ms - it->second) + " ago (cooldown "
                                         + minutes(s_.cooldown_ms) + ")");
  if (s_.quiet.contains(now_ms))
    return refuse(gate_rule::quiet_hours, "inside the quiet hours");
  if (auto it = sent_.find(m.platform); it != sent_.end()) {
    auto& times = it->second;
    auto in_hour = std::count_if(times.begin(), times.end(),
                                 [&](std::int64_t t) { return t > now_ms - hour_ms && t <= now_ms; });
    auto in_day = std::count_if(times.begin(), times.end(),
                                [&](std::int64_t t) { return t > now_ms - day_ms && t <= now_ms; });
    if (s_.per_hour > 0 && in_hour >= s_.per_hour)
      return refuse(gate_rule::hourly_budget,
                    std::to_string(in_hour) + " replies in the last hour (per-hour "
                      + std::to_string(s_.per_hour) + ")");
    if (s_.per_day > 0 && in_day >= s_.per_day)
      return refuse(gate_rule::daily_budget,
                    std::to_string(in_day) + " replies in the last 24 h (per-day "
                      + std::to_string(s_.per_day) + ")");
  }
  return {true, std::nullopt, ""};
}

bool engagement_gate::fresh_text(const inbound& m, const std::string& text) const {
  auto it = texts_.find(key(m.platform, m.conversation_id));
  return it == texts_.end() || it->second.count(text) == 0;
}

void engagement_gate::record(const inbound& m, const std::string& text, std::int64_t at_ms) {
  ++turns_[key(m.platform, m.conversation_id)];
  auto& last = last_to_author_[key(m.platform, m.author_id)];
  last = std::max(last, at_ms);
  auto& times = sent_[m.platform];
  times.insert(std::upper_bound(times.begin(), times.end(), at_ms), at_ms);
  // Only the last day matters for the budgets.
  while (!times.empty() && times.front() <= times.back() - day_ms)
    times.erase(times.begin());
  texts_[key(m.platform, m.conversation_id)].insert(text);
}

} // namespace herald::community
