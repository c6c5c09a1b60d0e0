// The HTTP routes of operations: health, readiness, node info, metrics, actors and agent control.
#include "io/http/server_impl.hpp"

#include "ops/cluster_metrics.hpp"
#include "ops/json_views.hpp"

namespace herald::io::http {

void server::impl::install_ops() {
  using ops::role;
  svr.Get("/health", [this](const httplib::Request& req, httplib::Response& res) {
    send_json(res, 200, json{{"status", "ok"}});
    counters.count("/health", req.method, res.status);
  });
  svr.Get("/ready", [this](const httplib::Request& req, httplib::Response& res) {
    auto s = c.board->get();
    send_json(res, s->ready() ? 200 : 503, ops::readiness_json(*s));
    counters.count("/ready", req.method, res.status);
  });
  route("GET", "/info", "/info", role::viewer,
        [this](const httplib::Request&, httplib::Response& res, const ops::principal& who) {
          auto s = c.board->get();
          auto roles = json::array();
          for (const auto& a : s->actors)
            if (a.parent == "root" && a.running)
              roles.push_back(a.path);
          send_json(res, 200,
                    json{{"name", "herald"},
                         {"version", HERALD_VERSION},
                         {"node", c.node_name},
                         {"node_id", c.node_id},
                         {"roles", roles},
                         {"started_at", c.started_at_ms},
                         {"uptime_seconds", (wall_ms() - c.started_at_ms) / 1000.0},
                         {"you", {{"token", who.name}, {"role", ops::to_string(who.level)}}}});
        });
  auto metrics = [this](const httplib::Request&, httplib::Response& res, const ops::principal&) {
    auto s = c.board->get();
    auto text = ops::render_metrics(*s, counters, ops::read_process_sample());
    if (c.cluster)
      text += ops::render_cluster_metrics(*c.cluster, c.cluster_board.get());
    res.set_content(text, "text/plain; version=0.0.4; charset=utf-8");
  };
  route("GET", "/metrics", "/metrics", o.metrics_open ? std::nullopt : std::optional{role::viewer},
        metrics);

  // -- actors and agents --
  route("GET", "/api/v1/actors", "/api/v1/actors", role::viewer,
        [this](const httplib::Request& req, httplib::Response& res, const ops::principal&) {
          page p;
          p.limit = 1000;
          std::string q;
          if (!paging(req, res, p) || !search_term(req, res, q))
            return;
          auto s = c.board->get();
          std::vector<const ops::actor_view*> found;
          try {
            found = ops::find_actors(*s, q, req.has_param("sort") ? req.get_param_value("sort") : "");
          } catch (const std::invalid_argument& e) {
            return send_error(res, 400, "bad_request", e.what());
          }
          auto out = slice(found, p, [](const ops::actor_view* a) { return ops::to_json(*a); });
          out["taken_at"] = s->taken_at_ms;
          out["total"] = found.size();
          send_json(res, 200, out);
        });
  route("GET", R"(/api/v1/actors/([A-Za-z0-9_.\-]+))", "/api/v1/actors/{path}", role::viewer,
        [this](const httplib::Request& req, httplib::Response& res, const ops::principal&) {
          auto s = c.board->get();
          std::string path = req.matches[1];
          auto* a = s->find(path);
          if (!a)
            return send_error(res, 404, "not_found", "no actor '" + path + "'");
          auto j = ops::to_json(*a);
          j["buckets"] = a->buckets;
          send_json(res, 200, j);
        });
  route("POST", R"(/api/v1/agents/([A-Za-z0-9_.\-]+)/(pause|resume|restart|kill))",
        "/api/v1/agents/{path}/{action}", role::operator_,
        [this](const httplib::Request& req, httplib::Response& res, const ops::principal& who) {
          std::string path = req.matches[1], action = req.matches[2];
          auto r = c.control->act(action, path);
          if (!audited(res, who.name, "agent." + action, path, req,
                       r.ok ? "ok" : "error: " + r.message))
            return;
          if (!r.ok)
            return send_error(res, r.status, r.status == 404 ? "not_found" : "conflict",
                              r.message);
          send_json(res, 200, json{{"ok", true}, {"action", action}, {"target", path},
                                   {"message", r.message}});
        },
        true);
}

} // namespace herald::io::http
