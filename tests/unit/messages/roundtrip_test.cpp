// Every type in Herald's type-ID block survives CAF's binary serializer, on
// its own and inside a caf::message (which is what crosses a node boundary).
// A new message type without a sample() here fails to compile.

#include <catch2/catch.hpp>

#include <limits>
#include <utility>

#include <caf/all.hpp>

#include "config/loader.hpp"
#include "messages/type_ids.hpp"

namespace {

template <class T>
T sample(caf::actor_system& sys);

template <>
herald::child_info sample<herald::child_info>(caf::actor_system& sys) {
  herald::child_info x;
  x.name = "health";
  x.path = "ops.health";
  x.is_supervisor = false;
  x.restart = "permanent";
  x.running = true;
  x.restarts = 7;
  x.last_exit_reason = "kill \xF0\x9F\x92\xA5 '; DROP TABLE x; --";
  x.started_at_ms = 1'732'000'000'123;
  return x;
}

template <>
herald::start_child sample<herald::start_child>(caf::actor_system&) {
  return {"btcusdt", "BTCUSDT"};
}

template <>
herald::terminate_child sample<herald::terminate_child>(caf::actor_system&) {
  return {"btcusdt"};
}

/// Serializes `x` and deserializes it into a fresh value.
template <class T>
T roundtrip(caf::actor_system& sys, T& x) {
  caf::binary_serializer::container_type buf;
  caf::binary_serializer sink{sys, buf};
  auto err = sink(x);
  INFO("serialize: " << sys.render(err));
  REQUIRE_FALSE(err);
  T copy{};
  caf::binary_deserializer source{sys, buf};
  err = source(copy);
  INFO("deserialize: " << sys.render(err));
  REQUIRE_FALSE(err);
  return copy;
}

const std::string hostile = "'; DROP TABLE x; -- \xF0\x9F\x98\x80 \t\n\\";

template <>
herald::actor_stats sample<herald::actor_stats>(caf::actor_system&) {
  herald::actor_stats x;
  x.actor_id = 42;
  x.messages = 1000;
  x.busy_ns = 123456789;
  x.mailbox = 3;
  x.buckets = {0, 5, 900, 95};
  x.paused = true;
  return x;
}

template <>
herald::console_command sample<herald::console_command>(caf::actor_system&) {
  return herald::console_command{"tok-\xe2\x82\xac", "restart analysis.pipeline"};
}

template <>
herald::candle sample<herald::candle>(caf::actor_system&) {
  herald::candle c;
  c.symbol = "BTCUSDT";
  c.interval = "1m";
  c.open_time = 1'609'459'200'000;
  c.open = 28923.63;
  c.high = 28961.66;
  c.low = 28913.12;
  c.close = 28961.66;
  c.volume = 27.457032;
  c.close_time = 1'609'459'259'999;
  c.has_extras = true;
  c.quote_volume = 794382.24;
  c.trades = 1292;
  c.taker_buy_base = 16.777195;
  c.taker_buy_quote = 485390.75;
  return c;
}

template <>
herald::series_stats sample<herald::series_stats>(caf::actor_system&) {
  return {"BTCUSDT", "1m", 1000, 3, 2, 1, 1'700'000'000'000};
}

template <>
herald::db::news_article sample<herald::db::news_article>(caf::actor_system&) {
  return {"n1", "coindesk", "https://x", hostile, hostile, R"(["BTCUSDT"])", 1, -0.5};
}
template <>
herald::db::sentiment_point sample<herald::db::sentiment_point>(caf::actor_system&) {
  return {"BTCUSDT", "news", 2, 0.25, 7};
}
template <>
herald::db::analysis_result sample<herald::db::analysis_result>(caf::actor_system&) {
  return {"BTCUSDT", "1h", 3, "momentum", -0.4, 61.5, R"({"rsi": 71.2})", 12345};
}
template <>
herald::db::signal_record sample<herald::db::signal_record>(caf::actor_system&) {
  return {"s1", "BTCUSDT", "1h", 4, "short", -0.6, 70, "{}", 5};
}
template <>
herald::db::insight_record sample<herald::db::insight_record>(caf::actor_system&) {
  return {"i1", "s1", "BTCUSDT", "alert", hostile, hostile, 0.8, "{}", 6};
}
template <>
herald::db::content_plan sample<herald::db::content_plan>(caf::actor_system&) {
  return {"p1", "i1", "alert", "telegram", "planned", 7, "{}", 8};
}
template <>
herald::db::published_post sample<herald::db::published_post>(caf::actor_system&) {
  return {"post1", "p1", "x", "123", "https://x.com/1", hostile, R"({"likes": 3})", 9};
}
template <>
herald::db::agent_log sample<herald::db::agent_log>(caf::actor_system&) {
  return {"e1", "ops.health", "info", hostile, "{}", 10};
}
template <>
herald::db::ab_test sample<herald::db::ab_test>(caf::actor_system&) {
  return {"t1", "headline", "running", 11};
}
template <>
herald::db::ab_variant sample<herald::db::ab_variant>(caf::actor_system&) {
  return {"t1", "a", hostile, 100, 7};
}
template <>
herald::db::write_batch sample<herald::db::write_batch>(caf::actor_system& sys) {
  herald::db::write_batch b;
  b.candles = {sample<herald::candle>(sys), sample<herald::candle>(sys)};
  b.news = {sample<herald::db::news_article>(sys)};
  b.sentiment = {sample<herald::db::sentiment_point>(sys)};
  b.analysis = {sample<herald::db::analysis_result>(sys)};
  b.signals = {sample<herald::db::signal_record>(sys)};
  b.insights = {sample<herald::db::insight_record>(sys)};
  b.plans = {sample<herald::db::content_plan>(sys)};
  b.posts = {sample<herald::db::published_post>(sys)};
  b.logs = {sample<herald::db::agent_log>(sys)};
  b.ab_tests = {sample<herald::db::ab_test>(sys)};
  b.ab_variants = {sample<herald::db::ab_variant>(sys)};
  return b;
}
template <>
herald::db::write_ack sample<herald::db::write_ack>(caf::actor_system&) {
  return {12, 34};
}
template <>
herald::db::db_status sample<herald::db::db_status>(caf::actor_system&) {
  return {"postgresql", false, 5, 6, 7, 1, "connection refused"};
}
template <>
herald::db::variant_stats sample<herald::db::variant_stats>(caf::actor_system&) {
  return {"a", 100, 7, 0.07};
}

template <>
std::vector<herald::candle> sample<std::vector<herald::candle>>(caf::actor_system& sys) {
  return {sample<herald::candle>(sys), sample<herald::candle>(sys)};
}
template <>
std::vector<herald::db::news_article>
sample<std::vector<herald::db::news_article>>(caf::actor_system& sys) {
  return {sample<herald::db::news_article>(sys)};
}
template <>
herald::candle_batch sample<herald::candle_batch>(caf::actor_system& sys) {
  return {sample<std::vector<herald::candle>>(sys)};
}
template <>
herald::analysis_job sample<herald::analysis_job>(caf::actor_system& sys) {
  return {7, sample<std::vector<herald::candle>>(sys), {sample<herald::db::news_article>(sys)},
          true, true};
}
template <>
herald::analyzer_output sample<herald::analyzer_output>(caf::actor_system&) {
  return {1'700'000'000'000, -0.25, 61.5, 420, "high", "{\"why\":\"" + hostile + "\"}"};
}
template <>
herald::analysis_reply sample<herald::analysis_reply>(caf::actor_system& sys) {
  return {7, 3, {sample<herald::analyzer_output>(sys), sample<herald::analyzer_output>(sys)}};
}
template <>
herald::analysis::contribution sample<herald::analysis::contribution>(caf::actor_system&) {
  return {2, true, 0.5, 80, 1.5};
}
template <>
herald::analysis::signal sample<herald::analysis::signal>(caf::actor_system& sys) {
  herald::analysis::signal s;
  s.symbol = "BTCUSDT";
  s.interval = "1m";
  s.time = 1'700'000'000'000;
  s.price = 42000.5;
  s.dir = herald::analysis::direction::short_;
  s.score = -0.3;
  s.strength = 0.3;
  s.confidence = 55;
  s.regime = hostile;
  s.missing = 1;
  s.contributions = {sample<herald::analysis::contribution>(sys)};
  return s;
}
template <>
std::vector<herald::analysis::signal>
sample<std::vector<herald::analysis::signal>>(caf::actor_system& sys) {
  return {sample<herald::analysis::signal>(sys), sample<herald::analysis::signal>(sys)};
}
template <>
herald::signal_batch sample<herald::signal_batch>(caf::actor_system& sys) {
  return {1'699'999'940'000, "ETHUSDT_1m" + hostile, sample<std::vector<herald::analysis::signal>>(sys),
          {sample<herald::db::analysis_result>(sys)}};
}
template <>
herald::analysis::insight sample<herald::analysis::insight>(caf::actor_system&) {
  herald::analysis::insight i;
  i.signal_id = "BTCUSDT:1m:1";
  i.symbol = "BTCUSDT";
  i.interval = "1m";
  i.time = 1;
  i.dir = herald::analysis::direction::long_;
  i.strength = 0.4;
  i.confidence = 70;
  i.price = 100;
  i.approved = false;
  i.reason = "halted";
  i.state = herald::analysis::risk_state::halted;
  i.equity = 90'000;
  i.drawdown = 0.1;
  return i;
}
template <>
herald::risk_report sample<herald::risk_report>(caf::actor_system& sys) {
  herald::risk_report r;
  r.signals = sample<std::vector<herald::analysis::signal>>(sys);
  r.insights = {sample<herald::analysis::insight>(sys)};
  r.insight_of = {0, -1};
  r.equity = 99'000;
  r.max_drawdown = 0.02;
  r.trades = 3;
  return r;
}

template <>
herald::content::chart_marker sample<herald::content::chart_marker>(caf::actor_system&) {
  return {1'700'000'000'000, 43210.5, false};
}

template <>
herald::content::chart_data sample<herald::content::chart_data>(caf::actor_system& sys) {
  herald::content::chart_data d;
  d.title = "BTCUSDT 1m";
  d.candles = sample<std::vector<herald::candle>>(sys);
  d.ema.assign(d.candles.size(), 1.5);
  d.ema[0] = 0; // warming up
  d.bb_upper.assign(d.candles.size(), 2.5);
  d.bb_lower.assign(d.candles.size(), 0.5);
  d.markers = {sample<herald::content::chart_marker>(sys)};
  return d;
}

template <>
herald::content_brief sample<herald::content_brief>(caf::actor_system& sys) {
  herald::content_brief b;
  b.id = "alert:BTCUSDT:1m:1700000000000@telegram";
  b.piece = "alert:BTCUSDT:1m:1700000000000";
  b.type = "alert";
  b.channel = "telegram";
  b.insight_id = "insight:BTCUSDT:1m:1700000000000";
  b.scheduled_at = 1'700'000'000'000;
  b.facts_json = R"({"symbol":"BTCUSDT","price":43210.12,"confidence":67})";
  b.title = "BTCUSDT \xF0\x9F\x93\x88 <script>";
  b.markdown = "# r\n\n| a | b |";
  b.digest = "digest";
  b.with_chart = true;
  b.chart = sample<herald::content::chart_data>(sys);
  return b;
}

template <>
herald::content_piece sample<herald::content_piece>(caf::actor_system&) {
  herald::content_piece p;
  p.id = "report:1@x";
  p.piece = "report:1";
  p.type = "thread";
  p.channel = "x";
  p.scheduled_at = 1;
  p.title = "t";
  p.parts = {"1/2 a", "2/2 b"};
  p.variant = "a";
  p.writer = "template";
  p.chart_png = std::string{"\x89PNG\0\x01", 6};
  return p;
}

template <>
herald::publish_result sample<herald::publish_result>(caf::actor_system&) {
  return {"a@telegram", "telegram", "failed", "", "", "telegram: HTTP 400 Bad Request"};
}

template <>
herald::channel_tally sample<herald::channel_tally>(caf::actor_system&) {
  herald::channel_tally t;
  t.channel = "articles";
  t.mode = "live";
  t.published = 3;
  t.failed = 1;
  t.in_doubt = 2;
  t.urls = {"http://localhost:8080/a.html"};
  return t;
}

template <>
std::vector<herald::channel_tally>
sample<std::vector<herald::channel_tally>>(caf::actor_system& sys) {
  return {sample<herald::channel_tally>(sys), {}};
}

template <>
herald::ab_choice sample<herald::ab_choice>(caf::actor_system&) {
  return {"alert-wording", "template", "b"};
}

template <>
std::vector<herald::ab_choice> sample<std::vector<herald::ab_choice>>(caf::actor_system& sys) {
  return {sample<herald::ab_choice>(sys), {"chart-or-not", "chart", "without"}};
}

template <>
herald::db::learning_run_row sample<herald::db::learning_run_row>(caf::actor_system&) {
  return {"tuning:1700000000000", "tuning", 1'700'000'000'000, 1'700'000'000'100,
          1'700'000'000'900, "ok", R"({"count":3})", R"({"decision":"refused"})"};
}

template <>
herald::weight_epoch sample<herald::weight_epoch>(caf::actor_system&) {
  return {3, 1'796'601'600'000, {1, 0.5, 2, 1, 0, 1, 0.25, 1.5}, 0.2};
}

template <>
std::vector<herald::weight_epoch> sample<std::vector<herald::weight_epoch>>(caf::actor_system& sys) {
  return {sample<herald::weight_epoch>(sys), {}};
}

template <>
herald::node_greeting sample<herald::node_greeting>(caf::actor_system&) {
  return {"analysis-2", 1'796'591'241'677'175, {"analysis", "content"}, "0.1.0", 1,
          "10.0.0.2:4300"};
}

/// Live actors whose handles stand in for any interface (stopped at the end
/// of the test: ~actor_system waits for them).
std::vector<caf::actor>& sample_actors() {
  static std::vector<caf::actor> all;
  return all;
}

template <class Handle>
Handle sample_handle(caf::actor_system& sys) {
  auto a = sys.spawn([]() -> caf::behavior { return {[](int) {}}; });
  sample_actors().push_back(a);
  return caf::actor_cast<Handle>(a);
}

template <>
herald::node_agent_entry sample<herald::node_agent_entry>(caf::actor_system& sys) {
  return {"data.hub", sample_handle<caf::actor>(sys), false, 2, 1'700'000'000'000};
}

template <>
herald::node_directory sample<herald::node_directory>(caf::actor_system& sys) {
  return {"data-1", 7, 3, {sample<herald::node_agent_entry>(sys)}};
}

template <>
herald::candle_sink_actor sample<herald::candle_sink_actor>(caf::actor_system& sys) {
  return sample_handle<herald::candle_sink_actor>(sys);
}

template <>
herald::candle_batch_sink_actor sample<herald::candle_batch_sink_actor>(caf::actor_system& sys) {
  return sample_handle<herald::candle_batch_sink_actor>(sys);
}

template <>
herald::news_sink_actor sample<herald::news_sink_actor>(caf::actor_system& sys) {
  return sample_handle<herald::news_sink_actor>(sys);
}

template <>
herald::risk_sink_actor sample<herald::risk_sink_actor>(caf::actor_system& sys) {
  return sample_handle<herald::risk_sink_actor>(sys);
}

template <>
std::vector<herald::series_stats>
sample<std::vector<herald::series_stats>>(caf::actor_system& sys) {
  return {sample<herald::series_stats>(sys), {}};
}

template <class T>
void check_roundtrip(caf::actor_system& sys) {
  INFO("type " << caf::type_name<T>::value);
  T original = sample<T>(sys);
  // the value alone
  CHECK(roundtrip(sys, original) == original);
  // inside a message, as the middleman ships it
  auto msg = caf::make_message(original);
  caf::binary_serializer::container_type mbuf;
  caf::binary_serializer msink{sys, mbuf};
  REQUIRE_FALSE(msink(msg));
  caf::message restored;
  caf::binary_deserializer msource{sys, mbuf};
  REQUIRE_FALSE(msource(restored));
  REQUIRE(restored.match_elements<T>());
  CHECK(restored.get_as<T>(0) == original);
}

template <caf::type_id_t... Is>
void check_all(caf::actor_system& sys, std::integer_sequence<caf::type_id_t, Is...>) {
  (check_roundtrip<typename caf::type_by_id<caf::id_block::herald::begin + Is>::type>(sys),
   ...);
}

} // namespace

TEST_CASE("every registered message type round-trips through CAF's binary serializer",
          "[messages]") {
  herald::config::herald_system_config cfg;
  caf::actor_system sys{cfg};
  constexpr auto n = caf::id_block::herald::end - caf::id_block::herald::begin;
  STATIC_REQUIRE(n > 0);
  check_all(sys, std::make_integer_sequence<caf::type_id_t, n>{});
  for (auto& a : sample_actors())
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  sample_actors().clear();
}

TEST_CASE("an actor handle inside a message survives serialization", "[messages]") {
  herald::config::herald_system_config cfg;
  caf::actor_system sys{cfg};
  auto a = sys.spawn([]() -> caf::behavior { return {[](int) {}}; });
  auto x = sample<herald::child_info>(sys);
  x.handle = a;
  auto y = roundtrip(sys, x);
  CHECK(y == x);
  REQUIRE(y.handle);
  CHECK(*y.handle == a);
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}
