// herald console: the terminal console. It connects over CAF's middleman to
// a node's published inspector (the actor that also feeds the web console)
// and sends it console_command{token, line}; the inspector answers JSON,
// rendered here as tables. Line editing and history come from libedit.

#include <sys/select.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <thread>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>
#include <editline/readline.h>
#include <nlohmann/json.hpp>

#include "actors/ops/inspector.hpp"
#include "app/commands.hpp"
#include "app/node.hpp"
#include "app/ops_setup.hpp"
#include "app/prepare.hpp"
#include "config/loader.hpp"

namespace herald::app {

namespace {

using json = nlohmann::json;

const char* help_text =
  "commands:\n"
  "  tree               the supervision tree with per-actor statistics\n"
  "  top                actors by message rate, refreshed every second (Enter stops)\n"
  "  stats ACTOR        one actor's statistics (ACTOR is a dotted path: analysis.pipeline)\n"
  "  restart ACTOR      orderly stop; its supervisor starts it again (operator)\n"
  "  kill ACTOR         chaos kill (exit_reason::kill); its supervisor restarts it (operator)\n"
  "  pause AGENT        hold a worker's messages until resume (operator)\n"
  "  resume AGENT       let a paused worker go on (operator)\n"
  "  signals [N]        the last N directional signals (default 20)\n"
  "  insights [N]       the last N insights (default 20)\n"
  "  tail               live events (candles, signals, insights, posts, restarts, errors; Enter stops)\n"
  "  info               node, version, readiness, who you are\n"
  "  cluster            every node: roles, status, address, version, agents, series\n"
  "  cluster agents N   node N's agents (from the agent registry)\n"
  "  help, quit\n";

std::string dur(double s) {
  char buf[32];
  if (s <= 0)
    return "-";
  if (s < 1e-3)
    std::snprintf(buf, sizeof buf, "%.0fus", s * 1e6);
  else if (s < 1)
    std::snprintf(buf, sizeof buf, "%.2fms", s * 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.2fs", s);
  return buf;
}

std::string num(double x, int prec = 1) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", prec, x);
  return buf;
}

std::string pad(std::string s, std::size_t w, bool right = false) {
  if (s.size() > w)
    s = s.substr(0, w - 1) + "~";
  std::string fill(w - s.size(), ' ');
  return right ? fill + s : s + fill;
}

/// `cluster`: one line per node, then the leases.
std::string render_cluster(const json& j) {
  std::ostringstream os;
  os << pad("NODE", 12) << pad("ROLES", 26) << pad("STATUS", 8) << pad("ADDRESS", 22)
     << pad("VERSION", 9) << pad("AGENTS", 8) << "SERIES\n";
  for (const auto& n : j["nodes"]) {
    std::string roles;
    for (const auto& r : n["roles"])
      roles += (roles.empty() ? "" : ",") + r.get<std::string>();
    os << pad(n.value("name", ""), 12) << pad(roles, 26) << pad(n.value("status", ""), 8)
       << pad(n.value("address", ""), 22) << pad(n.value("version", ""), 9)
       << pad(std::to_string(n.value("agents_running", 0)), 8) << n["series"].size() << "\n";
  }
  for (const auto& l : j["leases"])
    os << "lease " << l.value("name", "") << ": " << l.value("holder", "") << " (epoch "
       << l.value("epoch", 0) << ")\n";
  return os.str();
}


std::string state_of(const json& a) {
  if (a.value("aggregate", false) && !a.value("running", false)) // a series kind (issue 20)
    return std::to_string(a.value("running_count", 0)) + "/" + std::to_string(a.value("count", 0))
           + " running";
  if (!a.value("running", false))
    return "down";
  return a.value("paused", false) ? "paused" : "running";
}

std::string render_tree(const json& j) {
  std::ostringstream out;
  out << pad("ACTOR", 52) << pad("MSGS/S", 9, true) << pad("MAILBOX", 9, true)
      << pad("P99", 10, true) << pad("RESTARTS", 10, true) << "  STATE\n";
  for (const auto& a : j["actors"]) {
    auto path = a.value("path", "");
    auto depth = path == "root" ? 0 : std::count(path.begin(), path.end(), '.') + 1;
    auto name = path.substr(path.rfind('.') == std::string::npos ? 0 : path.rfind('.') + 1);
    std::string label = std::string(static_cast<std::size_t>(depth) * 2, ' ') + name
                        + (a.value("kind", "") == "supervisor" ? "/" : "");
    if (a.value("aggregate", false)) // a series kind: "momentum x10000"
      label += " x" + std::to_string(a.value("count", 0));
    out << pad(label, 52) << pad(num(a.value("rate", 0.0)), 9, true)
        << pad(std::to_string(a.value("mailbox", 0)), 9, true)
        << pad(dur(a.value("p99_seconds", 0.0)), 10, true)
        << pad(std::to_string(a.value("restarts", 0)), 10, true) << "  " << state_of(a) << "\n";
  }
  return out.str();
}

std::string render_top(const json& j) {
  std::vector<json> actors(j["actors"].begin(), j["actors"].end());
  std::stable_sort(actors.begin(), actors.end(), [](const json& a, const json& b) {
    return a.value("rate", 0.0) > b.value("rate", 0.0);
  });
  std::ostringstream out;
  out << pad("ACTOR", 52) << pad("MSGS/S", 9, true) << pad("MAILBOX", 9, true)
      << pad("P99", 10, true) << pad("RESTARTS", 10, true) << pad("MSGS", 12, true) << "\n";
  for (const auto& a : actors)
    out << pad(a.value("path", "")
                 + (a.value("aggregate", false) ? " x" + std::to_string(a.value("count", 0)) : ""),
               52)
        << pad(num(a.value("rate", 0.0)), 9, true)
        << pad(std::to_string(a.value("mailbox", 0)), 9, true)
        << pad(dur(a.value("p99_seconds", 0.0)), 10, true)
        << pad(std::to_string(a.value("restarts", 0)), 10, true)
        << pad(std::to_string(a.value("messages", 0)), 12, true) << "\n";
  return out.str();
}

std::string render_event(const json& e) {
  auto d = e["data"];
  std::ostringstream out;
  auto ts = e.value("ts", std::int64_t{0});
  std::time_t secs = static_cast<std::time_t>(ts / 1000);
  char tbuf[16];
  std::strftime(tbuf, sizeof tbuf, "%H:%M:%S", std::gmtime(&secs));
  auto type = e.value("type", "");
  out << tbuf << " " << pad(type, 8);
  if (type == "signal")
    out << d.value("symbol", "") << " " << d.value("direction", "") << " score "
        << num(d.value("score", 0.0), 3) << " conf " << num(d.value("confidence", 0.0), 0);
  else if (type == "insight")
    out << d.value("symbol", "") << " " << d.value("direction", "") << " "
        << (d.value("approved", false) ? "approved" : "vetoed: " + d.value("reason", ""));
  else if (type == "candle")
    out << d.value("symbol", "") << " " << d.value("interval", "") << " close "
        << num(d.value("close", 0.0), 2);
  else if (type == "post")
    out << d.value("channel", "") << " " << d.value("state", "") << " " << d.value("id", "") << " "
        << d.value("url", "");
  else if (type == "restart")
    out << d.value("path", "") << " restart #" << d.value("restarts", 0) << " ("
        << d.value("reason", "") << ")";
  else
    out << d.dump();
  return out.str();
}

/// True when a line is waiting on stdin (for `top` and `tail` to stop).
bool enter_pressed(int timeout_ms) {
  fd_set fds;
  FD_ZERO(&fds);
  FD_SET(STDIN_FILENO, &fds);
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  if (select(STDIN_FILENO + 1, &fds, nullptr, nullptr, &tv) > 0) {
    std::string discard;
    std::getline(std::cin, discard);
    return true;
  }
  return false;
}

class session {
public:
  session(caf::actor_system& sys, ops::inspector_actor inspector, std::string token)
    : self_(sys), inspector_(std::move(inspector)), token_(std::move(token)) {}

  /// Sends one line; false with `err` set on failure.
  bool ask(const std::string& line, json& out, std::string& err) {
    bool ok = false;
    self_->request(inspector_, std::chrono::seconds{10}, console_command{token_, line})
      .receive(
        [&](std::string& answer) {
          out = json::parse(answer, nullptr, false);
          if (out.is_discarded()) {
            err = "the inspector answered something that is not JSON";
          } else if (out.contains("error")) {
            err = out["error"].value("code", "") + ": " + out["error"].value("message", "");
          } else {
            ok = true;
          }
        },
        [&](caf::error& e) {
          err = "no answer from the inspector: " + self_->system().render(e);
        });
    return ok;
  }

  /// Runs one command line; returns false when it failed.
  bool run(const std::string& line, bool interactive) {
    std::istringstream in{line};
    std::string verb;
    in >> verb;
    if (verb.empty())
      return true;
    if (verb == "help" || verb == "?") {
      std::cout << help_text;
      return true;
    }
    json j;
    std::string err;
    if (verb == "top") {
      for (;;) {
        if (!ask("top", j, err))
          return fail(err);
        if (interactive)
          std::cout << "\x1b[H\x1b[2J";
        std::cout << render_top(j);
        if (!interactive)
          return true;
        std::cout << "(refreshing every second; Enter stops)" << std::flush;
        if (enter_pressed(1000))
          return true;
      }
    }
    if (verb == "tail") {
      std::uint64_t after = 0;
      if (!ask("events", j, err))
        return fail(err);
      // Start with the last few events, then follow.
      auto last = j.value("last_seq", std::uint64_t{0});
      after = last > 10 ? last - 10 : 0;
      for (;;) {
        if (!ask("events " + std::to_string(after), j, err))
          return fail(err);
        for (const auto& e : j["items"]) {
          std::cout << render_event(e) << "\n";
          after = std::max(after, e.value("seq", std::uint64_t{0}));
        }
        std::cout << std::flush;
        if (interactive ? enter_pressed(500) : (std::this_thread::sleep_for(std::chrono::milliseconds{500}), false))
          return true;
      }
    }
    if (!ask(line, j, err))
      return fail(err);
    if (verb == "tree") {
      std::cout << render_tree(j);
    } else if (verb == "signals" || verb == "insights") {
      for (const auto& x : j["items"]) {
        if (verb == "signals")
          std::cout << x.value("id", "") << "  " << pad(x.value("direction", ""), 6) << " score "
                    << num(x.value("score", 0.0), 3) << "  conf " << num(x.value("confidence", 0.0), 0)
                    << "  price " << num(x.value("price", 0.0), 2) << "\n";
        else
          std::cout << x.value("id", "") << "  " << pad(x.value("direction", ""), 6) << " "
                    << (x.value("approved", false) ? "approved" : "vetoed: " + x.value("reason", ""))
                    << "\n";
      }
      if (j["items"].empty())
        std::cout << "(none yet)\n";
    } else if (verb == "cluster" && j.contains("nodes")) {
      std::cout << render_cluster(j);
    } else if (verb == "cluster" && j.contains("agents")) {
      for (const auto& a : j["agents"])
        std::cout << pad(a.value("path", ""), 44) << pad(a.value("status", ""), 9)
                  << a.value("restarts", 0) << " restarts\n";
      if (j["agents"].empty())
        std::cout << "(no agents registered for that node)\n";
    } else if (verb == "restart" || verb == "kill" || verb == "pause" || verb == "resume") {
      std::cout << j.value("message", "done") << "\n";
    } else {
      std::cout << j.dump(2) << "\n";
    }
    return true;
  }

private:
  bool fail(const std::string& err) {
    std::cerr << "herald console: " << err << "\n";
    return false;
  }

  caf::scoped_actor self_;
  ops::inspector_actor inspector_;
  std::string token_;
};


/// The session: one command (-c) or the interactive loop.
int converse(caf::actor_system& sys, const ops::inspector_actor& inspector,
             const std::string& token, const invocation& inv, const std::string& where) {
  session s{sys, inspector, token};
  if (inv.has("c"))
    return s.run(inv.get("c"), false) ? exit_ok : exit_failure;

  // Interactive: libedit for line editing and history (~/.herald_history).
  std::string history;
  if (const char* home = std::getenv("HOME"))
    history = std::string{home} + "/.herald_history";
  using_history();
  if (!history.empty())
    read_history(history.c_str());
  std::cout << "herald console: connected to " << where << " (help for commands)\n";
  for (;;) {
    char* raw = readline("herald> ");
    if (raw == nullptr)
      break;
    std::string line{raw};
    std::free(raw);
    auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos)
      continue;
    add_history(line.c_str());
    if (line.substr(first) == "quit" || line.substr(first) == "exit")
      break;
    s.run(line, isatty(STDIN_FILENO) != 0);
  }
  if (!history.empty())
    write_history(history.c_str());
  return exit_ok;
}

bool parse_port(const invocation& inv, std::uint16_t& port) {
  if (!inv.has("port"))
    return true;
  auto p = inv.get("port");
  if (p.empty() || p.find_first_not_of("0123456789") != std::string::npos || p.size() > 5
      || std::stoi(p) == 0 || std::stoi(p) > 65535) {
    std::cerr << "herald console: --port needs a port number (1-65535), got '" << p << "'\n";
    return false;
  }
  port = static_cast<std::uint16_t>(std::stoi(p));
  return true;
}

/// `herald console --node`: the node's [cluster] section says where its node
/// agent listens and which certificate to present; the node agent hands out
/// its inspector. Over TLS the console is authenticated like a peer (a
/// certificate of the cluster CA), and then by its API token.
int node_console_main(const invocation& inv) {
  const char* me = "herald console";
  auto p = prepare(inv);
  if (!p)
    return exit_usage;
  p->system.set("logger.verbosity", caf::atom("quiet"));
  auto plan = plan_node(*p, inv);
  if (!plan)
    return exit_usage;
  auto& s = p->loaded.values;
  std::string host = plan->address == "0.0.0.0" || plan->address == "::" ? "127.0.0.1"
                                                                           : plan->address;
  std::uint16_t port = plan->port;
  if (!plan->advertise.empty()) {
    auto colon = plan->advertise.rfind(':');
    host = plan->advertise.substr(0, colon);
    port = static_cast<std::uint16_t>(std::stoi(plan->advertise.substr(colon + 1)));
  }
  if (inv.has("host"))
    host = inv.get("host");
  if (!parse_port(inv, port))
    return exit_usage;
  if (port == 0) {
    std::cerr << me << ": cluster.port is 0 (any free port): pass the node's --port\n";
    return exit_usage;
  }
  auto token = inv.has("token") ? inv.get("token")
                                : default_console_token(s.get_string("http.token-file"));
  if (token.empty()) {
    std::cerr << me << ": no token: pass --token or set HERALD_API_TOKEN\n";
    return exit_usage;
  }
  caf::actor_system sys{p->system};
  auto where = host + ":" + std::to_string(port) + (plan->tls ? " (mutual TLS)" : " (plain TCP)");
  auto agent = plan->tls
                 ? caf::openssl::remote_actor<cluster_actors::node_agent_actor>(sys, host, port)
                 : sys.middleman().remote_actor<cluster_actors::node_agent_actor>(host, port);
  if (!agent) {
    std::cerr << me << ": cannot reach the node agent at " << where << ": "
              << sys.render(agent.error())
              << (plan->tls ? " (is the node up? is this the cluster's CA and a certificate "
                              "it signed: cluster.ca-file, cluster.cert-file?)"
                            : " (is the node up?)")
              << "\n";
    return exit_failure;
  }
  caf::scoped_actor self{sys};
  std::optional<ops::inspector_actor> inspector;
  self->request(*agent, std::chrono::seconds{10}, caf::get_atom::value,
                std::string{"ops.inspector"})
    .receive([&](caf::actor& a) { inspector = caf::actor_cast<ops::inspector_actor>(a); },
             [&](caf::error& e) {
               std::cerr << me << ": " << where << ": " << sys.render(e)
                         << " (connect to a node with the ops role)\n";
             });
  if (!inspector)
    return exit_failure;
  return converse(sys, *inspector, token, inv, where);
}

} // namespace

int console_command_main(const invocation& inv) {
  if (inv.has("node"))
    return node_console_main(inv);
  // Defaults from the config file when there is one (address, port, token file).
  std::string host = "127.0.0.1", token_file = "var/console-token";
  std::uint16_t port = 4242;
  {
    config::herald_system_config probe;
    config::loaded_config loaded;
    auto path = inv.has("config") ? inv.get("config") : config::default_config_path();
    if (config::load(probe, path, inv.has("config"), inv.overrides, loaded).empty()) {
      host = loaded.values.get_string("inspector.address");
      port = static_cast<std::uint16_t>(loaded.values.get_int("inspector.port"));
      token_file = loaded.values.get_string("http.token-file");
    } else if (inv.has("config")) {
      std::cerr << "herald console: cannot read " << path << " (run `herald config check`)\n";
      return exit_usage;
    }
  }
  if (inv.has("host"))
    host = inv.get("host");
  if (!parse_port(inv, port))
    return exit_usage;
  auto token = inv.has("token") ? inv.get("token") : default_console_token(token_file);
  if (token.empty()) {
    std::cerr << "herald console: no token: pass --token, set HERALD_API_TOKEN, or run herald "
                 "without HERALD_API_TOKENS so that it writes "
              << token_file << "\n";
    return exit_usage;
  }

  config::herald_system_config cfg;
  cfg.set("logger.verbosity", caf::atom("quiet"));
  cfg.set("middleman.heartbeat-interval", caf::timespan{std::chrono::seconds{1}});
  caf::actor_system sys{cfg};
  auto remote = sys.middleman().remote_actor<ops::inspector_actor>(host, port);
  if (!remote) {
    std::cerr << "herald console: cannot connect to the inspector at " << host << ":" << port
              << ": " << sys.render(remote.error())
              << " (is `herald run` up? see [inspector] address/port)\n";
    return exit_failure;
  }
  return converse(sys, *remote, token, inv, host + ":" + std::to_string(port));
}

} // namespace herald::app
