#pragma once
// Opening the configured database for a command (run, migrate).

#include <memory>
#include <string>

#include "config/loader.hpp"
#include "db/storage.hpp"

namespace herald::app {

/// Opens the database of `[db] url` (or `url_override` when not empty), with
/// the password from the secrets (PGPASSWORD). On failure prints the reason
/// to stderr and returns nullptr; `usage_error` tells a bad URL (exit 2) from
/// an unreachable database (exit 1).
std::shared_ptr<db::storage> open_database(const config::loaded_config& cfg,
                                           const std::string& url_override, bool& usage_error);

} // namespace herald::app
