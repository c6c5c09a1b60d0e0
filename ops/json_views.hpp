#pragma once
// JSON renderings shared by the HTTP API, the SSE stream and the terminal
// console, so the web page and the terminal read the same shapes.
// Pure: no CAF.

#include <nlohmann/json.hpp>

#include "ops/board.hpp"

namespace herald::ops {

nlohmann::json to_json(const actor_view& a);
/// {"actors":[...], "taken_at": ms}
nlohmann::json tree_json(const snapshot& s);
/// {"ready": bool, "checks": [{"name","ok","detail"}]}
nlohmann::json readiness_json(const snapshot& s);

/// A JSON error body: {"error":{"code":..., "message":...}}.
std::string error_body(const std::string& code, const std::string& message);

} // namespace herald::ops
