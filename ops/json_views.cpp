#include "ops/json_views.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <optional>
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

constexpr const char* pool_mark = ".series.";

/// "analysis.series.BTCUSDT_1m.momentum" -> ("analysis.series", "momentum");
/// "analysis.series.BTCUSDT_1m" -> ("analysis.series", ""); not in a pool:
/// nullopt.
std::optional<std::pair<std::string, std::string>> pool_kind(const std::string& path) {
  auto at = path.find(pool_mark);
  if (at == std::string::npos)
    return std::nullopt;
  auto pool = path.substr(0, at + std::strlen(pool_mark) - 1);
  auto rest = path.substr(at + std::strlen(pool_mark));
  auto dot = rest.find('.');
  return std::make_pair(pool, dot == std::string::npos ? std::string{} : rest.substr(dot + 1));
}

struct aggregate {
  std::string path, parent;
  bool supervisor = false;
  std::uint64_t count = 0, running = 0, paused = 0, restarts = 0, messages = 0, mailbox = 0;
  double busy = 0, rate = 0, p99 = 0;
  std::int64_t reported_at = 0;

  void add(const actor_view& a) {
    ++count;
    running += a.running;
    paused += a.paused;
    restarts += a.restarts;
    messages += a.messages;
    busy += a.busy_seconds;
    rate += a.rate;
    mailbox = std::max(mailbox, a.mailbox);
    p99 = std::max(p99, a.p99_seconds);
    reported_at = std::max(reported_at, a.reported_at_ms);
  }

  nlohmann::json json() const {
    return nlohmann::json{{"path", path},
                          {"parent", parent},
                          {"kind", supervisor ? "supervisor" : "worker"},
                          {"aggregate", true},
                          {"count", count},
                          {"running", running == count},
                          {"running_count", running},
                          {"paused", paused > 0},
                          {"paused_count", paused},
                          {"actor_id", 0},
                          {"restarts", restarts},
                          {"last_exit_reason", ""},
                          {"started_at", 0},
                          {"messages", messages},
                          {"busy_seconds", busy},
                          {"mailbox", mailbox},
                          {"rate", rate},
                          {"p99_seconds", p99},
                          {"reported_at", reported_at}};
  }
};

} // namespace

nlohmann::json tree_json(const snapshot& s, std::size_t max_rows) {
  auto actors = nlohmann::json::array();
  bool aggregated = s.actors.size() > max_rows;
  if (!aggregated) {
    for (const auto& a : s.actors)
      actors.push_back(to_json(a));
  } else {
    // Rows in tree order: an aggregate takes the place of the first actor
    // of its kind.
    std::vector<aggregate> rows;
    std::map<std::string, std::size_t> index; // aggregate path -> rows
    std::vector<std::pair<const actor_view*, std::size_t>> order; // actor, or aggregate + 1
    for (const auto& a : s.actors) {
      auto pk = pool_kind(a.path);
      if (!pk) {
        order.emplace_back(&a, 0);
        continue;
      }
      auto key = pk->first + ".*" + (pk->second.empty() ? "" : "." + pk->second);
      auto it = index.find(key);
      if (it == index.end()) {
        aggregate g;
        g.path = key;
        g.parent = pk->second.empty() ? pk->first : pk->first + ".*";
        g.supervisor = a.is_supervisor;
        it = index.emplace(key, rows.size()).first;
        rows.push_back(std::move(g));
        order.emplace_back(nullptr, rows.size());
      }
      rows[it->second].add(a);
    }
    for (auto& [a, agg] : order)
      actors.push_back(a ? to_json(*a) : rows[agg - 1].json());
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
