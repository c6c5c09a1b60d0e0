// The HTTP routes of market data, analysis and content (read from the database; approvals through the ledger).
#include "io/http/server_impl.hpp"

#include "content/ledger.hpp"
#include "ops/json_views.hpp"

namespace herald::io::http {

void server::impl::install_data() {
  using ops::role;
  // -- market data and analysis (from the database) --
  route("GET", "/api/v1/signals", "/api/v1/signals", role::viewer,
        [this](const httplib::Request& req, httplib::Response& res, const ops::principal&) {
          page p;
          if (!paging(req, res, p) || !need_storage(res))
            return;
          auto symbol = req.has_param("symbol") ? req.get_param_value("symbol") : "";
          auto rows = c.storage->latest_signals(p.offset + p.limit + 1, symbol);
          send_json(res, 200, slice(rows, p, [](const db::signal_record& x) {
                      return json{{"id", x.id},         {"symbol", x.symbol},
                                  {"interval", x.interval}, {"time", x.open_time},
                                  {"direction", x.direction}, {"score", x.score},
                                  {"confidence", x.confidence},
                                  {"payload", parse_or_text(x.payload_json)},
                                  {"created_at", x.created_at}};
                    }));
        });
  route("GET", "/api/v1/insights", "/api/v1/insights", role::viewer,
        [this](const httplib::Request& req, httplib::Response& res, const ops::principal&) {
          page p;
          if (!paging(req, res, p) || !need_storage(res))
            return;
          auto symbol = req.has_param("symbol") ? req.get_param_value("symbol") : "";
          auto rows = c.storage->latest_insights(symbol.empty() ? p.offset + p.limit + 1 : 5000);
          if (!symbol.empty())
            rows.erase(std::remove_if(rows.begin(), rows.end(),
                                      [&](const db::insight_record& x) { return x.symbol != symbol; }),
                       rows.end());
          send_json(res, 200, slice(rows, p, [](const db::insight_record& x) {
                      return json{{"id", x.id},          {"signal_id", x.signal_id},
                                  {"symbol", x.symbol},  {"kind", x.kind},
                                  {"title", x.title},    {"body", x.body},
                                  {"importance", x.importance},
                                  {"payload", parse_or_text(x.payload_json)},
                                  {"created_at", x.created_at}};
                    }));
        });
  route("GET", "/api/v1/candles", "/api/v1/candles", role::viewer,
        [this](const httplib::Request& req, httplib::Response& res, const ops::principal&) {
          page p;
          p.limit = 200;
          if (!paging(req, res, p) || !need_storage(res))
            return;
          if (!req.has_param("symbol"))
            return send_error(res, 400, "bad_request", "query parameter 'symbol' is required");
          auto symbol = req.get_param_value("symbol");
          auto interval = req.has_param("interval") ? req.get_param_value("interval") : "1m";
          // Newest first in pages; each page oldest first for charts.
          auto rows = c.storage->last_candles(symbol, interval, p.offset + p.limit);
          std::size_t keep = rows.size() > p.offset ? rows.size() - p.offset : 0;
          auto first = keep > p.limit ? keep - p.limit : 0;
          auto items = json::array();
          for (std::size_t i = first; i < keep; ++i) {
            const auto& x = rows[i];
            items.push_back(json{{"open_time", x.open_time}, {"open", x.open}, {"high", x.high},
                                 {"low", x.low}, {"close", x.close}, {"volume", x.volume},
                                 {"close_time", x.close_time}});
          }
          auto out = paginated(std::move(items), p, rows.size() == p.offset + p.limit ? rows.size() + 1 : 0);
          out["symbol"] = symbol;
          out["interval"] = interval;
          send_json(res, 200, out);
        });
  route("GET", "/api/v1/series", "/api/v1/series", role::viewer,
        [this](const httplib::Request& req, httplib::Response& res, const ops::principal&) {
          page p;
          p.limit = 1000;
          std::string q;
          if (!paging(req, res, p) || !search_term(req, res, q))
            return;
          auto s = c.board->get();
          auto found = ops::find_series(*s, q);
          auto out = slice(found, p, [](const ops::series_view* x) {
            return json{{"symbol", x->symbol},     {"interval", x->interval},
                        {"accepted", x->accepted}, {"duplicates", x->duplicates},
                        {"rejected", x->rejected}, {"gaps", x->gaps},
                        {"last_open_time", x->last_open_time}};
          });
          out["total"] = found.size();
          send_json(res, 200, out);
        });

  // -- content --
  route("GET", "/api/v1/content", "/api/v1/content", role::viewer,
        [this](const httplib::Request& req, httplib::Response& res, const ops::principal&) {
          page p;
          if (!paging(req, res, p) || !need_storage(res))
            return;
          std::vector<std::string> states;
          if (req.has_param("state")) {
            auto st = req.get_param_value("state");
            const auto& all = content::all_states();
            if (std::find(all.begin(), all.end(), st) == all.end()) {
              std::string list;
              for (auto& x : all)
                list += (list.empty() ? "" : ", ") + x;
              return send_error(res, 400, "bad_request",
                                "unknown state '" + st + "' (" + list + ")");
            }
            states.push_back(st);
          } else {
            states = content::all_states();
          }
          std::vector<db::content_plan> rows;
          for (auto& st : states) {
            auto part = c.storage->content_by_state(st, p.offset + p.limit + 1);
            rows.insert(rows.end(), part.begin(), part.end());
          }
          std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
            return a.updated_at > b.updated_at;
          });
          send_json(res, 200, slice(rows, p, [](const db::content_plan& x) {
                      return json{{"id", x.id},         {"insight_id", x.insight_id},
                                  {"kind", x.kind},     {"channel", x.channel},
                                  {"state", x.state},   {"scheduled_at", x.scheduled_at},
                                  {"updated_at", x.updated_at},
                                  {"payload", parse_or_text(x.payload_json)}};
                    }));
        });
  route("POST", R"(/api/v1/content/([^/]+)/(approve|reject))", "/api/v1/content/{id}/{action}",
        role::operator_,
        [this](const httplib::Request& req, httplib::Response& res, const ops::principal& who) {
          if (!need_storage(res))
            return;
          std::string id = req.matches[1], action = req.matches[2];
          content::ledger l{c.storage};
          auto why = action == "approve" ? l.approve(id) : l.reject(id);
          if (!audited(res, who.name, "content." + action, id, req,
                       why.empty() ? "ok" : "error: " + why))
            return;
          if (!why.empty()) {
            bool missing = why.rfind("no ", 0) == 0;
            return send_error(res, missing ? 404 : 409, missing ? "not_found" : "conflict", why);
          }
          auto rec = c.storage->content_plan_by_id(id);
          send_json(res, 200, json{{"ok", true}, {"id", id}, {"action", action},
                                   {"state", rec ? rec->state : ""}});
        },
        true);
  route("GET", "/api/v1/published", "/api/v1/published", role::viewer,
        [this](const httplib::Request& req, httplib::Response& res, const ops::principal&) {
          page p;
          if (!paging(req, res, p) || !need_storage(res))
            return;
          std::vector<std::string> channels;
          if (req.has_param("channel")) {
            channels.push_back(req.get_param_value("channel"));
          } else {
            for (const auto& ch : c.board->get()->channels)
              channels.push_back(ch.channel);
          }
          std::vector<db::published_post> rows;
          for (auto& ch : channels) {
            auto part = c.storage->published_on(ch, p.offset + p.limit + 1);
            rows.insert(rows.end(), part.begin(), part.end());
          }
          std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
            return a.published_at > b.published_at;
          });
          // Pieces are named by their title (from the ledger), not by id.
          auto storage = c.storage;
          send_json(res, 200, slice(rows, p, [storage](const db::published_post& x) {
                      std::string title, kind, lineage;
                      if (!x.plan_id.empty()) {
                        try {
                          if (auto plan = storage->content_plan_by_id(x.plan_id)) {
                            kind = plan->kind;
                            auto j = json::parse(plan->payload_json, nullptr, false);
                            if (j.is_object() && j.contains("title") && j["title"].is_string())
                              title = j["title"].get<std::string>();
                            if (j.is_object() && j.contains("lineage") && j["lineage"].is_string())
                              lineage = j["lineage"].get<std::string>();
                          }
                        } catch (const std::exception&) {
                          // the database is down: the id stands in
                        }
                      }
                      if (title.empty())
                        title = x.body.substr(0, x.body.find('\n')).substr(0, 120);
                      return json{{"id", x.id},       {"plan_id", x.plan_id},
                                  {"title", title},   {"kind", kind},
                                  {"channel", x.channel},
                                  {"remote_id", x.channel_message_id},
                                  {"url", x.url},     {"body", x.body},
                                  {"lineage", lineage.empty() ? json() : json(lineage)},
                                  {"published_at", x.published_at}};
                    }));
        });
}

} // namespace herald::io::http
