#include "actors/data/news.hpp"
#include "actors/ops/instrumented.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include <caf/all.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "actors/data/hub.hpp"
#include "actors/data/persistence.hpp"
#include "analysis/sentiment.hpp"
#include "io/http/deadline.hpp"
#include "io/logging.hpp"
#include "io/news/feed.hpp"

namespace herald::data {

namespace {

/// Reads a feed from a file or an http(s) URL; "" and `error` set on failure.
std::string fetch(const std::string& where, std::chrono::seconds timeout, std::string& error) {
  if (where.rfind("http://", 0) != 0 && where.rfind("https://", 0) != 0) {
    std::ifstream in{where, std::ios::binary};
    if (!in) {
      error = "cannot read the file";
      return {};
    }
    std::string body;
    char chunk[65536];
    while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
      body.append(chunk, static_cast<std::size_t>(in.gcount()));
      if (body.size() > io::news::max_feed_bytes) {
        error = "larger than " + std::to_string(io::news::max_feed_bytes) + " bytes: refused";
        return {};
      }
    }
    return body;
  }
  auto scheme_end = where.find("://") + 3;
  auto slash = where.find('/', scheme_end);
  auto base = where.substr(0, slash);
  auto path = slash == std::string::npos ? std::string{"/"} : where.substr(slash);
  httplib::Client cli{base};
  cli.set_connection_timeout(static_cast<time_t>(timeout.count()), 0);
  cli.set_read_timeout(static_cast<time_t>(timeout.count()), 0);
  cli.set_follow_location(true);
  // The body is read in pieces and refused beyond the bound (a 100 MB feed
  // is not held in memory first).
  std::string body;
  bool too_large = false;
  // One deadline for the whole request (a trickling server cannot hold this
  // agent, or a shutdown).
  io::http::request_deadline deadline{cli, timeout};
  auto res = cli.Get(path.c_str(), [&](const char* data, std::size_t n) {
    if (body.size() + n > io::news::max_feed_bytes) {
      too_large = true;
      return false;
    }
    body.append(data, n);
    return true;
  });
  deadline.finish();
  bool abandoned = deadline.expired();
  if (abandoned) {
    error = "no complete reply within " + std::to_string(timeout.count()) + " s: abandoned";
    return {};
  }
  if (too_large) {
    error = "larger than " + std::to_string(io::news::max_feed_bytes) + " bytes: refused";
    return {};
  }
  if (!res) {
    error = "no reply: " + httplib::to_string(res.error());
    return {};
  }
  if (res->status != 200) {
    error = "HTTP " + std::to_string(res->status);
    return {};
  }
  return body;
}

std::string article_id(const std::string& item_id) {
  // Keys are bounded (db::max_key_bytes): long ids are shortened, stably.
  if (item_id.size() <= 400)
    return item_id;
  return item_id.substr(0, 380) + "#" + std::to_string(std::hash<std::string>{}(item_id));
}

struct news_state {
  static inline const char* name = "herald.news";
  news_actor::pointer self = nullptr;
  news_options opts;
  std::shared_ptr<supervision::agent_directory> dir;
  std::shared_ptr<spdlog::logger> log;
  std::set<std::string> stored; ///< article ids already stored

  std::int64_t now_ms() const {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }

  void poll() {
    db::write_batch batch;
    for (auto& where : opts.feeds) {
      std::string error;
      auto text = fetch(where, opts.timeout, error);
      if (!error.empty()) {
        log->warn("feed {}: {}", where, error);
        continue;
      }
      io::news::feed f;
      if (auto err = io::news::parse_feed(text, f); !err.empty()) {
        log->warn("feed {}: {}", where, err);
        continue;
      }
      if (f.dropped > 0)
        log->warn("feed {}: {} items beyond the first {} refused", where, f.dropped,
                  io::news::max_feed_items);
      for (auto& item : f.items) {
        auto id = article_id(item.id);
        if (stored.count(id))
          continue;
        db::news_article a;
        a.id = id;
        a.source = f.title.empty() ? where : f.title.substr(0, 200);
        a.url = item.link;
        a.title = item.title;
        a.body = item.summary;
        a.symbols_json
          = nlohmann::json(io::news::tag_symbols(item.title + " " + item.summary, opts.aliases))
              .dump();
        a.published_at = item.published != 0 ? item.published : now_ms();
        a.sentiment = analysis::score_text(opts.lexicon ? *opts.lexicon : analysis::lexicon::builtin(),
                                           item.title + ". " + item.summary)
                        .score;
        batch.news.push_back(std::move(a));
      }
    }
    if (batch.news.empty())
      return;
    auto p = caf::actor_cast<persistence_actor>(dir->find("data.persistence"));
    auto hub = caf::actor_cast<hub_actor>(dir->find("data.hub"));
    if (!p) {
      // Not stored means not seen: the next poll tries again.
      log->warn("{} new articles not stored yet: persistence unavailable", batch.news.size());
      return;
    }
    auto articles = batch.news;
    self->request(p, std::chrono::seconds{30}, std::move(batch))
      .then(
        [this, articles, hub](db::write_ack&) {
          for (auto& a : articles) {
            stored.insert(a.id);
            if (hub)
              self->send(hub, a);
          }
          log->info("{} new articles stored", articles.size());
        },
        [this, n = articles.size()](caf::error& e) {
          log->warn("{} new articles not stored ({}); next poll retries", n, caf::to_string(e));
        });
  }
};

news_actor::behavior_type news_impl(ops::instrumented_stateful<news_actor, news_state>* self,
                                    news_options opts,
                                    std::shared_ptr<supervision::agent_directory> dir) {
  auto& st = self->state;
  st.self = self;
  st.opts = std::move(opts);
  st.dir = std::move(dir);
  st.log = logging::get("data.news");
  self->send(self, caf::tick_atom::value);
  return {
    [self](caf::tick_atom) {
      self->state.poll();
      self->delayed_send(self, self->state.opts.poll_interval, caf::tick_atom::value);
    },
  };
}

} // namespace

news_actor spawn_news(caf::local_actor* parent, news_options opts,
                      std::shared_ptr<supervision::agent_directory> dir) {
  return parent->spawn<caf::detached>(news_impl, std::move(opts), std::move(dir));
}

news_actor spawn_news(caf::actor_system& sys, news_options opts,
                      std::shared_ptr<supervision::agent_directory> dir) {
  return sys.spawn<caf::detached>(news_impl, std::move(opts), std::move(dir));
}

} // namespace herald::data
