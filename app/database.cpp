#include "app/database.hpp"

#include <filesystem>

#include <chrono>
#include <iostream>

namespace herald::app {

std::shared_ptr<db::storage> open_database(const config::loaded_config& cfg,
                                           const std::string& url_override, bool& usage_error,
                                           bool must_exist) {
  const auto& s = cfg.values;
  auto text = url_override.empty() ? s.get_string("db.url") : url_override;
  usage_error = false;
  db::db_url url;
  if (auto err = db::parse_url(text, url); !err.empty()) {
    auto source = url_override.empty() ? s.find("db.url")->source : std::string{"--db"};
    std::cerr << "herald: " << source << ": key 'db.url' = \"" << text << "\": " << err << "\n";
    usage_error = true;
    return nullptr;
  }
  // A command that only reads must not create an empty SQLite file for a
  // mistyped path.
  if (must_exist && url.backend == db::db_url::kind::sqlite && !std::filesystem::exists(url.path)) {
    std::cerr << "herald: no database at " << url.path << " (" << text
              << "); check the path (this command reads an existing database)\n";
    usage_error = true;
    return nullptr;
  }
  db::storage_options o;
  o.pool_size = static_cast<std::size_t>(s.get_int("db.pool-size"));
  o.connect_timeout_seconds = static_cast<int>(
    std::chrono::duration_cast<std::chrono::seconds>(s.get_duration("db.connect-timeout"))
      .count());
  o.statement_timeout_ms = static_cast<int>(
    std::chrono::duration_cast<std::chrono::milliseconds>(s.get_duration("db.statement-timeout"))
      .count());
  o.idle_in_transaction_ms = static_cast<int>(
    std::chrono::duration_cast<std::chrono::milliseconds>(
      s.get_duration("db.idle-in-transaction-timeout"))
      .count());
  if (auto pw = cfg.secret_store.get("PGPASSWORD"))
    o.password = *pw;
  try {
    return db::open_storage(url, o);
  } catch (const db::storage_error& e) {
    std::cerr << "herald: cannot open the database: " << e.what() << "\n";
    return nullptr;
  }
}

} // namespace herald::app
