// herald migrate: bring the database schema to this binary's version.

#include <iostream>

#include "app/commands.hpp"
#include "app/database.hpp"
#include "app/prepare.hpp"
#include "db/migrations.hpp"

namespace herald::app {

int migrate_command(const invocation& inv) {
  auto p = prepare(inv);
  if (!p)
    return exit_usage;
  bool usage_error = false;
  auto store = open_database(p->loaded, inv.get("db"), usage_error);
  if (!store)
    return usage_error ? exit_usage : exit_failure;
  try {
    auto report = store->migrate();
    if (report.applied.empty()) {
      std::cout << "herald migrate: " << store->location() << " is at schema version "
                << report.to_version << " (up to date)\n";
    } else {
      std::cout << "herald migrate: " << store->location() << ": schema version "
                << report.from_version << " -> " << report.to_version << "\n";
      for (auto& m : report.applied)
        std::cout << "  applied " << m << "\n";
    }
    return exit_ok;
  } catch (const db::storage_error& e) {
    std::cerr << "herald migrate: " << e.what() << "\n";
    return exit_failure;
  }
}

} // namespace herald::app
