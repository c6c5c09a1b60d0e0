#pragma once
// Herald's configuration model: typed values, the schema that describes every
// herald key, and validation of raw (parsed but untyped) entries against it.
// Pure code: no CAF include. config/loader.hpp adapts CAF's INI parser to it.

#include <chrono>
#include <functional>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace herald::config {

/// The type a herald key expects.
enum class value_type { integer, real, boolean, string, duration, string_list };

/// Human-readable name of a value type, as used in error messages.
const char* to_string(value_type t);

/// A typed configuration value.
using value = std::variant<std::int64_t, double, bool, std::string,
                           std::chrono::nanoseconds, std::vector<std::string>>;

/// Renders a value in the INI syntax of the config file.
std::string render(const value& v);

/// A value as the parser saw it, before the schema gave it a type.
struct raw_value {
  enum class kind { integer, real, boolean, string, duration, list, other };
  kind k = kind::other;
  std::int64_t i = 0;
  double d = 0;
  bool b = false;
  std::string s;                 ///< string value, or the rendered text for `other`
  std::chrono::nanoseconds ns{0};
  std::vector<raw_value> items;  ///< list elements
  /// The value as written, for error messages.
  std::string text() const;
};

/// Where a value came from.
enum class origin { defaults, file, command_line };
const char* to_string(origin o);

/// One parsed key before validation: `section.key = value` from a source.
struct raw_entry {
  std::string key;     ///< fully qualified, e.g. "supervision.ops.intensity"
  raw_value val;
  origin from = origin::file;
  std::string source;  ///< file path or "command line"
};

/// The description of one herald key.
struct key_spec {
  std::string key;                     ///< fully qualified
  value_type type = value_type::string;
  std::optional<value> default_value;  ///< nullopt: optional, inherits
  std::optional<double> min;           ///< inclusive, for numbers/durations (seconds)
  std::optional<double> max;           ///< inclusive
  std::vector<std::string> allowed;    ///< allowed strings, or list elements
  std::string unit;
  std::string description;
  /// Where an unset optional key takes its value from (e.g. per-supervisor
  /// keys inherit from [supervision]).
  std::string inherits;
  /// Extra check of each element of a string list: returns what is wrong
  /// with it, or "" when it is fine.
  std::string (*check_element)(const std::string&) = nullptr;
  /// Renders the allowed range ("integer in [0, 1000]").
  std::string allowed_text() const;
};

/// A configuration error: what, where and what would be allowed.
struct config_error {
  std::string source;  ///< file path or "command line"
  std::string key;
  std::string value;   ///< as written ("" when not applicable)
  std::string message; ///< what is wrong and what is allowed
  /// "<source>: key 'k' = v: message"
  std::string to_string() const;
};

/// The effective, validated configuration of the herald keys.
class settings {
public:
  struct entry {
    value val;
    origin from = origin::defaults;
    std::string source;
  };

  void set(const std::string& key, value v, origin from, std::string source);
  bool contains(const std::string& key) const;
  const entry* find(const std::string& key) const;

  std::int64_t get_int(const std::string& key) const;
  double get_real(const std::string& key) const;
  bool get_bool(const std::string& key) const;
  const std::string& get_string(const std::string& key) const;
  std::chrono::nanoseconds get_duration(const std::string& key) const;
  const std::vector<std::string>& get_list(const std::string& key) const;

  /// All entries, ordered by key.
  const std::map<std::string, entry>& entries() const { return entries_; }

private:
  const value& at(const std::string& key) const;
  std::map<std::string, entry> entries_;
};

/// The herald schema: every key of every herald section.
class schema {
public:
  /// A rule between keys, run on otherwise valid settings: returns the
  /// errors it finds (naming both keys and what to change).
  using check = std::function<std::vector<config_error>(const settings&)>;

  explicit schema(std::vector<key_spec> keys, std::vector<check> checks = {});
  const std::vector<key_spec>& keys() const { return keys_; }
  const std::vector<check>& checks() const { return checks_; }
  const key_spec* find(const std::string& key) const;
  /// Whether `section` (e.g. "supervision.ops") holds herald keys.
  bool owns_section(const std::string& section) const;
  /// Every section name, in first-appearance order.
  std::vector<std::string> sections() const;

private:
  std::vector<key_spec> keys_;
  std::vector<check> checks_;
};

/// The result of validation: the effective settings, or every error found.
struct validation_result {
  settings values;
  std::vector<config_error> errors;
  bool ok() const { return errors.empty(); }
};

/// Levenshtein distance (bytes).
std::size_t edit_distance(const std::string& a, const std::string& b);
/// The candidate nearest to `word` when it is a near miss (a typo), else "".
std::string closest_word(const std::string& word, const std::vector<std::string>& candidates);

/// Validates raw entries (in precedence order: later entries override
/// earlier ones) against the schema. Defaults fill unset keys; optional keys
/// with `inherits` take the inherited value; the schema's checks run last.
validation_result validate(const schema& s, const std::vector<raw_entry>& raw);

/// Converts one raw value to the type a key expects, or explains why not.
/// Returns the error message (empty on success) and sets `out`.
std::string convert(const key_spec& spec, const raw_value& raw, value& out);

/// Splits "a.b.c" into section "a.b" and name "c".
std::pair<std::string, std::string> split_key(const std::string& key);

} // namespace herald::config
