#pragma once
// GET /api/v1/cluster: every node (this node's live view merged with the
// membership table), the leases and the series each node owns. Plain code.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "cluster/view.hpp"
#include "db/storage.hpp"

namespace herald::ops {

/// {"nodes":[{"name","roles","status":"up|down","incarnation","version",
/// "address","up_since","series":[...]}],"leases":[{"name","holder","epoch",
/// "expires_in_ms"}]}. On a cluster node a node is up only while connected
/// to this one (heartbeats: down within seconds); a node that only renews
/// its membership row is listed down with why. Without a view, a member is
/// up while its row is renewed within `ttl_ms`. `view` null: a single process (`herald run`),
/// one node named `self_name` with every role. `store` null: no database.
nlohmann::json cluster_json(const cluster::view* view, db::storage* store,
                            const std::string& self_name, std::int64_t ttl_ms);

/// GET /api/v1/cluster/agents[?node=N]: every node's agents as
/// agent_registry has them ({"agents":[{"node","path","kind","status",
/// "restarts","last_exit_reason","started_at","updated_at"}]}).
nlohmann::json cluster_agents_json(db::storage& store, const std::string& node);

} // namespace herald::ops
