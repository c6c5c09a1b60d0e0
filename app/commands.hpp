#pragma once
// The herald commands. Each command is one entry in the table of
// app/commands.cpp; later issues add theirs (migrate, ingest, resample,
// indicators, backtest, console, node).

#include <memory>
#include <string>
#include <vector>

#include "app/cli.hpp"

namespace herald::app {

/// Entry point of the herald binary.
int main_entry(int argc, char** argv);

/// The command table.
const std::vector<command>& commands();

int run_command(const invocation& inv);
int node_command(const invocation& inv);
int console_command_main(const invocation& inv);
int config_check_command(const invocation& inv);
int migrate_command(const invocation& inv);
int health_command(const invocation& inv);
int resample_command(const invocation& inv);
int ingest_command(const invocation& inv);
int indicators_command(const invocation& inv);
int backtest_command(const invocation& inv);
int tune_command(const invocation& inv);
int content_list_command(const invocation& inv);
int content_approve_command(const invocation& inv);
int content_reject_command(const invocation& inv);

} // namespace herald::app
