#pragma once
#include <mutex>
// The HTTP server's internals, shared by server.cpp and the route files
// (routes_ops.cpp, routes_data.cpp, routes_admin.cpp, routes_static.cpp).
// Not a public header.

#include "io/http/server.hpp"
#include "io/http/guarded.hpp"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "ops/json_views.hpp"

namespace herald::io::http {

namespace detail {

using json = nlohmann::json;

using json = nlohmann::json;

inline std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

inline json parse_or_text(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded())
    return text;
  return j;
}

struct page {
  std::size_t limit = 50, offset = 0;
};

} // namespace detail

using detail::json;
using detail::page;
using detail::parse_or_text;
using detail::wall_ms;

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

  /// The `q` search term (at most 200 bytes); false (and a 400) when longer.
  static bool search_term(const httplib::Request& req, httplib::Response& res, std::string& q) {
    q = req.has_param("q") ? req.get_param_value("q") : "";
    if (q.size() <= 200)
      return true;
    send_error(res, 400, "bad_request",
               "query parameter 'q' may have at most 200 bytes, got " + std::to_string(q.size()));
    return false;
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
  std::mutex backtest_mtx; ///< one distributed backtest at a time on this node

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
      auto area = req.path.rfind("/api/v1/content/", 0) == 0   ? "content."
                  : req.path.rfind("/api/v1/replies/", 0) == 0 ? "replies."
                                                               : "agent.";
      action = area + std::string{req.matches[2]};
    }
    try {
      audit(who, action, target, req, outcome);
    } catch (...) {
      // Nothing more to do: the call was refused anyway.
    }
  }

  // -- routes ------------------------------------------------------------------

  // -- routes (io/http/routes_*.cpp) ----------------------------------------------

  void install() {
    install_ops();
    install_data();
    install_admin();
    install_community();
    install_learning();
    install_static();
  }
  /// /health, /ready, /info, /metrics, actors and agent control.
  void install_ops();
  /// Market data, analysis and content (from the database).
  void install_data();
  /// Cluster, configuration, audit, the API description, live events.
  void install_admin();
  /// The web console's assets, the articles site, the 404 handler.
  void install_static();
  /// The reply ledger (issue 18).
  void install_community();
  /// Experiments (issue 19).
  void install_learning();

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

} // namespace herald::io::http
