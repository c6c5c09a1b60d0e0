#pragma once
// The node agent ("cluster.node", issue 16): the one actor a node publishes.
// It dials every configured peer itself (a TCP probe with the dial timeout
// on a helper thread first, then CAF's connect as a request with the same
// timeout, so that one blackholed peer never delays another), greets it
// (name, incarnation, roles, version, protocol version: another protocol is
// refused and both versions are logged), monitors the peer's node agent (a
// lost node arrives as down_msg within the middleman's connection timeout),
// redials with jittered backoff, and keeps the cluster-wide directory: it
// sends this node's running agents to its peers when they change and puts
// theirs into the local agent directory, dropping a lost node's at once.

#include <chrono>
#include <functional>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "cluster/peers.hpp"
#include "cluster/view.hpp"
#include "messages/type_ids.hpp"
#include "supervisor/agent_directory.hpp"

namespace herald::cluster_actors {

struct node_agent_options {
  cluster::greeting self;   ///< name, incarnation, roles, version, protocol
  std::vector<std::string> peers; ///< "host:port"
  std::chrono::milliseconds dial_timeout{2000};
  cluster::dial_options redial;
  /// How often it sends a sign of life to each peer and its directory when
  /// it changed.
  std::chrono::milliseconds tick{250};
  bool tls = true; ///< dial through the openssl module's middleman
  std::shared_ptr<supervision::agent_directory> directory;
  std::shared_ptr<cluster::view> view;
  /// Called (on the agent's thread; must not block) with "node_up" or
  /// "node_lost" and JSON details, for deployment_logs.
  std::function<void(const std::string&, const std::string&)> on_event;
};

using node_agent_actor = caf::typed_actor<
  /// A peer's greeting and its node agent; the answer is this node's.
  caf::replies_to<node_greeting, caf::actor>::with<node_greeting>,
  caf::reacts_to<node_directory>,
  /// A sign of life of a peer (name, incarnation).
  caf::reacts_to<alive_atom, std::string, std::uint64_t>,
  /// One of this node's own agents by path ("ops.inspector"): how a client
  /// that reached the node's one published actor over TLS (the terminal
  /// console, `herald console --node`) finds the agent it talks to. An
  /// error names the path when this node runs no such agent.
  caf::replies_to<caf::get_atom, std::string>::with<caf::actor>,
  /// Where peers reach this node, once it is published: it starts dialling.
  caf::reacts_to<caf::put_atom, std::string>,
  /// Internal: dial the peer at this address when due.
  caf::reacts_to<dial_atom, std::string>,
  /// Internal: the TCP probe of an address ended ("" or what failed).
  caf::reacts_to<dial_atom, std::string, std::string>,
  /// Internal: heartbeat and directory push.
  caf::reacts_to<caf::tick_atom>>;

/// Spawns the node agent (not supervised: it is the node's identity; when
/// it dies the node stops and comes back as a new incarnation).
node_agent_actor spawn_node_agent(caf::actor_system& sys, node_agent_options o);

} // namespace herald::cluster_actors
