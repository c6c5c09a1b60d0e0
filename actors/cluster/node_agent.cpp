#include "actors/cluster/node_agent.hpp"

#include <map>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/manager.hpp>

#include "io/logging.hpp"
#include "messages/errors.hpp"
#include "io/net/probe.hpp"

namespace herald::cluster_actors {

namespace {

std::int64_t wall_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

cluster::greeting from_message(const node_greeting& g) {
  cluster::greeting out;
  out.name = g.name;
  out.incarnation = g.incarnation;
  out.roles = g.roles;
  out.version = g.version;
  out.protocol = static_cast<int>(g.protocol);
  return out;
}

std::string join(const std::vector<std::string>& xs) {
  std::string out;
  for (auto& x : xs)
    out += (out.empty() ? "" : ",") + x;
  return out;
}

struct peer_state {
  node_greeting greeting;
  caf::actor handle;
  bool up = false;
  std::int64_t last_seen_ms = 0;
  std::uint64_t directory_version = 0;
};

struct node_agent_state {
  static inline const char* name = "herald.cluster.node";
  node_agent_options o;
  std::shared_ptr<spdlog::logger> log;
  node_greeting me;
  std::map<std::string, cluster::peer_link> links;  ///< by configured address
  std::map<std::string, std::string> last_dial_error; ///< by address: log changes only
  std::map<std::string, peer_state> peers;          ///< by node name
  /// A directory that arrived before its sender was up here (its push can
  /// overtake the answer to our greeting): applied when it comes up.
  std::map<std::string, node_directory> early;
  std::uint64_t sent_version = 0;
  /// Set when the agent exits: probes in progress end at once.
  std::shared_ptr<std::atomic<bool>> cancel = std::make_shared<std::atomic<bool>>(false);
  std::uint64_t directory_seq = 0;
};

using self_ptr = node_agent_actor::stateful_pointer<node_agent_state>;

/// Schedules the next dial of a link that waits.
void schedule(self_ptr self, const std::string& address) {
  auto& link = self->state.links.at(address);
  auto wait = std::max<std::int64_t>(0, link.due_at() - wall_ms());
  self->delayed_send(self, std::chrono::milliseconds{wait}, dial_atom::value, address);
}

void dial_failed(self_ptr self, const std::string& address, const std::string& why) {
  auto& st = self->state;
  auto& link = st.links.at(address);
  link.dial_failed(wall_ms(), why);
  st.o.view->dial_failed();
  auto& last = st.last_dial_error[address];
  if (last != why)
    st.log->warn("cluster: dial {} failed: {} (retrying with backoff)", address, why);
  last = why;
  schedule(self, address);
}

node_directory local_directory(self_ptr self) {
  auto& st = self->state;
  node_directory d;
  d.node = st.me.name;
  d.incarnation = st.me.incarnation;
  d.version = ++st.directory_seq;
  for (auto& r : st.o.directory->snapshot()) {
    if (!r.running || !r.addr)
      continue;
    auto h = caf::actor_cast<caf::actor>(r.addr);
    if (!h)
      continue;
    d.agents.push_back({r.path, std::move(h), r.is_supervisor, r.restarts,
                        std::chrono::duration_cast<std::chrono::milliseconds>(
                          r.started_at.time_since_epoch())
                          .count()});
  }
  return d;
}

void apply_directory(self_ptr self, peer_state& p, node_directory& d) {
  auto& st = self->state;
  p.directory_version = d.version;
  p.last_seen_ms = wall_ms();
  std::vector<supervision::remote_agent_record> recs;
  recs.reserve(d.agents.size());
  for (auto& a : d.agents)
    recs.push_back({a.path, d.node, a.is_supervisor, caf::actor_cast<caf::actor_addr>(a.handle),
                    a.restarts, a.started_at_ms});
  st.log->debug("cluster: directory {} of {}: {} agents", d.version, d.node, d.agents.size());
  st.o.directory->set_remote(d.node, std::move(recs));
}

/// A peer's greeting was accepted (by its answer to our dial or by its
/// hello): it is up, monitored, and gets our directory.
void peer_up(self_ptr self, const node_greeting& g, caf::actor handle) {
  auto& st = self->state;
  auto& p = st.peers[g.name];
  bool same = p.up && p.greeting.incarnation == g.incarnation && p.handle == handle;
  if (same) {
    // Greeted again (it lost and redialled us while we kept it): it needs
    // our directory again.
    caf::anon_send(handle, local_directory(self));
    return;
  }
  if (p.up && p.greeting.incarnation != g.incarnation) {
    st.log->info("cluster: node {} restarted (incarnation {} -> {})", g.name,
                 p.greeting.incarnation, g.incarnation);
    st.o.directory->drop_remote(g.name);
  }
  p.greeting = g;
  p.handle = handle;
  p.up = true;
  p.last_seen_ms = wall_ms();
  p.directory_version = 0;
  self->monitor(handle);
  cluster::node_view v;
  v.name = g.name;
  v.incarnation = g.incarnation;
  v.roles = g.roles;
  v.version = g.version;
  v.address = g.address;
  st.o.view->peer_up(std::move(v), wall_ms());
  for (auto& [addr, link] : st.links)
    if (addr == g.address && link.current() != cluster::peer_link::state::up)
      link.connected(from_message(g));
  st.log->info("cluster: node {} up (incarnation {}, roles {}, version {}, at {})", g.name,
               g.incarnation, join(g.roles), g.version, g.address);
  if (st.o.on_event)
    st.o.on_event("node_up", nlohmann::json{{"peer", g.name},
                                            {"incarnation", std::to_string(g.incarnation)},
                                            {"roles", g.roles},
                                            {"version", g.version},
                                            {"address", g.address}}
                               .dump());
  caf::anon_send(handle, local_directory(self));
  if (auto e = st.early.find(g.name); e != st.early.end()) {
    if (e->second.incarnation == g.incarnation)
      apply_directory(self, p, e->second);
    st.early.erase(e);
  }
}

void dial(self_ptr self, const std::string& address) {
  auto& st = self->state;
  auto& link = st.links.at(address);
  if (!link.should_dial(wall_ms()))
    return;
  // The probe blocks in connect() with a deadline: on a helper thread.
  auto timeout = st.o.dial_timeout;
  auto agent = caf::actor_cast<caf::actor>(self);
  auto cancel = st.cancel;
  self->spawn<caf::detached + caf::hidden>([agent, address, timeout, cancel](caf::blocking_actor*) {
    auto why = io::net::tcp_probe(address, timeout, cancel.get());
    caf::anon_send(agent, dial_atom::value, address, why);
  });
}

void probed(self_ptr self, const std::string& address, const std::string& why) {
  auto& st = self->state;
  if (!why.empty()) {
    dial_failed(self, address, why);
    return;
  }
  std::string host;
  std::uint16_t port = 0;
  io::net::split_host_port(address, host, port);
  auto mm = st.o.tls ? self->system().openssl_manager().actor_handle()
                     : self->system().middleman().actor_handle();
  self->request(mm, st.o.dial_timeout, caf::connect_atom::value, host, port)
    .then(
      [self, address](const caf::node_id&, caf::strong_actor_ptr& ptr,
                      const std::set<std::string>&) {
        auto& st = self->state;
        auto peer = caf::actor_cast<node_agent_actor>(ptr);
        if (!peer) {
          dial_failed(self, address, "no node agent is published there");
          return;
        }
        self->request(peer, st.o.dial_timeout, st.me, caf::actor_cast<caf::actor>(self))
          .then(
            [self, address, peer](node_greeting& theirs) {
              auto& st = self->state;
              auto why = cluster::check_greeting(from_message(st.me), from_message(theirs));
              if (!why.empty()) {
                st.o.view->refused();
                st.log->error("cluster: refusing node {} at {}: {}", theirs.name, address, why);
                dial_failed(self, address, "refused: " + why);
                return;
              }
              // Our configured address names it, whatever it advertises.
              auto g = theirs;
              g.address = address;
              st.last_dial_error.erase(address);
              peer_up(self, g, caf::actor_cast<caf::actor>(peer));
            },
            [self, address](caf::error& e) {
              dial_failed(self, address,
                          "no greeting: " + self->system().render(e)
                            + " (an older node, another cluster or an unknown message type)");
            });
      },
      [self, address](caf::error& e) {
        // TLS refused (another CA, plain TCP), handshake timeout, ...
        dial_failed(self, address, "connect: " + self->system().render(e));
      });
}

void on_down(self_ptr self, const caf::down_msg& dm) {
  auto& st = self->state;
  for (auto& [name, p] : st.peers) {
    if (!p.up || p.handle.address() != dm.source)
      continue;
    p.up = false;
    auto now = wall_ms();
    auto silent = static_cast<double>(now - p.last_seen_ms);
    auto reason = self->system().render(dm.reason);
    st.o.directory->drop_remote(name);
    st.o.view->peer_down(name, now, reason, silent);
    st.log->warn("cluster: node {} lost ({}), {} ms after its last sign of life; its agents "
                 "left the directory",
                 name, reason, static_cast<std::int64_t>(silent));
    if (st.o.on_event)
      st.o.on_event("node_lost",
                    nlohmann::json{{"peer", name},
                                   {"incarnation", std::to_string(p.greeting.incarnation)},
                                   {"reason", reason},
                                   {"silent_ms", static_cast<std::int64_t>(silent)}}
                      .dump());
    for (auto& [addr, link] : st.links)
      if (addr == p.greeting.address && link.current() == cluster::peer_link::state::up) {
        link.lost(now);
        schedule(self, addr);
      }
    return;
  }
}

node_agent_actor::behavior_type node_agent_impl(self_ptr self, node_agent_options o) {
  auto& st = self->state;
  st.log = logging::get("cluster");
  st.me.name = o.self.name;
  st.me.incarnation = o.self.incarnation;
  st.me.roles = o.self.roles;
  st.me.version = o.self.version;
  st.me.protocol = static_cast<std::uint32_t>(o.self.protocol);
  std::uint64_t seed = o.self.incarnation;
  for (auto& a : o.peers)
    st.links.emplace(a, cluster::peer_link{a, o.redial, seed++});
  st.o = std::move(o);
  self->set_down_handler([self](caf::down_msg& dm) { on_down(self, dm); });
  self->attach_functor([cancel = st.cancel] { *cancel = true; });
  return {
    [self](caf::put_atom, const std::string& address) {
      auto& st = self->state;
      if (!st.me.address.empty())
        return;
      st.me.address = address;
      for (auto& [addr, link] : st.links)
        self->send(self, dial_atom::value, addr);
      self->send(self, caf::tick_atom::value);
    },
    [self](node_greeting& theirs, caf::actor& handle) -> node_greeting {
      auto& st = self->state;
      auto why = cluster::check_greeting(from_message(st.me), from_message(theirs));
      if (!why.empty()) {
        st.o.view->refused();
        st.log->error("cluster: refusing node {} (from {}): {}", theirs.name, theirs.address,
                      why);
      } else if (handle) {
        peer_up(self, theirs, handle);
      }
      return st.me;
    },
    [self](node_directory& d) {
      auto& st = self->state;
      auto i = st.peers.find(d.node);
      if (i == st.peers.end() || !i->second.up || i->second.greeting.incarnation != d.incarnation) {
        // Not up here (yet): kept until it is, the newest only.
        auto& e = st.early[d.node];
        if (e.incarnation != d.incarnation || e.version < d.version)
          e = std::move(d);
        return;
      }
      if (d.version <= i->second.directory_version)
        return; // overtaken by a newer one
      apply_directory(self, i->second, d);
    },
    [self](alive_atom, const std::string& name, std::uint64_t incarnation) {
      auto i = self->state.peers.find(name);
      if (i != self->state.peers.end() && i->second.greeting.incarnation == incarnation)
        i->second.last_seen_ms = wall_ms();
    },
    [self](caf::get_atom, const std::string& path) -> caf::result<caf::actor> {
      auto& st = self->state;
      auto addr = st.o.directory->find_local(path);
      if (!addr) {
        st.log->info("cluster: a client asked node {} for {}, which does not run here", st.me.name,
                     path);
        return make_error(herald_errc::invalid_request,
                          "node " + st.me.name + " runs no " + path + " (roles "
                            + [&] {
                                std::string r;
                                for (auto& x : st.me.roles)
                                  r += (r.empty() ? "" : ",") + x;
                                return r;
                              }()
                            + ")");
      }
      st.log->info("cluster: a client looked up {} on node {}", path, st.me.name);
      return caf::actor_cast<caf::actor>(addr);
    },
    [self](dial_atom, const std::string& address) { dial(self, address); },
    [self](dial_atom, const std::string& address, const std::string& why) {
      probed(self, address, why);
    },
    [self](caf::tick_atom) {
      auto& st = self->state;
      // A push per tick at most, only when this node's agents changed (a
      // push that followed remote changes would echo between nodes).
      auto v = st.o.directory->local_version();
      bool push = v != st.sent_version;
      st.sent_version = v;
      std::optional<node_directory> d;
      if (push)
        d = local_directory(self);
      for (auto& [name, p] : st.peers) {
        if (!p.up)
          continue;
        caf::anon_send(p.handle, alive_atom::value, st.me.name, st.me.incarnation);
        if (d)
          caf::anon_send(p.handle, *d);
      }
      self->delayed_send(self, st.o.tick, caf::tick_atom::value);
    },
  };
}

} // namespace

node_agent_actor spawn_node_agent(caf::actor_system& sys, node_agent_options o) {
  return sys.spawn(node_agent_impl, std::move(o));
}

} // namespace herald::cluster_actors
