// The pure operations layer: latency buckets and quantiles, the stats table
// (totals across restarts, windows), tokens and roles, the request limiter,
// the event journal and the Prometheus writer.
#include <catch2/catch.hpp>

#include <thread>

#include "ops/auth.hpp"
#include "ops/journal.hpp"
#include "ops/latency.hpp"
#include "ops/metrics.hpp"
#include "ops/stats_table.hpp"

using namespace herald::ops;

TEST_CASE("latency buckets are Prometheus 'less or equal' bounds", "[unit][ops]") {
  CHECK(latency_bucket(0) == 0);
  CHECK(latency_bucket(1000) == 0);      // 1 us is in le=1e-06
  CHECK(latency_bucket(1001) == 1);      // just above
  CHECK(latency_bucket(10'000'000) == 12); // 10 ms
  CHECK(latency_bucket(20'000'000'000ull) == latency_buckets - 1); // +Inf
  std::vector<std::uint64_t> counts(latency_buckets, 0);
  CHECK(latency_quantile(counts, 0.99) == 0.0);
  counts[9] = 100; // all in (500us, 1ms]
  auto p99 = latency_quantile(counts, 0.99);
  CHECK(p99 > 5e-4);
  CHECK(p99 <= 1e-3);
  counts[latency_buckets - 1] = 1000; // most in +Inf: the largest finite bound
  CHECK(latency_quantile(counts, 0.99) == Approx(10.0));
}

TEST_CASE("the stats table keeps totals across restarts and reports window rates",
          "[unit][ops]") {
  stats_table t{10000};
  directory_entry d{"analysis.pipeline", false, true, 7, 0, "", 0};
  auto report = [](std::uint64_t id, std::uint64_t msgs, std::uint64_t bucket) {
    stats_report r;
    r.actor_id = id;
    r.messages = msgs;
    r.busy_ns = msgs * 1000;
    r.mailbox = 3;
    r.buckets.assign(latency_buckets, 0);
    r.buckets[bucket] = msgs;
    return r;
  };
  t.on_report(report(7, 100, 5), 0);
  auto v = t.build({d}, 0);
  REQUIRE(v.size() == 1);
  CHECK(v[0].messages == 100);
  CHECK(v[0].mailbox == 3);
  CHECK(v[0].parent == "analysis");
  t.on_report(report(7, 300, 5), 2000);
  v = t.build({d}, 2000);
  CHECK(v[0].messages == 300);
  CHECK(v[0].rate == Approx(100.0)); // 200 messages in 2 s
  CHECK(v[0].p99_seconds > 2.5e-5);
  CHECK(v[0].p99_seconds <= 5e-5);
  // A restart: new actor id, counters start again; the path's totals do not.
  d.actor_id = 9;
  d.restarts = 1;
  d.last_exit_reason = "kill";
  t.on_report(report(9, 50, 5), 3000);
  v = t.build({d}, 3000);
  CHECK(v[0].messages == 350);
  CHECK(v[0].restarts == 1);
  CHECK(v[0].buckets[5] == 350);
  // While down, the mailbox reads 0 and the totals stay.
  d.running = false;
  d.actor_id = 0;
  v = t.build({d}, 4000);
  CHECK(v[0].messages == 350);
  CHECK(v[0].mailbox == 0);
  // Reports of an id nobody refers to are ignored.
  t.on_report(report(1234, 99999, 5), 4000);
  v = t.build({d}, 4000);
  CHECK(v[0].messages == 350);
}

TEST_CASE("api tokens: roles, constant-time lookup, clear errors without the token",
          "[unit][ops]") {
  token_table t;
  CHECK(t.parse("bot:operator:abcdefghijklmnop, viewer1:viewer:0123456789abcdefXYZ").empty());
  CHECK(t.size() == 2);
  auto who = t.authenticate("abcdefghijklmnop");
  REQUIRE(who);
  CHECK(who->name == "bot");
  CHECK(who->level == role::operator_);
  CHECK_FALSE(t.authenticate("abcdefghijklmno"));
  CHECK_FALSE(t.authenticate(""));
  auto err = t.parse("x:root:abcdefghijklmnopq");
  CHECK(err.find("unknown role 'root'") != std::string::npos);
  err = t.parse("x:viewer:short");
  CHECK(err.find("shorter than 16") != std::string::npos);
  CHECK(err.find("short'") == std::string::npos); // the token itself is never echoed
  CHECK(t.parse("a:viewer:abcdefghijklmnop,a:admin:qrstuvwxyz012345").find("appears twice")
        != std::string::npos);
  CHECK(t.parse("a:viewer:abcdefghijklmnop,b:admin:abcdefghijklmnop").find("same token")
        != std::string::npos);
  CHECK(t.parse("justatoken").find("name:role:token") != std::string::npos);
  CHECK(role::viewer < role::operator_);
  CHECK(role::operator_ < role::admin);
}

TEST_CASE("the request limiter keeps one bucket per token", "[unit][ops]") {
  request_limiter l{60, 3}; // 1 a second, bursts of 3
  CHECK_FALSE(l.take("a", 0));
  CHECK_FALSE(l.take("a", 0));
  CHECK_FALSE(l.take("a", 0));
  auto wait = l.take("a", 0);
  REQUIRE(wait);
  CHECK(*wait == 1);
  CHECK_FALSE(l.take("b", 0)); // its own budget
  CHECK_FALSE(l.take("a", 1000)); // refilled
  request_limiter off{0, 1};
  for (int i = 0; i < 100; ++i)
    CHECK_FALSE(off.take("a", 0));
}

TEST_CASE("the journal hands out events in order and wakes waiting readers", "[unit][ops]") {
  journal j{3};
  CHECK(j.last_seq() == 0);
  j.push("signal", "{\"n\":1}");
  j.push("signal", "{\"n\":2}");
  auto all = j.since(0);
  REQUIRE(all.size() == 2);
  CHECK(all[0].seq == 1);
  CHECK(j.since(1).size() == 1);
  for (int i = 3; i <= 5; ++i)
    j.push("candle", "{}");
  auto left = j.since(0); // the ring keeps the last 3
  REQUIRE(left.size() == 3);
  CHECK(left[0].seq == 3);
  std::vector<event> got;
  std::thread reader([&] { got = j.wait_since(5, std::chrono::seconds{30}); });
  j.push("restart", "{\"path\":\"ops.health\"}");
  reader.join();
  REQUIRE(got.size() == 1);
  CHECK(got[0].type == "restart");
  std::thread closed([&] { got = j.wait_since(6, std::chrono::seconds{30}); });
  j.close();
  closed.join();
  CHECK(got.empty());
}

TEST_CASE("the Prometheus writer escapes labels and writes cumulative histograms",
          "[unit][ops]") {
  prometheus_writer w;
  w.family("x_total", "counter", "help text");
  w.sample("x_total", {{"actor", "a\"b\\c\nd"}}, 3);
  std::vector<std::uint64_t> counts(latency_buckets, 0);
  counts[0] = 2;
  counts[3] = 1;
  w.histogram("h_seconds", {{"actor", "p"}}, counts, 0.5);
  auto& t = w.text();
  CHECK(t.find("# HELP x_total help text\n# TYPE x_total counter\n") == 0);
  CHECK(t.find("x_total{actor=\"a\\\"b\\\\c\\nd\"} 3\n") != std::string::npos);
  CHECK(t.find("h_seconds_bucket{actor=\"p\",le=\"1e-06\"} 2\n") != std::string::npos);
  CHECK(t.find("h_seconds_bucket{actor=\"p\",le=\"1e-05\"} 3\n") != std::string::npos);
  CHECK(t.find("h_seconds_bucket{actor=\"p\",le=\"+Inf\"} 3\n") != std::string::npos);
  CHECK(t.find("h_seconds_count{actor=\"p\"} 3\n") != std::string::npos);
  CHECK(t.find("h_seconds_sum{actor=\"p\"} 0.5\n") != std::string::npos);
  auto p = read_process_sample();
  CHECK(p.resident_bytes > 0);
  CHECK(p.threads >= 1);
  CHECK(p.open_fds >= 3);
  CHECK(p.start_time_seconds > 1.6e9);
}
