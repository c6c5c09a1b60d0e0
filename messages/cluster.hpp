#pragma once
// What node agents tell each other (issue 16): the greeting and the agents
// each node runs (the cluster-wide directory). Every field crosses nodes:
// changing a message means raising cluster::protocol_version.

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/meta/type_name.hpp>

namespace herald {

/// The first message between two nodes, both ways.
struct node_greeting {
  std::string name;
  std::uint64_t incarnation = 0;
  std::vector<std::string> roles;
  std::string version;  ///< Herald's version
  std::uint32_t protocol = 0;
  std::string address;  ///< "host:port" where the sender is dialled
};

inline bool operator==(const node_greeting& a, const node_greeting& b) {
  return a.name == b.name && a.incarnation == b.incarnation && a.roles == b.roles
         && a.version == b.version && a.protocol == b.protocol && a.address == b.address;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_greeting& x) {
  return f(caf::meta::type_name("herald::node_greeting"), x.name, x.incarnation, x.roles,
           x.version, x.protocol, x.address);
}

/// One running agent of a node.
struct node_agent_entry {
  std::string path;      ///< "data.hub"
  caf::actor handle;     ///< never null (only running agents are sent)
  bool is_supervisor = false;
  std::uint64_t restarts = 0;
  std::int64_t started_at_ms = 0;
};

inline bool operator==(const node_agent_entry& a, const node_agent_entry& b) {
  return a.path == b.path && a.handle == b.handle && a.is_supervisor == b.is_supervisor
         && a.restarts == b.restarts && a.started_at_ms == b.started_at_ms;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_agent_entry& x) {
  return f(caf::meta::type_name("herald::node_agent_entry"), x.path, x.handle, x.is_supervisor,
           x.restarts, x.started_at_ms);
}

/// Every agent a node runs, sent to each peer whenever it changes (the
/// receiver replaces what it had of that node).
struct node_directory {
  std::string node;
  std::uint64_t incarnation = 0;
  std::uint64_t version = 0; ///< grows with every change at the sender
  std::vector<node_agent_entry> agents;
};

inline bool operator==(const node_directory& a, const node_directory& b) {
  return a.node == b.node && a.incarnation == b.incarnation && a.version == b.version
         && a.agents == b.agents;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_directory& x) {
  return f(caf::meta::type_name("herald::node_directory"), x.node, x.incarnation, x.version,
           x.agents);
}

} // namespace herald
