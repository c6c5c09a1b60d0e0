// herald run: the whole system in one process.

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <condition_variable>
#include <functional>
#include <iostream>
#include <mutex>
#include <thread>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <nlohmann/json.hpp>

#include "actors/analysis/pipeline.hpp"
#include "actors/analysis/risk.hpp"
#include "actors/app_tree.hpp"
#include "actors/content/content.hpp"
#include "content/templates.hpp"
#include "actors/data/hub.hpp"
#include "actors/data/persistence.hpp"
#include "market/interval.hpp"
#include "app/backtest_engine.hpp"
#include "app/commands.hpp"
#include "app/database.hpp"
#include "app/node.hpp"
#include "app/ops_setup.hpp"
#include "app/prepare.hpp"
#include "app/run_steps.hpp"
#include "io/http/server.hpp"
#include "io/logging.hpp"
#include "ops/board.hpp"
#include "ops/journal.hpp"
#include "supervisor/agent_directory.hpp"

namespace herald::app {


/// `herald run` (node == false) and `herald node`: the same tree; a node
/// holds only its roles' agents and adds the node agent and membership.
int run_system(const invocation& given, bool node) {
  // --candles N: a bounded run, as fast as possible unless --scanner.speed is given.
  auto inv = given;
  if (inv.has("candles")) {
    auto n = inv.get("candles");
    if (n.empty() || n.find_first_not_of("0123456789") != std::string::npos || n == "0") {
      std::cerr << "herald run: --candles needs a positive number, got '" << n << "'\n";
      return exit_usage;
    }
    inv.overrides.push_back("--scanner.max-candles=" + n);
    bool speed_given = std::any_of(inv.overrides.begin(), inv.overrides.end(), [](auto& o) {
      return o.rfind("--scanner.speed=", 0) == 0;
    });
    if (!speed_given)
      inv.overrides.push_back("--scanner.speed=0");
  }
  if (node)
    node_overrides(inv);
  auto p = prepare(inv);
  if (!p)
    return exit_usage;
  const auto& s = p->loaded.values;
  if (!setup_logging(s))
    return exit_usage;
  auto log = logging::get("herald");
  std::optional<node_plan> plan;
  if (node) {
    plan = plan_node(*p, inv);
    if (!plan)
      return exit_usage;
  }

  // The database first: nothing runs against a schema it does not know.
  bool usage_error = false;
  auto store = open_database(p->loaded, {}, usage_error);
  // What this run did (its replies, its pieces' snapshots) is what the
  // bounded-run summary counts.
  const std::int64_t run_started_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count();
  if (!store)
    return usage_error ? exit_usage : exit_failure;
  try {
    auto report = store->migrate();
    for (auto& m : report.applied)
      log->info("database {}: applied migration {}", store->location(), m);
    log->info("database {} ({}) at schema version {}", store->location(), store->backend(),
              report.to_version);
  } catch (const db::storage_error& e) {
    log->critical("database {}: {}", store->location(), e.what());
    return exit_failure;
  }

  auto board = std::make_shared<ops::board>();
  auto journal = std::make_shared<ops::journal>();

  // Operations: API tokens, the inspector's board and event journal.
  auto tokens = load_api_tokens(p->loaded);
  if (!tokens.error.empty()) {
    log->critical("{}", tokens.error);
    return exit_usage;
  }
  if (!tokens.generated_file.empty())
    log->info("HERALD_API_TOKENS is not set: an admin token for this run is in {} (mode 0600)",
              tokens.generated_file);
  auto event_sink = logging::add_event_sink(
    [journal](const std::string& logger, const std::string& level, const std::string& message) {
      journal->push("log", nlohmann::json{{"logger", logger}, {"level", level},
                                             {"message", message}}
                               .dump());
    });
  p->system.actor_stats = s.get_bool("ops.actor-stats");
  p->system.stats_interval =
    std::chrono::duration_cast<std::chrono::milliseconds>(s.get_duration("ops.stats-interval"));

  // The inspector's port must be free: CAF's publish binds it later, inside
  // the inspector, and would only log there. Two herald processes on one
  // machine must not share a port (exit 2 with what to change).
  // A TLS node publishes nothing in plain TCP (CAF 0.17 would let TLS
  // traffic leak to the plain port): no terminal-console endpoint there.
  bool publish_inspector = s.get_bool("inspector.enabled") && (!plan || !plan->tls);
  if (plan && plan->tls && s.get_bool("inspector.enabled"))
    log->info("inspector: not published on a TLS node (CAF 0.17 must not publish plain TCP "
              "next to TLS); the terminal console connects with `herald console --node`");
  if (publish_inspector) {
    auto addr = s.get_string("inspector.address");
    auto port = static_cast<std::uint16_t>(s.get_int("inspector.port"));
    {
      // Port 0 too: the address itself may not be local or not numeric.
      auto b = io::http::bind_problem(addr, port);
      if (!b.ok) {
        log->critical("inspector: cannot listen on {}:{}: {}", addr, port,
                      b.in_use ? "the port is in use (another herald running?); stop it, or set "
                                 "[inspector] port or inspector.enabled=false"
                               : b.message + "; check [inspector] address and port");
        return exit_usage;
      }
    }
  }

  // Block the shutdown signals before CAF starts its threads, so that only
  // the shutdown controller receives them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  int rc = exit_ok;
  std::shared_ptr<std::atomic<std::uint64_t>> unwritten; // set when the tree is built
  std::string console_url;
  {
    caf::actor_system sys{p->system};
    auto dir = std::make_shared<supervision::agent_directory>();
    auto progress = std::make_shared<data::run_progress>();
    auto bounded = s.get_int("scanner.max-candles") > 0;
    auto control = ops::make_agent_control(sys, dir);
    auto iopts = std::make_shared<ops::inspector_options>(inspector_options_from(s));
    iopts->directory = dir;
    iopts->board_ = board;
    iopts->journal_ = journal;
    iopts->tokens = tokens.tokens;
    iopts->control = control;
    iopts->storage = store;
    auto flow = std::make_shared<ops::flow_gauges>();
    iopts->flow = flow;
    iopts->publish = publish_inspector;
    auto cluster_view = plan ? std::make_shared<cluster::view>() : nullptr;
    auto cluster_board = plan ? std::make_shared<cluster::board>(plan->name) : nullptr;
    iopts->cluster = cluster_view;
    if (plan) {
      iopts->cluster_ttl_ms = plan->lease_ttl.count();
      iopts->node_name = plan->name;
    }
    // The HTTP server (health, metrics, API, web console, the articles site)
    // binds before any agent starts: a port in use stops herald at once
    // (exit 2), before it has touched anything.
    std::unique_ptr<io::http::server> http;
    std::string served_site;
    std::uint16_t http_port = 0;
    if (s.get_bool("http.enabled")) {
      io::http::server_options ho;
      ho.address = s.get_string("http.address");
      ho.port = static_cast<std::uint16_t>(s.get_int("http.port"));
      ho.threads = static_cast<int>(s.get_int("http.threads"));
      ho.metrics_open = s.get_bool("http.metrics-open");
      ho.rate_limit = s.get_real("http.rate-limit");
      ho.rate_burst = s.get_real("http.rate-burst");
      ho.max_connections = static_cast<std::size_t>(s.get_int("http.max-connections"));
      ho.max_connections_per_address =
        static_cast<std::size_t>(s.get_int("http.max-connections-per-address"));
      ho.max_streams = static_cast<std::size_t>(s.get_int("http.max-streams"));
      ho.max_streams_per_address = static_cast<std::size_t>(s.get_int("http.max-streams-per-address"));
      ho.request_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
        s.get_duration("http.request-timeout"));
      ho.idle_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
        s.get_duration("http.idle-timeout"));
      if (s.get_bool("content.enabled") && s.get_bool("publish.articles.enabled"))
        ho.site_dir = s.get_string("publish.articles.dir");
      io::http::server_context hc;
      hc.board = board;
      hc.journal = journal;
      hc.tokens = tokens.tokens;
      hc.control = control;
      hc.storage = store;
      hc.node_name = plan ? plan->name : s.get_string("herald.node-name");
      hc.node_id = caf::to_string(sys.node());
      hc.config_json = effective_config_json(p->loaded);
      hc.cluster = cluster_view;
      hc.cluster_board = cluster_board;
      hc.cluster_ttl_ms = plan ? plan->lease_ttl.count() : 0;
      if (store && s.get_bool("content.enabled") && s.get_bool("learning.coordinator.enabled")) {
        auto loops = learning_actors::loop_settings_from(s);
        hc.learning_status = [store, loops] {
          return learning::status_json(*store, loops, ops::wall_ms());
        };
      }
      if (plan)
        hc.backtest = backtest_service(
          sys, dir, store, analysis_options_from(s), plan->name,
          s.get_bool("content.enabled") ? std::optional{strategist_options_from(s)} : std::nullopt);
      hc.started_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
      http = std::make_unique<io::http::server>(ho, hc);
      try {
        http_port = http->start();
      } catch (const std::exception& e) {
        log->critical("http: {}", e.what());
        return exit_usage;
      }
      auto host = ho.address == "0.0.0.0" || ho.address == "::" || ho.address.empty()
                    ? std::string{"localhost"}
                    : ho.address.find(':') != std::string::npos ? "[" + ho.address + "]"
                                                                 : ho.address;
      console_url = "http://" + host + ":" + std::to_string(http_port) + "/";
      if (!ho.site_dir.empty())
        served_site = console_url + "site/";
      log->info("http: listening on {} (web console, /api/v1, /metrics{})", console_url,
                served_site.empty() ? "" : ", the articles site at /site/");
    }
    // The content agents' options: templates loaded and checked, credentials
    // read, before anything starts.
    std::shared_ptr<const content_actors::content_options> content_opts;
    if (s.get_bool("content.enabled")) {
      try {
        auto co =
          content_options_from(s, p->loaded.secret_store, store, p->loaded.path, served_site);
        co.journal = journal;
        content_opts = std::make_shared<const content_actors::content_options>(std::move(co));
      } catch (const std::exception& e) {
        log->critical("content: {}", e.what());
        return exit_usage;
      }
    }
    // The community listeners: credentials read before anything starts.
    std::shared_ptr<const community_actors::community_options> community_opts;
    if (store) {
      try {
        community_opts = std::make_shared<const community_actors::community_options>(
          community_actors::community_options_from(s, p->loaded.secret_store, store,
                                                   p->loaded.path));
      } catch (const std::exception& e) {
        log->critical("community: {}", e.what());
        return exit_usage;
      }
    }
    // The A/B agent: the experiments file read and checked before anything
    // starts.
    std::shared_ptr<const learning_actors::ab_options> ab_opts;
    if (store && content_opts && s.get_bool("learning.ab.enabled")) {
      try {
        auto ao = learning_actors::ab_options_from(s, store);
        ao.check = learning_actors::template_check(content_opts->templates);
        // With the coordinator, settling is its `ab` loop (scheduled and logged).
        ao.own_schedule = !s.get_bool("learning.coordinator.enabled");
        for (auto& d : ao.experiments)
          if (auto why = ao.check(d); !why.empty())
            throw std::invalid_argument(s.get_string("learning.ab.experiments-file") + ": " + why);
        ab_opts = std::make_shared<const learning_actors::ab_options>(std::move(ao));
      } catch (const std::exception& e) {
        log->critical("learning: {}", e.what());
        return exit_usage;
      }
    }
    std::shared_ptr<const learning_actors::coordinator_options> coordinator_opts;
    if (store && content_opts && s.get_bool("learning.coordinator.enabled"))
      coordinator_opts = std::make_shared<const learning_actors::coordinator_options>(
        learning_actors::coordinator_options_from(s, store));
    unwritten = std::make_shared<std::atomic<std::uint64_t>>(0);
    caf::scoped_actor self{sys};
    // A node joins the cluster before its agents start: the node agent is
    // published and dials its peers, and this incarnation holds its name.
    node_runtime cluster_node;
    if (plan) {
      auto err = cluster_node.start(sys, *plan, dir, store, cluster_view, cluster_board,
                                    [me = caf::actor{self}] {
                                      caf::anon_send(me, caf::close_atom::value);
                                    });
      if (!err.empty()) {
        log->critical("cluster: {}", err);
        if (http)
          http->stop();
        return exit_usage;
      }
      self->monitor(cluster_node.agent());
    }
    app_services services{dir, store, progress, content_opts, iopts, unwritten, flow, {}, {}, {}, {}, {}, {}};
    services.community = community_opts;
    services.ab = ab_opts;
    services.coordinator = coordinator_opts;
    if (plan) {
      services.roles = plan->roles;
      services.board = cluster_board;
      services.node_name = plan->name;
    }
    auto root = caf::actor_cast<caf::actor>(
      supervision::spawn_supervisor(sys, make_root_config(s, services)));
    log->info("herald {} starting on node '{}' (config: {})", HERALD_VERSION,
              plan ? plan->name : s.get_string("herald.node-name"),
              p->loaded.path.empty() ? std::string{"defaults"} : p->loaded.path);
    self->monitor(root);
    caf::error root_reason;
    {
      auto grace = s.get_duration("herald.shutdown-grace");
      shutdown_controller ctl{root, grace,
                              [me = caf::actor{self}] { caf::anon_send(me, caf::close_atom::value); }};
      // Ready once the whole tree has started, in order (or the tree died).
      // Asked once a second, so that a signal during the start stops it.
      bool up = false;
      for (bool gave_up = false; !up && !gave_up;) {
        if (ctl.requested()) {
          log->info("stop requested while starting; stopping");
          caf::anon_send_exit(root, caf::exit_reason::user_shutdown);
          break;
        }
        self->request(caf::actor_cast<supervision::supervisor_actor>(root),
                      std::chrono::seconds{1}, ready_atom::value)
          .receive(
            [&](bool) {
              up = true;
              log->info("herald running: supervision tree up; SIGINT or SIGTERM stops it");
              print_first_hour(s, console_url, served_site, tokens.generated_file, bounded);
            },
            [&](caf::error& e) {
              // The root died: its down_msg follows and tells why.
              gave_up = e != caf::sec::request_timeout;
            });
      }
      // A bounded run ends when its source is done: a helper thread turns that
      // into a message to this (scoped) actor.
      std::thread waiter;
      std::atomic<bool> stop_waiter{false};
      if (bounded)
        waiter = std::thread([&, me = caf::actor{self}] {
          while (!stop_waiter)
            if (progress->wait_done(1, std::chrono::steady_clock::now()
                                         + std::chrono::milliseconds{200})) {
              caf::anon_send(me, caf::ok_atom::value);
              return;
            }
        });
      bool finished = false;
      bool root_is_down = false;
      while (!root_is_down) {
        self->receive(
          [&](caf::down_msg& dm) {
            if (dm.source != root.address()) {
              // The node agent is the node's identity: without it the node
              // stops (and comes back as a new incarnation).
              log->critical("cluster: the node agent died ({}); the node stops",
                            supervision::describe_reason(dm.reason));
              rc = exit_failure;
              caf::anon_send_exit(root, caf::exit_reason::user_shutdown);
              return;
            }
            root_reason = dm.reason;
            root_is_down = true;
          },
          [&](caf::close_atom) {
            if (!up)
              return; // stopped while starting: the tree is stopping already
            // SIGINT/SIGTERM: the sources stop producing; within half the
            // grace period (less when the writer's flush needs more) the hub stores what it accepted and the pipeline
            // and risk manager finish what they hold (each is bounded by
            // back-pressure), so that a stop leaves every stored candle with
            // its analysis and signal. Then the tree stops in order.
            progress->request_stop();
            if (auto chaos = caf::actor_cast<caf::actor>(dir->find("ops.chaos")))
              caf::anon_send(chaos, pause_atom::value);
            // What is left of the grace period after it must still hold the
            // writer's last flush (db.shutdown-flush-timeout) and the tree's
            // stop: at most half of it, and no more than grace - flush - 2 s.
            auto budget = std::min<std::chrono::nanoseconds>(
              grace / 2, grace - s.get_duration("db.shutdown-flush-timeout")
                           - std::chrono::seconds{2});
            budget = std::max<std::chrono::nanoseconds>(budget, std::chrono::nanoseconds{0});
            auto until = std::chrono::steady_clock::now() + budget;
            log->info("stopping: sources stopped; storing and analysing what is in flight "
                      "(at most {} ms)",
                      std::chrono::duration_cast<std::chrono::milliseconds>(budget).count());
            bool stored = flush_hub(self, *dir, until);
            bool drained = stored && drain_analysis(self, *dir, until);
            if (!stored || !drained)
              log->warn("stopping before everything in flight was {}: the next start goes on "
                        "from the database",
                        stored ? "analysed" : "stored");
            caf::anon_send_exit(root, caf::exit_reason::user_shutdown);
          },
          [&](caf::ok_atom) {
            // The input is complete: chaos stops here, so that the drain
            // below measures what the run produced, not the last kills.
            if (auto chaos = caf::actor_cast<caf::actor>(dir->find("ops.chaos"))) {
              caf::anon_send(chaos, pause_atom::value);
              log->info("bounded run: input complete; chaos paused for the drain");
            }
            // Drain: the hub hands its candles to persistence, which writes them.
            // A persistence agent that is restarting makes a flush answer
            // false: ask again until everything is stored or 120 s passed.
            if (!flush_hub(self, *dir,
                           std::chrono::steady_clock::now() + std::chrono::seconds{120}))
              log->warn("bounded run: not every candle could be stored within 120 s");
            drain_analysis_and_content(self, *dir, s, content_opts != nullptr);
            if (community_opts)
              drain_community(self, *dir, store.get(), run_started_ms);
            auto done = progress->done();
            print_summary(self, *dir, done.empty() ? 0 : done.begin()->second);
            finished = true;
            log->info("bounded run finished; stopping");
            caf::anon_send_exit(root, caf::exit_reason::user_shutdown);
          });
      }
      stop_waiter = true;
      if (waiter.joinable())
        waiter.join();
      if (http)
        http->stop();
      cluster_node.stop();
      ctl.root_down();
      if (ctl.timed_out())
        rc = exit_failure;
      else if (!ctl.requested() && !finished && rc == exit_ok) {
        log->critical("the root supervisor failed ({}); herald stops",
                      supervision::describe_reason(root_reason));
        rc = exit_failure;
      }
    }
    log->info("herald stopped ({})", rc == exit_ok ? "orderly shutdown"
                                                   : supervision::describe_reason(root_reason));
  } // ~actor_system waits for every actor
  if (unwritten && *unwritten > 0 && rc == exit_ok) {
    // Accepted records did not reach the database (spilled or lost): a
    // script or an orchestrator must not read this stop as clean.
    logging::get("herald")->error("{} accepted records were not written to the database "
                                  "before the stop (see db.spill-file); exit code 1",
                                  unwritten->load());
    rc = exit_failure;
  }
  logging::remove_event_sink(event_sink);
  logging::flush_all();
  return rc;
}

int run_command(const invocation& inv) {
  return run_system(inv, false);
}

int node_command(const invocation& inv) {
  return run_system(inv, true);
}

} // namespace herald::app
