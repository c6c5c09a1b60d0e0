#pragma once
// The listener agents ("community.listener.<platform>[.<channel>]", issue
// 18): one per platform (per channel on Discord), each polling with
// io::community::listener_core and waiting what it says (the poll
// interval, a platform's rate-limit reset, a backoff after failures).
// Every message read is stored once with the cursor in one transaction, so
// an agent killed at any moment reads nothing twice and skips nothing.
// Detached: polls block (Telegram holds a long poll open).

#include <memory>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "config/secrets.hpp"
#include "config/settings.hpp"
#include "db/storage.hpp"
#include "io/community/listener.hpp"
#include "supervisor/agent_directory.hpp"

namespace herald::community_actors {

struct listener_setup {
  std::string name;     ///< agent name under community ("listener.x", "listener.discord.42")
  std::string base_url; ///< the platform's API base URL
  io::community::listener_options core;
};

/// What the community subtree runs.
struct community_options {
  std::shared_ptr<db::storage> storage;
  std::vector<listener_setup> listeners;
};

/// From [community.<platform>] and the secrets; throws std::invalid_argument
/// naming a missing secret or a malformed token.
community_options community_options_from(const config::settings& s, const config::secrets& secrets,
                                         std::shared_ptr<db::storage> storage);

using listener_actor = caf::typed_actor<caf::reacts_to<caf::tick_atom>>;

listener_actor spawn_listener(caf::local_actor* parent, listener_setup setup,
                              std::shared_ptr<db::storage> storage,
                              std::shared_ptr<supervision::agent_directory> dir);

} // namespace herald::community_actors
