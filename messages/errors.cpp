#include "messages/errors.hpp"

#include <caf/make_message.hpp>

namespace herald {

std::string to_string(herald_errc code) {
  switch (code) {
    case herald_errc::restart_intensity_exceeded: return "restart_intensity_exceeded";
    case herald_errc::child_start_failed: return "child_start_failed";
    case herald_errc::db_overloaded: return "db_overloaded";
    case herald_errc::db_invalid: return "db_invalid";
    case herald_errc::supervisor_busy: return "supervisor_busy";
    case herald_errc::invalid_request: return "invalid_request";
    case herald_errc::not_ready: return "not_ready";
  }
  return "unknown";
}

caf::error make_error(herald_errc code, std::string context) {
  if (context.empty())
    return caf::error{static_cast<std::uint8_t>(code), caf::atom("herald")};
  return caf::error{static_cast<std::uint8_t>(code), caf::atom("herald"),
                    caf::make_message(std::move(context))};
}

} // namespace herald
