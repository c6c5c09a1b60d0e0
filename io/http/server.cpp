#include "io/http/server.hpp"
#include "io/http/guarded.hpp"

#include <httplib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <sys/socket.h>
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string_view>
#include <thread>

#include <nlohmann/json.hpp>

#include "content/ledger.hpp"
#include "ops/json_views.hpp"
#include "ops/cluster_json.hpp"
#include "ops/cluster_metrics.hpp"

namespace herald::embedded {
std::string_view web_index_html();
std::string_view web_app_js();
std::string_view web_style_css();
} // namespace herald::embedded

namespace herald::io::http {

namespace {

using json = nlohmann::json;

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

json parse_or_text(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded())
    return text;
  return j;
}

struct page {
  std::size_t limit = 50, offset = 0;
};

} // namespace

std::string redact_url(const std::string& text) {
  auto scheme = text.find("://");
  if (scheme == std::string::npos)
    return text;
  auto at = text.find('@', scheme + 3);
  if (at == std::string::npos)
    return text;
  auto colon = text.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at)
    return text;
  auto slash = text.find('/', scheme + 3);
  if (slash != std::string::npos && slash < at)
    return text;
  return text.substr(0, colon + 1) + "********" + text.substr(at);
}

struct server::impl {
  server_options o;
  server_context c;
  guarded_server svr;
  connection_gate streams;
  std::thread thread;
  ops::http_counters counters;
  ops::request_limiter limiter;
  std::atomic<bool> stopping{false};
  std::uint16_t port = 0;

  static server_limits limits_of(const server_options& o) {
    server_limits l;
    l.max_connections = o.max_connections;
    l.max_connections_per_address = o.max_connections_per_address;
    l.request_timeout = o.request_timeout;
    l.idle_timeout = o.idle_timeout;
    l.min_threads = static_cast<std::size_t>(std::max(2, o.threads));
    return l;
  }

  impl(server_options opts, server_context ctx)
    : o(std::move(opts)),
      c(std::move(ctx)),
      svr(limits_of(o)),
      streams(o.max_streams, o.max_streams_per_address),
      limiter(o.rate_limit, o.rate_burst) {
    svr.on_refused = [this](int status) { counters.count("(connection limit)", "-", status); };
  }

  // -- helpers -----------------------------------------------------------------

  static void send_json(httplib::Response& res, int status, const json& body) {
    res.status = status;
    res.set_content(body.dump(), "application/json");
  }

  static void send_error(httplib::Response& res, int status, const std::string& code,
                         const std::string& message) {
    res.status = status;
    res.set_content(ops::error_body(code, message), "application/json");
  }

  static std::string bearer(const httplib::Request& req, bool allow_query) {
    auto h = req.get_header_value("Authorization");
    if (h.rfind("Bearer ", 0) == 0)
      return h.substr(7);
    if (allow_query && req.has_param("access_token"))
      return req.get_param_value("access_token");
    return "";
  }

  /// Parses limit/offset; false (and a 400 answer) when they are not numbers.
  static bool paging(const httplib::Request& req, httplib::Response& res, page& p) {
    auto read = [&](const char* name, std::size_t& into, std::size_t max) {
      if (!req.has_param(name))
        return true;
      auto v = req.get_param_value(name);
      try {
        std::size_t used = 0;
        auto n = std::stoll(v, &used);
        if (used != v.size() || n < 0)
          throw std::invalid_argument(v);
        into = std::min<std::size_t>(static_cast<std::size_t>(n), max);
        return true;
      } catch (...) {
        send_error(res, 400, "bad_request",
                   std::string{"query parameter '"} + name + "' must be a non-negative integer, got '"
                     + v + "'");
        return false;
      }
    };
    return read("limit", p.limit, 1000) && read("offset", p.offset, 100000);
  }

  static json paginated(json items, const page& p, std::size_t total_known) {
    json out{{"items", std::move(items)}, {"limit", p.limit}, {"offset", p.offset}};
    if (total_known > p.offset + p.limit)
      out["next_offset"] = p.offset + p.limit;
    else
      out["next_offset"] = nullptr;
    return out;
  }

  /// Takes [offset, offset+limit) of `all`.
  template <class T, class F>
  static json slice(const std::vector<T>& all, const page& p, F to_json) {
    auto items = json::array();
    for (std::size_t i = p.offset; i < all.size() && items.size() < p.limit; ++i)
      items.push_back(to_json(all[i]));
    return paginated(std::move(items), p, all.size());
  }

  void audit(const std::string& who, const std::string& action, const std::string& target,
             const httplib::Request& req, const std::string& outcome) {
    if (!c.storage)
      return;
    db::audit_entry e{who.empty() ? "anonymous" : who, action, target, outcome,
                      json{{"source", req.remote_addr + ":" + std::to_string(req.remote_port)},
                           {"method", req.method},
                           {"path", req.path}}
                        .dump(),
                      wall_ms()};
    c.storage->write_audit(e); // throws: callers answer 503 (audited()) or ignore it (refusals)
  }

  using handler =
    std::function<void(const httplib::Request&, httplib::Response&, const ops::principal&)>;

  /// Registers a route: authentication (unless public), rate limit, role,
  /// counting, JSON errors for exceptions.
  void route(const std::string& method, const std::string& pattern, const std::string& name,
             std::optional<ops::role> need, handler h, bool mutating = false,
             bool query_token = false) {
    auto wrapped = [this, name, need, h, mutating, query_token](const httplib::Request& req,
                                                               httplib::Response& res) {
      ops::principal who{"anonymous", ops::role::viewer};
      bool ok = true;
      if (need) {
        auto token = bearer(req, query_token);
        auto found = token.empty() || !c.tokens ? std::nullopt : c.tokens->authenticate(token);
        if (!found) {
          // Failed logins are limited per address, so guessing is slow.
          if (auto wait = limiter.take("addr:" + req.remote_addr, wall_ms())) {
            res.set_header("Retry-After", std::to_string(*wait));
            send_error(res, 429, "rate_limited", "too many requests; retry in "
                                                   + std::to_string(*wait) + " s");
          } else {
            res.set_header("WWW-Authenticate", "Bearer");
            send_error(res, 401, "unauthorized",
                       token.empty() ? "this route needs an API token (Authorization: Bearer ...)"
                                     : "invalid API token");
          }
          if (mutating)
            safe_audit("", name, req, res.status == 429 ? "rate_limited" : "unauthenticated");
          ok = false;
        } else {
          who = *found;
          if (auto wait = limiter.take(who.name, wall_ms())) {
            res.set_header("Retry-After", std::to_string(*wait));
            send_error(res, 429, "rate_limited",
                       "token '" + who.name + "' made too many requests; retry in "
                         + std::to_string(*wait) + " s");
            if (mutating)
              safe_audit(who.name, name, req, "rate_limited");
            ok = false;
          } else if (who.level < *need) {
            send_error(res, 403, "forbidden",
                       "this call needs the " + std::string{ops::to_string(*need)}
                         + " role; token '" + who.name + "' is " + ops::to_string(who.level));
            if (mutating)
              safe_audit(who.name, name, req, "denied");
            ok = false;
          }
        }
      }
      if (ok) {
        try {
          h(req, res, who);
        } catch (const db::storage_error& e) {
          send_error(res, 503, "database_unavailable", e.what());
        } catch (const std::exception& e) {
          send_error(res, 500, "internal", e.what());
        }
      }
      // The route audited (or deliberately did not audit) this call; the
      // error handler must not add a second row.
      if (mutating && res.status >= 400)
        res.set_header("X-Herald-Audited", "1");
      counters.count(name, req.method, res.status);
    };
    if (method == "GET")
      svr.Get(pattern, wrapped);
    else
      svr.Post(pattern, wrapped);
  }

  /// The token's name when the request carries a valid one, else "".
  std::string bearer_name(const httplib::Request& req) const {
    auto token = bearer(req, false);
    if (token.empty() || !c.tokens)
      return "";
    auto found = c.tokens->authenticate(token);
    return found ? found->name : "";
  }

  /// Audits a refused mutating call as "<area>.<action>" on its target.
  void safe_audit(const std::string& who, const std::string& name, const httplib::Request& req,
                  const std::string& outcome) {
    std::string action = name, target;
    if (req.matches.size() > 2) {
      target = req.matches[1];
      auto area = req.path.rfind("/api/v1/content/", 0) == 0 ? "content." : "agent.";
      action = area + std::string{req.matches[2]};
    }
    try {
      audit(who, action, target, req, outcome);
    } catch (...) {
      // Nothing more to do: the call was refused anyway.
    }
  }

  // -- routes ------------------------------------------------------------------

  void install() {
    using ops::role;
    svr.Get("/health", [this](const httplib::Request& req, httplib::Response& res) {
      send_json(res, 200, json{{"status", "ok"}});
      counters.count("/health", req.method, res.status);
    });
    svr.Get("/ready", [this](const httplib::Request& req, httplib::Response& res) {
      auto s = c.board->get();
      send_json(res, s->ready() ? 200 : 503, ops::readiness_json(*s));
      counters.count("/ready", req.method, res.status);
    });
    route("GET", "/info", "/info", role::viewer,
          [this](const httplib::Request&, httplib::Response& res, const ops::principal& who) {
            auto s = c.board->get();
            auto roles = json::array();
            for (const auto& a : s->actors)
              if (a.parent == "root" && a.running)
                roles.push_back(a.path);
            send_json(res, 200,
                      json{{"name", "herald"},
                           {"version", HERALD_VERSION},
                           {"node", c.node_name},
                           {"node_id", c.node_id},
                           {"roles", roles},
                           {"started_at", c.started_at_ms},
                           {"uptime_seconds", (wall_ms() - c.started_at_ms) / 1000.0},
                           {"you", {{"token", who.name}, {"role", ops::to_string(who.level)}}}});
          });
    auto metrics = [this](const httplib::Request&, httplib::Response& res, const ops::principal&) {
      auto s = c.board->get();
      auto text = ops::render_metrics(*s, counters, ops::read_process_sample());
      if (c.cluster)
        text += ops::render_cluster_metrics(*c.cluster);
      res.set_content(text, "text/plain; version=0.0.4; charset=utf-8");
    };
    route("GET", "/metrics", "/metrics", o.metrics_open ? std::nullopt : std::optional{role::viewer},
          metrics);

    // -- actors and agents --
    route("GET", "/api/v1/actors", "/api/v1/actors", role::viewer,
          [this](const httplib::Request& req, httplib::Response& res, const ops::principal&) {
            page p;
            p.limit = 1000;
            if (!paging(req, res, p))
              return;
            auto s = c.board->get();
            auto out = slice(s->actors, p, [](const ops::actor_view& a) { return ops::to_json(a); });
            out["taken_at"] = s->taken_at_ms;
            out["total"] = s->actors.size();
            send_json(res, 200, out);
          });
    route("GET", R"(/api/v1/actors/([A-Za-z0-9_.\-]+))", "/api/v1/actors/{path}", role::viewer,
          [this](const httplib::Request& req, httplib::Response& res, const ops::principal&) {
            auto s = c.board->get();
            std::string path = req.matches[1];
            auto* a = s->find(path);
            if (!a)
              return send_error(res, 404, "not_found", "no actor '" + path + "'");
            auto j = ops::to_json(*a);
            j["buckets"] = a->buckets;
            send_json(res, 200, j);
          });
    route("POST", R"(/api/v1/agents/([A-Za-z0-9_.\-]+)/(pause|resume|restart|kill))",
          "/api/v1/agents/{path}/{action}", role::operator_,
          [this](const httplib::Request& req, httplib::Response& res, const ops::principal& who) {
            std::string path = req.matches[1], action = req.matches[2];
            auto r = c.control->act(action, path);
            if (!audited(res, who.name, "agent." + action, path, req,
                         r.ok ? "ok" : "error: " + r.message))
              return;
            if (!r.ok)
              return send_error(res, r.status, r.status == 404 ? "not_found" : "conflict",
                                r.message);
            send_json(res, 200, json{{"ok", true}, {"action", action}, {"target", path},
                                     {"message", r.message}});
          },
          true);

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
          [this](const httplib::Request&, httplib::Response& res, const ops::principal&) {
            auto s = c.board->get();
            auto items = json::array();
            for (const auto& x : s->series)
              items.push_back(json{{"symbol", x.symbol}, {"interval", x.interval},
                                   {"accepted", x.accepted}, {"duplicates", x.duplicates},
                                   {"rejected", x.rejected}, {"gaps", x.gaps},
                                   {"last_open_time", x.last_open_time}});
            send_json(res, 200, json{{"items", items}});
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
                        std::string title, kind;
                        if (!x.plan_id.empty()) {
                          try {
                            if (auto plan = storage->content_plan_by_id(x.plan_id)) {
                              kind = plan->kind;
                              auto j = json::parse(plan->payload_json, nullptr, false);
                              if (j.is_object() && j.contains("title") && j["title"].is_string())
                                title = j["title"].get<std::string>();
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
                                    {"published_at", x.published_at}};
                      }));
          });

    // -- configuration, audit, API description --
    route("GET", "/api/v1/cluster", "/api/v1/cluster", role::viewer,
          [this](const httplib::Request&, httplib::Response& res, const ops::principal&) {
            try {
              send_json(res, 200, ops::cluster_json(c.cluster.get(), c.storage.get(),
                                                    c.node_name, c.cluster_ttl_ms));
            } catch (const std::exception& e) {
              send_error(res, 503, "database_unavailable", e.what());
            }
          });
    route("GET", "/api/v1/cluster/agents", "/api/v1/cluster/agents", role::viewer,
          [this](const httplib::Request& req, httplib::Response& res, const ops::principal&) {
            if (!need_storage(res))
              return;
            try {
              auto node = req.has_param("node") ? req.get_param_value("node") : "";
              send_json(res, 200, ops::cluster_agents_json(*c.storage, node));
            } catch (const std::exception& e) {
              send_error(res, 503, "database_unavailable", e.what());
            }
          });
    route("GET", "/api/v1/cluster/log", "/api/v1/cluster/log", role::viewer,
          [this](const httplib::Request& req, httplib::Response& res, const ops::principal&) {
            page p;
            if (!paging(req, res, p) || !need_storage(res))
              return;
            try {
              auto items = json::array();
              for (auto& r : c.storage->deployment_log(p.limit))
                items.push_back({{"node", r[0]},
                                 {"version", r[1]},
                                 {"event", r[2]},
                                 {"details", parse_or_text(r[3])},
                                 {"ts", std::stoll(r[4])}});
              send_json(res, 200, json{{"items", items}});
            } catch (const std::exception& e) {
              send_error(res, 503, "database_unavailable", e.what());
            }
          });
    route("GET", "/api/v1/config", "/api/v1/config", role::viewer,
          [this](const httplib::Request&, httplib::Response& res, const ops::principal&) {
            res.set_content(c.config_json, "application/json");
          });
    route("GET", "/api/v1/audit", "/api/v1/audit", role::admin,
          [this](const httplib::Request& req, httplib::Response& res, const ops::principal&) {
            page p;
            if (!paging(req, res, p) || !need_storage(res))
              return;
            auto rows = c.storage->audit_log(p.offset + p.limit + 1);
            send_json(res, 200, slice(rows, p, [](const db::audit_entry& x) {
                        return json{{"actor", x.actor},   {"action", x.action},
                                    {"target", x.target}, {"outcome", x.outcome},
                                    {"details", parse_or_text(x.details_json)}, {"ts", x.ts}};
                      }));
          });
    route("GET", "/api/v1/openapi.json", "/api/v1/openapi.json", role::viewer,
          [](const httplib::Request&, httplib::Response& res, const ops::principal&) {
            res.set_content(openapi_document(), "application/json");
          });

    // -- live events (SSE) --
    route("GET", "/api/v1/events", "/api/v1/events", role::viewer,
          [this](const httplib::Request& req, httplib::Response& res, const ops::principal&) {
            std::uint64_t after = c.journal->last_seq();
            auto resume = req.get_header_value("Last-Event-ID");
            if (resume.empty() && req.has_param("since"))
              resume = req.get_param_value("since");
            if (!resume.empty()) {
              try {
                after = std::stoull(resume);
              } catch (...) {
                return send_error(res, 400, "bad_request", "'since' must be an event sequence number");
              }
            }
            // Streams hold a connection each: bounded per address and in
            // total, so that consoles left open cannot crowd out requests.
            auto addr = req.remote_addr;
            switch (streams.admit(addr)) {
              case connection_gate::verdict::full:
                res.set_header("Retry-After", "5");
                return send_error(res, 503, "overloaded",
                                  std::to_string(o.max_streams)
                                    + " event streams are open (http.max-streams); retry later");
              case connection_gate::verdict::address_full:
                res.set_header("Retry-After", "5");
                return send_error(res, 429, "rate_limited",
                                  "too many event streams from " + addr + " (at most "
                                    + std::to_string(o.max_streams_per_address) + ")");
              case connection_gate::verdict::admitted:
                break;
            }
            res.set_header("Cache-Control", "no-cache");
            res.set_header("X-Accel-Buffering", "no");
            auto journal = c.journal;
            auto board = c.board;
            auto last = std::make_shared<std::uint64_t>(after);
            auto first = std::make_shared<bool>(true);
            auto last_snapshot = std::make_shared<std::int64_t>(-1);
            auto quiet = std::make_shared<int>(0);
            res.set_chunked_content_provider(
              "text/event-stream",
              [this, journal, board, last, first, last_snapshot, quiet](std::size_t,
                                                                         httplib::DataSink& sink) {
                if (*first) {
                  *first = false;
                  std::string hello = "retry: 2000\n: herald events\n\n";
                  return sink.write(hello.data(), hello.size());
                }
                if (stopping || journal->closed()) {
                  sink.done();
                  return true;
                }
                auto events = journal->wait_since(*last, std::chrono::seconds{1}, 500);
                if (stopping || journal->closed()) {
                  sink.done();
                  return true;
                }
                std::string out;
                // The supervision tree and health, whenever the inspector
                // published a new snapshot (once per stats interval).
                auto snap = board->get();
                if (snap->taken_at_ms != *last_snapshot) {
                  *last_snapshot = snap->taken_at_ms;
                  auto j = ops::tree_json(*snap);
                  j["health"] = ops::readiness_json(*snap);
                  out += "event: actors\ndata: " + j.dump() + "\n\n";
                }
                if (events.empty() && out.empty() && ++*quiet >= 10) {
                  *quiet = 0;
                  out = ": keep-alive\n\n";
                }
                if (out.empty() && events.empty())
                  return true;
                for (const auto& e : events) {
                  out += "id: " + std::to_string(e.seq) + "\nevent: " + e.type + "\ndata: " + e.data
                         + "\n\n";
                  *last = e.seq;
                }
                return sink.write(out.data(), out.size());
              },
              [this, addr](bool) { streams.release(addr); });
          },
          false, true);

    // -- the web console (static, no data in it) --
    auto asset = [](std::string_view body, const char* type) {
      return [body, type](const httplib::Request&, httplib::Response& res) {
        res.set_header("Cache-Control", "no-cache");
        res.set_header("X-Content-Type-Options", "nosniff");
        // No other site may frame the console (clickjacking its buttons).
        res.set_header("X-Frame-Options", "DENY");
        res.set_header("Content-Security-Policy",
                       "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' "
                       "data:; frame-ancestors 'none'");
        res.set_content(std::string{body}, type);
      };
    };
    svr.Get("/", asset(embedded::web_index_html(), "text/html; charset=utf-8"));
    svr.Get("/index.html", asset(embedded::web_index_html(), "text/html; charset=utf-8"));
    svr.Get("/app.js", asset(embedded::web_app_js(), "application/javascript; charset=utf-8"));
    svr.Get("/style.css", asset(embedded::web_style_css(), "text/css; charset=utf-8"));

    // -- the articles site (read-only files) --
    if (!o.site_dir.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(o.site_dir, ec);
      svr.set_file_extension_and_mimetype_mapping("md", "text/markdown; charset=utf-8");
      svr.set_file_extension_and_mimetype_mapping("xml", "application/rss+xml; charset=utf-8");
      svr.set_file_extension_and_mimetype_mapping("html", "text/html; charset=utf-8");
      svr.set_mount_point("/site", o.site_dir,
                          {{"Cache-Control", "no-cache"}, {"X-Content-Type-Options", "nosniff"}});
      svr.Get("/site", [](const httplib::Request&, httplib::Response& res) {
        res.set_redirect("/site/");
      });
    }

    // RFC 9112 6.3: a request without Content-Length and Transfer-Encoding
    // has an empty body. cpp-httplib 0.11 would instead read a POST until the
    // connection closes (and answer 400 after its read timeout), so such a
    // request is given the Content-Length it implies.
    svr.set_pre_routing_handler([](const httplib::Request& req, httplib::Response&) {
      if (req.method != "GET" && req.method != "HEAD" && !req.has_header("Content-Length")
          && !req.has_header("Transfer-Encoding"))
        const_cast<httplib::Request&>(req).headers.emplace("Content-Length", "0");
      return httplib::Server::HandlerResponse::Unhandled;
    });

    svr.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (res.status == 404 && res.body.empty())
        send_error(res, 404, "not_found", "no route " + req.method + " " + req.path);
      else if (res.status == 413)
        send_error(res, 413, "payload_too_large", "request bodies are limited to 64 KiB");
      else if (res.body.empty())
        send_error(res, res.status, "bad_request",
                   "HTTP " + std::to_string(res.status) + " for " + req.method + " " + req.path);
      // Every refused call that could change something is audited, also when
      // no route took it (unknown path, unreadable request, body too large).
      if (req.method != "GET" && req.method != "HEAD" && res.status >= 400
          && !res.has_header("X-Herald-Audited"))
        safe_audit(bearer_name(req), req.method + " " + req.path, req,
                   "refused: HTTP " + std::to_string(res.status));
      res.headers.erase("X-Herald-Audited");
      counters.count("unmatched", req.method, res.status);
    });
  }

  bool need_storage(httplib::Response& res) {
    if (c.storage)
      return true;
    send_error(res, 503, "database_unavailable", "this node runs without a database");
    return false;
  }

  /// Writes the audit row; when that fails, answers 503 and returns false
  /// (the action itself has been done: the message says so).
  bool audited(httplib::Response& res, const std::string& who, const std::string& action,
               const std::string& target, const httplib::Request& req,
               const std::string& outcome) {
    try {
      audit(who, action, target, req, outcome);
      return true;
    } catch (const std::exception& e) {
      send_error(res, 503, "audit_failed",
                 action + " " + target + " (" + outcome + ") could not be written to the audit log: "
                   + e.what());
      return false;
    }
  }
};

server::server(server_options o, server_context c)
  : d_(std::make_unique<impl>(std::move(o), std::move(c))) {
  d_->install();
}

server::~server() {
  stop();
}

ops::http_counters& server::counters() {
  return d_->counters;
}

std::uint16_t server::start() {
  auto& svr = d_->svr;
  svr.set_tcp_nodelay(true); // no 40 ms Nagle/delayed-ACK stalls between header and body writes
  svr.set_keep_alive_max_count(10000);
  // Read and idle deadlines are guarded_server's (http.request-timeout, http.idle-timeout).
  svr.set_payload_max_length(64 * 1024);
  // cpp-httplib's default also sets SO_REUSEPORT, which lets a second
  // process listen on the same port (the kernel then spreads connections
  // over both). Herald's port is exclusive: SO_REUSEADDR only (a restart
  // may bind while old connections are in TIME_WAIT).
  svr.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  int port = d_->o.port == 0 ? svr.bind_to_any_port(d_->o.address)
                             : (svr.bind_to_port(d_->o.address, d_->o.port) ? d_->o.port : -1);
  if (port <= 0) {
    auto why = bind_problem(d_->o.address, d_->o.port);
    auto where = d_->o.address + ":" + std::to_string(d_->o.port);
    if (why.in_use)
      throw port_in_use("cannot listen on " + where
                        + ": the port is in use (another herald running?); stop it, or set "
                          "[http] port (0 picks a free one) or http.enabled=false");
    throw std::runtime_error("cannot listen on " + where + ": "
                             + (why.message.empty() ? "bind failed" : why.message)
                             + "; check [http] address and port");
  }
  d_->port = static_cast<std::uint16_t>(port);
  d_->thread = std::thread{[this] { d_->svr.listen_after_bind(); }};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  while (!svr.is_running() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds{1});
  return d_->port;
}

void server::stop() {
  if (!d_ || !d_->thread.joinable())
    return;
  d_->stopping = true;
  d_->c.journal->close();
  d_->svr.stop();
  d_->thread.join();
}

} // namespace herald::io::http
