#pragma once
// The optional LLM writer: Anthropic Messages API (POST /v1/messages,
// x-api-key, anthropic-version 2023-06-01). Given a piece's facts it asks
// for the text; the creator checks the answer (content::llm_check) and
// falls back to the template on any problem. No CAF here.

#include <string>

#include "content/creator.hpp"
#include "io/publish/publisher.hpp"

namespace herald::io::llm {

struct anthropic_options {
  publish::http_options http{"https://api.anthropic.com", 20'000};
  std::string api_key; ///< secret ANTHROPIC_API_KEY
  std::string model = "claude-3-5-haiku-latest";
  int max_tokens = 400;
};

/// A writer for content::creator. Each call is one blocking request; errors
/// (HTTP status with the API's error type, timeouts, malformed replies)
/// come back as nullopt with the reason.
content::llm_writer make_anthropic_writer(anthropic_options o);

} // namespace herald::io::llm
