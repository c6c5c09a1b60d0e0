#pragma once
// What `herald run` prepares for operations before the actor system starts:
// the API tokens (from HERALD_API_TOKENS, or a fresh admin token for this
// run written to http.token-file) and the effective configuration as JSON
// with secrets redacted (GET /api/v1/config).

#include <memory>
#include <string>

#include "config/loader.hpp"
#include "ops/auth.hpp"

namespace herald::app {

struct token_setup {
  std::shared_ptr<const ops::token_table> tokens;
  std::string error;         ///< "" on success
  std::string generated_file; ///< where a generated token was written ("" if configured)
};

token_setup load_api_tokens(const config::loaded_config& loaded);

/// {"file": ..., "sections": {"db": {"url": {"value":..., "source":...}}}, "secrets": {...}}
std::string effective_config_json(const config::loaded_config& loaded);

/// Reads the token `herald console` uses by default: $HERALD_API_TOKEN, else
/// the first line of `token_file`; "" when neither exists.
std::string default_console_token(const std::string& token_file);

} // namespace herald::app
