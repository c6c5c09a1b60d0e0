#pragma once
#include <cstdint>
// The schema of every herald key in config/caf-application.conf. Adding a key
// here and documenting it in the file are one change (a test checks that the
// shipped file documents every key of this schema).

#include <string>
#include <vector>

#include "config/settings.hpp"

namespace herald::config {

/// The names of Herald's supervisors, each with an optional
/// [supervision.<name>] section overriding the [supervision] defaults.
const std::vector<std::string>& supervisor_names();

/// The spdlog level names accepted by log.level and log.levels.
const std::vector<std::string>& log_levels();

/// Minutes after midnight of "HH:MM" (UTC), or -1 when it is not one.
int parse_hhmm(const std::string& s);

/// 0 (Sunday) .. 6 of a weekday's lower-case English name, or -1.
int parse_weekday(const std::string& s);

/// Milliseconds of a span "<whole number><unit>" with unit ms, s, min, h or
/// d ("24h", "7d"), or -1 when it is not one.
std::int64_t parse_span_ms(const std::string& s);

/// Herald's configuration schema.
const schema& herald_schema();

} // namespace herald::config
