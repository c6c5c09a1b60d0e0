#include "db/sql.hpp"

namespace herald::db {

namespace sql {
std::unique_ptr<storage> open_sqlite(const std::string& path, std::size_t pool_size);
std::unique_ptr<storage> open_postgresql(const db_url& url, const storage_options& opts);
} // namespace sql

std::unique_ptr<storage> open_storage(const db_url& url, const storage_options& opts) {
  std::unique_ptr<storage> s;
  if (url.backend == db_url::kind::sqlite)
    s = sql::open_sqlite(url.path, opts.pool_size);
  else
    s = sql::open_postgresql(url, opts);
  s->schema_version(); // connects once, so that a bad URL fails here
  return s;
}

} // namespace herald::db
