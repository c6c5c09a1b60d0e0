// Exactly-once publishing across a crash: herald is killed with SIGKILL
// while a Telegram call is in flight (the local server holds it), then
// started again on the same database. Every piece reaches the server once:
// nothing already delivered is sent again, nothing planned is lost, and the
// piece whose call was cut is held as in_doubt (Telegram cannot tell whether
// it arrived) instead of being guessed.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

#include "support/backends.hpp"
#include "support/process.hpp"
#include "support/publish_double.hpp"

using herald::test::process;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const std::string herald_bin = HERALD_BINARY;
const std::string shipped_conf = std::string{HERALD_SOURCE_DIR} + "/config/caf-application.conf";

} // namespace

TEST_CASE("killed with SIGKILL mid-publish and restarted, every piece reaches the channel "
          "exactly once",
          "[acceptance][content][crash]") {
  herald::test::publish_double tg;
  // the third Telegram call is held long enough for the kill
  tg.script("telegram", {{}, {}, {0, "", {}, 4000}});
  ::setenv("HERALD_TELEGRAM_TOKEN", "T0KEN", 1);
  auto dir = fs::temp_directory_path() / ("herald-crash-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto db = (dir / "h.db").string();
  std::vector<std::string> argv{herald_bin, "run", "--config", shipped_conf, "--http.port=0", "--inspector.port=0", "--candles", "3000",
                                "--scanner.start-time=1700000000000",
                                "--db.url=sqlite://" + db,
                                "--publish.articles.dir=" + (dir / "site").string(),
                                "--content.chart-dir=" + (dir / "charts").string(),
                                "--publish.telegram.enabled=true",
                                "--publish.telegram.url=" + tg.url(),
                                "--publish.telegram.chat-id=@herald",
                                "--publish.telegram.per-hour=0",
                                "--publish.telegram.per-day=0",
                                "--publish.telegram.rate-per-minute=100000",
                                "--publish.telegram.burst=1000",
                                "--publish.telegram.timeout=30s"};
  {
    process first{argv};
    REQUIRE(tg.wait_for("telegram", 3, 60s)); // the third call is now in flight
    first.signal(SIGKILL);
    first.wait_exit(10s);
  }
  auto state_count = [&](const std::string& st) {
    return herald::test::run_line("sqlite3 '" + db
                                  + "' \"SELECT COUNT(*) FROM content_plans WHERE channel = "
                                    "'telegram' AND state = '"
                                  + st + "'\"");
  };
  CHECK(state_count("publishing") == "1"); // the call that was cut
  CHECK(state_count("published") == "2");

  auto [code, out] = process::run(argv);
  INFO(out);
  REQUIRE(code == 0);
  CHECK(out.find("was being sent when Herald stopped") != std::string::npos);

  // what the server received: every text once (the held call included)
  std::map<std::string, int> seen;
  for (auto& r : tg.received("telegram"))
    ++seen[herald::test::text_of(r)];
  REQUIRE(seen.size() > 3);
  for (auto& [text, n] : seen) {
    INFO(text);
    CHECK(n == 1);
  }
  // the ledger agrees: one in doubt (held for an operator), nothing left
  // planned or publishing, everything else published
  CHECK(state_count("in_doubt") == "1");
  CHECK(state_count("publishing") == "0");
  CHECK(state_count("planned") == "0");
  // one text per part: a thread (the report's, the repurposed one) has several
  auto parts = herald::test::run_line(
    "sqlite3 '" + db + "' \"SELECT SUM(json_array_length(json_extract(payload, '$.parts'))) FROM "
    "content_plans WHERE channel = 'telegram' AND state IN ('published', 'in_doubt')\"");
  CHECK(std::stoul(parts) == seen.size());
  fs::remove_all(dir);
}

TEST_CASE("a channel agent retries 5xx with backoff, honours a 429's Retry-After and parks a "
          "piece the service refuses",
          "[acceptance][content]") {
  herald::test::publish_double hook;
  hook.script("webhook", {{503, "busy"}, {503, "busy"}, {}, {410, "gone"},
                          {429, "slow down", {{"Retry-After", "1"}}}});
  ::setenv("HERALD_WEBHOOK_SECRET", "s3cret", 1);
  auto dir = fs::temp_directory_path() / ("herald-retry-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto db = (dir / "h.db").string();
  auto [code, out] = process::run(
    {herald_bin, "run", "--config", shipped_conf, "--http.port=0", "--inspector.port=0", "--candles", "3000",
     "--scanner.start-time=1700000000000", "--db.url=sqlite://" + db,
     "--publish.articles.enabled=false", "--content.chart-dir=" + (dir / "charts").string(),
     "--publish.webhook.enabled=true", "--publish.webhook.url=" + hook.url() + "/hook",
     "--content.backoff-min=20ms", "--content.backoff-max=100ms", "--content.max-attempts=3"});
  INFO(out);
  REQUIRE(code == 0);
  auto got = hook.received("webhook");
  REQUIRE(got.size() >= 7);
  auto id = [&](std::size_t i) { return got[i].headers.find("X-Herald-Delivery")->second; };
  // 503, 503, then delivered: the same piece three times
  CHECK(id(0) == id(1));
  CHECK(id(1) == id(2));
  // refused with 410: not retried
  CHECK(id(3) != id(2));
  CHECK(id(4) != id(3));
  // 429: the same piece again after the wait
  CHECK(id(5) == id(4));
  auto state_of = [&](const std::string& piece) {
    return herald::test::run_line("sqlite3 '" + db
                                  + "' \"SELECT state FROM content_plans WHERE id = '" + piece
                                  + "'\"");
  };
  CHECK(state_of(id(0)) == "published");
  CHECK(state_of(id(3)) == "failed");
  CHECK(state_of(id(4)) == "published");
  CHECK(out.find("webhook   live     published ") != std::string::npos);
  CHECK(out.find("failed 1,") != std::string::npos);
  auto [lc, listing] = process::run({herald_bin, "content", "list", "--state", "failed",
                                     "--config", shipped_conf, "--db=sqlite://" + db});
  CHECK(lc == 0);
  CHECK(listing.find(id(3)) != std::string::npos);
  CHECK(listing.find("last error: webhook: HTTP 410 gone") != std::string::npos);
  fs::remove_all(dir);
}
