#include "ops/json_views.hpp"

namespace herald::ops {

nlohmann::json to_json(const actor_view& a) {
  return nlohmann::json{{"path", a.path},
                        {"parent", a.parent},
                        {"kind", a.is_supervisor ? "supervisor" : "worker"},
                        {"running", a.running},
                        {"paused", a.paused},
                        {"actor_id", a.actor_id},
                        {"restarts", a.restarts},
                        {"last_exit_reason", a.last_exit_reason},
                        {"started_at", a.started_at_ms},
                        {"messages", a.messages},
                        {"busy_seconds", a.busy_seconds},
                        {"mailbox", a.mailbox},
                        {"rate", a.rate},
                        {"p99_seconds", a.p99_seconds},
                        {"reported_at", a.reported_at_ms}};
}

nlohmann::json tree_json(const snapshot& s) {
  auto actors = nlohmann::json::array();
  for (const auto& a : s.actors)
    actors.push_back(to_json(a));
  return nlohmann::json{{"taken_at", s.taken_at_ms}, {"actors", std::move(actors)}};
}

nlohmann::json readiness_json(const snapshot& s) {
  auto checks = nlohmann::json::array();
  for (const auto& c : s.checks)
    checks.push_back({{"name", c.name}, {"ok", c.ok}, {"detail", c.detail}});
  return nlohmann::json{{"ready", s.ready()}, {"checks", std::move(checks)}};
}

std::string error_body(const std::string& code, const std::string& message) {
  return nlohmann::json{{"error", {{"code", code}, {"message", message}}}}.dump();
}

} // namespace herald::ops
