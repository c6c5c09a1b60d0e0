#pragma once
// Database URLs of `[db] url`:
//   sqlite://PATH          PATH as written: sqlite://var/herald.db is relative,
//                          sqlite:///srv/herald.db absolute; sqlite://:memory:
//   postgresql://[user@]host[:port]/dbname[?param=value&...]
//                          (also postgres://). The password never appears in the
//                          URL: it comes from PGPASSWORD (environment or the
//                          secrets env file).

#include <map>
#include <optional>
#include <string>

namespace herald::db {

struct db_url {
  enum class kind { sqlite, postgresql } backend = kind::sqlite;
  std::string path;  ///< sqlite
  std::string user;  ///< postgresql
  std::string host;
  int port = 5432;
  std::string dbname;
  std::map<std::string, std::string> params;
  /// The URL as given (it never holds a password).
  std::string text;
};

/// Parses a URL; returns an error message naming what is wrong, or "".
std::string parse_url(const std::string& text, db_url& out);

} // namespace herald::db
