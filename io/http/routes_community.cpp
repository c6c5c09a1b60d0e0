// The HTTP routes of the community agents (issue 18): the reply ledger, and
// an operator's approve / reject of held replies. Approving moves a reply
// to `queued`; the engagement agent sends it on its next tick (the API
// never calls a platform itself).
#include "io/http/server_impl.hpp"

#include "community/analytics.hpp"
#include "io/text/sanitize.hpp"

namespace herald::io::http {

namespace {

const std::vector<std::string>& reply_states() {
  static const std::vector<std::string> all{"skipped", "dry_run", "pending_approval", "queued",
                                            "sending", "sent",    "in_doubt",         "failed",
                                            "rejected"};
  return all;
}

/// A unix-ms query parameter: "" when absent or read, else what is wrong.
std::string ms_param(const httplib::Request& req, const char* name, std::int64_t& into) {
  if (!req.has_param(name))
    return "";
  auto v = req.get_param_value(name);
  try {
    std::size_t used = 0;
    auto n = std::stoll(v, &used);
    if (used != v.size() || n < 0)
      throw std::invalid_argument(v);
    into = n;
    return "";
  } catch (...) {
    return std::string{"query parameter '"} + name + "' must be a time in unix milliseconds, got '"
           + text::one_line(v, 80) + "'";
  }
}

} // namespace

void server::impl::install_community() {
  using ops::role;
  // -- analytics: reports over the latest snapshot of each piece --
  route("GET", "/api/v1/analytics", "/api/v1/analytics", role::viewer,
        [this](const httplib::Request& req, httplib::Response& res, const ops::principal&) {
          if (!need_storage(res))
            return;
          auto by = req.has_param("by") ? req.get_param_value("by") : std::string{"channel"};
          auto now = wall_ms();
          std::int64_t from = now - 30 * 86'400'000LL, to = now + 1;
          for (auto [name, into] : {std::pair{"from", &from}, std::pair{"to", &to}})
            if (auto e = ms_param(req, name, *into); !e.empty())
              return send_error(res, 400, "bad_request", e);
          std::vector<community::report_row> rows;
          try {
            rows = community::analytics_report(c.storage->snapshots_between(from, to), by);
          } catch (const std::invalid_argument& e) {
            return send_error(res, 400, "bad_request", e.what());
          }
          json items = json::array();
          for (auto& r : rows)
            items.push_back({{"key", r.key},
                             {"posts", r.posts},
                             {"impressions", r.with_impressions ? json(r.impressions) : json()},
                             {"engagements", r.engagements},
                             {"engagement_rate", r.rate() >= 0 ? json(r.rate()) : json()},
                             {"engagements_per_post", r.engagements_per_post()}});
          send_json(res, 200,
                    json{{"by", by},
                         {"from", from},
                         {"to", to},
                         {"formula", "engagement_rate = sum(engagements) / sum(impressions) over "
                                     "the pieces that report impressions (X: likes + replies + "
                                     "reposts + quotes + bookmarks); Discord and Telegram: "
                                     "reactions, no impressions; articles: page views"},
                         {"items", items}});
        });
  route("GET", "/api/v1/analytics/snapshots", "/api/v1/analytics/snapshots", role::viewer,
        [this](const httplib::Request& req, httplib::Response& res, const ops::principal&) {
          page p;
          if (!paging(req, res, p) || !need_storage(res))
            return;
          auto now = wall_ms();
          std::int64_t from = now - 30 * 86'400'000LL, to = now + 1;
          for (auto [name, into] : {std::pair{"from", &from}, std::pair{"to", &to}})
            if (auto e = ms_param(req, name, *into); !e.empty())
              return send_error(res, 400, "bad_request", e);
          auto rows = c.storage->snapshots_between(from, to);
          std::reverse(rows.begin(), rows.end()); // newest first
          send_json(res, 200, slice(rows, p, [](const db::metric_snapshot& m) {
                      return json{{"post", m.post_id},
                                  {"channel", m.channel},
                                  {"offset_ms", m.offset_ms},
                                  {"due_at", m.due_at},
                                  {"taken_at", m.taken_at},
                                  {"status", m.status},
                                  {"impressions", m.impressions >= 0 ? json(m.impressions) : json()},
                                  {"engagements", m.engagements},
                                  {"engagement_rate", m.rate >= 0 ? json(m.rate) : json()},
                                  {"formula", m.formula},
                                  {"counts", json::parse(m.counts_json, nullptr, false)},
                                  {"type", m.kind},
                                  {"variant", m.variant},
                                  {"symbol", m.symbol},
                                  {"hour", m.hour},
                                  {"published_at", m.published_at}};
                    }));
        });
  route("GET", "/api/v1/replies", "/api/v1/replies", role::viewer,
        [this](const httplib::Request& req, httplib::Response& res, const ops::principal&) {
          page p;
          if (!paging(req, res, p) || !need_storage(res))
            return;
          std::string st = req.has_param("state") ? req.get_param_value("state") : "";
          const auto& all = reply_states();
          if (!st.empty() && std::find(all.begin(), all.end(), st) == all.end()) {
            std::string list;
            for (auto& x : all)
              list += (list.empty() ? "" : ", ") + x;
            return send_error(res, 400, "bad_request", "unknown state '" + st + "' (" + list + ")");
          }
          auto rows = c.storage->replies(st, 0, 100'000);
          std::reverse(rows.begin(), rows.end()); // newest first
          send_json(res, 200, slice(rows, p, [](const db::reply_row& x) {
                      return json{{"id", x.id},
                                  {"platform", x.platform},
                                  {"conversation", x.conversation_id},
                                  {"in_reply_to", x.in_reply_to},
                                  {"author", x.author_id},
                                  {"intent", x.intent},
                                  {"state", x.state},
                                  {"rule", x.rule},
                                  {"text", x.text},
                                  {"remote_id", x.remote_id},
                                  {"error", x.error},
                                  {"attempts", x.attempts},
                                  {"retry_at", x.retry_at},
                                  {"created_at", x.created_at},
                                  {"updated_at", x.updated_at}};
                    }));
        });
  route("POST", R"(/api/v1/replies/([^/]+)/(approve|reject))", "/api/v1/replies/{id}/{action}",
        role::operator_,
        [this](const httplib::Request& req, httplib::Response& res, const ops::principal& who) {
          if (!need_storage(res))
            return;
          std::string id = req.matches[1], action = req.matches[2];
          auto r = c.storage->find_reply(id);
          std::string why;
          if (!r)
            why = "no reply " + id;
          else if (r->state != "pending_approval" && r->state != "in_doubt" && r->state != "failed")
            why = "reply " + id + " is " + r->state + ": only pending_approval, in_doubt or "
                  "failed replies can be approved or rejected";
          if (why.empty()) {
            auto from = r->state;
            r->state = action == "approve" ? "queued" : "rejected";
            r->attempts = 0; // an operator's approval starts the retries afresh
            r->retry_at = 0;
            r->updated_at = wall_ms();
            if (!c.storage->update_reply(*r, from))
              why = "reply " + id + " changed meanwhile";
          }
          if (!audited(res, who.name, "replies." + action, id, req,
                       why.empty() ? "ok" : "error: " + why))
            return;
          if (!why.empty()) {
            bool missing = why.rfind("no ", 0) == 0;
            return send_error(res, missing ? 404 : 409, missing ? "not_found" : "conflict", why);
          }
          send_json(res, 200, json{{"ok", true}, {"id", id}, {"action", action},
                                   {"state", r->state}});
        },
        true);
}

} // namespace herald::io::http
