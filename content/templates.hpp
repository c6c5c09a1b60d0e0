#pragma once
// Content templates: fmt format strings with named arguments ("{symbol}",
// "{price:.2f}"), several variants per content type and channel, kept as
// files `config/templates/<type>.<channel>.<variant>.txt`. The variant used
// is recorded with the content so a later A/B test can learn from it.
// Pure code (fmt only).

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "content/channel.hpp"

namespace herald::content {

/// scorecard: the weekly analysis scorecard (issue 19): how often each
/// analyzer and the combined signal were right the week before.
enum class content_type : std::uint8_t { alert, recap, report, thread, scorecard };
constexpr std::size_t content_type_count = 5;
const char* content_type_name(content_type t);

/// Whether the strategist plans pieces of type `t` for channel `c`: threads
/// only for X and Telegram, reports and scorecards for every channel but
/// those two.
bool carries(channel c, content_type t);
std::optional<content_type> parse_content_type(std::string_view name);

/// The named values a template may use: numbers and strings.
class facts {
public:
  using value = std::variant<double, std::int64_t, std::string>;
  facts& set(const std::string& key, double v);
  facts& set(const std::string& key, std::int64_t v);
  facts& set(const std::string& key, int v) { return set(key, static_cast<std::int64_t>(v)); }
  facts& set(const std::string& key, std::string v);
  facts& set(const std::string& key, const char* v) { return set(key, std::string{v}); }
  const std::map<std::string, value>& all() const { return values_; }
  const value* find(const std::string& key) const;
  bool empty() const { return values_.empty(); }

private:
  std::map<std::string, value> values_;
};

/// Optional segments: "[[, RSI {rsi}]]" is kept (without the brackets) when
/// every field named inside is a known fact, and dropped otherwise, so a
/// template renders without facts that are not known yet.
std::string resolve_optional(std::string_view tpl, const facts& f);

/// Renders one template (optional segments first). nullopt and `error` set
/// ("unknown field 'x'", "invalid format spec") when the template does not
/// fit the facts.
std::optional<std::string> render(std::string_view tpl, const facts& f, std::string* error);

/// A template file that does not load: names the file and the problem.
struct template_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct template_variant {
  std::string name; ///< "a", "b", ... (from the file name)
  std::string path;
  std::string text;
};

/// What the creator rendered: text plus the variant it came from.
struct rendered {
  std::string text;
  std::string variant;
};

class template_set {
public:
  /// Loads every `<type>.<channel>.<variant>.txt` in `dir` (other files are
  /// ignored). Throws template_error naming the file for an unknown type or
  /// channel, an unreadable or empty file, or a template that does not
  /// render with `sample` facts of its type (unknown fields are caught here,
  /// at start, not when the first alert is due).
  /// `optional`: per type, facts that may be absent; a template that uses
  /// one outside an optional segment is refused.
  static template_set load(const std::string& dir,
                           const std::map<content_type, facts>& samples,
                           const std::map<content_type, std::vector<std::string>>& optional = {});

  /// Variants for a type and channel, in name order (empty when none).
  const std::vector<template_variant>& variants(content_type t, channel c) const;
  /// "<type>.<channel>" of every piece of `types` the strategist plans for
  /// these channels that has no template (empty: complete).
  std::vector<std::string> missing(const std::vector<channel>& channels,
                                   const std::vector<content_type>& types) const;
  /// Renders the variant named `preferred` when it exists, else the one
  /// picked for `key` (stable: the same key always gets the same variant);
  /// nullopt with `error` when there is no template or it fails on these
  /// facts.
  std::optional<rendered> render(content_type t, channel c, const facts& f, std::string_view key,
                                 std::string* error, std::string_view preferred = {}) const;
  std::size_t size() const;

private:
  std::map<std::pair<content_type, channel>, std::vector<template_variant>> by_kind_;
};

/// FNV-1a: the stable hash used to pick variants.
std::uint64_t stable_hash(std::string_view s);

} // namespace herald::content
