#pragma once
// The herald commands. Each command is one entry in the table of
// app/commands.cpp; later issues add theirs (migrate, ingest, resample,
// indicators, backtest, console, node).

#include <memory>
#include <string>
#include <vector>

#include "app/cli.hpp"
#include "config/loader.hpp"

namespace herald::app {

/// Entry point of the herald binary.
int main_entry(int argc, char** argv);

/// The command table.
const std::vector<command>& commands();

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

int run_command(const invocation& inv);
int config_check_command(const invocation& inv);

} // namespace herald::app
