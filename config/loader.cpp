#include "config/loader.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>

#include "config/schema.hpp"
#include "messages/registration.hpp"
#include "messages/errors.hpp"

namespace herald::config {

herald_system_config::herald_system_config() {
  load<caf::io::middleman>();
  // Latency: CAF's workers poll 100 times, then sleep 50 us between polls,
  // which puts ~50 us on every hop of a candle's way (hub, pipeline,
  // analyzers, risk manager) once the system is briefly idle. Herald polls
  // longer and sleeps shorter (candle-to-insight p50 ~100 us -> ~45 us,
  // bench/pipeline_bench.cpp); the file or command line may override both.
  set("work-stealing.aggressive-poll-attempts", std::size_t{10000});
  set("work-stealing.moderate-sleep-duration", caf::timespan{std::chrono::microseconds{10}});
  messages::register_types(*this);
  add_error_category(caf::atom("herald"),
                     [](std::uint8_t code, caf::atom_value, const caf::message& ctx) {
                       auto out = "herald: "
                                  + herald::to_string(static_cast<herald_errc>(code));
                       return ctx.empty() ? out : out + " " + caf::to_string(ctx);
                     });
}

namespace {

raw_value from_caf(const caf::config_value& v) {
  raw_value r;
  using k = raw_value::kind;
  if (auto i = caf::get_if<caf::config_value::integer>(&v)) {
    r.k = k::integer;
    r.i = *i;
  } else if (auto b = caf::get_if<caf::config_value::boolean>(&v)) {
    r.k = k::boolean;
    r.b = *b;
  } else if (auto d = caf::get_if<caf::config_value::real>(&v)) {
    r.k = k::real;
    r.d = *d;
  } else if (auto s = caf::get_if<caf::config_value::string>(&v)) {
    r.k = k::string;
    r.s = *s;
  } else if (auto a = caf::get_if<caf::config_value::atom>(&v)) {
    r.k = k::string; // 'atom' syntax: accepted where a string is expected
    r.s = caf::to_string(*a);
  } else if (auto t = caf::get_if<caf::config_value::timespan>(&v)) {
    r.k = k::duration;
    r.ns = std::chrono::nanoseconds{t->count()};
  } else if (auto l = caf::get_if<caf::config_value::list>(&v)) {
    r.k = k::list;
    for (auto& item : *l)
      r.items.push_back(from_caf(item));
  } else {
    r.k = k::other;
    r.s = caf::to_string(v);
  }
  return r;
}

void flatten(const caf::settings& xs, const std::string& prefix,
             std::vector<std::pair<std::string, caf::config_value>>& out) {
  for (auto& kvp : xs) {
    auto key = prefix.empty() ? kvp.first : prefix + "." + kvp.first;
    if (auto d = caf::get_if<caf::config_value::dictionary>(&kvp.second))
      flatten(*d, key, out);
    else
      out.emplace_back(key, kvp.second);
  }
}

// CAF's parser error codes in Herald's words.
std::string pec_words(caf::pec code, char at) {
  using caf::pec;
  std::string c = at == 0 ? std::string{} : std::string{" '"} + at + "'";
  switch (code) {
    case pec::unexpected_character: return "unexpected character" + c;
    case pec::unexpected_newline:
      return "the line ends inside a value (an unterminated string or list?)";
    case pec::unexpected_eof:
      return "the file ends inside a value or section header (an unterminated string, list "
             "or '['?)";
    case pec::trailing_character: return "unexpected text after the value" + c;
    case pec::integer_overflow: return "the number is too large";
    case pec::integer_underflow: return "the number is too small";
    case pec::timespan_overflow: return "the duration is too long";
    case pec::fractional_timespan:
      return "durations are whole numbers with a unit (ns, us, ms, s, min, h), e.g. 1500ms";
    case pec::illegal_escape_sequence: return "unknown escape sequence in a string";
    case pec::too_many_characters: return "too many characters";
    default: return caf::to_string(code);
  }
}

std::string trim(std::string x) {
  auto b = x.find_first_not_of(" \t\r");
  if (b == std::string::npos)
    return {};
  auto e = x.find_last_not_of(" \t\r");
  return x.substr(b, e - b + 1);
}

// Renders a CAF parser error as "line L, column C: what" in Herald's words,
// with the offending line and, for the most common mistake, the fix.
std::string describe_parse_error(const caf::error& err, const std::string& path) {
  std::string what = caf::actor_system_config::render(err);
  if (err.category() != caf::atom("parser"))
    return what;
  auto code = static_cast<caf::pec>(err.code());
  long line = 0, column = 0;
  auto& ctx = err.context();
  if (ctx.match_elements<caf::config_value::dictionary>()) {
    auto& d = ctx.get_as<caf::config_value::dictionary>(0);
    auto l = d.find("line");
    auto c = d.find("column");
    if (l != d.end())
      if (auto i = caf::get_if<caf::config_value::integer>(&l->second))
        line = static_cast<long>(*i);
    if (c != d.end())
      if (auto i = caf::get_if<caf::config_value::integer>(&c->second))
        column = static_cast<long>(*i);
  }
  std::string text, previous;
  if (line > 0) {
    std::ifstream in{path};
    for (long n = 1; n <= line && std::getline(in, text); ++n)
      if (n < line)
        previous = text;
  }
  // An error at the start of a line is about the line before it (a value
  // that ran into the newline).
  if (column <= 1 && line > 1 && !previous.empty()) {
    --line;
    text = previous;
    column = static_cast<long>(text.size()) + 1;
  }
  char at = column > 0 && static_cast<std::size_t>(column) <= text.size() ? text[column - 1] : 0;
  what = pec_words(code, at);
  auto eq = text.find('=');
  if (eq != std::string::npos && text.find(';') > eq) {
    auto value = trim(text.substr(eq + 1));
    auto semi = value.find(';');
    if (semi != std::string::npos)
      value = trim(value.substr(0, semi));
    auto first = value.empty() ? '\0' : value[0];
    bool quoted_or_number = first == '"' || first == '\'' || first == '[' || first == '-'
                            || first == '+' || (first >= '0' && first <= '9');
    if (!value.empty() && !quoted_or_number && value != "true" && value != "false")
      what = "strings need double quotes: " + trim(text.substr(0, eq)) + "=\"" + value + "\"";
    else if (first == '"' && value.size() > 0
             && (value.size() == 1 || value.back() != '"'))
      what = "unterminated string (a closing \" is missing)";
    else if (first == '[' && value.find(']') == std::string::npos)
      what = "unterminated list (a closing ] is missing; lists are [\"a\", \"b\"] on one line)";
  }
  std::string out = line > 0 ? "line " + std::to_string(line) + ", column " + std::to_string(column)
                                 + ": " + what
                             : what;
  if (!text.empty())
    out += "\n    " + std::to_string(line) + " | " + text;
  return out;
}

// What CAF 0.17's INI parser gets wrong silently: a list that is never
// closed (the rest of the file is swallowed or ignored) and a key given twice
// in a section (the first one wins). Strings, comments and brackets are
// tracked per line; a list may span lines.
std::vector<std::string> lint_file(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in{path};
  std::string line, section;
  std::map<std::string, long> seen; // "section.key" -> line
  long n = 0, list_start = 0;
  int depth = 0;
  while (std::getline(in, line)) {
    ++n;
    bool in_string = false;
    std::size_t i = 0;
    if (depth == 0) {
      auto t = trim(line);
      if (t.empty() || t[0] == ';' || t[0] == '#')
        continue;
      if (t[0] == '[') {
        auto close = t.find(']');
        section = trim(t.substr(1, close == std::string::npos ? std::string::npos : close - 1));
        continue;
      }
      auto eq = line.find('=');
      if (eq == std::string::npos)
        continue; // CAF reports it
      auto key = trim(line.substr(0, eq));
      auto full = section.empty() ? key : section + "." + key;
      if (auto it = seen.find(full); it != seen.end())
        out.push_back("line " + std::to_string(n) + ": key '" + key + "' in [" + section
                      + "] is already set on line " + std::to_string(it->second)
                      + " (CAF would silently keep the first); remove one");
      else
        seen.emplace(full, n);
      i = eq + 1;
    }
    for (; i < line.size(); ++i) {
      char c = line[i];
      if (in_string) {
        if (c == '\\')
          ++i;
        else if (c == '"')
          in_string = false;
        continue;
      }
      if (c == '"')
        in_string = true;
      else if (c == ';')
        break;
      else if (c == '[') {
        if (depth++ == 0)
          list_start = n;
      } else if (c == ']' && depth > 0)
        --depth;
    }
  }
  if (depth > 0)
    out.push_back("line " + std::to_string(list_start)
                  + ": unterminated list (a closing ] is missing; lists look like [\"a\", \"b\"])");
  return out;
}

// CAF's option type names in Herald's words.
std::string caf_type_words(std::string t) {
  if (t.size() > 2 && t.compare(t.size() - 2, 2, "_t") == 0)
    t.resize(t.size() - 2);
  if (t == "uint64" || t == "uint32" || t == "uint16" || t == "uint8" || t == "size")
    return "a whole number >= 0 (" + t + ")";
  if (t == "int64" || t == "int32" || t == "int16" || t == "int8")
    return "a whole number (" + t + ")";
  if (t == "uint64_t" || t == "uint32_t" || t == "uint16_t" || t == "uint8_t" || t == "size_t")
    return "a whole number >= 0 (" + t + ")";
  if (t == "int64_t" || t == "int32_t" || t == "int16_t" || t == "int8_t" || t == "int")
    return "a whole number (" + t + ")";
  if (t == "boolean" || t == "bool")
    return "true or false";
  if (t == "timespan")
    return "a duration with a unit, e.g. 10ms, 5s, 1min (timespan)";
  if (t == "string" || t == "std::string")
    return "a string in double quotes";
  if (t == "atom")
    return "a word in single quotes, e.g. 'stealing' (atom)";
  if (t == "double" || t == "float")
    return "a number";
  return t;
}

bool is_caf_section(const caf::config_option_set& opts, const std::string& section) {
  for (auto& opt : opts)
    if (opt.category() == section)
      return true;
  return false;
}

} // namespace

std::string default_config_path() {
  if (auto env = std::getenv("HERALD_CONFIG"); env && *env)
    return env;
  const char* local = "config/caf-application.conf";
  if (std::ifstream{local})
    return local;
  std::string in_tree = std::string{HERALD_SOURCE_DIR} + "/" + local;
  if (std::ifstream{in_tree})
    return in_tree;
  return {};
}

/// Where a CAF key was set ("command line" or the file), for messages.
std::string caf_key_source(const loaded_config& out, const std::string& key) {
  std::string where = "default";
  for (auto& k : out.caf_keys)
    if (k.key == key)
      where = k.source;
  return where;
}

std::vector<std::string> load(herald_system_config& cfg, const std::string& path,
                              bool path_is_explicit,
                              const std::vector<std::string>& overrides, loaded_config& out) {
  std::vector<std::string> errors;
  const auto& opts = cfg.caf_options();
  const auto& sch = herald_schema();
  std::vector<raw_entry> herald_raw;
  out.path = path;

  // 1. The file, read by CAF's INI parser without an option set so that every
  //    value keeps the type it was written with.
  if (!path.empty()) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      errors.push_back(path + ": is a directory, not a config file (give the file, e.g. "
                       + (std::filesystem::path{path} / "caf-application.conf").string() + ")");
      return errors;
    }
    std::ifstream probe{path};
    if (!probe) {
      errors.push_back(path + ": cannot read the config file"
                       + std::string{path_is_explicit ? "" : " (default location)"});
      return errors;
    }
    if (auto lint = lint_file(path); !lint.empty()) {
      for (auto& e : lint)
        errors.push_back(path + ": " + e);
      return errors;
    }
    auto parsed = caf::actor_system_config::parse_config_file(path.c_str());
    if (!parsed) {
      errors.push_back(path + ": syntax error at " + describe_parse_error(parsed.error(), path));
      return errors;
    }
    std::vector<std::pair<std::string, caf::config_value>> flat;
    flatten(*parsed, "", flat);
    for (auto& [key, val] : flat) {
      auto section = split_key(key).first;
      if (is_caf_section(opts, section)) {
        auto opt = opts.qualified_name_lookup(key);
        if (opt == nullptr) {
          errors.push_back(config_error{path, key, caf::to_string(val),
                                        "unknown key in CAF section [" + section + "]"}
                             .to_string());
        } else if (auto err = opt->check(val)) {
          errors.push_back(config_error{path, key, caf::to_string(val),
                                        "wrong type: CAF expects "
                                          + caf_type_words(std::string{opt->type_name().data(),
                                                                       opt->type_name().size()})}
                             .to_string());
        } else {
          out.caf_keys.push_back({key, from_caf(val), origin::file, path});
        }
        continue;
      }
      herald_raw.push_back({key, from_caf(val), origin::file, path});
    }
  }

  // 2. Command-line overrides: herald keys are parsed with the same INI value
  //    syntax (bare words count as strings); CAF keys go to CAF's parser.
  std::vector<std::string> caf_args;
  for (auto& arg : overrides) {
    auto body = arg.substr(2); // strip "--"
    auto eq = body.find('=');
    auto key = body.substr(0, eq);
    auto text = eq == std::string::npos ? std::string{"true"} : body.substr(eq + 1);
    auto [section, name] = split_key(key);
    if (is_caf_section(opts, section)) {
      caf_args.push_back(arg);
      raw_value rv;
      rv.k = raw_value::kind::other;
      rv.s = text;
      out.caf_keys.push_back({key, rv, origin::command_line, "command line"});
      continue;
    }
    raw_value rv;
    std::istringstream ini{"[x]\nv=" + text + "\n"};
    auto parsed = caf::actor_system_config::parse_config(ini);
    const caf::config_value* v = nullptr;
    if (parsed) {
      auto sec = parsed->find("x");
      if (sec != parsed->end())
        if (auto d = caf::get_if<caf::config_value::dictionary>(&sec->second))
          if (auto it = d->find("v"); it != d->end())
            v = &it->second;
    }
    auto spec = sch.find(key);
    if (v != nullptr)
      rv = from_caf(*v);
    if (v == nullptr
        || (spec && spec->type == value_type::string && rv.k != raw_value::kind::string)) {
      rv = raw_value{};
      rv.k = raw_value::kind::string;
      rv.s = text;
    }
    herald_raw.push_back({key, rv, origin::command_line, "command line"});
  }

  auto result = validate(sch, herald_raw);
  for (auto& e : result.errors)
    errors.push_back(e.to_string());
  out.values = std::move(result.values);

  // 3. CAF's own parse of the file and of its own command-line keys.
  std::vector<std::string> argv_store{"herald"};
  argv_store.insert(argv_store.end(), caf_args.begin(), caf_args.end());
  std::vector<char*> argv;
  for (auto& a : argv_store)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  const char* ini = path.empty() ? "/dev/null" : path.c_str();
  if (auto err = cfg.parse(static_cast<int>(argv.size() - 1), argv.data(), ini))
    errors.push_back("command line: " + caf::actor_system_config::render(err));
  else if (caf::get_or(cfg, "scheduler.max-threads", caf::defaults::scheduler::max_threads)
           == 0) // CAF divides by it (SIGFPE at start)
    errors.push_back(caf_key_source(out, "scheduler.max-threads")
                     + ": key 'scheduler.max-threads' = 0: the actor system needs at least one "
                       "thread (1 or more; leave it out for one per core)");

  // 4. Secrets.
  if (errors.empty()) {
    auto env_file = out.values.get_string("secrets.env-file");
    if (!env_file.empty()) {
      if (env_file[0] != '/' && !path.empty()) {
        auto slash = path.rfind('/');
        if (slash != std::string::npos)
          env_file = path.substr(0, slash + 1) + env_file;
      }
      auto err = out.secret_store.load_file(env_file);
      if (!err.empty())
        errors.push_back((out.values.find("secrets.env-file")->source) + ": key 'secrets.env-file': "
                         + err);
    }
  }
  return errors;
}

} // namespace herald::config
