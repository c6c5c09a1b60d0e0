#include "ops/json_views.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

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

namespace {

nlohmann::json group_json(const actor_group& g) {
  return nlohmann::json{{"path", g.path},
                        {"parent", g.parent},
                        {"kind", g.supervisor ? "supervisor" : "worker"},
                        {"aggregate", true},
                        {"count", g.count},
                        {"running", g.running == g.count},
                        {"running_count", g.running},
                        {"paused", g.paused > 0},
                        {"paused_count", g.paused},
                        {"actor_id", 0},
                        {"restarts", g.restarts},
                        {"last_exit_reason", ""},
                        {"started_at", 0},
                        {"messages", g.messages},
                        {"busy_seconds", g.busy_seconds},
                        {"mailbox", g.mailbox},
                        {"rate", g.rate},
                        {"p99_seconds", g.p99_seconds},
                        {"reported_at", g.reported_at_ms}};
}

} // namespace

nlohmann::json tree_json(const snapshot& s, std::size_t max_rows) {
  auto actors = nlohmann::json::array();
  bool aggregated = s.actors.size() > max_rows;
  if (!aggregated) {
    for (const auto& a : s.actors)
      actors.push_back(to_json(a));
  } else {
    auto g = group_series(s);
    for (auto& row : g.rows)
      actors.push_back(row.actor ? to_json(*row.actor) : group_json(g.groups[row.group]));
  }
  return nlohmann::json{{"taken_at", s.taken_at_ms},
                        {"actors", std::move(actors)},
                        {"total", s.actors.size()},
                        {"aggregated", aggregated}};
}

std::vector<const actor_view*> find_actors(const snapshot& s, const std::string& q,
                                           const std::string& sort) {
  using key_fn = double (*)(const actor_view&);
  key_fn key = nullptr;
  if (sort == "mailbox")
    key = [](const actor_view& a) { return static_cast<double>(a.mailbox); };
  else if (sort == "p99")
    key = [](const actor_view& a) { return a.p99_seconds; };
  else if (sort == "rate")
    key = [](const actor_view& a) { return a.rate; };
  else if (sort == "restarts")
    key = [](const actor_view& a) { return static_cast<double>(a.restarts); };
  else if (!sort.empty())
    throw std::invalid_argument("sort '" + sort + "' is not mailbox, p99, rate or restarts");
  std::vector<const actor_view*> out;
  for (const auto& a : s.actors)
    if (q.empty() || a.path.find(q) != std::string::npos)
      out.push_back(&a);
  if (key)
    std::stable_sort(out.begin(), out.end(),
                     [key](const actor_view* x, const actor_view* y) { return key(*x) > key(*y); });
  return out;
}

std::vector<const series_view*> find_series(const snapshot& s, const std::string& q) {
  auto fold = [](std::string x) {
    for (auto& c : x)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return x;
  };
  auto want = fold(q);
  std::vector<const series_view*> out;
  for (const auto& x : s.series)
    if (want.empty() || fold(x.symbol + " " + x.interval).find(want) != std::string::npos)
      out.push_back(&x);
  return out;
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
