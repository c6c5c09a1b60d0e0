// [cluster]: the keys of `herald node` (issue 16). `herald run` ignores them.
#include "config/schema_parts.hpp"

#include <algorithm>
#include <chrono>

namespace herald::config::detail {

namespace {
using namespace std::chrono_literals;
using std::chrono::nanoseconds;

std::string check_role(const std::string& r) {
  static const std::vector<std::string> roles = {"data", "analysis", "content", "ops"};
  if (std::find(roles.begin(), roles.end(), r) == roles.end())
    return "expected a role: data, analysis, content or ops";
  return {};
}

} // namespace

std::string check_host_port(const std::string& s) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == s.size())
    return "expected \"host:port\", e.g. \"10.0.0.2:4300\"";
  auto port = s.substr(colon + 1);
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos
      || std::stol(port) < 1 || std::stol(port) > 65535)
    return "expected a port in [1, 65535] after the ':'";
  auto host = s.substr(0, colon);
  if (host.front() == '[' ? host.back() != ']' : host.find_first_of(" /[]") != std::string::npos)
    return "expected a host name, an IPv4 address or a bracketed IPv6 address before the ':'";
  return {};
}

void add_cluster_keys(std::vector<key_spec>& out) {
  out.push_back(key("cluster.name", value_type::string, value{std::string{}}, "",
                    "this node's name in the cluster (unique; --name overrides it); \"\": "
                    "herald.node-name"));
  auto roles = key("cluster.roles", value_type::string_list,
                   value{std::vector<std::string>{"data", "analysis", "content", "ops"}}, "",
                   "what this node runs (--roles overrides it): data (scanner, news, hub, "
                   "persistence), analysis (analysis series, pipeline, risk), content "
                   "(strategist, creator, charts, publisher, channels), ops (inspector, HTTP)");
  roles.check_element = check_role;
  out.push_back(std::move(roles));
  out.push_back(key("cluster.address", value_type::string, value{std::string{"127.0.0.1"}}, "",
                    "interface the node agent is published on"));
  out.push_back(ranged(key("cluster.port", value_type::integer, value{std::int64_t{4300}}, "",
                           "port the node agent is published on; 0 picks a free one"),
                       0, 65535));
  out.push_back(key("cluster.advertise", value_type::string, value{std::string{}}, "host:port",
                    "where peers reach this node (stored in the membership table); \"\": "
                    "address:port"));
  auto peers = key("cluster.peers", value_type::string_list, value{std::vector<std::string>{}},
                   "host:port",
                   "the other nodes' node agents; this node dials each itself (a node "
                   "without peers is a cluster of one)");
  peers.check_element = check_host_port;
  out.push_back(std::move(peers));
  out.push_back(ranged(key("cluster.dial-timeout", value_type::duration, value{nanoseconds{2s}},
                           "duration",
                           "a dial (TCP connect, TLS and CAF handshake) that takes longer "
                           "fails and is retried after the backoff"),
                       0.05, 600));
  out.push_back(ranged(key("cluster.redial-min", value_type::duration,
                           value{nanoseconds{250ms}}, "duration",
                           "first wait before a failed or lost peer is dialled again (doubles "
                           "per failure, with jitter)"),
                       0.01, 600));
  out.push_back(ranged(key("cluster.redial-max", value_type::duration, value{nanoseconds{10s}},
                           "duration", "longest wait between dials of one peer"),
                       0.01, 3600));
  out.push_back(ranged(key("cluster.heartbeat-interval", value_type::duration,
                           value{nanoseconds{250ms}}, "duration",
                           "CAF middleman heartbeat between nodes (herald node sets "
                           "middleman.heartbeat-interval from it)"),
                       0.01, 60));
  out.push_back(ranged(key("cluster.heartbeat-timeout", value_type::duration,
                           value{nanoseconds{1500ms}}, "duration",
                           "a peer silent this long is down (middleman.connection-timeout): "
                           "lower detects sooner, but a node starved of CPU for longer is "
                           "declared down falsely"),
                       0.05, 600));
  out.push_back(ranged(key("cluster.lease-ttl", value_type::duration, value{nanoseconds{5s}},
                           "duration",
                           "membership and leases (coordinator, analysis, publisher) expire this long "
                           "after their last renewal; a partitioned side loses them then"),
                       0.5, 600));
  out.push_back(ranged(key("cluster.lease-renewal", value_type::duration,
                           value{nanoseconds{1s}}, "duration",
                           "how often a node renews its membership and leases"),
                       0.05, 200));
  out.push_back(ranged(key("cluster.rebalance-moves", value_type::integer,
                           value{std::int64_t{2}}, "",
                           "series moved to a joined node per rebalance interval (a lost "
                           "node's series move at once, all of them)"),
                       0, 10000));
  out.push_back(ranged(key("cluster.rebalance-interval", value_type::duration,
                           value{nanoseconds{5s}}, "duration",
                           "how often the coordinator moves series towards a joined node: "
                           "longer spreads the rebuild work, shorter balances sooner"),
                       0.05, 86400));
  out.push_back(ranged(key("cluster.min-stay", value_type::duration, value{nanoseconds{600s}},
                           "duration",
                           "a series that moved does not move again for this long unless its "
                           "node is lost (no series ping-pongs while nodes come and go)"),
                       0, 604800));
  out.push_back(key("cluster.tls", value_type::boolean, value{true}, "",
                    "mutual TLS between nodes (CAF's openssl module, a private CA); false "
                    "speaks plain TCP and logs a warning at start"));
  out.push_back(key("cluster.ca-file", value_type::string, value{std::string{}}, "path",
                    "the cluster CA's certificate (PEM); relative to the config file's "
                    "directory; required with cluster.tls"));
  out.push_back(key("cluster.cert-file", value_type::string, value{std::string{}}, "path",
                    "this node's certificate (PEM) signed by the cluster CA; \"\": "
                    "<ca-file's directory>/<name>.pem"));
  out.push_back(key("cluster.key-file", value_type::string, value{std::string{}}, "path",
                    "this node's private key (PEM); \"\": <ca-file's directory>/<name>.key"));
}

void add_cluster_checks(std::vector<schema::check>& out) {
  out.push_back([](const settings& v) {
    std::vector<config_error> errs;
    auto iv = v.find("cluster.heartbeat-interval");
    auto to = v.find("cluster.heartbeat-timeout");
    if (iv && to && std::get<nanoseconds>(to->val) < 3 * std::get<nanoseconds>(iv->val))
      errs.push_back({to->source, "cluster.heartbeat-timeout", render(to->val),
                      "must be at least 3 heartbeat intervals (" + render(iv->val)
                        + "): one late heartbeat must not declare a peer down"});
    auto ttl = v.find("cluster.lease-ttl");
    auto ren = v.find("cluster.lease-renewal");
    if (ttl && ren && 3 * std::get<nanoseconds>(ren->val) > std::get<nanoseconds>(ttl->val))
      errs.push_back({ren->source, "cluster.lease-renewal", render(ren->val),
                      "must be at most a third of cluster.lease-ttl (" + render(ttl->val)
                        + "): two renewals may fail before a lease is lost"});
    auto idle = v.find("db.idle-in-transaction-timeout");
    if (ttl && idle && std::get<nanoseconds>(idle->val) >= std::get<nanoseconds>(ttl->val))
      errs.push_back({idle->source, "db.idle-in-transaction-timeout", render(idle->val),
                      "must be below cluster.lease-ttl (" + render(ttl->val)
                        + "): a node frozen inside a transaction holds the lease row's lock "
                          "until it runs out, and no other node can take the lease before"});
    auto lo = v.find("cluster.redial-min");
    auto hi = v.find("cluster.redial-max");
    if (lo && hi && std::get<nanoseconds>(lo->val) > std::get<nanoseconds>(hi->val))
      errs.push_back({lo->source, "cluster.redial-min", render(lo->val),
                      "must not exceed cluster.redial-max (" + render(hi->val) + ")"});
    auto roles = v.find("cluster.roles");
    if (roles) {
      auto list = v.get_list("cluster.roles");
      auto sorted = list;
      std::sort(sorted.begin(), sorted.end());
      if (list.empty())
        errs.push_back({roles->source, "cluster.roles", render(roles->val),
                        "a node needs at least one role"});
      else if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
        errs.push_back({roles->source, "cluster.roles", render(roles->val),
                        "names a role twice"});
    }
    auto adv = v.find("cluster.advertise");
    if (adv && !v.get_string("cluster.advertise").empty()) {
      auto why = check_host_port(v.get_string("cluster.advertise"));
      if (!why.empty())
        errs.push_back({adv->source, "cluster.advertise", render(adv->val), why});
    }
    return errs;
  });
}

} // namespace herald::config::detail
