#pragma once

namespace caf {
class actor_system_config;
}

namespace herald::messages {

/// Registers Herald's type-ID block (messages/type_ids.hpp) with `cfg`.
void register_types(caf::actor_system_config& cfg);

} // namespace herald::messages
