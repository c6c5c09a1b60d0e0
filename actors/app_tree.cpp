#include "actors/app_tree.hpp"

#include <caf/all.hpp>

#include "market/interval.hpp"

#include "actors/data/binance_source.hpp"
#include "actors/data/news.hpp"
#include "io/news/feed.hpp"
#include "actors/data/sources.hpp"
#include "actors/ops/chaos.hpp"
#include "actors/ops/health.hpp"

namespace herald {

using namespace supervision;

supervisor_flags supervisor_flags_for(const config::settings& s, const std::string& name,
                                      strategy strat) {
  auto sec = "supervision." + name + ".";
  supervisor_flags f;
  f.strat = strat;
  f.intensity = s.get_int(sec + "intensity");
  f.period = s.get_duration(sec + "period");
  return f;
}

backoff_options backoff_for(const config::settings& s, const std::string& name) {
  auto sec = "supervision." + name + ".";
  backoff_options b;
  b.min = s.get_duration(sec + "backoff-min");
  b.max = s.get_duration(sec + "backoff-max");
  b.random_factor = s.get_real(sec + "backoff-random-factor");
  b.reset_after = s.get_duration(sec + "backoff-reset");
  return b;
}

namespace {

child_spec worker(const config::settings& s, const std::string& sup, std::string name,
                  std::function<caf::actor(caf::local_actor*, const std::string&)> start) {
  child_spec c;
  c.name = std::move(name);
  c.start = std::move(start);
  c.restart = restart_type::permanent;
  c.shutdown_timeout = s.get_duration("supervision." + sup + ".shutdown-timeout");
  c.backoff = backoff_for(s, sup);
  return c;
}

supervisor_config domain(const config::settings& s, const std::string& name, strategy strat,
                         std::shared_ptr<agent_directory> dir, std::vector<child_spec> kids) {
  supervisor_config c;
  c.name = name;
  c.path = name;
  c.flags = supervisor_flags_for(s, name, strat);
  c.children = std::move(kids);
  c.directory = std::move(dir);
  return c;
}

} // namespace

data::persistence_options persistence_options_from(const config::settings& s) {
  data::persistence_options o;
  o.batch_size = static_cast<std::size_t>(s.get_int("db.batch-size"));
  o.batch_interval = s.get_duration("db.batch-interval");
  o.queue_capacity = static_cast<std::size_t>(s.get_int("db.queue-capacity"));
  o.retry_min = s.get_duration("db.retry-min");
  o.retry_max = s.get_duration("db.retry-max");
  o.shutdown_flush_timeout = s.get_duration("db.shutdown-flush-timeout");
  return o;
}

data::hub_options hub_options_from(const config::settings& s) {
  data::hub_options o;
  o.depth = static_cast<std::size_t>(s.get_int("hub.depth"));
  o.resample_to = s.get_list("hub.resample-to");
  o.persist = s.get_bool("hub.persist");
  return o;
}

namespace {

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace

supervisor_config make_root_config(const config::settings& s, const app_services& services) {
  auto dir = services.directory;
  // -- ops ----------------------------------------------------------------------
  std::vector<child_spec> ops;
  auto interval = s.get_duration("ops.health-interval");
  ops.push_back(worker(s, "ops", "health", [interval, dir](caf::local_actor* self,
                                                           const std::string&) {
    return caf::actor_cast<caf::actor>(ops::spawn_health(self, interval, dir));
  }));
  if (s.get_real("chaos.kill-rate") > 0) {
    ops::chaos_options copts;
    copts.kill_rate = s.get_real("chaos.kill-rate");
    copts.pattern = s.get_string("chaos.kill-pattern");
    copts.seed = static_cast<std::uint64_t>(s.get_int("chaos.seed"));
    copts.self_path = "ops.chaos";
    ops.push_back(worker(s, "ops", "chaos", [copts, dir](caf::local_actor* self,
                                                         const std::string&) {
      return caf::actor_cast<caf::actor>(ops::spawn_chaos(self, copts, dir));
    }));
  }

  // -- data -------------------------------------------------------------------
  std::vector<child_spec> data_children;
  if (services.storage) {
    auto store = services.storage;
    auto popts = persistence_options_from(s);
    auto persistence = worker(s, "data", "persistence", [store, popts](caf::local_actor* self,
                                                                       const std::string&) {
      return caf::actor_cast<caf::actor>(data::spawn_persistence(self, store, popts));
    });
    // It flushes every accepted record before it exits: give it the time.
    persistence.shutdown_timeout = std::max(persistence.shutdown_timeout,
                                            popts.shutdown_flush_timeout
                                              + std::chrono::seconds{2});
    data_children.push_back(std::move(persistence));
  }
  if (services.progress) {
    auto hopts = hub_options_from(s);
    hopts.persist = hopts.persist && services.storage != nullptr;
    data_children.push_back(worker(s, "data", "hub", [hopts, dir](caf::local_actor* self,
                                                                  const std::string&) {
      return caf::actor_cast<caf::actor>(data::spawn_hub(self, hopts, dir));
    }));
    auto progress = services.progress;
    auto max = static_cast<std::uint64_t>(s.get_int("scanner.max-candles"));
    auto speed = s.get_real("scanner.speed");
    if (s.get_string("scanner.source") == "binance") {
      data::binance_source_options bo;
      bo.rest.base_url = s.get_string("binance.rest-url");
      bo.rest.weight_share = s.get_real("binance.weight-share");
      bo.ws_url = s.get_string("binance.ws-url");
      bo.symbols = s.get_list("scanner.symbols");
      bo.interval = s.get_string("scanner.interval");
      bo.backfill = std::chrono::duration_cast<std::chrono::milliseconds>(
        s.get_duration("binance.backfill"));
      bo.max_candles = max;
      data_children.push_back(worker(s, "data", "scanner", [bo, dir, progress](
                                                               caf::local_actor* self,
                                                               const std::string&) {
        return caf::actor_cast<caf::actor>(data::spawn_binance_source(self, bo, dir, progress));
      }));
    } else if (s.get_string("scanner.source") == "replay") {
      data::replay_source_options ro;
      ro.files = s.get_list("scanner.files");
      ro.symbol = s.get_list("scanner.symbols").empty() ? "" : s.get_list("scanner.symbols")[0];
      ro.speed = speed;
      ro.max_candles = max;
      data_children.push_back(worker(s, "data", "scanner", [ro, dir, progress](
                                                               caf::local_actor* self,
                                                               const std::string&) {
        return caf::actor_cast<caf::actor>(data::spawn_replay_source(self, ro, dir, progress));
      }));
    } else {
      data::sim_source_options so;
      auto interval = s.get_string("scanner.interval");
      auto ms = *market::interval_ms(interval);
      for (auto& sym : s.get_list("scanner.symbols"))
        so.sim.symbols.push_back(data::default_sim_symbol(sym, ms));
      so.sim.interval = interval;
      so.sim.seed = static_cast<std::uint64_t>(s.get_int("scanner.seed"));
      auto start = s.get_int("scanner.start-time");
      so.speed = speed;
      so.max_candles = max;
      data_children.push_back(worker(s, "data", "scanner", [so, start, dir, progress](
                                                               caf::local_actor* self,
                                                               const std::string&) mutable {
        // Live runs start now; a restarted source resumes at the current time.
        so.sim.start_time = start != 0 ? start : now_ms();
        return caf::actor_cast<caf::actor>(data::spawn_sim_source(self, so, dir, progress));
      }));
    }
  }

  if (services.progress && !s.get_list("news.feeds").empty()) {
    data::news_options no;
    no.feeds = s.get_list("news.feeds");
    no.poll_interval = s.get_duration("news.poll-interval");
    no.aliases = io::news::parse_aliases(s.get_list("news.aliases"));
    data_children.push_back(worker(s, "data", "news", [no, dir](caf::local_actor* self,
                                                                const std::string&) {
      return caf::actor_cast<caf::actor>(data::spawn_news(self, no, dir));
    }));
  }

  supervisor_config root;
  root.name = "root";
  root.path = "root";
  root.flags = supervisor_flags_for(s, "root", strategy::one_for_one);
  root.directory = dir;
  root.children = {
    supervisor_child(domain(s, "ops", strategy::one_for_one, dir, std::move(ops))),
    supervisor_child(domain(s, "data", strategy::rest_for_one, dir, std::move(data_children))),
    supervisor_child(domain(s, "analysis", strategy::one_for_one, dir, {})),
    supervisor_child(domain(s, "content", strategy::rest_for_one, dir, {})),
    supervisor_child(domain(s, "community", strategy::one_for_one, dir, {})),
    supervisor_child(domain(s, "learning", strategy::one_for_one, dir, {})),
  };
  return root;
}

} // namespace herald
