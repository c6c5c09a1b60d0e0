#include "actors/learning/ab.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include "actors/ops/instrumented.hpp"
#include "config/schema.hpp"
#include "config/settings.hpp"
#include "content/channel.hpp"
#include "content/templates.hpp"
#include "io/logging.hpp"
#include "ops/flow.hpp"

namespace herald::learning_actors {

namespace {

struct ab_state {
  static inline const char* name = "herald.learning.ab";
  std::shared_ptr<const ab_options> opts;
  std::unique_ptr<learning::ab_core> core;
  std::function<std::int64_t()> clock;
  std::shared_ptr<spdlog::logger> log;
  std::string last_error;

  std::set<std::string> stale_noted; ///< experiments whose weights are stale, said once

  /// Says when an experiment's weights expire (learning.ab.max-age) and
  /// when they are fresh again.
  void note_stale() {
    auto now = clock();
    for (auto& [id, s] : core->experiments()) {
      bool is = learning::stale(s, now, opts->bandit.max_age_ms);
      if (is && stale_noted.insert(id).second)
        log->warn("experiment '{}': its weights were computed at {} and no outcome was settled "
                  "since (learning.ab.max-age): pieces get the starting weights until outcomes "
                  "come again",
                  id, s.reweighted_at);
      if (!is && stale_noted.erase(id))
        log->info("experiment '{}': weights recomputed; the bandit allocates again", id);
    }
  }

  void warn_once(const std::string& err) {
    if (err != last_error)
      log->warn("{} (retried on the next tick)", err);
    last_error = err;
  }

  /// Reads the experiments again, then settles what is due.
  std::uint64_t tick() {
    try {
      for (auto& note : core->load())
        log->error("{}", note);
      auto rep = core->settle(clock());
      if (rep.settled > 0)
        log->info("settled {} units ({} successes, {} lost) in {} experiments; weights updated",
                  rep.settled, rep.successes, rep.lost, rep.experiments);
      note_stale();
      last_error.clear();
      return rep.settled;
    } catch (const std::exception& e) {
      // What was stored stays; the next tick goes on from there.
      warn_once(std::string{"experiments: "} + e.what());
      return 0;
    }
  }
};

ab_actor::behavior_type ab_impl(ops::instrumented_stateful<ab_actor, ab_state>* self,
                                std::shared_ptr<const ab_options> opts) {
  auto& st = self->state;
  st.opts = opts;
  st.log = logging::get("learning.ab");
  st.clock = opts->clock ? opts->clock : std::function<std::int64_t()>{ops::wall_ms};
  st.core = std::make_unique<learning::ab_core>(*opts->storage, opts->bandit, opts->check);
  try {
    for (auto& note : st.core->define(opts->experiments, st.clock()))
      st.log->warn("{}", note);
    for (auto& note : st.core->load())
      st.log->error("{}", note);
    st.log->info("{} experiments running", st.core->experiments().size());
  } catch (const std::exception& e) {
    // The database is down: ask again on the next tick (define runs again
    // only at the next start; a config experiment missing until then is
    // created then).
    st.warn_once(std::string{"experiments not loaded: "} + e.what());
  }
  self->send(self, caf::tick_atom::value); // reads the experiments (settles when on its own)
  return {
    [self](ab_assign_atom, const std::string& unit, const std::string& type,
           const std::string& channel, bool chart) -> caf::result<std::vector<ab_choice>> {
      auto& st = self->state;
      try {
        return st.core->choose(unit, type, channel, chart, st.clock());
      } catch (const std::exception& e) {
        // Not stored, so not answered: the creator writes the piece outside
        // the experiments (nothing is counted that was not stored).
        st.warn_once(std::string{"cannot assign "} + unit + ": " + e.what());
        return caf::make_error(caf::sec::runtime_error, e.what());
      }
    },
    [self](ab_hour_atom, const std::string& unit, const std::string& type,
           const std::string& channel) -> caf::result<std::vector<ab_choice>> {
      auto& st = self->state;
      try {
        return st.core->choose(unit, type, channel, false, st.clock(), true);
      } catch (const std::exception& e) {
        // Not stored, so not answered: the strategist keeps the planned time.
        st.warn_once(std::string{"cannot assign a posting hour to "} + unit + ": " + e.what());
        return caf::make_error(caf::sec::runtime_error, e.what());
      }
    },
    [self](drain_atom) -> std::uint64_t { return self->state.tick(); },
    [self](caf::tick_atom) {
      auto& st = self->state;
      if (st.opts->own_schedule) {
        st.tick();
      } else {
        try { // keep the experiments current for choose(); the coordinator settles
          for (auto& note : st.core->load())
            st.log->error("{}", note);
          st.note_stale();
        } catch (const std::exception& e) {
          st.warn_once(std::string{"experiments: "} + e.what());
        }
      }
      self->delayed_send(self, st.opts->interval, caf::tick_atom::value);
    },
  };
}

} // namespace

std::vector<learning::experiment_def> read_experiments(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::invalid_argument(path + ": cannot read the experiments file");
  std::stringstream buf;
  buf << in.rdbuf();
  auto j = nlohmann::json::parse(buf.str(), nullptr, false);
  if (j.is_discarded() || !j.is_array())
    throw std::invalid_argument(path + ": expected a JSON array of experiment definitions");
  std::vector<learning::experiment_def> out;
  for (std::size_t i = 0; i < j.size(); ++i) {
    try {
      auto d = learning::def_from_json(j[i].dump());
      for (auto& other : out) {
        if (other.id == d.id)
          throw std::invalid_argument("experiment '" + d.id + "' is defined twice");
        if (learning::overlaps(other, d))
          throw std::invalid_argument("experiment '" + d.id + "' decides the same "
                                      + learning::factor_name(d.factor) + " choice as '"
                                      + other.id + "'");
      }
      out.push_back(std::move(d));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(path + ": entry " + std::to_string(i + 1) + ": " + e.what());
    }
  }
  return out;
}

learning::def_check template_check(std::shared_ptr<const content::template_set> templates) {
  return [templates](const learning::experiment_def& d) -> std::string {
    if (d.factor != learning::factor::template_variant || !templates)
      return {};
    using content::channel;
    using content::content_type;
    std::size_t covered = 0;
    for (auto t : {content_type::alert, content_type::recap, content_type::report,
                   content_type::thread})
      for (auto c : {channel::articles, channel::telegram, channel::discord, channel::x,
                     channel::webhook}) {
        if (!learning::applies(d, content::content_type_name(t), content::channel_name(c)))
          continue;
        auto& vs = templates->variants(t, c);
        if (vs.empty())
          continue;
        ++covered;
        for (auto& arm : d.arms) {
          bool found = false;
          for (auto& v : vs)
            found = found || v.name == arm;
          if (!found)
            return "experiment '" + d.id + "': arm '" + arm + "' is not a template variant of "
                   + content::content_type_name(t) + " on " + content::channel_name(c)
                   + " (config/templates/" + content::content_type_name(t) + "."
                   + content::channel_name(c) + "." + arm + ".txt is missing)";
        }
      }
    if (covered == 0)
      return "experiment '" + d.id + "': no template covers its type and channel";
    return {};
  };
}

ab_options ab_options_from(const config::settings& s, std::shared_ptr<db::storage> storage) {
  ab_options o;
  o.storage = std::move(storage);
  o.interval = std::chrono::duration_cast<std::chrono::milliseconds>(
    s.get_duration("learning.ab.interval"));
  o.bandit.sharpen = s.get_real("learning.ab.sharpen");
  auto age = s.get_string("learning.ab.max-age");
  o.bandit.max_age_ms = age == "0" ? 0 : config::parse_span_ms(age);
  auto file = s.get_string("learning.ab.experiments-file");
  if (!file.empty())
    o.experiments = read_experiments(file);
  return o;
}

ab_actor spawn_ab(caf::local_actor* parent, std::shared_ptr<const ab_options> opts) {
  return parent->spawn<caf::detached>(ab_impl, std::move(opts));
}

} // namespace herald::learning_actors
