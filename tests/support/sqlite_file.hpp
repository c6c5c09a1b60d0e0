#pragma once
// A migrated SQLite database in a temporary file, removed with its WAL files
// at the end: for tests that need a real database without the PostgreSQL
// fixture.

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "db/storage.hpp"
#include "db/url.hpp"

namespace herald::test {

struct sqlite_file {
  std::filesystem::path path;
  std::shared_ptr<db::storage> store;

  explicit sqlite_file(const std::string& prefix = "herald-test") {
    static int n = 0;
    path = std::filesystem::temp_directory_path()
           / (prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(n++) + ".db");
    db::db_url u;
    REQUIRE(db::parse_url("sqlite://" + path.string(), u).empty());
    store = db::open_storage(u, {});
    store->migrate();
  }
  ~sqlite_file() {
    store.reset();
    for (auto ext : {"", "-wal", "-shm"})
      std::filesystem::remove(path.string() + ext);
  }
};

} // namespace herald::test
