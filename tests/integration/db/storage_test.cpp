// The storage interface against both backends: migrations, idempotent
// writes, hostile strings, reads. Every case runs once per backend.

#include <catch2/catch.hpp>

#include <thread>

#include <nlohmann/json.hpp>

#include "db/migrations.hpp"
#include "db/storage.hpp"
#include "support/backends.hpp"

using namespace herald;
using namespace herald::db;
using herald::test::backend_target;
using herald::test::for_each_backend;
using herald::test::fresh_backends;

namespace {

std::unique_ptr<storage> open_target(const backend_target& t) {
  db_url url;
  REQUIRE(parse_url(t.url, url).empty());
  storage_options opts;
  opts.pool_size = 2;
  return open_storage(url, opts);
}

std::unique_ptr<storage> migrated(const backend_target& t) {
  auto s = open_target(t);
  s->migrate();
  return s;
}

/// Runs `body` once per backend, each in its own section with a fresh database.

candle make_candle(const std::string& symbol, std::int64_t open_time, bool extras = true) {
  candle c;
  c.symbol = symbol;
  c.interval = "1m";
  c.open_time = open_time;
  c.open = 100.25 + static_cast<double>(open_time % 97);
  c.high = c.open + 1.5;
  c.low = c.open - 0.75;
  c.close = c.open + 0.1;
  c.volume = 12.345678901234;
  c.close_time = open_time + 59'999;
  c.has_extras = extras;
  if (extras) {
    c.quote_volume = 1234.5;
    c.trades = 42;
    c.taker_buy_base = 6.5;
    c.taker_buy_quote = 650.25;
  }
  return c;
}

std::vector<candle> series(const std::string& symbol, std::int64_t from, int n) {
  std::vector<candle> out;
  for (int i = 0; i < n; ++i)
    out.push_back(make_candle(symbol, from + i * 60'000, i % 3 != 0));
  return out;
}

const std::vector<std::string>& hostile_strings() {
  static const std::vector<std::string> xs = {
    "plain",
    "quote ' and \" double",
    "'; DROP TABLE market_data; --",
    "back\\slash \\\\ \\n not a newline",
    "tab\tnew\nline\rcarriage",
    "ctrl \x01\x02\x1f\x7f bytes",
    "4-byte emoji \xF0\x9F\x98\x80 and \xF0\x9F\x9A\x80, CJK \xE4\xB8\xAD\xE6\x96\x87",
    "$1 ? :name %s {} \\N",
    std::string(1024 * 1024, 'x') + "\xF0\x9F\x98\x80",
  };
  return xs;
}

/// A JSON document that holds `s` (JSON columns must hold JSON).
std::string json_of(const std::string& s) {
  return nlohmann::json{{"text", s}, {"n", 1}}.dump();
}

bool same_json(const std::string& a, const std::string& b) {
  return nlohmann::json::parse(a) == nlohmann::json::parse(b);
}

} // namespace

TEST_CASE("migrations apply in order, are recorded, and are safe to run twice",
          "[db][migrations]") {
  for_each_backend([](const backend_target& t) {
    auto s = open_target(t);
    CHECK(s->schema_version() == 0);
    auto first = s->migrate();
    CHECK(first.from_version == 0);
    CHECK(first.to_version == latest_schema_version());
    REQUIRE_FALSE(first.applied.empty());
    CHECK(first.applied.front() == "0001_initial");
    auto second = s->migrate();
    CHECK(second.applied.empty());
    CHECK(second.from_version == latest_schema_version());
    CHECK(s->schema_version() == latest_schema_version());
  });
}

TEST_CASE("a database with a newer schema than the binary is refused", "[db][migrations]") {
  for_each_backend([](const backend_target& t) {
    auto s = migrated(t);
    // Simulate a newer herald having migrated this database.
    std::string sql = "INSERT INTO schema_migrations (version, name, applied_at) VALUES "
                      "(9999, 'future', 'x')";
    std::string cmd;
    if (t.name == "sqlite")
      cmd = "sqlite3 '" + t.url.substr(9) + "' \"" + sql + "\"";
    else
      cmd = "psql -q '" + t.url + "' -c \"" + sql + "\"";
    REQUIRE(std::system(cmd.c_str()) == 0);
    try {
      s->migrate();
      FAIL("migrate accepted a newer schema");
    } catch (const storage_error& e) {
      CHECK_FALSE(e.transient());
      CHECK(std::string{e.what()}.find("newer than this herald binary") != std::string::npos);
    }
  });
}

TEST_CASE("candles round-trip exactly, with and without the extra fields", "[db][candles]") {
  for_each_backend([](const backend_target& t) {
    auto s = migrated(t);
    auto cs = series("BTCUSDT", 1'700'000'000'000, 50);
    write_batch b;
    b.candles = cs;
    s->write(b);
    CHECK(s->count_candles("BTCUSDT", "1m") == 50);
    auto back = s->candles_between("BTCUSDT", "1m", cs.front().open_time,
                                   cs.back().open_time + 1);
    REQUIRE(back.size() == cs.size());
    for (std::size_t i = 0; i < cs.size(); ++i)
      CHECK(back[i] == cs[i]);
    auto last = s->last_candles("BTCUSDT", "1m", 5);
    REQUIRE(last.size() == 5);
    CHECK(last.front() == cs[45]);
    CHECK(last.back() == cs[49]);
    CHECK(s->last_candles("ETHUSDT", "1m", 5).empty());
  });
}

TEST_CASE("re-inserting candles, posts and events does not duplicate them", "[db][idempotent]") {
  for_each_backend([](const backend_target& t) {
    auto s = migrated(t);
    auto cs = series("ETHUSDT", 1'700'000'000'000, 2000);
    write_batch b;
    b.candles = cs;
    s->write(b);
    s->write(b); // exactly the same batch again
    // an overlapping batch: half old, half new, not in time order
    std::vector<candle> overlap(cs.begin() + 1000, cs.end());
    auto more = series("ETHUSDT", cs.back().open_time + 60'000, 1000);
    overlap.insert(overlap.begin(), more.begin(), more.end());
    write_batch b2;
    b2.candles = overlap;
    s->write(b2);
    CHECK(s->count_candles("ETHUSDT", "1m") == 3000);

    write_batch posts;
    posts.posts.push_back({"post-1", "", "telegram", "tg-77", "https://t.me/x/77", "hello",
                           R"({"views": 10})", 1000});
    s->write(posts);
    posts.posts[0].metrics_json = R"({"views": 25})";
    s->write(posts);
    auto stored = s->published_on("telegram", 10);
    REQUIRE(stored.size() == 1);
    CHECK(same_json(stored[0].metrics_json, R"({"views": 25})"));

    write_batch logs;
    logs.logs.push_back({"evt-1", "ops.health", "info", "started", "{}", 5});
    s->write(logs);
    s->write(logs);
    CHECK(s->agent_logs_of("ops.health", 10).size() == 1);
  });
}

TEST_CASE("a content plan's newer state wins and an older write does not roll it back",
          "[db][idempotent]") {
  for_each_backend([](const backend_target& t) {
    auto s = migrated(t);
    content_plan p{"plan-1", "", "alert", "telegram", "planned", 5000, "{}", 100};
    write_batch b;
    b.plans = {p};
    s->write(b);
    p.state = "published";
    p.updated_at = 200;
    b.plans = {p};
    s->write(b);
    p.state = "approved"; // a late, older update
    p.updated_at = 150;
    b.plans = {p};
    s->write(b);
    CHECK(s->content_by_state("published", 10).size() == 1);
    CHECK(s->content_by_state("approved", 10).empty());
    CHECK(s->content_by_state("planned", 10).empty());
  });
}

TEST_CASE("hostile strings round-trip unchanged through every text column of the write API",
          "[db][hostile]") {
  for_each_backend([](const backend_target& t) {
    auto s = migrated(t);
    std::int64_t n = 0;
    for (auto& h : hostile_strings()) {
      ++n;
      INFO("string #" << n << " (" << h.size() << " bytes)");
      // Keys and indexed fields are bounded (max_key_bytes): they get the
      // string cut to 200 bytes (all hostile strings but the 1 MB one fit).
      auto k = h.substr(0, 200);
      auto id = "id-" + std::to_string(n) + "-" + k;
      auto j = json_of(h);
      write_batch b;
      candle c = make_candle(k, n * 60'000);
      c.interval = k;
      b.candles = {c};
      b.news = {{id, h, h, h, h, nlohmann::json::array({h}).dump(), n, 0.5}};
      b.sentiment = {{k, k, n, -0.25, 3}};
      b.analysis = {{k, k, n, k, 0.5, 70.0, j, 1234}};
      b.signals = {{id, k, h, n, h, 0.7, 80.0, j, n}};
      b.insights = {{id, id, h, h, h, h, 0.9, j, n}};
      b.plans = {{id, id, h, h, k, n, j, n}};
      b.posts = {{id, id, k, h, h, h, j, n}};
      b.logs = {{id, k, h, h, j, n}};
      b.ab_tests = {{id, h, h, n}};
      b.ab_variants = {{id, k, h, 10, 3}};
      REQUIRE(validate(b).empty());
      s->write(b);

      auto cs = s->last_candles(k, c.interval, 1);
      REQUIRE(cs.size() == 1);
      CHECK(cs[0] == c);
      auto news = s->news_since(n, 1);
      REQUIRE(news.size() == 1);
      CHECK(news[0].id == id);
      CHECK(news[0].source == h);
      CHECK(news[0].url == h);
      CHECK(news[0].title == h);
      CHECK(news[0].body == h);
      CHECK(same_json(news[0].symbols_json, b.news[0].symbols_json));
      auto sent = s->sentiment_between(k, n, n + 1);
      REQUIRE(sent.size() == 1);
      CHECK(sent[0].source == k);
      auto an = s->analysis_for(k, k, n);
      REQUIRE(an.size() == 1);
      CHECK(an[0].analyzer == k);
      CHECK(same_json(an[0].payload_json, j));
      auto sig = s->latest_signals(1, k);
      REQUIRE(sig.size() == 1);
      CHECK(sig[0].id == id);
      CHECK(sig[0].interval == h);
      CHECK(sig[0].direction == h);
      auto ins = s->latest_insights(1);
      REQUIRE(ins.size() == 1);
      CHECK(ins[0].id == id);
      CHECK(ins[0].signal_id == id);
      CHECK(ins[0].symbol == h);
      CHECK(ins[0].kind == h);
      CHECK(ins[0].title == h);
      CHECK(ins[0].body == h);
      auto plans = s->content_by_state(k, 10);
      REQUIRE(plans.size() == 1);
      CHECK(plans[0].insight_id == id);
      CHECK(plans[0].kind == h);
      CHECK(plans[0].channel == h);
      CHECK(same_json(plans[0].payload_json, j));
      auto posts = s->published_on(k, 1);
      REQUIRE(posts.size() == 1);
      CHECK(posts[0].plan_id == id);
      CHECK(posts[0].channel_message_id == h);
      CHECK(posts[0].url == h);
      CHECK(posts[0].body == h);
      CHECK(same_json(posts[0].metrics_json, j));
      auto logs = s->agent_logs_of(k, 1);
      REQUIRE(logs.size() == 1);
      CHECK(logs[0].level == h);
      CHECK(logs[0].message == h);
      auto test = s->experiment(id);
      REQUIRE(test);
      CHECK(test->name == h);
      CHECK(test->status == h);
      auto vars = s->experiment_variants(id);
      REQUIRE(vars.size() == 1);
      CHECK(vars[0].variant == k);
      CHECK(vars[0].content == h);
    }
  });
}

TEST_CASE("reads: latest signals and insights, content by state, experiment stats",
          "[db][reads]") {
  for_each_backend([](const backend_target& t) {
    auto s = migrated(t);
    write_batch b;
    for (int i = 0; i < 5; ++i) {
      auto sym = i % 2 == 0 ? "BTCUSDT" : "ETHUSDT";
      auto id = "sig-" + std::to_string(i);
      b.signals.push_back({id, sym, "1h", i * 3'600'000, "long", 0.5, 60, "{}", 1000 + i});
      b.insights.push_back({"ins-" + std::to_string(i), id, sym, "alert", "t", "b", 0.5, "{}",
                            2000 + i});
    }
    b.plans = {{"p1", "ins-1", "alert", "x", "planned", 300, "{}", 1},
               {"p2", "ins-2", "alert", "x", "planned", 100, "{}", 1},
               {"p3", "", "recap", "web", "published", 200, "{}", 1}};
    b.ab_tests = {{"exp", "headline test", "running", 1}};
    b.ab_variants = {{"exp", "a", "Headline A", 200, 10}, {"exp", "b", "Headline B", 0, 0}};
    s->write(b);
    auto sig = s->latest_signals(2, "");
    REQUIRE(sig.size() == 2);
    CHECK(sig[0].id == "sig-4");
    CHECK(sig[1].id == "sig-3");
    auto eth = s->latest_signals(10, "ETHUSDT");
    REQUIRE(eth.size() == 2);
    CHECK(eth[0].id == "sig-3");
    auto ins = s->latest_insights(1);
    REQUIRE(ins.size() == 1);
    CHECK(ins[0].id == "ins-4");
    auto planned = s->content_by_state("planned", 10);
    REQUIRE(planned.size() == 2);
    CHECK(planned[0].id == "p2"); // by scheduled time
    auto stats = s->experiment_stats("exp");
    REQUIRE(stats.size() == 2);
    CHECK(stats[0].variant == "a");
    CHECK(stats[0].conversion_rate == Approx(0.05));
    CHECK(stats[1].conversion_rate == 0.0);
    CHECK_FALSE(s->experiment("nope"));
  });
}

TEST_CASE("a reference to a missing parent is a permanent error and writes nothing",
          "[db][errors]") {
  for_each_backend([](const backend_target& t) {
    auto s = migrated(t);
    write_batch b;
    b.candles = series("SOLUSDT", 0, 3);
    b.insights = {{"ins-x", "no-such-signal", "SOLUSDT", "alert", "t", "b", 0.5, "{}", 1}};
    try {
      s->write(b);
      FAIL("foreign key violation accepted");
    } catch (const storage_error& e) {
      CHECK_FALSE(e.transient());
    }
    CHECK(s->count_candles("SOLUSDT", "1m") == 0); // one transaction: nothing written
  });
}

TEST_CASE("validate names the record and field that is wrong", "[db][errors]") {
  write_batch b;
  b.signals = {{"s1", "BTC", "1h", 0, "long", 0, 0, "{not json", 0}};
  CHECK(validate(b) == "signal_record #0: field 'payload_json' is not valid JSON");
  write_batch k;
  k.posts = {{"", "", "web", "", "", "", "{}", 0}};
  CHECK(validate(k) == "published_post #0: key field 'id' is empty");
  write_batch big;
  candle c;
  c.symbol = std::string(600, 's');
  c.interval = "1m";
  big.candles = {c};
  CHECK(validate(big) == "candle #0: field 'symbol' is 600 bytes; keys and indexed fields are "
                         "limited to 512");
}

TEST_CASE("database URLs are parsed and refuse passwords", "[db][url]") {
  db_url u;
  CHECK(parse_url("sqlite://var/herald.db", u).empty());
  CHECK(u.path == "var/herald.db");
  CHECK(parse_url("sqlite:///srv/h.db", u).empty());
  CHECK(u.path == "/srv/h.db");
  CHECK(parse_url("postgresql://herald@db.local:6543/prod?sslmode=require", u).empty());
  CHECK(u.host == "db.local");
  CHECK(u.port == 6543);
  CHECK(u.user == "herald");
  CHECK(u.dbname == "prod");
  CHECK(u.params.at("sslmode") == "require");
  CHECK(parse_url("postgresql://herald:secret@db/prod", u).find("must not contain a password")
        != std::string::npos);
  CHECK(parse_url("mysql://x/y", u).find("unsupported database URL") != std::string::npos);
  CHECK(parse_url("postgresql://host:99999/db", u).find("out of range") != std::string::npos);
  CHECK_FALSE(parse_url("postgresql://host", u).empty());
}

TEST_CASE("an unreachable PostgreSQL is a transient error naming the server", "[db][errors]") {
  db_url u;
  REQUIRE(parse_url("postgresql://herald@127.0.0.1:1/nothing", u).empty());
  storage_options o;
  o.connect_timeout_seconds = 2;
  try {
    open_storage(u, o);
    FAIL("connected to nothing");
  } catch (const storage_error& e) {
    CHECK(e.transient());
    CHECK(std::string{e.what()}.find("127.0.0.1:1") != std::string::npos);
  }
}

TEST_CASE("leases: one holder at a time, a new holder raises the fencing epoch",
          "[storage][cluster]") {
  for_each_backend([](const backend_target& t) {
    auto s = migrated(t);
    auto a = s->acquire_lease("coordinator", "node-a#1", 60'000);
    CHECK(a.held);
    CHECK(a.epoch == 1);
    CHECK(a.expires_at > a.now);
    // Held: another node is refused and told who holds it.
    auto b = s->acquire_lease("coordinator", "node-b#1", 60'000);
    CHECK_FALSE(b.held);
    CHECK(b.holder == "node-a#1");
    CHECK(b.epoch == 1);
    // A renewal keeps the epoch.
    CHECK(s->acquire_lease("coordinator", "node-a#1", 60'000).epoch == 1);
    CHECK(s->lease_valid("coordinator", "node-a#1", 1));
    // Expired (ttl 0): the next node takes it with a new epoch; the old
    // holder's token is void and it cannot renew.
    CHECK(s->acquire_lease("coordinator", "node-a#1", 0).held);
    auto b2 = s->acquire_lease("coordinator", "node-b#1", 60'000);
    CHECK(b2.held);
    CHECK(b2.epoch == 2);
    CHECK_FALSE(s->lease_valid("coordinator", "node-a#1", 1));
    CHECK(s->lease_valid("coordinator", "node-b#1", 2));
    CHECK_FALSE(s->acquire_lease("coordinator", "node-a#1", 60'000).held);
    // An orderly release frees it at once.
    s->release_lease("coordinator", "node-b#1");
    auto a3 = s->acquire_lease("coordinator", "node-a#2", 60'000);
    CHECK(a3.held);
    CHECK(a3.epoch == 3);
    // Leases are independent.
    CHECK(s->acquire_lease("publisher", "node-b#1", 60'000).epoch == 1);
    auto all = s->leases();
    REQUIRE(all.size() == 2);
    CHECK(all[0].name == "coordinator");
    CHECK(all[1].holder == "node-b#1");
  });
}

TEST_CASE("series assignments are fenced by the coordinator lease and never go back in epoch",
          "[storage][cluster]") {
  for_each_backend([](const backend_target& t) {
    auto s = migrated(t);
    auto lease = s->acquire_lease("coordinator", "a#1", 60'000);
    REQUIRE(lease.held);
    CHECK(s->assign_series({{"BTCUSDT:1m", "a#1", 1, 100}, {"ETHUSDT:1m", "b#1", 1, 100}},
                           "a#1", lease.epoch));
    // A coordinator without the lease (or with an old epoch) writes nothing.
    CHECK_FALSE(s->assign_series({{"BTCUSDT:1m", "b#1", 2, 200}}, "b#1", 1));
    CHECK_FALSE(s->assign_series({{"BTCUSDT:1m", "b#1", 2, 200}}, "a#1", lease.epoch + 1));
    // A change never replaces a newer epoch.
    CHECK(s->assign_series({{"ETHUSDT:1m", "a#1", 3, 300}}, "a#1", lease.epoch));
    CHECK(s->assign_series({{"ETHUSDT:1m", "c#1", 2, 400}}, "a#1", lease.epoch));
    auto owners = s->series_owners();
    REQUIRE(owners.size() == 2);
    CHECK(owners[0].series == "BTCUSDT:1m");
    CHECK(owners[0].owner == "a#1");
    CHECK(owners[1].owner == "a#1");
    CHECK(owners[1].epoch == 3);
    CHECK_THROWS_AS(s->assign_series({{"", "a#1", 9, 1}}, "a#1", lease.epoch), storage_error);
  });
}

TEST_CASE("cluster members: a restart replaces the incarnation and the old one cannot renew",
          "[storage][cluster]") {
  for_each_backend([](const backend_target& t) {
    auto s = migrated(t);
    member_state a{"a", "a#1", "data,ops", "127.0.0.1:4301", "0.16.0"};
    s->join_member(a);
    CHECK(s->renew_member("a", "a#1"));
    CHECK_FALSE(s->renew_member("b", "b#1")); // never joined
    auto first = s->members();
    REQUIRE(first.size() == 1);
    CHECK(first[0].status == "up");
    CHECK(first[0].roles == "data,ops");
    CHECK(first[0].renewed_at <= first[0].now);
    // The node restarts: its new incarnation holds the name; the old one is
    // told it was replaced and its leave changes nothing.
    a.incarnation = "a#2";
    s->join_member(a);
    CHECK_FALSE(s->renew_member("a", "a#1"));
    s->leave_member("a", "a#1");
    CHECK(s->members()[0].status == "up");
    s->leave_member("a", "a#2");
    auto left = s->members();
    CHECK(left[0].status == "left");
    CHECK(left[0].incarnation == "a#2");
    CHECK_THROWS_AS(s->join_member(member_state{"", "x", "", "", ""}), storage_error);
    // The deployment log keeps what happened, newest first.
    s->log_deployment("a", "0.16.0", "joined", R"({"incarnation":"a#1"})");
    s->log_deployment("a", "0.16.0", "left", "{}");
    auto log = s->deployment_log(10);
    REQUIRE(log.size() == 2);
    CHECK(log[0][2] == "left");
    CHECK(log[1][3].find("a#1") != std::string::npos);
    CHECK_THROWS_AS(s->log_deployment("a", "v", "joined", "{not json"), storage_error);
  });
}

TEST_CASE("nodes that start together migrate one fresh database without colliding",
          "[storage][cluster]") {
  for_each_backend([](const backend_target& t) {
    // Four nodes at once, each with its own connection pool.
    std::vector<std::unique_ptr<storage>> nodes;
    for (int i = 0; i < 4; ++i)
      nodes.push_back(open_target(t));
    std::vector<std::string> errors(nodes.size());
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < nodes.size(); ++i)
      threads.emplace_back([&, i] {
        try {
          nodes[i]->migrate();
        } catch (const std::exception& e) {
          errors[i] = e.what();
        }
      });
    for (auto& th : threads)
      th.join();
    for (auto& e : errors)
      CHECK(e.empty());
    for (auto& n : nodes)
      CHECK(n->schema_version() == latest_schema_version());
  });
}

TEST_CASE("the agent registry holds each node's agents and replaces them per node",
          "[storage][cluster]") {
  for_each_backend([](const backend_target& t) {
    auto s = migrated(t);
    s->write_registry("a", {{"", "data.hub", "worker", "running", 2, "kill", 1000, 0},
                            {"", "data", "supervisor", "running", 0, "", 900, 0}});
    s->write_registry("b", {{"", "analysis.risk", "worker", "running", 0, "", 1100, 0}});
    auto all = s->registry();
    REQUIRE(all.size() == 3);
    CHECK(all[0].node == "a");
    CHECK(all[0].path == "data");
    CHECK(all[1].restarts == 2);
    CHECK(all[1].last_exit_reason == "kill");
    CHECK(all[1].updated_at > 0);
    // a's agents change: its rows are replaced, b's stay.
    s->write_registry("a", {{"", "data.hub", "worker", "down", 3, "kill", 1000, 0}});
    all = s->registry();
    REQUIRE(all.size() == 2);
    CHECK(all[0].status == "down");
    CHECK(all[1].node == "b");
    CHECK_THROWS_AS(s->write_registry("a", {{"", "", "worker", "running", 0, "", 0, 0}}),
                    storage_error);
    CHECK(s->registry().size() == 2); // nothing half-written
  });
}

TEST_CASE("candle_series lists every stored series once in order (loose index scan)",
          "[storage]") {
  for_each_backend([](const backend_target& t) {
    auto s = migrated(t);
    CHECK(s->candle_series().empty());
    write_batch b;
    for (auto sym : {"ZZZUSDT", "AAAUSDT", "MMMUSDT"})
      for (auto iv : {"1m", "5m", "1h"})
        for (int i = 0; i < 50; ++i) {
          candle c;
          c.symbol = sym;
          c.interval = iv;
          c.open_time = 60'000LL * (i + 1);
          c.close_time = c.open_time + 59'999;
          c.open = c.high = c.low = c.close = 1;
          b.candles.push_back(c);
        }
    s->write(b);
    auto all = s->candle_series();
    std::vector<std::pair<std::string, std::string>> want;
    for (auto sym : {"AAAUSDT", "MMMUSDT", "ZZZUSDT"})
      for (auto iv : {"1h", "1m", "5m"}) // byte order of the interval text
        want.emplace_back(sym, iv);
    CHECK(all == want);
  });
}
