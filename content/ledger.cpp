#include "content/ledger.hpp"

#include <chrono>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace herald::content {

using json = nlohmann::json;

const std::vector<std::string>& all_states() {
  static const std::vector<std::string> xs{state::scheduled, state::planned,
                                           state::pending_approval,
                                           state::publishing,
                                           state::published, state::failed,
                                           state::in_doubt, state::rejected, state::dry_run};
  return xs;
}

db::content_plan piece_record::to_row() const {
  json p{{"piece", piece},           {"title", title},         {"parts", parts},
         {"markdown", markdown},     {"variant", variant},     {"writer", writer},
         {"chart", chart_path},      {"attempts", attempts},   {"parts_done", parts_done},
         {"last_id", last_id},       {"remote_id", remote_id}, {"url", url},
         {"last_error", last_error}, {"facts", facts_json}};
  if (!lineage.empty())
    p["lineage"] = lineage;
  // The insight id lives in the payload: insights are written behind (by
  // the persistence agent), so the plan may be stored first and the column's
  // foreign key would refuse it.
  p["insight_id"] = insight_id;
  db::content_plan row;
  row.id = id;
  row.kind = type;
  row.channel = channel;
  row.state = state;
  row.scheduled_at = scheduled_at;
  row.payload_json = p.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  row.updated_at = updated_at;
  return row;
}

piece_record piece_record::from_row(const db::content_plan& row) {
  piece_record r;
  r.id = row.id;
  r.type = row.kind;
  r.channel = row.channel;
  r.state = row.state;
  r.scheduled_at = row.scheduled_at;
  r.updated_at = row.updated_at;
  auto p = json::parse(row.payload_json, nullptr, false);
  if (!p.is_object())
    throw std::invalid_argument{"content plan '" + row.id + "': payload is not a JSON object"};
  try {
    r.piece = p.value("piece", "");
    r.insight_id = p.value("insight_id", row.insight_id);
    r.title = p.value("title", "");
    if (p.contains("parts"))
      r.parts = p["parts"].get<std::vector<std::string>>();
    r.markdown = p.value("markdown", "");
    r.variant = p.value("variant", "");
    r.writer = p.value("writer", "");
    r.chart_path = p.value("chart", "");
    r.attempts = p.value("attempts", std::int64_t{0});
    r.parts_done = p.value("parts_done", std::size_t{0});
    r.last_id = p.value("last_id", "");
    r.remote_id = p.value("remote_id", "");
    r.url = p.value("url", "");
    r.last_error = p.value("last_error", "");
    r.facts_json = p.value("facts", "");
    r.lineage = p.value("lineage", "");
  } catch (const json::exception& e) {
    throw std::invalid_argument{"content plan '" + row.id + "': bad payload: " + e.what()};
  }
  return r;
}

ledger::ledger(std::shared_ptr<db::storage> store, clock now)
  : store_(std::move(store)), now_(std::move(now)) {
  if (!now_)
    now_ = [] {
      using namespace std::chrono;
      return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    };
}

std::optional<piece_record> ledger::find(const std::string& id) {
  auto row = store_->content_plan_by_id(id);
  if (!row)
    return std::nullopt;
  return piece_record::from_row(*row);
}

void ledger::commit(const db::write_batch& b) {
  if (!fence_) {
    store_->write(b);
    return;
  }
  auto f = fence_();
  if (!f)
    throw db::fenced_error("fenced: this node does not hold the publisher lease; nothing "
                           "written");
  store_->write_fenced(b, *f);
}

void ledger::save(piece_record& r) {
  r.updated_at = now_();
  db::write_batch b;
  b.plans.push_back(r.to_row());
  commit(b);
}

void ledger::mark_published(piece_record& r, const std::string& remote_id,
                            const std::string& url) {
  r.state = state::published;
  r.remote_id = remote_id;
  r.url = url;
  r.last_error.clear();
  r.updated_at = now_();
  db::write_batch b;
  b.plans.push_back(r.to_row());
  db::published_post post;
  post.id = r.piece;
  post.plan_id = r.id;
  post.channel = r.channel;
  post.channel_message_id = remote_id;
  post.url = url;
  for (auto& p : r.parts)
    post.body += (post.body.empty() ? "" : "\n\n") + p;
  post.metrics_json = "{}";
  post.published_at = r.updated_at;
  b.posts.push_back(std::move(post));
  commit(b);
}

std::vector<piece_record> ledger::in_state(const std::string& st, std::size_t limit) {
  std::vector<piece_record> out;
  for (auto& row : store_->content_by_state(st, limit))
    out.push_back(piece_record::from_row(row));
  return out;
}

namespace {

bool one_of(const std::string& s, std::initializer_list<const char*> xs) {
  for (auto* x : xs)
    if (s == x)
      return true;
  return false;
}

} // namespace

std::string ledger::approve(const std::string& id) {
  auto r = find(id);
  if (!r)
    return "no content plan '" + id + "'";
  if (!one_of(r->state, {state::pending_approval, state::in_doubt, state::failed}))
    return "'" + id + "' is " + r->state + "; only pending_approval, in_doubt and failed "
           "pieces can be approved";
  r->state = state::planned;
  r->attempts = 0;
  save(*r);
  return {};
}

std::string ledger::reject(const std::string& id) {
  auto r = find(id);
  if (!r)
    return "no content plan '" + id + "'";
  if (!one_of(r->state, {state::pending_approval, state::in_doubt, state::failed,
                         state::planned, state::scheduled}))
    return "'" + id + "' is " + r->state + " and cannot be rejected";
  r->state = state::rejected;
  save(*r);
  return {};
}

std::vector<piece_record>
ledger::reconcile(const std::function<bool(const std::string&)>& resend_safe) {
  std::vector<piece_record> changed;
  for (auto& r : in_state(state::publishing)) {
    if (resend_safe(r.channel)) {
      r.state = state::planned;
      r.last_error = "resent after a restart (the channel drops duplicates)";
    } else {
      r.state = state::in_doubt;
      r.last_error = "the process stopped during the call to " + r.channel
                     + "; whether it arrived is unknown and " + r.channel
                     + " cannot tell, so it is not resent automatically: check the channel, "
                       "then `herald content approve " + r.id + "` to send it or `reject` to drop it";
    }
    save(r);
    changed.push_back(r);
  }
  return changed;
}

} // namespace herald::content
