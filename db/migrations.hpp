#pragma once
// The versioned schema migrations of db/migrations/, compiled into the binary
// (cmake/embed_migrations.cmake) so that an installed herald needs no source
// tree. File names: NNNN_name.sqlite.sql and NNNN_name.postgresql.sql.

#include <string>
#include <vector>

namespace herald::db {

struct migration {
  int version = 0;
  std::string name;
  std::string sqlite_sql;
  std::string postgresql_sql;
};

/// Every migration, in version order.
const std::vector<migration>& migrations();

/// The schema version this binary brings (the highest migration).
int latest_schema_version();

} // namespace herald::db
