#pragma once
// Command-line parsing and help rendering, as plain code.
//
//   herald [--version | --help]
//   herald <command> [<subcommand>] [options] [--section.key=value ...] [args]
//
// Options with a dot in their name are configuration overrides and go to the
// config loader; everything else must be declared by the command.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace herald::app {

/// Exit codes of every command.
enum exit_code : int { exit_ok = 0, exit_failure = 1, exit_usage = 2 };

struct option_spec {
  std::string name;       ///< long name without dashes ("config")
  std::string value_name; ///< "" for a flag, else e.g. "PATH"
  std::string help;
};

struct invocation {
  std::map<std::string, std::string> options; ///< declared options given
  std::vector<std::string> overrides;         ///< "--section.key=value"
  std::vector<std::string> args;              ///< positionals
  bool has(const std::string& opt) const { return options.count(opt) > 0; }
  std::string get(const std::string& opt, const std::string& fallback = {}) const;
};

struct command {
  std::string name;    ///< "run", "config check"
  std::string summary; ///< one line
  std::string args;    ///< positional synopsis ("FILE"), "" for none
  std::string description;
  std::vector<option_spec> options;
  std::size_t min_args = 0;
  std::size_t max_args = 0;
  std::function<int(const invocation&)> run;
};

/// Parses `argv[first..]` against a command's option specs. Returns an error
/// message ("" on success).
std::string parse_options(const command& cmd, const std::vector<std::string>& argv,
                          invocation& out);

/// `herald <cmd> --help` text.
std::string command_help(const command& cmd);

/// `herald --help` text.
std::string global_help(const std::vector<command>& cmds);

/// Finds the command named by the leading words of `argv` (longest match);
/// sets `consumed` to the number of words used.
const command* find_command(const std::vector<command>& cmds,
                            const std::vector<std::string>& argv, std::size_t& consumed);

} // namespace herald::app
