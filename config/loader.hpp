#pragma once
// Adapter between CAF's configuration machinery and Herald's schema. CAF
// parses the INI file (actor_system_config::parse and parse_config_file);
// this file turns what it parsed into raw entries, validates them against
// config/schema.hpp, and checks CAF's own sections against CAF's option set
// (CAF silently drops wrongly typed values; we refuse them).

#include <chrono>
#include <string>
#include <vector>

#include <caf/actor_system_config.hpp>

#include "config/secrets.hpp"
#include "config/settings.hpp"

namespace herald::config {

/// The actor system configuration of every Herald process: loads the I/O
/// module and registers Herald's message types.
class herald_system_config : public caf::actor_system_config {
public:
  herald_system_config();
  /// CAF's option set (to tell CAF sections from herald sections).
  const caf::config_option_set& caf_options() const { return custom_options_; }

  /// Whether actors count messages and processing time and report them to
  /// the inspector (actors/ops/instrumented.hpp); from ops.actor-stats.
  bool actor_stats = true;
  /// How often each actor reports; from ops.stats-interval.
  std::chrono::milliseconds stats_interval{1000};
};

/// Everything a command needs from the configuration.
struct loaded_config {
  std::string path;                 ///< the file read ("" when none)
  settings values;                  ///< validated herald keys
  std::vector<raw_entry> caf_keys;  ///< CAF keys set in the file or CLI
  config::secrets secret_store;
};

/// Where the default config file is searched when --config is not given:
/// $HERALD_CONFIG, ./config/caf-application.conf, then the source tree's copy.
std::string default_config_path();

/// Parses and validates. `overrides` are the `--section.key=value` arguments
/// of the command line. On failure returns every error found (each names the
/// source, the key, the value and what is allowed); `out` is then unspecified.
std::vector<std::string> load(herald_system_config& cfg, const std::string& path,
                              bool path_is_explicit,
                              const std::vector<std::string>& overrides, loaded_config& out);

} // namespace herald::config
