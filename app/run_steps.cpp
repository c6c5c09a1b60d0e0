// The steps around the tree of `herald run` / `herald node` (run_steps.hpp).
#include "app/run_steps.hpp"

#include <algorithm>
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "actors/analysis/pipeline.hpp"
#include "actors/analysis/risk.hpp"
#include "actors/community/analytics.hpp"
#include "actors/community/engagement.hpp"
#include "actors/community/repurpose.hpp"
#include "actors/community/track_record.hpp"
#include "actors/content/content.hpp"
#include "actors/data/hub.hpp"
#include "actors/data/persistence.hpp"
#include "market/interval.hpp"

namespace herald::app {

namespace {

/// Asks the agent at `path` until it answers: an agent that is restarting
/// (chaos, a crash) is waited for in the directory and asked again, until
/// `total` has passed. `on_answer` gets the answer; false if none came.
template <class Handle, class Answer, class... Ts>
bool ask_agent(caf::scoped_actor& self, const supervision::agent_directory& dir,
               const std::string& path, std::chrono::nanoseconds total, Answer on_answer,
               Ts... xs) {
  auto log = logging::get("herald");
  auto deadline = std::chrono::steady_clock::now() + total;
  while (std::chrono::steady_clock::now() < deadline) {
    auto h = caf::actor_cast<Handle>(dir.find(path));
    if (!h) {
      dir.wait_until([&](const supervision::agent_directory& d) { return bool{d.find(path)}; },
                     deadline);
      continue;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    bool failed = false; // receive() returns after the answer or an error
    self->request(h, std::max(left, std::chrono::milliseconds{1}), xs...)
      .receive(on_answer, [&](caf::error& e) {
        failed = true;
        log->info("{} did not answer ({}); asking again", path, caf::to_string(e));
      });
    if (!failed)
      return true;
    // Its successor registers under the same path: wait for another handle.
    dir.wait_until(
      [&](const supervision::agent_directory& d) {
        auto a = d.find(path);
        return a && a != h.address();
      },
      deadline);
  }
  return false;
}

} // namespace

/// Asks the hub to store every candle it accepted, again while the
/// persistence agent is restarting, until `until`; true if all are stored.
bool flush_hub(caf::scoped_actor& self, const supervision::agent_directory& dir,
               std::chrono::steady_clock::time_point until) {
  bool stored = !dir.find("data.hub");
  while (!stored && std::chrono::steady_clock::now() < until) {
    ask_agent<data::hub_actor>(self, dir, "data.hub",
                               std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 until - std::chrono::steady_clock::now()),
                               [&](bool all) { stored = all; }, caf::flush_atom::value);
    if (!stored && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
  return stored;
}

/// Every candle the hub holds analysed and its signal committed by the risk
/// agent, until `until`; true if done.
bool drain_analysis(caf::scoped_actor& self, const supervision::agent_directory& dir,
                    std::chrono::steady_clock::time_point until) {
  auto left = [&] {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(until
                                                                - std::chrono::steady_clock::now());
  };
  if (dir.find("analysis.pipeline")
      && !ask_agent<analysis_actors::pipeline_actor>(self, dir, "analysis.pipeline", left(),
                                                     [](bool) {}, drain_atom::value))
    return false;
  if (dir.find("analysis.risk")
      && !ask_agent<analysis_actors::risk_actor>(self, dir, "analysis.risk", left(), [](bool) {},
                                                 drain_atom::value))
    return false;
  return true;
}

void print_tallies(const char* what, const std::vector<channel_tally>& ts) {
  std::cout << "herald run: " << what << ":\n";
  for (auto& t : ts) {
    std::printf("  %-9s %-8s published %llu, failed %llu, pending approval %llu, dry-run "
                "%llu, in doubt %llu, still queued %llu\n",
                t.channel.c_str(), t.mode.c_str(), static_cast<unsigned long long>(t.published),
                static_cast<unsigned long long>(t.failed),
                static_cast<unsigned long long>(t.pending_approval),
                static_cast<unsigned long long>(t.dry_run),
                static_cast<unsigned long long>(t.in_doubt),
                static_cast<unsigned long long>(t.queued));
    for (auto& u : t.urls)
      std::printf("    %s\n", u.c_str());
  }
  std::fflush(stdout);
}

/// A bounded run's end: every candle analysed, every signal through the risk
/// manager, every planned piece written and published (or parked), then the
/// per-channel summary. Each step is asked after the previous one answered,
/// so its messages are already in the next actor's mailbox. An agent that
/// is restarting is waited for (ask_agent).
void drain_analysis_and_content(caf::scoped_actor& self, const supervision::agent_directory& dir,
                                const config::settings& s, bool content) {
  auto log = logging::get("herald");
  auto timeout = std::chrono::seconds{600};
  if (!drain_analysis(self, dir, std::chrono::steady_clock::now() + timeout))
    log->warn("analysis did not drain within {} s", timeout.count());
  if (!content || !dir.find("content.strategist"))
    return;
  auto print = [](std::vector<channel_tally>& ts) { print_tallies("content published", ts); };
  if (!ask_agent<content_actors::strategist_actor>(self, dir, "content.strategist",
                                                   s.get_duration("content.drain-timeout"), print,
                                                   drain_atom::value))
    log->warn("content did not drain within content.drain-timeout; pieces not yet "
              "published stay planned and go out at the next start");
}

void drain_community(caf::scoped_actor& self, const supervision::agent_directory& dir,
                     db::storage* store, std::int64_t run_started_ms) {
  using namespace std::chrono_literals;
  if (!dir.find("community"))
    return;
  auto log = logging::get("herald");
  // what people sent, read once more; then decided and answered
  for (auto& a : dir.snapshot())
    if (a.path.rfind("community.listener.", 0) == 0 && !a.is_supervisor)
      ask_agent<community_actors::listener_actor>(self, dir, a.path, 60s, [](bool) {},
                                                  drain_atom::value);
  if (dir.find("community.engagement"))
    ask_agent<community_actors::engagement_actor>(self, dir, "community.engagement", 60s,
                                                  [](bool) {}, drain_atom::value);
  std::uint64_t outcomes = 0;
  std::string track;
  if (dir.find("community.track_record"))
    ask_agent<community_actors::track_record_actor>(
      self, dir, "community.track_record", 120s,
      [&](std::uint64_t n, std::string& piece) { outcomes = n, track = piece; }, drain_atom::value);
  auto publish = [&](bool print) {
    if (dir.find("content.publisher"))
      ask_agent<content_actors::publisher_actor>(
        self, dir, "content.publisher", 600s,
        [print](std::vector<channel_tally>& ts) {
          if (print)
            print_tallies("content published with the community pieces", ts);
        },
        drain_atom::value);
  };
  publish(false);
  // snapshots of what is out, then what performed repurposed, then their
  // own snapshots
  std::uint64_t snapshots = 0, repurposed = 0;
  auto measure = [&] {
    if (dir.find("community.analytics"))
      ask_agent<community_actors::analytics_actor>(self, dir, "community.analytics", 120s,
                                                   [&](std::uint64_t n) { snapshots += n; },
                                                   drain_atom::value);
  };
  measure();
  if (dir.find("community.repurpose"))
    ask_agent<community_actors::repurpose_actor>(self, dir, "community.repurpose", 120s,
                                                 [&](std::uint64_t n) { repurposed = n; },
                                                 drain_atom::value);
  publish(true);
  measure();
  std::cout << "herald run: community:\n";
  if (store) {
    try {
      std::map<std::string, std::size_t> states, rules;
      for (auto& r : store->replies("", run_started_ms, 1'000'000)) {
        ++states[r.state];
        if (r.state == "skipped")
          ++rules[r.rule.empty() ? "unknown" : r.rule];
      }
      std::string st, sk;
      for (auto& [k, n] : states)
        if (k != "skipped")
          st += (st.empty() ? "" : ", ") + k + " " + std::to_string(n);
      for (auto& [k, n] : rules)
        sk += (sk.empty() ? "" : ", ") + k + " " + std::to_string(n);
      std::printf("  replies   answered: %s; skipped by rule: %s\n",
                  st.empty() ? "none" : st.c_str(), sk.empty() ? "none" : sk.c_str());
      std::size_t ok = 0, other = 0;
      for (auto& m : store->snapshots_between(run_started_ms, INT64_MAX))
        (m.status == "ok" ? ok : other) += 1;
      std::printf("  analytics %zu metrics snapshots of this run's pieces (%zu deleted or missed); "
                  "%llu taken at the end\n",
                  ok, other, static_cast<unsigned long long>(snapshots));
    } catch (const std::exception& e) {
      log->warn("community summary: {}", e.what());
    }
  }
  std::printf("  track record: %llu outcome posts handed over at the end; closing article: %s\n",
              static_cast<unsigned long long>(outcomes), track.empty() ? "none" : track.c_str());
  std::printf("  repurposed: %llu pieces (threads, summaries, follow-ups) handed over at the end\n",
              static_cast<unsigned long long>(repurposed));
  std::fflush(stdout);
}

/// Where to look and what to expect, once the tree is up: the first hour of
/// a new user should not be a guess.
void print_first_hour(const config::settings& s, const std::string& console_url,
                      const std::string& served_site, const std::string& generated_token_file,
                      bool bounded) {
  auto log = logging::get("herald");
  if (!console_url.empty()) {
    auto token = generated_token_file.empty() ? std::string{"a token of HERALD_API_TOKENS"}
                                              : "the token in " + generated_token_file;
    log->info("console: {} (paste {}; or open {}#token=$(cat {})); terminal: herald console",
              console_url, token, console_url,
              generated_token_file.empty() ? std::string{"TOKENFILE"} : generated_token_file);
  }
  bool articles = s.get_bool("content.enabled") && s.get_bool("publish.articles.enabled");
  if (articles) {
    auto url = s.get_string("content.site-url");
    if (url.empty())
      url = served_site;
    log->info("articles site: {} (feed.xml for RSS; files in {})",
              url.empty() ? s.get_string("publish.articles.dir") : url,
              s.get_string("publish.articles.dir"));
  }
  if (bounded)
    return;
  auto warmup = std::max(s.get_int("analysis.market-structure.slow"),
                         s.get_int("analysis.volatility-regime.lookback")
                           + s.get_int("analysis.volatility-regime.atr-period"));
  auto source = s.get_string("scanner.source");
  auto interval = s.get_string("scanner.interval");
  if (source == "simulated") {
    auto backfill = s.get_int("scanner.start-time") == 0 ? s.get_int("scanner.backfill") : 0;
    auto speed = s.get_real("scanner.speed");
    auto ms = market::interval_ms(interval).value_or(60'000);
    auto per_bar = speed > 0 ? static_cast<double>(ms) / 1000.0 / speed : 0.0;
    log->info("what to expect: signals after {} {} bars of indicator warm-up; {}; then one bar "
              "every {:.1f} s (scanner.speed {}). Alerts need an approved insight of confidence "
              ">= {} (content.min-confidence), the daily recap comes at {} market time. For a "
              "quick look without waiting: herald run --candles 3000",
              warmup, interval,
              backfill > 0 ? "the simulated market sends " + std::to_string(backfill)
                               + " bars of history now, so the first alerts come within seconds"
                           : std::string{"no history is sent first (scanner.backfill=0 or a "
                                         "start-time is set)"},
              per_bar, speed, s.get_real("content.min-confidence"),
              s.get_string("content.recap-time"));
  } else {
    log->info("what to expect: signals after {} {} bars of indicator warm-up per series "
              "(source {}); alerts need an approved insight of confidence >= {}",
              warmup, interval, source, s.get_real("content.min-confidence"));
  }
}

void print_summary(caf::scoped_actor& self, const supervision::agent_directory& dir,
                   std::uint64_t candles) {
  std::cout << "herald run: bounded run finished: " << candles << " candles per source series\n";
  if (auto hub = caf::actor_cast<data::hub_actor>(dir.find("data.hub"))) {
    self->request(hub, std::chrono::seconds{30}, stats_atom::value)
      .receive(
        [](std::vector<series_stats>& xs) {
          std::printf("  %-12s %-8s %10s %10s %9s %5s  %s\n", "symbol", "interval", "accepted",
                      "duplicates", "rejected", "gaps", "last bar");
          for (auto& x : xs)
            std::printf("  %-12s %-8s %10llu %10llu %9llu %5llu  %s\n", x.symbol.c_str(),
                        x.interval.c_str(), static_cast<unsigned long long>(x.accepted),
                        static_cast<unsigned long long>(x.duplicates),
                        static_cast<unsigned long long>(x.rejected),
                        static_cast<unsigned long long>(x.gaps),
                        market::format_utc(x.last_open_time).c_str());
        },
        [](caf::error&) { std::cout << "  (the hub did not answer)\n"; });
  }
  if (auto db = caf::actor_cast<data::persistence_actor>(dir.find("data.persistence"))) {
    self->request(db, std::chrono::seconds{30}, caf::get_atom::value)
      .receive(
        [](db::db_status& st) {
          std::cout << "  database " << st.backend << ": " << st.written << " records written, "
                    << st.pending << " pending, " << st.rejected << " refused, " << st.failures
                    << " failed attempts\n";
        },
        [](caf::error&) { std::cout << "  (the persistence agent did not answer)\n"; });
  }
  std::cout << "  restarts: " << dir.total_restarts() << "\n" << std::flush;
}


} // namespace herald::app
