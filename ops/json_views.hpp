#pragma once
// JSON renderings shared by the HTTP API, the SSE stream and the terminal
// console, so the web page and the terminal read the same shapes.
// Pure: no CAF.

#include <nlohmann/json.hpp>

#include "ops/actor_groups.hpp"
#include "ops/board.hpp"

namespace herald::ops {

nlohmann::json to_json(const actor_view& a);

/// The supervision tree as the consoles and the SSE stream show it:
/// {"actors":[...], "taken_at": ms, "total": n, "aggregated": bool}.
/// Up to `max_rows` actors, every one. Beyond (thousands of series: nine
/// actors each), every actor outside the series pools, and the actors in
/// them one row per kind: "<pool>.*" for the series supervisors and
/// "<pool>.*.<analyzer>" for each analyzer kind, with "count", "running"
/// (all of them), "running_count", "paused_count", and restarts, messages,
/// busy seconds and rate summed, mailbox, p99 and the report time the
/// largest. One pass, a row per kind: linear in the actors. The one busy
/// or restarting series is found with GET /api/v1/actors?q=...&sort=...
nlohmann::json tree_json(const snapshot& s, std::size_t max_rows = group_above);

/// Actors whose path holds `q` ("" = all), sorted by `sort` ("" = tree
/// order; "mailbox", "p99", "rate" or "restarts": largest first). Throws
/// std::invalid_argument naming an unknown sort key.
std::vector<const actor_view*> find_actors(const snapshot& s, const std::string& q,
                                           const std::string& sort);
/// Series whose "SYMBOL interval" holds `q`, case-insensitively ("" = all).
std::vector<const series_view*> find_series(const snapshot& s, const std::string& q);
/// {"ready": bool, "checks": [{"name","ok","detail"}]}
nlohmann::json readiness_json(const snapshot& s);

/// A JSON error body: {"error":{"code":..., "message":...}}.
std::string error_body(const std::string& code, const std::string& message);

} // namespace herald::ops
