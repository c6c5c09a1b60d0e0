#pragma once
// The application's supervision tree, built from the configuration:
//
//   root (one_for_one)
//   ├── ops        (one_for_one)   health, chaos (when chaos.kill-rate > 0)
//   ├── data       (rest_for_one)
//   ├── analysis   (one_for_one)
//   ├── content    (rest_for_one)
//   ├── community  (one_for_one)
//   └── learning   (one_for_one)
//
// Later issues add their agents to the domain supervisors here.

#include <memory>

#include "config/settings.hpp"
#include "supervisor/supervisor.hpp"

namespace herald {

/// Restart flags of supervisor `name` ([supervision.<name>] over [supervision]).
supervision::supervisor_flags supervisor_flags_for(const config::settings& s,
                                                   const std::string& name,
                                                   supervision::strategy strat);

/// Backoff options of the children of supervisor `name`.
supervision::backoff_options backoff_for(const config::settings& s, const std::string& name);

/// The root supervisor's configuration with the whole tree below it.
supervision::supervisor_config make_root_config(
  const config::settings& s, std::shared_ptr<supervision::agent_directory> dir);

} // namespace herald
