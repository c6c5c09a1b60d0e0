// The publishing ledger on both backends: states, published rows, operator
// decisions, and reconciliation of pieces a crash left in `publishing`.
#include <catch2/catch.hpp>

#include "content/ledger.hpp"
#include "db/storage.hpp"
#include "support/storage.hpp"

using namespace herald;
using namespace herald::content;
using herald::test::backend_target;
using herald::test::for_each_backend;

namespace {

piece_record rec(const std::string& piece, const std::string& ch) {
  piece_record r;
  r.piece = piece;
  r.id = piece + "@" + ch;
  r.type = "alert";
  r.channel = ch;
  r.insight_id = "insight:" + piece; // not stored yet: written behind
  r.scheduled_at = 1'700'000'000'000;
  r.title = "t \xF0\x9F\x93\x88 '; DROP TABLE content_plans; --";
  r.parts = {"1/2 a", "2/2 b"};
  r.chart_path = "/tmp/x.png";
  return r;
}

} // namespace

TEST_CASE("the ledger keeps every piece's state and payload, and records publications",
          "[content][ledger]") {
  for_each_backend([](const backend_target& t) {
    ledger book{herald::test::open_migrated(t), [] { return std::int64_t{42}; }};
    auto r = rec("alert:BTCUSDT:1m:1", "telegram");
    book.save(r);
    auto back = book.find(r.id);
    REQUIRE(back);
    CHECK(back->state == state::planned);
    CHECK(back->parts == r.parts);
    CHECK(back->title == r.title);
    CHECK(back->insight_id == r.insight_id);
    CHECK(back->updated_at == 42);
    CHECK_FALSE(book.find("nope@x"));

    back->state = state::publishing;
    back->parts_done = 1;
    back->last_id = "7";
    book.save(*back);
    book.mark_published(*back, "8", "https://t.me/c/8");
    auto done = book.find(r.id);
    REQUIRE(done);
    CHECK(done->state == state::published);
    CHECK(done->remote_id == "8");
    CHECK(book.in_state(state::published).size() == 1);
  });
}

TEST_CASE("approval: only held pieces can be approved or rejected, with reasons otherwise",
          "[content][ledger]") {
  for_each_backend([](const backend_target& t) {
    ledger book{herald::test::open_migrated(t)};
    auto r = rec("alert:ETHUSDT:1m:2", "x");
    r.state = state::pending_approval;
    book.save(r);
    CHECK(book.approve(r.id).empty());
    CHECK(book.find(r.id)->state == state::planned);
    CHECK(book.approve(r.id).find("is planned") != std::string::npos);
    CHECK(book.approve("missing@x").find("no content plan") != std::string::npos);
    auto q = rec("alert:ETHUSDT:1m:3", "x");
    q.state = state::pending_approval;
    book.save(q);
    CHECK(book.reject(q.id).empty());
    CHECK(book.find(q.id)->state == state::rejected);
    CHECK_FALSE(book.reject(q.id).empty()); // already rejected
    auto p = rec("alert:ETHUSDT:1m:4", "x");
    book.save(p);
    book.mark_published(p, "1", "");
    CHECK(book.reject(p.id).find("published") != std::string::npos);
  });
}

TEST_CASE("after a crash, pieces left in publishing are resent where the channel dedupes and "
          "held in doubt where it cannot",
          "[content][ledger]") {
  for_each_backend([](const backend_target& t) {
    ledger book{herald::test::open_migrated(t)};
    auto a = rec("report:1", "articles");
    auto tg = rec("report:1", "telegram");
    auto fine = rec("report:2", "telegram");
    a.state = tg.state = state::publishing;
    book.save(a);
    book.save(tg);
    book.save(fine); // planned: untouched
    auto changed = book.reconcile([](const std::string& ch) { return ch != "telegram"; });
    CHECK(changed.size() == 2);
    CHECK(book.find(a.id)->state == state::planned);
    auto held = book.find(tg.id);
    CHECK(held->state == state::in_doubt);
    CHECK(held->last_error.find("herald content approve " + tg.id) != std::string::npos);
    CHECK(book.find(fine.id)->state == state::planned);
    CHECK(book.reconcile([](const std::string&) { return true; }).empty()); // nothing left
    CHECK(book.approve(tg.id).empty()); // an operator checked the channel: send it
    CHECK(book.find(tg.id)->state == state::planned);
  });
}

TEST_CASE("a fenced ledger writes only while its node holds the publisher lease at its epoch",
          "[content][ledger][cluster]") {
  for_each_backend([](const backend_target& t) {
    auto store = herald::test::open_migrated(t);
    ledger book{store, [] { return std::int64_t{42}; }};
    std::optional<db::lease_fence> fence;
    book.fence([&] { return fence; });
    auto r = rec("alert:ETHUSDT:1m:1", "telegram");
    // Not held: nothing written, nothing to call.
    CHECK_FALSE(book.may_publish());
    CHECK_THROWS_AS(book.save(r), db::fenced_error);
    CHECK_FALSE(book.find(r.id));
    // Held at epoch 1: written.
    auto l = store->acquire_lease("publisher", "a", 60'000);
    REQUIRE(l.held);
    fence = db::lease_fence{"publisher", "a", l.epoch};
    CHECK(book.may_publish());
    book.save(r);
    REQUIRE(book.find(r.id));
    // The lease expires and b takes it (epoch 2): a's epoch-1 writes are
    // refused in the database even though a still believes it holds it.
    store->acquire_lease("publisher", "a", 0);
    auto b = store->acquire_lease("publisher", "b", 60'000);
    REQUIRE(b.held);
    CHECK(b.epoch == l.epoch + 1);
    r.state = state::publishing;
    CHECK_THROWS_AS(book.save(r), db::fenced_error);
    CHECK(book.find(r.id)->state == state::planned);
    CHECK_THROWS_AS(book.mark_published(r, "9", ""), db::fenced_error);
    CHECK(book.find(r.id)->state == state::planned);
    // b's ledger, fenced by its own epoch, carries on.
    ledger theirs{store, [] { return std::int64_t{43}; }};
    theirs.fence([&] { return std::optional<db::lease_fence>{{"publisher", "b", b.epoch}}; });
    r.state = state::publishing; // (mark_published set it on the record before refusing)
    theirs.save(r);
    CHECK(theirs.find(r.id)->state == state::publishing);
  });
}
