// herald node: the cluster parts of a node (see node.hpp).
#include "app/node.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>
#include <nlohmann/json.hpp>
#include <openssl/sha.h>

#include "analysis/aggregate.hpp"
#include "app/ops_setup.hpp"
#include "io/logging.hpp"

namespace herald::app {

namespace fs = std::filesystem;

namespace {

std::chrono::milliseconds ms(const config::settings& s, const std::string& key) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(s.get_duration(key));
}

/// A path of the config relative to the config file's directory.
std::string resolve(const std::string& path, const std::string& config_path) {
  if (path.empty() || fs::path{path}.is_absolute() || config_path.empty())
    return path;
  return (fs::path{config_path}.parent_path() / path).lexically_normal().string();
}

std::string unreadable(const std::string& path) {
  std::ifstream in{path};
  if (!fs::exists(path))
    return "does not exist";
  if (!in)
    return "cannot be read";
  return {};
}

} // namespace

void node_overrides(invocation& inv) {
  if (!inv.has("roles"))
    return;
  std::string list = "[";
  std::string cur;
  for (char c : inv.get("roles") + ",") {
    if (c == ',') {
      if (!cur.empty())
        list += (list.size() > 1 ? "," : "") + std::string{"\""} + cur + "\"";
      cur.clear();
    } else if (c != ' ') {
      cur += c;
    }
  }
  inv.overrides.push_back("--cluster.roles=" + list + "]");
}

std::optional<node_plan> plan_node(prepared_config& p, const invocation& inv) {
  const auto& s = p.loaded.values;
  auto log = logging::get("cluster");
  node_plan plan;
  auto fail = [](const std::string& what) {
    std::cerr << "herald node: " << what << "\n";
    return std::nullopt;
  };
  plan.name = inv.get("name", s.get_string("cluster.name"));
  if (plan.name.empty())
    plan.name = s.get_string("herald.node-name");
  if (plan.name.empty() || plan.name.size() > 64
      || plan.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                     "0123456789-_")
           != std::string::npos)
    return fail("the node name '" + plan.name
                + "' must be 1 to 64 letters, digits, '-' or '_' (--name or cluster.name)");
  plan.roles = s.get_list("cluster.roles"); // --roles became an override (node_overrides)
  plan.address = s.get_string("cluster.address");
  plan.port = static_cast<std::uint16_t>(s.get_int("cluster.port"));
  plan.advertise = s.get_string("cluster.advertise");
  plan.peers = s.get_list("cluster.peers");
  plan.tls = s.get_bool("cluster.tls");
  plan.dial_timeout = ms(s, "cluster.dial-timeout");
  plan.redial_min = ms(s, "cluster.redial-min");
  plan.redial_max = ms(s, "cluster.redial-max");
  plan.heartbeat = ms(s, "cluster.heartbeat-interval");
  plan.heartbeat_timeout = ms(s, "cluster.heartbeat-timeout");
  plan.lease_ttl = ms(s, "cluster.lease-ttl");
  plan.lease_renewal = ms(s, "cluster.lease-renewal");
  plan.rebalance_moves = static_cast<std::size_t>(s.get_int("cluster.rebalance-moves"));
  plan.rebalance_interval = ms(s, "cluster.rebalance-interval");
  plan.min_stay = ms(s, "cluster.min-stay");
  plan.symbols = s.get_list("analysis.symbols");
  plan.intervals = s.get_list("analysis.intervals");
  auto url = s.get_string("db.url");
  if (!plan.peers.empty() && url.rfind("sqlite:", 0) == 0)
    return fail("a cluster needs PostgreSQL: cluster.peers lists "
                + std::to_string(plan.peers.size())
                + " peer(s) but db.url is '" + url
                + "' (SQLite is one process's file); set db.url=postgresql://... on every node");
  if (plan.tls) {
    plan.ca_file = resolve(s.get_string("cluster.ca-file"), p.loaded.path);
    if (plan.ca_file.empty())
      return fail("cluster.tls is on and needs cluster.ca-file (make the certificates with "
                  "scripts/cluster-certs DIR " + plan.name + ",...; or set cluster.tls=false "
                  "for plain TCP on a trusted network)");
    auto dir = fs::path{plan.ca_file}.parent_path();
    plan.cert_file = resolve(s.get_string("cluster.cert-file"), p.loaded.path);
    plan.key_file = resolve(s.get_string("cluster.key-file"), p.loaded.path);
    if (plan.cert_file.empty())
      plan.cert_file = (dir / (plan.name + ".pem")).string();
    if (plan.key_file.empty())
      plan.key_file = (dir / (plan.name + ".key")).string();
    for (auto [key, path] : {std::pair<const char*, std::string*>{"cluster.ca-file", &plan.ca_file},
                             {"cluster.cert-file", &plan.cert_file},
                             {"cluster.key-file", &plan.key_file}}) {
      auto why = unreadable(*path);
      if (!why.empty())
        return fail(std::string{key} + " '" + *path + "' " + why);
    }
  }
  // Heartbeats: a frozen or cut-off peer is down within the timeout.
  p.system.set("middleman.heartbeat-interval", caf::timespan{plan.heartbeat});
  p.system.set("middleman.connection-timeout", caf::timespan{plan.heartbeat_timeout});
  if (caf::get_or(p.system, "middleman.enable-automatic-connections", false)) {
    log->warn("middleman.enable-automatic-connections is on: herald node turns it off (it "
              "would dial plain TCP, around TLS)");
  }
  p.system.set("middleman.enable-automatic-connections", false);
  if (plan.tls) {
    p.system.load<caf::openssl::manager>();
    p.system.openssl_certificate = plan.cert_file;
    p.system.openssl_key = plan.key_file;
    p.system.openssl_cafile = plan.ca_file;
  } else {
    log->warn("cluster.tls=false: nodes talk plain TCP, unauthenticated and unencrypted; use "
              "it only on a trusted network");
  }
  {
    auto text = effective_config_json(p.loaded);
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), md);
    static const char* hex = "0123456789abcdef";
    for (auto b : md) {
      plan.config_digest += hex[b >> 4];
      plan.config_digest += hex[b & 15];
    }
  }
  std::random_device rd;
  plan.incarnation = static_cast<std::uint64_t>(
                       std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count())
                       * 1000
                     + rd() % 1000;
  return plan;
}

std::string node_runtime::start(caf::actor_system& sys, node_plan& plan,
                                std::shared_ptr<supervision::agent_directory> dir,
                                std::shared_ptr<db::storage> store,
                                std::shared_ptr<cluster::view> view,
                                std::shared_ptr<cluster::board> board,
                                std::function<void()> on_replaced) {
  auto log = logging::get("cluster");
  cluster_actors::node_agent_options o;
  o.self.name = plan.name;
  o.self.incarnation = plan.incarnation;
  o.self.roles = plan.roles;
  o.self.version = HERALD_VERSION;
  o.peers = plan.peers;
  o.dial_timeout = plan.dial_timeout;
  o.redial.min_ms = plan.redial_min.count();
  o.redial.max_ms = plan.redial_max.count();
  o.tick = plan.heartbeat;
  o.tls = plan.tls;
  o.directory = dir;
  o.view = view;
  // The membership writes deployment_logs on its own thread; the agent
  // only queues (it must not block on the database).
  // (Events before the membership exists wait in `early`.)
  struct event_sink {
    std::mutex mtx;
    std::weak_ptr<cluster::membership> to;
    std::vector<std::pair<std::string, std::string>> early;
    bool set = false;
  };
  auto events = std::make_shared<event_sink>();
  o.on_event = [events](const std::string& event, const std::string& details) {
    std::shared_ptr<cluster::membership> m;
    {
      std::lock_guard<std::mutex> guard{events->mtx};
      if (!events->set) {
        events->early.emplace_back(event, details);
        return;
      }
      m = events->to.lock();
    }
    if (m)
      m->record(event, details);
  };
  auto bind = plan.address;
  auto peers_count = o.peers.size();
  agent_ = cluster_actors::spawn_node_agent(sys, std::move(o));
  // Published first; it greets and dials once it knows its address (the
  // port is known only now when cluster.port is 0).
  auto got = plan.tls ? caf::openssl::publish(agent_, plan.port, bind.c_str(), true)
                      : sys.middleman().publish(agent_, plan.port, bind.c_str(), true);
  if (!got) {
    caf::anon_send_exit(agent_, caf::exit_reason::user_shutdown);
    return "cannot publish the node agent on " + bind + ":" + std::to_string(plan.port) + ": "
           + sys.render(got.error()) + " (port in use? set cluster.port)";
  }
  plan.port = *got;
  if (plan.advertise.empty())
    plan.advertise = (bind == "0.0.0.0" || bind == "::" ? std::string{"127.0.0.1"} : bind) + ":"
                     + std::to_string(plan.port);
  caf::anon_send(agent_, caf::put_atom::value, plan.advertise);
  log->info("cluster: node '{}' (incarnation {}, roles {}) listening on {}:{} ({}), {} peer(s) "
            "to dial",
            plan.name, plan.incarnation, [&] {
              std::string r;
              for (auto& x : plan.roles)
                r += (r.empty() ? "" : ",") + x;
              return r;
            }(),
            bind, plan.port, plan.tls ? "mutual TLS" : "PLAIN TCP", peers_count);
  cluster::node_view me;
  me.name = plan.name;
  me.incarnation = plan.incarnation;
  me.roles = plan.roles;
  me.version = HERALD_VERSION;
  me.address = plan.advertise;
  me.up_since_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  view->set_self(me);
  db::member_state m;
  m.name = plan.name;
  m.incarnation = std::to_string(plan.incarnation);
  for (auto& r : plan.roles)
    m.roles += (m.roles.empty() ? "" : ",") + r;
  m.address = plan.advertise;
  m.version = HERALD_VERSION;
  membership_ = std::make_shared<cluster::membership>(store, m, plan.lease_renewal,
                                                      std::move(on_replaced));
  cluster::coordination_options co;
  co.node = plan.name;
  co.roles = plan.roles;
  co.lease_ttl = plan.lease_ttl;
  co.placement.max_moves_per_step = plan.rebalance_moves;
  co.placement.min_stay_ms = plan.min_stay.count();
  co.rebalance_interval = plan.rebalance_interval;
  co.tracked = [symbols = plan.symbols, intervals = plan.intervals](const std::string& sym,
                                                                     const std::string& iv) {
    auto in = [](const std::vector<std::string>& xs, const std::string& x) {
      return std::find(xs.begin(), xs.end(), "*") != xs.end()
             || std::find(xs.begin(), xs.end(), x) != xs.end();
    };
    return in(symbols, sym) && in(intervals, iv);
  };
  co.series_id = &analysis::series_id; // the pipeline's ids
  std::weak_ptr<cluster::membership> weak = membership_;
  coordinator_ = std::make_shared<cluster::coordinator>(
    store, view, std::move(board), co, [weak](const std::string& e, const std::string& d) {
      if (auto m = weak.lock())
        m->record(e, d);
    });
  membership_->steps([c = coordinator_] { c->step(); }, [c = coordinator_] { c->release_all(); });
  {
    std::lock_guard<std::mutex> guard{events->mtx};
    events->to = membership_;
    events->set = true;
    for (auto& [event, details] : std::exchange(events->early, {}))
      membership_->record(event, details);
  }
  // (+1: the first renewal writes the registry even before any change.)
  membership_->registry_source([dir] { return dir->local_version() + 1; },
                               [dir] {
                                 std::vector<db::registry_row> rows;
                                 for (auto& r : dir->snapshot())
                                   rows.push_back(
                                     {"", r.path, r.is_supervisor ? "supervisor" : "worker",
                                      r.running ? "running" : "down",
                                      static_cast<std::int64_t>(r.restarts), r.last_exit_reason,
                                      std::chrono::duration_cast<std::chrono::milliseconds>(
                                        r.started_at.time_since_epoch())
                                        .count(),
                                      0});
                                 return rows;
                               });
  try {
    membership_->start(nlohmann::json{{"incarnation", m.incarnation},
                                      {"roles", m.roles},
                                      {"address", m.address},
                                      {"config_digest", plan.config_digest}}
                         .dump());
  } catch (const std::exception& e) {
    membership_.reset();
    caf::anon_send_exit(agent_, caf::exit_reason::user_shutdown);
    return std::string{"cannot join the cluster's membership table: "} + e.what();
  }
  return {};
}

void node_runtime::stop() {
  if (membership_)
    membership_->stop();
  if (agent_)
    caf::anon_send_exit(agent_, caf::exit_reason::user_shutdown);
}

} // namespace herald::app
