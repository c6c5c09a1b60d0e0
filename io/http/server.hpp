#pragma once
// The HTTP server (cpp-httplib): /health, /ready, /info, /metrics, the REST
// API under /api/v1 (JSON, paginated, errors as {"error":{"code","message"}}),
// the Server-Sent Events stream /api/v1/events, the OpenAPI document and
// the web console at / (files from web/, compiled in).
// It reads what the inspector published (ops::board, ops::journal) and the
// database; it never waits on an actor. Operator actions go through
// ops::agent_control and content::ledger and are written to
// security_audit_logs. No CAF here.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "cluster/board.hpp"
#include "cluster/view.hpp"
#include "db/storage.hpp"
#include "io/http/bind.hpp"
#include "ops/auth.hpp"
#include "ops/board.hpp"
#include "ops/control.hpp"
#include "ops/journal.hpp"
#include "ops/metrics.hpp"

namespace herald::io::http {

struct server_options {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080; ///< 0: ephemeral
  int threads = 16; ///< threads kept ready; one per connection is started up to max_connections
  std::size_t max_connections = 512;           ///< beyond: 503 and closed
  std::size_t max_connections_per_address = 64; ///< beyond: 429 and closed
  std::size_t max_streams = 64;                 ///< open /api/v1/events streams; beyond: 503
  std::size_t max_streams_per_address = 8;      ///< beyond: 429
  std::chrono::milliseconds request_timeout{10'000}; ///< a whole request (head and body) must arrive within
  std::chrono::milliseconds idle_timeout{5'000};     ///< an idle keep-alive connection is closed after
  bool metrics_open = false;
  double rate_limit = 6000; ///< requests/minute per token; 0: off
  double rate_burst = 200;
  /// The articles site's folder, served read-only under /site/ ("" = not served).
  std::string site_dir;
};

/// `POST /api/v1/backtests` (cluster nodes): what to backtest.
struct backtest_request {
  std::vector<std::string> symbols;
  std::string interval;
  std::int64_t from = 0, to = 0; ///< ms; [from, to)
  std::int64_t horizon = 10;
};
/// Its answer: a status and a JSON document (the report), or the message of
/// an error.
struct backtest_answer {
  int status = 200;
  std::string body;
};

struct server_context {
  std::shared_ptr<ops::board> board;
  std::shared_ptr<ops::journal> journal;
  std::shared_ptr<const ops::token_table> tokens;
  std::shared_ptr<ops::agent_control> control;
  std::shared_ptr<db::storage> storage; ///< null: data routes answer 503
  std::string node_name = "herald";
  std::string node_id;                  ///< CAF node id
  std::string config_json = "{}";       ///< effective config, secrets redacted
  std::int64_t started_at_ms = 0;
  /// `herald node`: this node's view of the cluster (null: one process).
  std::shared_ptr<cluster::view> cluster;
  /// `herald node`: leases and series assignments as this node last read them.
  std::shared_ptr<const cluster::board> cluster_board;
  std::int64_t cluster_ttl_ms = 5000; ///< membership rows older are down
  /// `herald node`: runs a distributed backtest (blocking the request's
  /// thread; null: the route answers 404 with why).
  std::function<backtest_answer(const backtest_request&)> backtest;
  /// The feedback loops' status as JSON for `GET /api/v1/learning` (null:
  /// the route answers 404: no coordinator on this node).
  std::function<std::string()> learning_status;
};

/// The port is taken by another process (or another listener of this one).
struct port_in_use : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class server {
public:
  server(server_options o, server_context c);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds and starts serving on its own threads; returns the bound port.
  /// The socket is exclusive (SO_REUSEADDR only, never SO_REUSEPORT), so a
  /// second process cannot listen next to this one. Throws port_in_use when
  /// the port is taken, std::runtime_error for any other bind failure; both
  /// name the address and port.
  std::uint16_t start();
  /// Stops accepting, ends event streams, joins the threads.
  void stop();

  ops::http_counters& counters();

private:
  struct impl;
  std::unique_ptr<impl> d_;
};


/// The OpenAPI 3.0 document of the API (also served at /api/v1/openapi.json).
std::string openapi_document();

/// A URL with its password replaced by ******** ("postgresql://u:pw@h" ->
/// "postgresql://u:********@h"); other text unchanged.
std::string redact_url(const std::string& text);

} // namespace herald::io::http
