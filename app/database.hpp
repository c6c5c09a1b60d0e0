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
/// an unreachable database (exit 1). `must_exist`: a SQLite file that does
/// not exist is a usage error (commands that only read), not created.
std::shared_ptr<db::storage> open_database(const config::loaded_config& cfg,
                                           const std::string& url_override, bool& usage_error,
                                           bool must_exist = false);

} // namespace herald::app
