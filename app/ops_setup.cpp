#include "app/ops_setup.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>
#include <openssl/rand.h>

#include "config/schema.hpp"
#include "io/http/server.hpp"

namespace herald::app {

namespace fs = std::filesystem;

namespace {

std::string random_token() {
  unsigned char bytes[24];
  if (RAND_bytes(bytes, sizeof bytes) != 1)
    return "";
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (auto b : bytes) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

} // namespace

token_setup load_api_tokens(const config::loaded_config& loaded) {
  token_setup out;
  auto table = std::make_shared<ops::token_table>();
  if (auto spec = loaded.secret_store.get("HERALD_API_TOKENS")) {
    out.error = table->parse(*spec);
    if (out.error.empty() && table->empty())
      out.error = "HERALD_API_TOKENS is set but lists no token";
    out.tokens = table;
    return out;
  }
  // No tokens configured: one admin token for this run, readable only by
  // the user running herald (like Jupyter's), for the consoles on this machine.
  auto path = loaded.values.get_string("http.token-file");
  auto token = random_token();
  if (token.empty()) {
    out.error = "cannot generate an API token (OpenSSL RAND_bytes failed)";
    return out;
  }
  std::error_code ec;
  auto parent = fs::path{path}.parent_path();
  if (!parent.empty())
    fs::create_directories(parent, ec);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    out.error = "cannot write the console token file '" + path + "' (http.token-file): "
                + std::strerror(errno);
    return out;
  }
  ::fchmod(fd, 0600);
  auto line = token + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  if (!ok) {
    out.error = "cannot write the console token file '" + path + "'";
    return out;
  }
  table->parse("console:admin:" + token);
  out.tokens = table;
  out.generated_file = path;
  return out;
}

std::string effective_config_json(const config::loaded_config& loaded) {
  using json = nlohmann::json;
  json sections = json::object();
  for (const auto& spec : config::herald_schema().keys()) {
    auto e = loaded.values.find(spec.key);
    if (!e)
      continue;
    auto [sec, name] = config::split_key(spec.key);
    sections[sec][name] = json{
      {"value", io::http::redact_url(config::render(e->val))},
      {"source", e->from == config::origin::file ? e->source : config::to_string(e->from)}};
  }
  json secrets = json::object();
  for (const auto& name : config::secrets::known_names())
    secrets[name] = loaded.secret_store.provenance(name);
  json caf_keys = json::object();
  for (const auto& k : loaded.caf_keys)
    caf_keys[k.key] = io::http::redact_url(k.val.text());
  return json{{"file", loaded.path},
              {"sections", sections},
              {"caf", caf_keys},
              {"secrets", secrets},
              {"note", "secret values are never shown; 'secrets' says where each comes from"}}
    .dump();
}

std::string default_console_token(const std::string& token_file) {
  if (const char* t = std::getenv("HERALD_API_TOKEN"); t && *t)
    return t;
  std::ifstream in{token_file};
  std::string line;
  if (in && std::getline(in, line))
    return line;
  return "";
}

} // namespace herald::app
