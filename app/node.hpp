#pragma once
// `herald node`: what a cluster node adds to `herald run` (issue 16). The
// plan reads [cluster] and the command's --name/--roles, checks what a node
// needs (PostgreSQL when it has peers, readable TLS files) and configures
// the actor system (middleman heartbeats, the openssl module). The runtime
// spawns and publishes the node agent and keeps the membership row.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/cluster/node_agent.hpp"
#include "app/cli.hpp"
#include "app/prepare.hpp"
#include "cluster/board.hpp"
#include "cluster/coordinator.hpp"
#include "cluster/membership.hpp"
#include "cluster/view.hpp"
#include "db/storage.hpp"

namespace herald::app {

struct node_plan {
  std::string name;
  std::vector<std::string> roles;
  std::string address;     ///< listen interface
  std::uint16_t port = 0;  ///< 0: any free port
  std::string advertise;   ///< "" until the port is known: address:port
  std::vector<std::string> peers;
  bool tls = true;
  std::string ca_file, cert_file, key_file;
  std::chrono::milliseconds dial_timeout{2000}, redial_min{250}, redial_max{10000};
  std::chrono::milliseconds heartbeat{250}, heartbeat_timeout{1500};
  std::chrono::milliseconds lease_ttl{5000}, lease_renewal{1000};
  std::size_t rebalance_moves = 2;
  std::chrono::milliseconds rebalance_interval{5000}, min_stay{600000};
  std::vector<std::string> symbols{"*"}, intervals{"1m"}; ///< analysed series
  std::uint64_t incarnation = 0;
  std::string config_digest; ///< SHA-256 of the effective configuration (secrets redacted)
};

/// Turns `--roles a,b` into the override `--cluster.roles=["a","b"]`, so
/// that the schema checks it like the config key (call before prepare()).
void node_overrides(invocation& inv);

/// Reads and checks the plan and configures `p.system` for it (before the
/// actor system exists). Prints what is wrong and returns nullopt (exit 2).
std::optional<node_plan> plan_node(prepared_config& p, const invocation& inv);

class node_runtime {
public:
  /// Spawns and publishes the node agent and joins the membership table.
  /// Returns "" or what failed (the port in use, the database refusing).
  std::string start(caf::actor_system& sys, node_plan& plan,
                    std::shared_ptr<supervision::agent_directory> dir,
                    std::shared_ptr<db::storage> store, std::shared_ptr<cluster::view> view,
                    std::shared_ptr<cluster::board> board, std::function<void()> on_replaced);
  /// Marks the node left and stops the node agent.
  void stop();
  const cluster_actors::node_agent_actor& agent() const { return agent_; }

private:
  cluster_actors::node_agent_actor agent_;
  std::shared_ptr<cluster::membership> membership_;
  std::shared_ptr<cluster::coordinator> coordinator_;
};

} // namespace herald::app
