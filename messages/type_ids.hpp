#pragma once
// THE type-ID block: every message type Herald sends is registered here, once,
// with an inspect() overload in its domain header, so that every message can
// cross a node boundary. Append new types at the end of the block (IDs are
// assigned in order; all nodes of a cluster must run the same block).

#include <string>
#include <vector>

#include <caf/type_id.hpp>

#include "messages/analysis.hpp"
#include "messages/cluster.hpp"
#include "messages/sinks.hpp"
#include "messages/content.hpp"
#include "messages/learning.hpp"
#include "messages/market.hpp"
#include "messages/ops.hpp"
#include "messages/storage.hpp"

CAF_BEGIN_TYPE_ID_BLOCK(herald, caf::first_custom_type_id)

  // -- ops -------------------------------------------------------------------
  CAF_ADD_TYPE_ID(herald, (herald::child_info))
  CAF_ADD_TYPE_ID(herald, (herald::start_child))
  CAF_ADD_TYPE_ID(herald, (herald::terminate_child))
  CAF_ADD_TYPE_ID(herald, (herald::actor_stats))
  CAF_ADD_TYPE_ID(herald, (herald::console_command))

  // -- market ----------------------------------------------------------------
  CAF_ADD_TYPE_ID(herald, (herald::candle))
  CAF_ADD_TYPE_ID(herald, (herald::series_stats))

  // -- storage (persistence) -------------------------------------------------
  CAF_ADD_TYPE_ID(herald, (herald::db::news_article))
  CAF_ADD_TYPE_ID(herald, (herald::db::sentiment_point))
  CAF_ADD_TYPE_ID(herald, (herald::db::analysis_result))
  CAF_ADD_TYPE_ID(herald, (herald::db::signal_record))
  CAF_ADD_TYPE_ID(herald, (herald::db::insight_record))
  CAF_ADD_TYPE_ID(herald, (herald::db::content_plan))
  CAF_ADD_TYPE_ID(herald, (herald::db::published_post))
  CAF_ADD_TYPE_ID(herald, (herald::db::agent_log))
  CAF_ADD_TYPE_ID(herald, (herald::db::ab_test))
  CAF_ADD_TYPE_ID(herald, (herald::db::ab_variant))
  CAF_ADD_TYPE_ID(herald, (herald::db::write_batch))
  CAF_ADD_TYPE_ID(herald, (herald::db::write_ack))
  CAF_ADD_TYPE_ID(herald, (herald::db::db_status))
  CAF_ADD_TYPE_ID(herald, (herald::db::variant_stats))

  // -- analysis --------------------------------------------------------------
  CAF_ADD_TYPE_ID(herald, (std::vector<herald::candle>))
  CAF_ADD_TYPE_ID(herald, (herald::candle_batch))
  CAF_ADD_TYPE_ID(herald, (herald::analysis_job))
  CAF_ADD_TYPE_ID(herald, (herald::analyzer_output))
  CAF_ADD_TYPE_ID(herald, (herald::analysis_reply))
  CAF_ADD_TYPE_ID(herald, (herald::analysis::signal))
  CAF_ADD_TYPE_ID(herald, (herald::analysis::contribution))
  CAF_ADD_TYPE_ID(herald, (herald::analysis::insight))
  CAF_ADD_TYPE_ID(herald, (std::vector<herald::analysis::signal>))
  CAF_ADD_TYPE_ID(herald, (herald::risk_report))
  CAF_ADD_TYPE_ID(herald, (std::vector<herald::db::news_article>))

  // -- content ---------------------------------------------------------------
  CAF_ADD_TYPE_ID(herald, (herald::content::chart_marker))
  CAF_ADD_TYPE_ID(herald, (herald::content::chart_data))
  CAF_ADD_TYPE_ID(herald, (herald::content_brief))
  CAF_ADD_TYPE_ID(herald, (herald::content_piece))
  CAF_ADD_TYPE_ID(herald, (herald::publish_result))
  CAF_ADD_TYPE_ID(herald, (herald::channel_tally))
  CAF_ADD_TYPE_ID(herald, (std::vector<herald::channel_tally>))
  CAF_ADD_TYPE_ID(herald, (herald::ab_choice))
  CAF_ADD_TYPE_ID(herald, (herald::weight_epoch))
  CAF_ADD_TYPE_ID(herald, (std::vector<herald::weight_epoch>))
  CAF_ADD_TYPE_ID(herald, (std::vector<herald::ab_choice>))

  // -- crash safety (issue 14) -----------------------------------------------
  CAF_ADD_TYPE_ID(herald, (herald::signal_batch))

  // -- cluster (issue 16) -----------------------------------------------------
  CAF_ADD_TYPE_ID(herald, (herald::node_greeting))
  CAF_ADD_TYPE_ID(herald, (herald::node_agent_entry))
  CAF_ADD_TYPE_ID(herald, (herald::node_directory))
  // Types that were process-local before the cluster: subscriber handles
  // (sent with subscribe_atom) and the hub's series list.
  CAF_ADD_TYPE_ID(herald, (herald::candle_sink_actor))
  CAF_ADD_TYPE_ID(herald, (herald::candle_batch_sink_actor))
  CAF_ADD_TYPE_ID(herald, (herald::news_sink_actor))
  CAF_ADD_TYPE_ID(herald, (herald::risk_sink_actor))
  CAF_ADD_TYPE_ID(herald, (std::vector<herald::series_stats>))

  // -- atoms (atom constants carry no type ID in CAF 0.17) -------------------
  CAF_ADD_ATOM(herald, herald, which_children_atom, "whichchild")
  CAF_ADD_ATOM(herald, herald, restart_atom, "restart")
  CAF_ADD_ATOM(herald, herald, stop_timeout_atom, "stoptmo")
  CAF_ADD_ATOM(herald, herald, ready_atom, "ready")
  CAF_ADD_ATOM(herald, herald, stats_atom, "stats")
  CAF_ADD_ATOM(herald, herald, subscribe_atom, "hsubscribe")
  CAF_ADD_ATOM(herald, herald, news_atom, "news")
  CAF_ADD_ATOM(herald, herald, batch_atom, "batch")
  CAF_ADD_ATOM(herald, herald, retry_atom, "retry")
  CAF_ADD_ATOM(herald, herald, drain_atom, "drain")
  CAF_ADD_ATOM(herald, herald, approve_atom, "approve")
  CAF_ADD_ATOM(herald, herald, pause_atom, "pause")
  CAF_ADD_ATOM(herald, herald, resume_atom, "resume")
  CAF_ADD_ATOM(herald, herald, persist_retry_atom, "pretry")
  CAF_ADD_ATOM(herald, herald, through_atom, "through")
  CAF_ADD_ATOM(herald, herald, since_atom, "since")
  CAF_ADD_ATOM(herald, herald, dial_atom, "dial")
  CAF_ADD_ATOM(herald, herald, alive_atom, "alive")
  CAF_ADD_ATOM(herald, herald, backtest_atom, "backtest")
  CAF_ADD_ATOM(herald, herald, ab_assign_atom, "abassign")

  // -- learning loop agents (issue 19) ----------------------------------------
  CAF_ADD_TYPE_ID(herald, (herald::db::learning_run_row))
  CAF_ADD_ATOM(herald, herald, learning_run_atom, "lrun")
  CAF_ADD_ATOM(herald, herald, ab_hour_atom, "abhour")

CAF_END_TYPE_ID_BLOCK(herald)
