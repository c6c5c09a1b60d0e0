#include "community/engagement.hpp"

#include <nlohmann/json.hpp>

namespace herald::community {

namespace {
constexpr std::int64_t day_ms = 24 * 3'600'000LL;
}

inbound to_inbound(const db::stored_interaction& i) {
  inbound m;
  m.platform = i.rec.platform;
  m.author_id = i.rec.author_id;
  m.author_handle = i.rec.author_handle;
  m.author_is_bot = i.rec.author_is_bot;
  m.ts_ms = i.rec.ts;
  auto j = nlohmann::json::parse(i.rec.metadata_json, nullptr, false);
  if (j.is_object()) {
    m.message_id = j.value("message_id", "");
    m.conversation_id = j.value("conversation", "");
    m.mentions_us = j.value("mentions_us", false);
    m.replies_to_us = j.value("replies_to_us", false);
  }
  if (m.message_id.empty()) // "platform:id"
    m.message_id = i.rec.id.substr(i.rec.id.find(':') + 1);
  if (m.conversation_id.empty())
    m.conversation_id = m.message_id;
  return m;
}

engagement_core::engagement_core(engagement_settings s,
                                 std::map<std::string, std::set<std::string>> own_ids,
                                 reply_templates templates,
                                 std::map<std::string, std::string> aliases,
                                 std::vector<std::string> tracked, db::storage& store)
    : s_(std::move(s)), gate_(s_.gate, std::move(own_ids)), templates_(std::move(templates)),
      aliases_(std::move(aliases)), tracked_(std::move(tracked)), store_(store) {
  for (auto& t : tracked_)
    tracked_text_ += (tracked_text_.empty() ? "" : ", ") + t;
}

std::size_t engagement_core::start(std::int64_t now_ms) {
  std::size_t doubt = 0;
  for (auto& r : store_.replies("", now_ms - day_ms - s_.reply_window_ms, 1'000'000)) {
    decided_.insert(r.id);
    if (r.state == "sending") {
      auto d = r;
      d.state = "in_doubt";
      d.error = "a crash left this reply being sent: its outcome is unknown";
      d.updated_at = now_ms;
      if (store_.update_reply(d, "sending"))
        ++doubt;
      r.state = d.state;
    }
    if (r.state == "sent" || r.state == "in_doubt" || r.state == "dry_run") {
      inbound m;
      m.platform = r.platform;
      m.conversation_id = r.conversation_id;
      m.author_id = r.author_id;
      gate_.record(m, r.text, r.updated_at);
    }
  }
  return doubt;
}

void engagement_core::deliver(db::reply_row& r, const inbound& m, const send_fn& send,
                              std::int64_t now_ms, engagement_report& rep) {
  auto res = send(r);
  auto from = r.state;
  r.updated_at = now_ms;
  switch (res.st) {
    case send_result::status::sent:
      r.state = "sent";
      r.remote_id = res.remote_id;
      r.error.clear();
      ++rep.sent;
      break;
    case send_result::status::unknown:
      r.state = "in_doubt";
      r.error = res.error;
      ++rep.in_doubt;
      break;
    case send_result::status::retry: {
      // The platform said "not now": queued again, later, a few times.
      r.error = res.error;
      ++r.attempts;
      if (r.attempts < s_.max_attempts) {
        auto wait = s_.retry_min_ms;
        for (std::int64_t i = 1; i < r.attempts && wait < s_.retry_max_ms; ++i)
          wait *= 2;
        wait = std::max(std::min(wait, s_.retry_max_ms), res.retry_after_ms);
        r.state = "queued";
        r.retry_at = now_ms + wait;
        ++rep.retrying;
        break;
      }
      r.state = "failed";
      r.error += " (after " + std::to_string(r.attempts) + " attempts)";
      ++rep.failed;
      break;
    }
    case send_result::status::failed:
      r.state = "failed";
      r.error = res.error;
      ++rep.failed;
      break;
  }
  store_.update_reply(r, from);
  if (r.state == "sent" || r.state == "in_doubt")
    gate_.record(m, r.text, now_ms);
}

engagement_report engagement_core::process(const facts_fn& facts, const send_fn& send,
                                           std::int64_t now_ms) {
  engagement_report rep;
  // Replies an operator approved (the API moves them to queued) and replies
  // the platform asked to retry, once their time has come.
  for (auto& q : store_.replies("queued", 0, 1000)) {
    if (q.retry_at > now_ms)
      continue;
    q.state = "sending";
    q.updated_at = now_ms;
    if (!store_.update_reply(q, "queued"))
      continue;
    inbound m;
    m.platform = q.platform;
    m.conversation_id = q.conversation_id;
    m.author_id = q.author_id;
    deliver(q, m, send, now_ms, rep);
  }
  for (auto& i : store_.interactions_since("", now_ms - s_.reply_window_ms, 10'000)) {
    if (decided_.count(i.rec.id))
      continue;
    if (store_.find_reply(i.rec.id)) { // decided by a previous incarnation
      decided_.insert(i.rec.id);
      continue;
    }
    auto m = to_inbound(i);
    db::reply_row r;
    r.id = i.rec.id;
    r.platform = m.platform;
    r.conversation_id = m.conversation_id;
    r.in_reply_to = m.message_id;
    r.author_id = m.author_id;
    r.created_at = r.updated_at = now_ms;
    auto what = classify(i.rec.text, m.replies_to_us, aliases_, tracked_);
    r.intent = intent_name(what.kind);
    auto d = gate_.decide(m, now_ms);
    std::optional<reply_text> text;
    std::string error;
    if (d.reply) {
      reply_request q;
      q.what = what;
      if (!what.symbol.empty() && facts)
        q.facts = facts(what.symbol);
      q.tracked = tracked_text_;
      q.footer = s_.footer;
      auto lim = s_.max_chars.find(m.platform);
      q.max_chars = lim == s_.max_chars.end() ? 280 : lim->second;
      q.variant_seed = content::stable_hash(r.id);
      text = compose(templates_, q, error);
      if (text && !gate_.fresh_text(m, text->text))
        d = {false, gate_rule::duplicate_text, "the same text was sent to this conversation"};
    }
    if (!d.reply || !text) {
      r.state = "skipped";
      r.rule = d.rule ? to_string(*d.rule) : "no_template";
      r.error = d.rule ? d.detail : error;
      if (store_.insert_reply(r))
        ++rep.skipped[r.rule];
      decided_.insert(r.id);
      ++rep.decided;
      continue;
    }
    r.text = text->text;
    r.intent = intent_name(text->used);
    r.state = s_.mode == "dry-run" ? "dry_run" : s_.mode == "approval" ? "pending_approval" : "sending";
    // The ledger row comes first: a crash after it never sends twice.
    if (!store_.insert_reply(r)) {
      decided_.insert(r.id);
      continue;
    }
    decided_.insert(r.id);
    ++rep.decided;
    if (r.state == "dry_run") {
      gate_.record(m, r.text, now_ms);
      ++rep.dry_run;
    } else if (r.state == "pending_approval") {
      ++rep.held;
    } else {
      deliver(r, m, send, now_ms, rep);
    }
  }
  totals_.decided += rep.decided;
  totals_.sent += rep.sent;
  totals_.held += rep.held;
  totals_.dry_run += rep.dry_run;
  totals_.failed += rep.failed;
  totals_.in_doubt += rep.in_doubt;
  totals_.retrying += rep.retrying;
  for (auto& [k, v] : rep.skipped)
    totals_.skipped[k] += v;
  return rep;
}

std::string engagement_core::approve(const std::string& id, const send_fn& send,
                                     std::int64_t now_ms) {
  auto r = store_.find_reply(id);
  if (!r)
    return "no reply " + id;
  if (r->state != "pending_approval" && r->state != "in_doubt" && r->state != "failed")
    return "reply " + id + " is " + r->state + ": only pending_approval, in_doubt or failed "
           "replies can be approved";
  auto from = r->state;
  r->state = "sending";
  r->updated_at = now_ms;
  r->attempts = 0;
  r->retry_at = 0;
  if (!store_.update_reply(*r, from))
    return "reply " + id + " changed meanwhile";
  inbound m;
  m.platform = r->platform;
  m.conversation_id = r->conversation_id;
  m.author_id = r->author_id;
  engagement_report rep;
  deliver(*r, m, send, now_ms, rep);
  return r->state == "sent" ? "" : "reply " + id + ": " + r->state + ": " + r->error;
}

std::string engagement_core::reject(const std::string& id, std::int64_t now_ms) {
  auto r = store_.find_reply(id);
  if (!r)
    return "no reply " + id;
  auto from = r->state;
  if (from != "pending_approval" && from != "in_doubt" && from != "failed")
    return "reply " + id + " is " + from + ": only held replies can be rejected";
  r->state = "rejected";
  r->updated_at = now_ms;
  return store_.update_reply(*r, from) ? "" : "reply " + id + " changed meanwhile";
}

} // namespace herald::community
