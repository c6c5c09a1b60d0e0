#pragma once
// The news agent ("data.news"): polls the RSS 2.0 / Atom feeds listed in
// config (files or http(s) URLs) every `news.poll-interval`, drops items it
// has already stored (by guid / id / link), tags each new item with the
// symbols it mentions (configurable aliases: "bitcoin" -> BTCUSDT), stores it
// in news_articles through data.persistence and publishes it to the hub.
// Each article is scored with the sentiment lexicon (title and summary) before
// it is stored; the news_sentiment analyzer weighs these scores over time.
// Detached: fetching blocks.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "supervisor/agent_directory.hpp"

namespace herald::analysis {
class lexicon;
} // namespace herald::analysis

namespace herald::data {

struct news_options {
  std::vector<std::string> feeds;
  std::chrono::nanoseconds poll_interval = std::chrono::minutes{5};
  std::map<std::string, std::string> aliases; ///< lower-case word -> symbol
  std::chrono::seconds timeout{10};
  /// Scores articles; null: the built-in finance lexicon.
  std::shared_ptr<const analysis::lexicon> lexicon;
};

using news_actor = caf::typed_actor<caf::reacts_to<caf::tick_atom>>;

news_actor spawn_news(caf::local_actor* parent, news_options opts,
                      std::shared_ptr<supervision::agent_directory> dir);
news_actor spawn_news(caf::actor_system& sys, news_options opts,
                      std::shared_ptr<supervision::agent_directory> dir);

} // namespace herald::data
