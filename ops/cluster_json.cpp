#include "ops/cluster_json.hpp"

#include <map>

#include "cluster/peers.hpp"

namespace herald::ops {

namespace {

nlohmann::json split_roles(const std::string& roles) {
  auto out = nlohmann::json::array();
  std::string cur;
  for (char c : roles + ",") {
    if (c == ',') {
      if (!cur.empty())
        out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  return out;
}

} // namespace

nlohmann::json cluster_json(const cluster::view* view, db::storage* store,
                            const std::string& self_name, std::int64_t ttl_ms) {
  std::map<std::string, nlohmann::json> nodes;
  std::vector<db::member_state> members;
  std::vector<db::series_owner> owners;
  auto leases = nlohmann::json::array();
  std::map<std::string, std::int64_t> running;
  if (store) {
    for (auto& r : store->registry())
      if (r.status == "running" && r.kind == "worker")
        ++running[r.node];
    members = store->members();
    owners = store->series_owners();
    for (auto& l : store->leases())
      leases.push_back({{"name", l.name},
                        {"holder", l.holder},
                        {"epoch", l.epoch},
                        {"expires_in_ms", std::max<std::int64_t>(0, l.expires_at - l.now)}});
  }
  for (auto& m : members) {
    bool up = m.status == "up" && m.renewed_at + ttl_ms > m.now;
    nodes[m.name] = {{"name", m.name},
                     {"roles", split_roles(m.roles)},
                     {"status", up ? "up" : "down"},
                     {"incarnation", m.incarnation},
                     {"version", m.version},
                     {"address", m.address},
                     {"up_since", m.started_at},
                     {"seen_by", "database"}};
  }
  if (view) {
    // A node that renews its membership but is not connected here is not
    // part of this node's cluster (refused, partitioned, or still dialling).
    for (auto& [name, j] : nodes)
      if (j["status"] == "up") {
        j["status"] = "down";
        j["down_reason"] = "renewing its membership but not connected to this node";
      }
    for (auto& n : view->nodes()) {
      auto& j = nodes[n.name];
      j["name"] = n.name;
      j["roles"] = n.roles;
      j["status"] = n.up ? "up" : "down";
      j["incarnation"] = std::to_string(n.incarnation);
      j["version"] = n.version;
      j["address"] = n.address;
      j["up_since"] = n.up_since_ms;
      j["seen_by"] = n.self ? "self" : "heartbeat";
      if (!n.up)
        j["down_reason"] = n.down_reason;
      else
        j.erase("down_reason");
    }
  } else if (nodes.find(self_name) == nodes.end()) {
    nodes[self_name] = {{"name", self_name},
                        {"roles", cluster::known_roles()},
                        {"status", "up"},
                        {"incarnation", "0"},
                        {"version", HERALD_VERSION},
                        {"address", ""},
                        {"up_since", 0},
                        {"seen_by", "self"}};
  }
  auto out_nodes = nlohmann::json::array();
  for (auto& [name, j] : nodes) {
    auto series = nlohmann::json::array();
    for (auto& o : owners)
      if (o.owner == name || o.owner.rfind(name + "#", 0) == 0)
        series.push_back(o.series);
    j["series"] = std::move(series);
    j["agents_running"] = running[name];
    out_nodes.push_back(std::move(j));
  }
  return {{"nodes", std::move(out_nodes)}, {"leases", std::move(leases)}};
}

nlohmann::json cluster_agents_json(db::storage& store, const std::string& node) {
  auto out = nlohmann::json::array();
  for (auto& r : store.registry())
    if (node.empty() || r.node == node)
      out.push_back({{"node", r.node},
                     {"path", r.path},
                     {"kind", r.kind},
                     {"status", r.status},
                     {"restarts", r.restarts},
                     {"last_exit_reason", r.last_exit_reason},
                     {"started_at", r.started_at},
                     {"updated_at", r.updated_at}});
  return {{"agents", std::move(out)}};
}

} // namespace herald::ops
