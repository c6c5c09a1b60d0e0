// The HTTP routes of the cluster, configuration, audit, the API description and live events (SSE).
#include "io/http/server_impl.hpp"

#include "io/logging.hpp"
#include "ops/alert_webhook.hpp"
#include "ops/cluster_json.hpp"
#include "ops/json_views.hpp"

namespace herald::io::http {

void server::impl::install_admin() {
  using ops::role;
  // -- configuration, audit, API description --
  route("GET", "/api/v1/cluster", "/api/v1/cluster", role::viewer,
        [this](const httplib::Request&, httplib::Response& res, const ops::principal&) {
          try {
            send_json(res, 200, ops::cluster_json(c.cluster.get(), c.storage.get(),
                                                  c.node_name, c.cluster_ttl_ms));
          } catch (const std::exception& e) {
            send_error(res, 503, "database_unavailable", e.what());
          }
        });
  route("GET", "/api/v1/cluster/agents", "/api/v1/cluster/agents", role::viewer,
        [this](const httplib::Request& req, httplib::Response& res, const ops::principal&) {
          if (!need_storage(res))
            return;
          try {
            auto node = req.has_param("node") ? req.get_param_value("node") : "";
            send_json(res, 200, ops::cluster_agents_json(*c.storage, node));
          } catch (const std::exception& e) {
            send_error(res, 503, "database_unavailable", e.what());
          }
        });
  route("GET", "/api/v1/cluster/log", "/api/v1/cluster/log", role::viewer,
        [this](const httplib::Request& req, httplib::Response& res, const ops::principal&) {
          page p;
          if (!paging(req, res, p) || !need_storage(res))
            return;
          try {
            auto items = json::array();
            for (auto& r : c.storage->deployment_log(p.limit))
              items.push_back({{"node", r[0]},
                               {"version", r[1]},
                               {"event", r[2]},
                               {"details", parse_or_text(r[3])},
                               {"ts", std::stoll(r[4])}});
            send_json(res, 200, json{{"items", items}});
          } catch (const std::exception& e) {
            send_error(res, 503, "database_unavailable", e.what());
          }
        });
  // A distributed backtest over the analysis nodes (issue 16): candles of
  // the cluster's database, one report. Operators only (it takes CPU on
  // every analysis node); one at a time per node.
  route("POST", "/api/v1/backtests", "/api/v1/backtests", role::operator_,
        [this](const httplib::Request& req, httplib::Response& res, const ops::principal&) {
          if (!c.backtest) {
            send_error(res, 404, "not_found",
                       "distributed backtests run on cluster nodes (herald node); in one process "
                       "use `herald backtest`");
            return;
          }
          auto body = json::parse(req.body, nullptr, false);
          backtest_request r;
          std::string bad;
          if (!body.is_object())
            bad = "the body must be a JSON object {\"symbols\":[...],\"interval\":\"5m\","
                  "\"from\":ms,\"to\":ms,\"horizon\":10}";
          else if (!body.contains("symbols") || !body["symbols"].is_array()
                   || body["symbols"].empty() || body["symbols"].size() > 100)
            bad = "\"symbols\" must be an array of 1 to 100 symbols";
          else if (!body.contains("interval") || !body["interval"].is_string())
            bad = "\"interval\" must be a string (\"1m\", \"5m\", ...)";
          else {
            for (auto& x : body["symbols"]) {
              if (!x.is_string() || x.get_ref<const std::string&>().empty()
                  || x.get_ref<const std::string&>().size() > 32) {
                bad = "each symbol must be a string of 1 to 32 characters";
                break;
              }
              r.symbols.push_back(x.get<std::string>());
            }
            for (auto key : {"from", "to", "horizon"})
              if (body.contains(key) && !body[key].is_number_integer())
                bad = std::string{"\""} + key + "\" must be a whole number"
                      + (std::string{key} == "horizon" ? " of bars" : " (ms since the epoch)");
            r.interval = body["interval"].get<std::string>();
            if (!bad.empty()) {
              send_error(res, 400, "bad_request", bad);
              return;
            }
            r.from = body.value("from", std::numeric_limits<std::int64_t>::min());
            r.to = body.value("to", std::numeric_limits<std::int64_t>::max());
            r.horizon = body.value("horizon", std::int64_t{10});
            if (bad.empty() && (r.horizon < 1 || r.horizon > 100000))
              bad = "\"horizon\" must be a whole number of bars in [1, 100000]";
          }
          if (!bad.empty()) {
            send_error(res, 400, "bad_request", bad);
            return;
          }
          std::unique_lock<std::mutex> one{backtest_mtx, std::try_to_lock};
          if (!one.owns_lock()) {
            res.set_header("Retry-After", "10");
            send_error(res, 429, "busy", "a backtest is running on this node; retry later");
            return;
          }
          auto answer = c.backtest(r);
          if (answer.status == 200)
            res.set_content(answer.body, "application/json");
          else
            send_error(res, answer.status, answer.status == 400 ? "bad_request" : "failed",
                       answer.body);
        },
        true);

  // Alertmanager's webhook receiver (the compose stack's Alertmanager posts
  // Herald's alerts here with an operator token): each alert goes to the
  // node's log and to the live events, so the consoles show it.
  route("POST", "/api/v1/alerts", "/api/v1/alerts", role::operator_,
        [this](const httplib::Request& req, httplib::Response& res, const ops::principal& who) {
          std::string err;
          auto batch = ops::parse_alert_webhook(req.body, err);
          if (!batch) {
            send_error(res, 400, "bad_request", err);
            return;
          }
          if (c.storage && !audited(res, who.name, "alerts.receive", batch->receiver, req, "ok"))
            return;
          static auto log = logging::get("ops.alerts");
          for (auto& a : batch->alerts) {
            if (a.status == "firing")
              log->warn("alert firing: {} {} (severity {}): {}", a.name, a.instance,
                        a.severity.empty() ? "none" : a.severity, a.summary);
            else
              log->info("alert resolved: {} {}", a.name, a.instance);
            c.journal->push("alert", ops::alert_event_json(a, batch->receiver));
          }
          send_json(res, 200, json{{"received", batch->alerts.size()}});
        },
        true);

  route("GET", "/api/v1/config", "/api/v1/config", role::viewer,
        [this](const httplib::Request&, httplib::Response& res, const ops::principal&) {
          res.set_content(c.config_json, "application/json");
        });
  route("GET", "/api/v1/audit", "/api/v1/audit", role::admin,
        [this](const httplib::Request& req, httplib::Response& res, const ops::principal&) {
          page p;
          if (!paging(req, res, p) || !need_storage(res))
            return;
          auto rows = c.storage->audit_log(p.offset + p.limit + 1);
          send_json(res, 200, slice(rows, p, [](const db::audit_entry& x) {
                      return json{{"actor", x.actor},   {"action", x.action},
                                  {"target", x.target}, {"outcome", x.outcome},
                                  {"details", parse_or_text(x.details_json)}, {"ts", x.ts}};
                    }));
        });
  route("GET", "/api/v1/openapi.json", "/api/v1/openapi.json", role::viewer,
        [](const httplib::Request&, httplib::Response& res, const ops::principal&) {
          res.set_content(openapi_document(), "application/json");
        });

  // -- live events (SSE) --
  route("GET", "/api/v1/events", "/api/v1/events", role::viewer,
        [this](const httplib::Request& req, httplib::Response& res, const ops::principal&) {
          std::uint64_t after = c.journal->last_seq();
          auto resume = req.get_header_value("Last-Event-ID");
          if (resume.empty() && req.has_param("since"))
            resume = req.get_param_value("since");
          if (!resume.empty()) {
            try {
              after = std::stoull(resume);
            } catch (...) {
              return send_error(res, 400, "bad_request", "'since' must be an event sequence number");
            }
          }
          // Streams hold a connection each: bounded per address and in
          // total, so that consoles left open cannot crowd out requests.
          auto addr = req.remote_addr;
          switch (streams.admit(addr)) {
            case connection_gate::verdict::full:
              res.set_header("Retry-After", "5");
              return send_error(res, 503, "overloaded",
                                std::to_string(o.max_streams)
                                  + " event streams are open (http.max-streams); retry later");
            case connection_gate::verdict::address_full:
              res.set_header("Retry-After", "5");
              return send_error(res, 429, "rate_limited",
                                "too many event streams from " + addr + " (at most "
                                  + std::to_string(o.max_streams_per_address) + ")");
            case connection_gate::verdict::admitted:
              break;
          }
          res.set_header("Cache-Control", "no-cache");
          res.set_header("X-Accel-Buffering", "no");
          auto journal = c.journal;
          auto board = c.board;
          auto last = std::make_shared<std::uint64_t>(after);
          auto first = std::make_shared<bool>(true);
          auto last_snapshot = std::make_shared<std::int64_t>(-1);
          auto quiet = std::make_shared<int>(0);
          res.set_chunked_content_provider(
            "text/event-stream",
            [this, journal, board, last, first, last_snapshot, quiet](std::size_t,
                                                                       httplib::DataSink& sink) {
              if (*first) {
                *first = false;
                std::string hello = "retry: 2000\n: herald events\n\n";
                return sink.write(hello.data(), hello.size());
              }
              if (stopping || journal->closed()) {
                sink.done();
                return true;
              }
              auto events = journal->wait_since(*last, std::chrono::seconds{1}, 500);
              if (stopping || journal->closed()) {
                sink.done();
                return true;
              }
              std::string out;
              // The supervision tree and health, whenever the inspector
              // published a new snapshot (once per stats interval).
              auto snap = board->get();
              if (snap->taken_at_ms != *last_snapshot) {
                *last_snapshot = snap->taken_at_ms;
                auto j = ops::tree_json(*snap);
                j["health"] = ops::readiness_json(*snap);
                out += "event: actors\ndata: " + j.dump() + "\n\n";
              }
              if (events.empty() && out.empty() && ++*quiet >= 10) {
                *quiet = 0;
                out = ": keep-alive\n\n";
              }
              if (out.empty() && events.empty())
                return true;
              for (const auto& e : events) {
                out += "id: " + std::to_string(e.seq) + "\nevent: " + e.type + "\ndata: " + e.data
                       + "\n\n";
                *last = e.seq;
              }
              return sink.write(out.data(), out.size());
            },
            [this, addr](bool) { streams.release(addr); });
        },
        false, true);
}

} // namespace herald::io::http
