// write_batch::take_front: the persistence agent writes a backlog in
// bounded transactions taken from the front of what waits, in order.
#include <catch2/catch.hpp>

#include "messages/storage.hpp"

using namespace herald;

namespace {

db::write_batch sample(int candles, int news, int signals) {
  db::write_batch b;
  for (int i = 0; i < candles; ++i) {
    candle c;
    c.symbol = "BTCUSDT";
    c.interval = "1m";
    c.open_time = i * 60'000;
    b.candles.push_back(c);
  }
  for (int i = 0; i < news; ++i) {
    db::news_article a;
    a.id = "n" + std::to_string(i);
    b.news.push_back(a);
  }
  for (int i = 0; i < signals; ++i) {
    db::signal_record s;
    s.id = "s" + std::to_string(i);
    b.signals.push_back(s);
  }
  return b;
}

} // namespace

TEST_CASE("a batch is taken from the front in chunks, in order, and nothing is lost",
          "[messages][db]") {
  auto b = sample(25, 3, 4);
  auto whole = b;
  std::vector<db::write_batch> chunks;
  while (!b.empty())
    chunks.push_back(b.take_front(10));
  REQUIRE(chunks.size() == 4); // 32 records
  CHECK(chunks[0].candles.size() == 10);
  CHECK(chunks[2].candles.size() == 5);
  CHECK(chunks[2].news.size() == 3);
  CHECK(chunks[2].signals.size() == 2);
  CHECK(chunks[3].size() == 2);
  CHECK(chunks[3].signals.front().id == "s2");
  db::write_batch again;
  for (auto& c : chunks)
    again.append(std::move(c));
  CHECK(again == whole);
  // A chunk put back in front of what came meanwhile keeps the order.
  auto rest = whole;
  auto first = rest.take_front(7);
  first.append(std::move(rest));
  CHECK(first == whole);
  // Larger than the batch: all of it; 0: nothing.
  auto all = whole;
  CHECK(all.take_front(1000) == whole);
  CHECK(all.empty());
  auto none = whole;
  CHECK(none.take_front(0).empty());
  CHECK(none == whole);
}
