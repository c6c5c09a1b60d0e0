#pragma once
// A migrated storage on one of the test backends (support/backends.hpp).

#include <memory>

#include <catch2/catch.hpp>

#include "db/storage.hpp"
#include "support/backends.hpp"

namespace herald::test {

inline std::shared_ptr<db::storage> open_migrated(const backend_target& t,
                                                  db::storage_options opts = {}) {
  db::db_url url;
  REQUIRE(db::parse_url(t.url, url).empty());
  std::shared_ptr<db::storage> s = db::open_storage(url, opts);
  s->migrate();
  return s;
}

} // namespace herald::test
