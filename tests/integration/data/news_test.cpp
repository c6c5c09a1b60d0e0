// The news agent: feeds over HTTP and from files, stored once, published.

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <thread>
#include <unistd.h>

#include <caf/all.hpp>
#include <httplib.h>

#include "actors/data/hub.hpp"
#include "actors/data/news.hpp"
#include "actors/data/persistence.hpp"
#include "config/loader.hpp"
#include "db/storage.hpp"
#include "io/news/feed.hpp"
#include "support/event_log.hpp"

using namespace herald;
using namespace std::chrono_literals;

TEST_CASE("feeds are polled, de-duplicated, tagged, stored and published", "[data][news]") {
  // An HTTP feed that fails once, then serves two items; and a file feed.
  httplib::Server srv;
  std::atomic<int> hits{0};
  srv.Get("/feed.xml", [&](const httplib::Request&, httplib::Response& res) {
    if (hits++ == 0) {
      res.status = 503;
      return;
    }
    res.set_content(R"(<rss version="2.0"><channel><title>Wire</title>
      <item><title>Bitcoin jumps</title><guid>w1</guid><link>https://w/1</link></item>
      <item><title>Ether slips</title><guid>w2</guid><link>https://w/2</link></item>
      </channel></rss>)",
                    "application/rss+xml");
  });
  int port = srv.bind_to_any_port("127.0.0.1");
  std::thread t{[&] { srv.listen_after_bind(); }};
  auto file = "/tmp/herald-feed-" + std::to_string(::getpid()) + ".xml";
  {
    std::ofstream out{file};
    out << R"(<feed xmlns="http://www.w3.org/2005/Atom"><title>Notes</title>
      <entry><title>Solana news</title><id>n1</id><updated>2024-01-01T00:00:00Z</updated></entry>
      </feed>)";
  }
  auto dbpath = "/tmp/herald-news-" + std::to_string(::getpid()) + ".db";
  std::remove(dbpath.c_str());
  {
    config::herald_system_config cfg;
    caf::actor_system sys{cfg};
    caf::scoped_actor self{sys};
    auto dir = std::make_shared<supervision::agent_directory>();
    db::db_url url;
    REQUIRE(db::parse_url("sqlite://" + dbpath, url).empty());
    std::shared_ptr<db::storage> store = db::open_storage(url, {});
    store->migrate();
    data::persistence_options po;
    po.batch_interval = 10ms;
    auto p = data::spawn_persistence(sys, store, po);
    dir->started("data.persistence", p.address(), false);
    data::hub_options ho;
    ho.persist = false;
    auto hub = data::spawn_hub(sys, ho, dir);
    dir->started("data.hub", hub.address(), false);
    auto got = std::make_shared<test::event_log>();
    auto sink = sys.spawn([got](data::news_sink_actor::pointer)
                            -> data::news_sink_actor::behavior_type {
      return {[got](db::news_article& a) { got->add(a.id + " " + a.symbols_json); }};
    });
    self->request(hub, 5s, subscribe_atom::value, std::string{"*"}, sink)
      .receive([](bool) {}, [](caf::error&) {});
    data::news_options no;
    no.feeds = {"http://127.0.0.1:" + std::to_string(port) + "/feed.xml", file};
    no.poll_interval = 20ms;
    no.aliases = io::news::parse_aliases({"bitcoin=BTCUSDT", "ether=ETHUSDT", "solana=SOLUSDT"});
    auto news = data::spawn_news(sys, no, dir);
    // the file item comes at once; the HTTP items after the server recovers
    REQUIRE(got->wait_size(3));
    auto es = got->events();
    std::sort(es.begin(), es.end());
    CHECK(es == std::vector<std::string>{"n1 [\"SOLUSDT\"]", "w1 [\"BTCUSDT\"]",
                                         "w2 [\"ETHUSDT\"]"});
    // more polls happen; nothing is stored or published twice
    auto before = hits.load();
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (hits.load() < before + 3 && std::chrono::steady_clock::now() < deadline)
      self->receive(caf::after(10ms) >> [] {});
    CHECK(got->size() == 3);
    self->request(p, 10s, caf::flush_atom::value).receive([](db::db_status&) {}, [](caf::error&) {});
    auto stored = store->news_since(0, 100);
    CHECK(stored.size() == 3);
    // each article is scored with the lexicon when it is stored
    for (auto& a : stored) {
      CAPTURE(a.title, a.sentiment);
      if (a.title == "Bitcoin jumps")
        CHECK(a.sentiment > 0);
      else if (a.title == "Ether slips")
        CHECK(a.sentiment < 0);
      else
        CHECK(a.sentiment == 0);
    }
    for (auto a : {news.address(), hub.address(), p.address(), sink.address()})
      caf::anon_send_exit(caf::actor_cast<caf::actor>(a), caf::exit_reason::user_shutdown);
  }
  srv.stop();
  t.join();
  std::remove(file.c_str());
  std::remove(dbpath.c_str());
}
