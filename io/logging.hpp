#pragma once
// Logging on spdlog: one named logger per agent ("supervisor.data",
// "ops.chaos"), sharing the sinks configured from [log]: console (stderr)
// and/or a rotating file, text or JSON lines. Levels come from `log.level`
// and `log.levels` ("name=level"; a name also covers its dotted children).

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/logger.h>

namespace herald::logging {

struct options {
  std::string level = "info";
  std::vector<std::string> levels; ///< "logger=level"
  bool json = false;
  bool console = true;
  std::string file;                ///< "" = no file
  std::size_t max_file_size = 10 * 1024 * 1024;
  std::size_t max_files = 5;
};

/// (Re)configures the sinks and levels of every Herald logger. Returns an
/// error message ("" on success), e.g. when the log file cannot be opened.
std::string setup(const options& opts);

/// The logger named `name`, created on first use with the configured sinks.
std::shared_ptr<spdlog::logger> get(const std::string& name);

/// Adds a sink to every logger (existing and future) that hands each record
/// of level warn or above to `f` (logger name, level name, message): the
/// console's live error feed. Returns a handle for remove_event_sink.
using event_fn = std::function<void(const std::string& logger, const std::string& level,
                                    const std::string& message)>;
spdlog::sink_ptr add_event_sink(event_fn f);
void remove_event_sink(const spdlog::sink_ptr& sink);

/// Flushes every logger (call before exit).
void flush_all();

/// The level `name` gets under `opts` (longest matching prefix wins).
std::string level_for(const options& opts, const std::string& name);

} // namespace herald::logging
