// The HTTP routes of the learning agents (issue 19): experiments with their
// read-outs; an operator defines and stops experiments. The API writes the
// database only: the A/B agent reads new and stopped experiments on its
// next tick.
#include "io/http/server_impl.hpp"

#include "io/text/sanitize.hpp"
#include "learning/ab_core.hpp"

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
