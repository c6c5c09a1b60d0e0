// The HTTP routes of the learning agents (issue 19): experiments with their
// read-outs; an operator defines and stops experiments. The API writes the
// database only: the A/B agent reads new and stopped experiments on its
// next tick.
#include "io/http/server_impl.hpp"

#include <map>

#include "io/text/sanitize.hpp"
#include "learning/ab_core.hpp"
#include "learning/performance.hpp"

namespace herald::io::http {

void server::impl::install_learning() {
  using ops::role;
  route("GET", "/api/v1/learning", "/api/v1/learning", role::viewer,
        [this](const httplib::Request&, httplib::Response& res, const ops::principal&) {
          if (!need_storage(res))
            return;
          if (!c.learning_status)
            return send_error(res, 404, "not_found",
                              "no feedback-loop coordinator on this node (learning.coordinator."
                              "enabled, content and a database are needed)");
          send_json(res, 200, json::parse(c.learning_status()));
        });
  route("GET", "/api/v1/performance", "/api/v1/performance", role::viewer,
        [this](const httplib::Request&, httplib::Response& res, const ops::principal&) {
          if (!need_storage(res))
            return;
          json overall = json::object();
          for (auto& [key, ts, metrics] : c.storage->performance_snapshots("analysis.all", 0, 0))
            overall[key] = json::parse(metrics, nullptr, false);
          auto now = wall_ms();
          json weeks = json::array();
          std::map<std::int64_t, json> by_week;
          for (auto& [key, ts, metrics] :
               c.storage->performance_snapshots("analysis.week", now - 12 * 7 * 86'400'000LL, now))
            by_week[ts][key] = json::parse(metrics, nullptr, false);
          for (auto it = by_week.rbegin(); it != by_week.rend(); ++it)
            weeks.push_back({{"week", it->first}, {"scopes", it->second}});
          send_json(res, 200, json{{"overall", overall}, {"weeks", weeks}});
        });
  route("GET", "/api/v1/performance/reliability.png", "/api/v1/performance/reliability.png",
        role::viewer,
        [this](const httplib::Request& req, httplib::Response& res, const ops::principal&) {
          if (!need_storage(res))
            return;
          auto scope = req.has_param("scope") ? req.get_param_value("scope") : "combined";
          std::int64_t week = 0;
          if (req.has_param("week")) {
            try {
              std::size_t used = 0;
              auto v = req.get_param_value("week");
              week = std::stoll(v, &used);
              if (used != v.size())
                throw std::invalid_argument(v);
            } catch (...) {
              return send_error(res, 400, "bad_request",
                                "query parameter 'week' must be a week start in unix ms");
            }
          }
          auto rows = week ? c.storage->performance_snapshots("analysis.week", week, week)
                           : c.storage->performance_snapshots("analysis.all", 0, 0);
          for (auto& [key, ts, metrics] : rows)
            if (key == scope) {
              auto png = learning::reliability_png(learning::scope_from_json(key, metrics));
              res.set_content(png, "image/png");
              res.status = 200;
              return;
            }
          send_error(res, 404, "not_found",
                     "no performance snapshot of '" + text::one_line(scope, 80)
                       + "' (an analyzer name or combined) for that period yet");
        });
  route("GET", "/api/v1/experiments", "/api/v1/experiments", role::viewer,
        [this](const httplib::Request&, httplib::Response& res, const ops::principal&) {
          if (!need_storage(res))
            return;
          auto rows = c.storage->experiments();
          send_json(res, 200, json{{"experiments", json::parse(learning::experiments_json(rows))}});
        });
  route("POST", "/api/v1/experiments", "/api/v1/experiments", role::operator_,
        [this](const httplib::Request& req, httplib::Response& res, const ops::principal& who) {
          if (!need_storage(res))
            return;
          learning::experiment_def d;
          std::string why;
          try {
            d = learning::def_from_json(req.body);
          } catch (const std::invalid_argument& e) {
            why = e.what();
          }
          if (why.empty())
            for (auto& row : c.storage->experiments()) {
              if (row.id == d.id) {
                why = "experiment '" + d.id + "' exists (ids are never reused)";
                break;
              }
              if (row.status != "running")
                continue;
              try {
                if (learning::overlaps(learning::def_from_json(row.definition_json), d)) {
                  why = "experiment '" + d.id + "' decides the same "
                        + learning::factor_name(d.factor) + " choice as the running '" + row.id
                        + "'; stop that one first";
                  break;
                }
              } catch (const std::exception&) {
              }
            }
          bool created = false;
          if (why.empty()) {
            auto s = learning::start(d);
            created = c.storage->create_experiment(learning::row_of(s, wall_ms()));
            if (!created)
              why = "experiment '" + d.id + "' exists (ids are never reused)";
          }
          auto target = text::one_line(d.id.empty() ? std::string{"?"} : d.id, 128);
          if (!audited(res, who.name, "experiments.create", target, req,
                       why.empty() ? "ok" : "error: " + why))
            return;
          if (!why.empty()) {
            bool exists = why.find("exists") != std::string::npos
                          || why.find("stop that one") != std::string::npos;
            return send_error(res, exists ? 409 : 400, exists ? "conflict" : "bad_request",
                              text::one_line(why, 400));
          }
          send_json(res, 201, json{{"ok", true}, {"id", d.id}});
        },
        true);
  route("POST", R"(/api/v1/experiments/([^/]+)/stop)", "/api/v1/experiments/{id}/stop",
        role::operator_,
        [this](const httplib::Request& req, httplib::Response& res, const ops::principal& who) {
          if (!need_storage(res))
            return;
          std::string id = req.matches[1];
          bool found = c.storage->set_experiment_status(id, "stopped");
          auto target = text::one_line(id, 128);
          if (!audited(res, who.name, "experiments.stop", target, req,
                       found ? "ok" : "error: no such experiment"))
            return;
          if (!found)
            return send_error(res, 404, "not_found", "no experiment " + target);
          send_json(res, 200, json{{"ok", true}, {"id", id}, {"status", "stopped"}});
        },
        true);
}

} // namespace herald::io::http
