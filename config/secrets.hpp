#pragma once
// Secrets (API keys, tokens, database passwords) never live in the config
// file: they come from the process environment or from an env file named by
// `secrets.env-file`. The environment wins over the file. Values are never
// logged; `redacted()` is what may appear in output.

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace herald::config {

class secrets {
public:
  /// Environment lookup, injectable for tests (default: ::getenv).
  using env_lookup = std::optional<std::string> (*)(const std::string&);

  secrets() = default;
  explicit secrets(env_lookup env) : env_(env) {}

  /// Reads a KEY=VALUE file: blank lines and lines starting with '#' are
  /// ignored, an optional leading "export " is accepted, values may be
  /// wrapped in single or double quotes. Returns an error message naming
  /// the file and line, or "" on success.
  std::string load_file(const std::string& path);

  /// Adds entries parsed from env-file text (for tests and load_file).
  std::string load_text(const std::string& text, const std::string& source);

  /// The secret named `name`, environment first, then the env file.
  std::optional<std::string> get(const std::string& name) const;

  /// Where a secret would come from ("environment", the file path, or
  /// "unset"); never the value.
  std::string provenance(const std::string& name) const;

  /// Names of the secrets Herald knows about, for `herald config check`.
  static const std::vector<std::string>& known_names();

private:
  env_lookup env_ = nullptr;
  std::string file_;
  std::map<std::string, std::string> from_file_;
};

/// A fixed placeholder for any secret value in output.
inline const char* redacted() { return "********"; }

} // namespace herald::config
