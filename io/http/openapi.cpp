// The OpenAPI 3.0 description of Herald's HTTP API, built in code so that
// it cannot drift from a separate file unnoticed: the API test walks every
// path listed here and calls it.

#include <nlohmann/json.hpp>

#include "io/http/server.hpp"

namespace herald::io::http {

namespace {

using json = nlohmann::json;

json error_ref() {
  return json{{"description", "error"},
              {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
}

json op(const std::string& summary, const std::string& role, json params = json::array(),
        bool mutating = false) {
  json responses{{"200", {{"description", "OK"}}},
                 {"401", error_ref()},
                 {"403", error_ref()},
                 {"429", {{"description", "rate limited; see Retry-After"}}}};
  if (mutating) {
    responses["404"] = error_ref();
    responses["409"] = error_ref();
  }
  json o{{"summary", summary},
         {"x-herald-role", role},
         {"parameters", std::move(params)},
         {"responses", std::move(responses)}};
  if (role == "none")
    o["security"] = json::array();
  return o;
}

json query(const std::string& name, const std::string& type, const std::string& description,
           bool required = false) {
  return json{{"name", name}, {"in", "query"}, {"required", required},
              {"description", description}, {"schema", {{"type", type}}}};
}

json path_param(const std::string& name, const std::string& description) {
  return json{{"name", name}, {"in", "path"}, {"required", true},
              {"description", description}, {"schema", {{"type", "string"}}}};
}

json paging() {
  return json::array({query("limit", "integer", "page size (max 1000)"),
                      query("offset", "integer", "items to skip")});
}

json with(json a, json b) {
  for (auto& x : b)
    a.push_back(x);
  return a;
}

} // namespace

std::string openapi_document() {
  json paths;
  paths["/health"]["get"] = op("Liveness: 200 while the process serves requests", "none");
  paths["/ready"]["get"] =
    op("Readiness: 200 only when the database, the data sources and the pipeline are up "
       "(503 otherwise); the body lists every check", "none");
  paths["/info"]["get"] = op("Version, node name and id, roles (domains running), uptime", "viewer");
  paths["/metrics"]["get"] = op("Prometheus text exposition", "viewer (none with http.metrics-open)");
  paths["/api/v1/actors"]["get"] =
    op("The supervision tree with per-actor statistics (limit up to 1000, default 1000); "
       "total counts every match",
       "viewer",
       with(paging(),
            json::array({query("q", "string", "only actors whose path holds this (at most 200 bytes)"),
                         query("sort", "string",
                               "mailbox, p99, rate or restarts: largest first (default: tree "
                               "order)")})));
  paths["/api/v1/actors/{path}"]["get"] =
    op("One actor's statistics with its latency buckets", "viewer",
       json::array({path_param("path", "dotted agent path, e.g. analysis.pipeline")}));
  paths["/api/v1/agents/{path}/{action}"]["post"] =
    op("pause / resume a worker, restart or kill an agent (its supervisor restarts it)",
       "operator",
       json::array({path_param("path", "dotted agent path"),
                    path_param("action", "pause, resume, restart or kill")}),
       true);
  paths["/api/v1/signals"]["get"] =
    op("Signals, newest first", "viewer", with(paging(), json::array({query("symbol", "string", "only this symbol")})));
  paths["/api/v1/insights"]["get"] =
    op("Insights, newest first", "viewer", with(paging(), json::array({query("symbol", "string", "only this symbol")})));
  paths["/api/v1/candles"]["get"] =
    op("Stored candles of a series, each page oldest first; offset counts back from the newest",
       "viewer",
       with(paging(), json::array({query("symbol", "string", "e.g. BTCUSDT", true),
                                   query("interval", "string", "default 1m")})));
  paths["/api/v1/series"]["get"] =
    op("Series the hub tracks, with their counters (limit up to 1000, default 1000); total "
       "counts every match",
       "viewer",
       with(paging(), json::array({query("q", "string",
                                         "only series whose \"SYMBOL interval\" holds this, any "
                                         "case (at most 200 bytes)")})));
  paths["/api/v1/content"]["get"] =
    op("Content pieces, most recently changed first", "viewer",
       with(paging(), json::array({query("state", "string",
                                         "scheduled, planned, pending_approval, publishing, "
                                         "published, failed, in_doubt, rejected, dry_run")})));
  paths["/api/v1/content/{id}/{action}"]["post"] =
    op("approve (pending_approval, in_doubt, failed -> planned) or reject a piece", "operator",
       json::array({path_param("id", "piece id"), path_param("action", "approve or reject")}),
       true);
  paths["/api/v1/published"]["get"] =
    op("Published pieces with their links, newest first", "viewer",
       with(paging(), json::array({query("channel", "string", "only this channel")})));
  paths["/api/v1/cluster"]["get"] =
    op("The cluster: every node (roles, status up|down, incarnation, version, address, series "
       "owned) and the leases (holder, fencing epoch)",
       "viewer");
  paths["/api/v1/cluster/agents"]["get"] =
    op("Every node's agents as the agent registry has them (path, kind, status, restarts)",
       "viewer", json::array({query("node", "string", "only this node")}));
  paths["/api/v1/cluster/log"]["get"] =
    op("The deployment log, newest first: nodes joined, left, replaced, up and lost as each "
       "node saw them (with the config digest at join)",
       "viewer", paging());
  paths["/api/v1/backtests"]["post"] =
    op("Cluster nodes: a distributed backtest of the cluster's stored candles. Body "
       "{\"symbols\":[\"BTCUSDT\",...],\"interval\":\"5m\",\"from\":ms,\"to\":ms,\"horizon\":10} "
       "(from, to, horizon optional). The series are split over the analysis nodes; the answer is "
       "{\"report\":{...},\"text\":\"...\",\"candles\",\"accepted\",\"late\",\"failed\","
       "\"placement\":{series: node}}, equal to `herald backtest --db` on the same candles. One "
       "at a time per node (429 while one runs); 404 in one process",
       "operator", json::array(), true);
  paths["/api/v1/alerts"]["post"] =
    op("Alertmanager's webhook receiver: the payload Alertmanager sends (version 4). Each alert "
       "is logged by the node (ops.alerts) and sent to the live events as an \"alert\" event; "
       "the answer is {\"received\":N}; a malformed payload is 400 naming what and where",
       "operator", json::array(), true);
  paths["/api/v1/replies"]["get"] =
    op("The engagement agent's decisions, newest first: each inbound message answered or skipped "
       "(with the gate rule), its reply text and state (skipped, dry_run, pending_approval, queued, "
       "sending, sent, in_doubt, failed, rejected)",
       "viewer", with(paging(), json::array({query("state", "string", "only replies in this state")})));
  paths["/api/v1/replies/{id}/{action}"]["post"] =
    op("approve (sent by the engagement agent on its next tick) or reject a held reply "
       "(pending_approval, in_doubt or failed); audited",
       "operator", json::array(), true);
  paths["/api/v1/learning"]["get"] =
    op("The feedback loops: per loop (ab, tuning, expiry) its period, last run (status, result) "
       "and next due time; the weights applied now (version 0 = configured); the tuning "
       "proposals and thresholds tried so far (trials, for multiple-testing corrections); the "
       "newest weight sets with their state and evidence",
       "viewer");
  paths["/api/v1/performance"]["get"] =
    op("Performance analytics per analyzer and for the combined signal: overall (the window of "
       "learning.performance.window) and per week (the last 12, newest first): calls, hits, "
       "hit_rate with ci95, rows with a forecast, brier (and brier_half: always 50%), the "
       "calibration table (10 bins: rows, mean_p, up), long/short calls' mean return and buy and "
       "hold",
       "viewer");
  paths["/api/v1/performance/reliability.png"]["get"] =
    op("The reliability diagram (PNG) of a scope (an analyzer name or combined, default "
       "combined), overall or of one week (week = its Monday 00:00 UTC in unix ms)",
       "viewer",
       json::array({query("scope", "string", "analyzer name or combined"),
                    query("week", "integer", "week start (unix ms); absent: overall")}));
  paths["/api/v1/experiments"]["get"] =
    op("Every A/B experiment with its definition and read-out: verdict (collecting until each "
       "arm has min_sample outcomes; mismatch when the sample-ratio check fails at p < "
       "srm_alpha; ready), srm_p, leader, the bias warning of Thompson allocation, and per arm "
       "assigned, exposures, successes, weight, expected traffic, posterior mean, 95% credible "
       "interval (ci95), p_beat_control and p_best",
       "viewer");
  paths["/api/v1/experiments"]["post"] =
    op("Define an experiment (body: the definition as in README \"Experiments\"); 400 naming "
       "the field that is wrong, 409 when the id exists or a running experiment decides the same "
       "choice; audited. The A/B agent starts it on its next tick",
       "operator", json::array(), true);
  paths["/api/v1/experiments/{id}/stop"]["post"] =
    op("Stop an experiment: no more assignments; its read-out stays; audited", "operator",
       json::array(), true);
  paths["/api/v1/analytics"]["get"] =
    op("A report over the latest metrics snapshot of each piece published in [from, to) (default: "
       "the last 30 days), grouped by channel, type, variant, symbol or hour: pieces, impressions, "
       "engagements, engagement_rate (sum of engagements / sum of impressions over the pieces that "
       "report impressions; null where none do) and engagements per piece",
       "viewer",
       json::array({query("by", "string", "channel (default), type, variant, symbol or hour"),
                    query("from", "integer", "published at or after (unix ms)"),
                    query("to", "integer", "published before (unix ms)")}));
  paths["/api/v1/analytics/snapshots"]["get"] =
    op("Every metrics snapshot (+1 h, +24 h, +7 d by default) of pieces published in [from, to), "
       "newest first: status ok, deleted or missed, raw counts, engagements, impressions, rate and "
       "the formula that computed it",
       "viewer",
       with(paging(), json::array({query("from", "integer", "published at or after (unix ms)"),
                                   query("to", "integer", "published before (unix ms)")})));
  paths["/api/v1/config"]["get"] = op("Effective configuration, secrets redacted", "viewer");
  paths["/api/v1/audit"]["get"] = op("Security audit log, newest first", "admin", paging());
  paths["/api/v1/openapi.json"]["get"] = op("This document", "viewer");
  paths["/api/v1/events"]["get"] =
    op("Server-Sent Events: actors, candle, signal, insight, post, restart, log (warnings and errors), alert. The token may be "
       "given as ?access_token= (EventSource cannot set headers); Last-Event-ID or ?since= resumes",
       "viewer",
       json::array({query("access_token", "string", "API token"),
                    query("since", "integer", "resume after this event id")}));
  json doc{
    {"openapi", "3.0.3"},
    {"info",
     {{"title", "Herald API"},
      {"version", HERALD_VERSION},
      {"description",
       "Operations API of a Herald node. Authenticate with Authorization: Bearer <token>; "
       "tokens and roles (viewer < operator < admin) come from the secret HERALD_API_TOKENS. "
       "Errors are {\"error\":{\"code\",\"message\"}}. Lists are paginated with limit/offset "
       "and answer next_offset (null on the last page)."}}},
    {"servers", json::array({{{"url", "/"}}})},
    {"security", json::array({{{"bearer", json::array()}}})},
    {"paths", paths},
    {"components",
     {{"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}},
      {"schemas",
       {{"Error",
         {{"type", "object"},
          {"properties",
           {{"error",
             {{"type", "object"},
              {"properties",
               {{"code", {{"type", "string"}}}, {"message", {{"type", "string"}}}}}}}}}}}}}}}};
  return doc.dump(2);
}

} // namespace herald::io::http
