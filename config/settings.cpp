#include "config/settings.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace herald::config {

namespace {

std::string format_number(double x) {
  std::ostringstream os;
  os << x;
  return os.str();
}

std::string render_duration(std::chrono::nanoseconds ns) {
  auto n = ns.count();
  if (n == 0)
    return "0s";
  struct unit { std::int64_t factor; const char* suffix; };
  static constexpr unit units[] = {{3600'000'000'000, "h"}, {60'000'000'000, "min"},
                                   {1'000'000'000, "s"},    {1'000'000, "ms"},
                                   {1'000, "us"},           {1, "ns"}};
  for (auto& u : units)
    if (n % u.factor == 0)
      return std::to_string(n / u.factor) + u.suffix;
  return std::to_string(n) + "ns";
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

// Durations are compared against min/max given in seconds.
double as_seconds(std::chrono::nanoseconds ns) {
  return std::chrono::duration<double>(ns).count();
}

std::string describe_range(const key_spec& spec) {
  std::string unit = spec.type == value_type::duration ? "s" : "";
  if (spec.min && spec.max)
    return "in [" + format_number(*spec.min) + unit + ", " + format_number(*spec.max) + unit + "]";
  if (spec.min)
    return ">= " + format_number(*spec.min) + unit;
  if (spec.max)
    return "<= " + format_number(*spec.max) + unit;
  return {};
}

} // namespace

const char* to_string(value_type t) {
  switch (t) {
    case value_type::integer: return "integer";
    case value_type::real: return "number";
    case value_type::boolean: return "boolean (true/false)";
    case value_type::string: return "string";
    case value_type::duration: return "duration (e.g. 250ms, 5s, 2min)";
    case value_type::string_list: return "list of strings";
  }
  return "?";
}

const char* to_string(origin o) {
  switch (o) {
    case origin::defaults: return "default";
    case origin::file: return "file";
    case origin::command_line: return "command line";
  }
  return "?";
}

std::string render(const value& v) {
  struct visitor {
    std::string operator()(std::int64_t x) const { return std::to_string(x); }
    std::string operator()(double x) const { return format_number(x); }
    std::string operator()(bool x) const { return x ? "true" : "false"; }
    std::string operator()(const std::string& x) const { return quote(x); }
    std::string operator()(std::chrono::nanoseconds x) const { return render_duration(x); }
    std::string operator()(const std::vector<std::string>& xs) const {
      std::string out = "[";
      for (size_t i = 0; i < xs.size(); ++i) {
        if (i > 0)
          out += ", ";
        out += quote(xs[i]);
      }
      return out + "]";
    }
  };
  return std::visit(visitor{}, v);
}

std::string raw_value::text() const {
  switch (k) {
    case kind::integer: return std::to_string(i);
    case kind::real: return format_number(d);
    case kind::boolean: return b ? "true" : "false";
    case kind::string: return quote(s);
    case kind::duration: return render_duration(ns);
    case kind::list: {
      std::string out = "[";
      for (size_t j = 0; j < items.size(); ++j) {
        if (j > 0)
          out += ", ";
        out += items[j].text();
      }
      return out + "]";
    }
    case kind::other: return s;
  }
  return s;
}

std::string key_spec::allowed_text() const {
  std::string out = config::to_string(type);
  if (!allowed.empty()) {
    out += type == value_type::string_list ? " with elements" : "";
    out += " one of {";
    for (size_t i = 0; i < allowed.size(); ++i)
      out += (i > 0 ? ", " : "") + allowed[i];
    out += "}";
  }
  auto range = describe_range(*this);
  if (!range.empty())
    out += " " + range;
  return out;
}

std::string config_error::to_string() const {
  std::string out = source + ": key '" + key + "'";
  if (!value.empty())
    out += " = " + value;
  out += ": " + message;
  return out;
}

// -- settings -------------------------------------------------------------------

void settings::set(const std::string& key, value v, origin from, std::string source) {
  entries_[key] = entry{std::move(v), from, std::move(source)};
}

bool settings::contains(const std::string& key) const {
  return entries_.count(key) > 0;
}

const settings::entry* settings::find(const std::string& key) const {
  auto i = entries_.find(key);
  return i == entries_.end() ? nullptr : &i->second;
}

const value& settings::at(const std::string& key) const {
  auto i = entries_.find(key);
  if (i == entries_.end())
    throw std::out_of_range("herald config: no value for key '" + key + "'");
  return i->second.val;
}

std::int64_t settings::get_int(const std::string& key) const {
  return std::get<std::int64_t>(at(key));
}

double settings::get_real(const std::string& key) const {
  return std::get<double>(at(key));
}

bool settings::get_bool(const std::string& key) const {
  return std::get<bool>(at(key));
}

const std::string& settings::get_string(const std::string& key) const {
  return std::get<std::string>(at(key));
}

std::chrono::nanoseconds settings::get_duration(const std::string& key) const {
  return std::get<std::chrono::nanoseconds>(at(key));
}

const std::vector<std::string>& settings::get_list(const std::string& key) const {
  return std::get<std::vector<std::string>>(at(key));
}

// -- schema ---------------------------------------------------------------------

schema::schema(std::vector<key_spec> keys, std::vector<check> checks)
  : keys_(std::move(keys)), checks_(std::move(checks)) {
}

const key_spec* schema::find(const std::string& key) const {
  auto i = std::find_if(keys_.begin(), keys_.end(),
                        [&](const key_spec& k) { return k.key == key; });
  return i == keys_.end() ? nullptr : &*i;
}

bool schema::owns_section(const std::string& section) const {
  return std::any_of(keys_.begin(), keys_.end(), [&](const key_spec& k) {
    return split_key(k.key).first == section;
  });
}

std::vector<std::string> schema::sections() const {
  std::vector<std::string> out;
  for (auto& k : keys_) {
    auto sec = split_key(k.key).first;
    if (std::find(out.begin(), out.end(), sec) == out.end())
      out.push_back(sec);
  }
  return out;
}

std::pair<std::string, std::string> split_key(const std::string& key) {
  auto dot = key.rfind('.');
  if (dot == std::string::npos)
    return {"global", key};
  return {key.substr(0, dot), key.substr(dot + 1)};
}

// -- validation -----------------------------------------------------------------

std::string convert(const key_spec& spec, const raw_value& raw, value& out) {
  using k = raw_value::kind;
  auto expected = "expected " + spec.allowed_text();
  auto check_range = [&](double x) -> std::string {
    if ((spec.min && x < *spec.min) || (spec.max && x > *spec.max))
      return "out of range: " + expected;
    return {};
  };
  auto check_allowed = [&](const std::string& s) -> bool {
    return spec.allowed.empty()
           || std::find(spec.allowed.begin(), spec.allowed.end(), s) != spec.allowed.end();
  };
  switch (spec.type) {
    case value_type::integer:
      if (raw.k != k::integer)
        return "wrong type: " + expected;
      out = raw.i;
      return check_range(static_cast<double>(raw.i));
    case value_type::real: {
      double x;
      if (raw.k == k::real)
        x = raw.d;
      else if (raw.k == k::integer)
        x = static_cast<double>(raw.i);
      else
        return "wrong type: " + expected;
      if (!std::isfinite(x))
        return "not a finite number: " + expected;
      out = x;
      return check_range(x);
    }
    case value_type::boolean:
      if (raw.k != k::boolean)
        return "wrong type: " + expected;
      out = raw.b;
      return {};
    case value_type::string:
      if (raw.k != k::string)
        return "wrong type: " + expected + " (strings are written in double quotes)";
      if (!check_allowed(raw.s))
        return "not allowed: " + expected;
      out = raw.s;
      return {};
    case value_type::duration:
      if (raw.k == k::integer && raw.i == 0) {
        out = std::chrono::nanoseconds{0};
        return check_range(0);
      }
      if (raw.k != k::duration)
        return "wrong type: " + expected;
      out = raw.ns;
      return check_range(as_seconds(raw.ns));
    case value_type::string_list: {
      if (raw.k != k::list)
        return "wrong type: " + expected;
      std::vector<std::string> xs;
      for (auto& item : raw.items) {
        if (item.k != k::string)
          return "wrong type of element " + item.text() + ": " + expected;
        if (!check_allowed(item.s))
          return "element " + item.text() + " is not allowed: " + expected;
        if (spec.check_element != nullptr)
          if (auto err = spec.check_element(item.s); !err.empty())
            return "element " + item.text() + ": " + err;
        xs.push_back(item.s);
      }
      out = std::move(xs);
      return {};
    }
  }
  return "unsupported type";
}

namespace {

bool looks_like_secret(const std::string& name) {
  static const char* hints[] = {"password", "passwd", "token", "secret", "api-key", "apikey"};
  for (auto h : hints)
    if (name.find(h) != std::string::npos)
      return true;
  return false;
}

// Suggests a known key of the same section with the smallest edit distance.
std::string closest_key(const schema& s, const std::string& key) {
  auto [section, name] = split_key(key);
  std::vector<std::string> names;
  for (auto& k : s.keys()) {
    auto [sec, n] = split_key(k.key);
    if (sec == section)
      names.push_back(n);
  }
  return closest_word(name, names);
}

} // namespace

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closest_word(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  // Near misses only: at most 3 edits, and fewer than half the word.
  std::size_t best_d = std::min<std::size_t>(4, std::max<std::size_t>(2, (word.size() + 1) / 2 + 1));
  for (auto& c : candidates) {
    auto d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

validation_result validate(const schema& s, const std::vector<raw_entry>& raw) {
  validation_result result;
  for (auto& e : raw) {
    auto spec = s.find(e.key);
    if (spec == nullptr) {
      auto [section, name] = split_key(e.key);
      std::string msg = s.owns_section(section)
                          ? "unknown key in section [" + section + "]"
                          : "unknown section [" + section + "]";
      if (s.owns_section(section)) {
        auto near = closest_key(s, e.key);
        if (!near.empty())
          msg += "; did you mean '" + near + "'?";
      } else {
        auto near = closest_word(section, s.sections());
        if (!near.empty())
          msg += "; did you mean [" + near + "]?";
      }
      if (looks_like_secret(name))
        msg += "; secrets never live in the config file: put them in the "
               "environment or the file named by secrets.env-file";
      // Never echo a value that might be a secret.
      result.errors.push_back({e.source, e.key, looks_like_secret(name) ? "" : e.val.text(), msg});
      continue;
    }
    value v;
    auto err = convert(*spec, e.val, v);
    if (!err.empty()) {
      result.errors.push_back({e.source, e.key, e.val.text(), err});
      continue;
    }
    result.values.set(e.key, std::move(v), e.from, e.source);
  }
  // Defaults first, then inherited values for optional keys.
  for (auto& spec : s.keys())
    if (!result.values.contains(spec.key) && spec.default_value)
      result.values.set(spec.key, *spec.default_value, origin::defaults, "default");
  for (auto& spec : s.keys()) {
    if (result.values.contains(spec.key) || spec.inherits.empty())
      continue;
    if (auto parent = result.values.find(spec.inherits)) {
      result.values.set(spec.key, parent->val, origin::defaults, "inherited from " + spec.inherits);
    }
  }
  if (result.errors.empty())
    for (auto& check : s.checks())
      for (auto& e : check(result.values))
        result.errors.push_back(std::move(e));
  return result;
}

} // namespace herald::config
