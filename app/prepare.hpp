#pragma once
// What every command does first: load and validate the configuration, then
// set up logging. Kept apart from commands.hpp so that main.cpp stays free
// of CAF headers.

#include <memory>

#include "app/cli.hpp"
#include "config/loader.hpp"

namespace herald::app {

/// Loaded and validated configuration plus the actor system config it fed.
struct prepared_config {
  config::herald_system_config system;
  config::loaded_config loaded;
};

/// Loads the config named by --config (or the default location) with the
/// invocation's overrides. On error prints every problem to stderr and
/// returns nullptr (the caller exits with exit_usage).
std::unique_ptr<prepared_config> prepare(const invocation& inv);

/// Sets up logging from the loaded settings; false (after printing) on error.
bool setup_logging(const config::settings& s);

} // namespace herald::app
