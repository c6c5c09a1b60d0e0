#include "config/loader.hpp"

#include <cstdlib>
#include <fstream>
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

// Renders a CAF parser error as "line L, column C: what".
std::string describe_parse_error(const caf::error& err) {
  std::string what = caf::actor_system_config::render(err);
  if (err.category() == caf::atom("parser")) {
    what = caf::to_string(static_cast<caf::pec>(err.code()));
    auto& ctx = err.context();
    if (ctx.match_elements<caf::config_value::dictionary>()) {
      auto& d = ctx.get_as<caf::config_value::dictionary>(0);
      auto line = d.find("line");
      auto col = d.find("column");
      if (line != d.end() && col != d.end())
        what = "line " + caf::to_string(line->second) + ", column "
               + caf::to_string(col->second) + ": " + what;
    }
  }
  return what;
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
    std::ifstream probe{path};
    if (!probe) {
      errors.push_back(path + ": cannot read the config file"
                       + std::string{path_is_explicit ? "" : " (default location)"});
      return errors;
    }
    auto parsed = caf::actor_system_config::parse_config_file(path.c_str());
    if (!parsed) {
      errors.push_back(path + ": syntax error at " + describe_parse_error(parsed.error()));
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
                                        std::string{"wrong type: CAF expects "}
                                          + std::string{opt->type_name().data(),
                                                        opt->type_name().size()}}
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
