#pragma once
// Herald's own error codes (CAF error category atom "herald"), used as exit
// reasons and as request errors.

#include <cstdint>
#include <string>

#include <caf/atom.hpp>
#include <caf/error.hpp>

namespace herald {

enum class herald_errc : std::uint8_t {
  restart_intensity_exceeded = 1, ///< a supervisor gave up (escalation)
  child_start_failed = 2,         ///< a child's start function failed
  db_overloaded = 3,              ///< persistence queue full: retry later
  db_invalid = 4,                 ///< a write batch failed validation
  supervisor_busy = 5,            ///< a supervisor is restarting or stopping children
  invalid_request = 6,            ///< a request that the receiver cannot serve
  not_ready = 7,                  ///< the receiver has not caught up yet: ask again shortly
};

std::string to_string(herald_errc code);

/// An error of category "herald" with a context message.
caf::error make_error(herald_errc code, std::string context = {});

} // namespace herald
