// herald config check: validate and print the effective configuration.

#include <iostream>

#include "app/commands.hpp"
#include "actors/app_tree.hpp"
#include "app/prepare.hpp"
#include "config/schema.hpp"
#include "io/http/server.hpp"

namespace herald::app {

int config_check_command(const invocation& inv) {
  auto p = prepare(inv);
  if (!p)
    return exit_usage;
  const auto& loaded = p->loaded;
  // Files the configuration names must hold what it needs.
  if (loaded.values.get_bool("content.enabled")) {
    try {
      load_templates(loaded.values, loaded.path);
    } catch (const std::exception& e) {
      std::cerr << "herald: invalid configuration"
                << (loaded.path.empty() ? "" : " (" + loaded.path + ")") << ":\n  " << e.what()
                << "\n";
      return exit_usage;
    }
  }
  auto& out = std::cout;
  out << "; herald " << HERALD_VERSION << ": effective configuration\n"
      << "; file: " << (loaded.path.empty() ? "(none, defaults only)" : loaded.path) << "\n";
  const auto& sch = config::herald_schema();
  for (auto& section : sch.sections()) {
    bool header = false;
    for (auto& spec : sch.keys()) {
      auto [sec, name] = config::split_key(spec.key);
      if (sec != section)
        continue;
      auto e = loaded.values.find(spec.key);
      if (e == nullptr)
        continue;
      // Per-supervisor sections: show only what differs from [supervision].
      if (!spec.inherits.empty() && e->from == config::origin::defaults)
        continue;
      if (!header) {
        out << "\n[" << section << "]\n";
        header = true;
      }
      // Passwords inside URLs (db.url) are never printed.
      std::string line = name + " = " + io::http::redact_url(config::render(e->val));
      out << line;
      for (auto n = line.size(); n < 40; ++n)
        out << ' ';
      out << " ; " << (e->from == config::origin::file ? e->source : config::to_string(e->from))
          << "\n";
    }
  }
  if (!loaded.caf_keys.empty()) {
    out << "\n; CAF settings given explicitly\n";
    for (auto& k : loaded.caf_keys)
      out << "; " << k.key << " = " << io::http::redact_url(k.val.text()) << "   (" << k.source
          << ")\n";
  }
  out << "\n; secrets (names and sources only)\n";
  for (auto& name : config::secrets::known_names())
    out << "; " << name << ": " << loaded.secret_store.provenance(name) << "\n";
  out << "\n; configuration OK\n";
  return exit_ok;
}

} // namespace herald::app
