#include "db/url.hpp"

#include <algorithm>
#include <cctype>

namespace herald::db {

namespace {

bool starts_with(const std::string& s, const std::string& p) {
  return s.compare(0, p.size(), p) == 0;
}

} // namespace

std::string parse_url(const std::string& text, db_url& out) {
  out = db_url{};
  out.text = text;
  if (starts_with(text, "sqlite://")) {
    out.backend = db_url::kind::sqlite;
    out.path = text.substr(9);
    if (out.path.empty())
      return "sqlite URL without a path: expected sqlite://PATH (e.g. sqlite://var/herald.db)";
    return {};
  }
  std::string rest;
  if (starts_with(text, "postgresql://"))
    rest = text.substr(13);
  else if (starts_with(text, "postgres://"))
    rest = text.substr(11);
  else
    return "unsupported database URL '" + text
           + "': expected sqlite://PATH or postgresql://user@host:port/dbname";
  out.backend = db_url::kind::postgresql;
  if (auto q = rest.find('?'); q != std::string::npos) {
    auto query = rest.substr(q + 1);
    rest = rest.substr(0, q);
    std::size_t pos = 0;
    while (pos <= query.size()) {
      auto amp = query.find('&', pos);
      auto item = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
      if (!item.empty()) {
        auto eq = item.find('=');
        if (eq == std::string::npos || eq == 0)
          return "database URL parameter '" + item + "' is not name=value";
        auto name = item.substr(0, eq);
        if (name == "password")
          return "the database URL must not contain a password: set PGPASSWORD in the "
                 "environment or in the secrets env file";
        out.params[name] = item.substr(eq + 1);
      }
      if (amp == std::string::npos)
        break;
      pos = amp + 1;
    }
  }
  auto slash = rest.find('/');
  if (slash == std::string::npos || slash + 1 >= rest.size())
    return "postgresql URL without a database name: expected postgresql://user@host:port/dbname";
  out.dbname = rest.substr(slash + 1);
  auto authority = rest.substr(0, slash);
  if (auto at = authority.rfind('@'); at != std::string::npos) {
    out.user = authority.substr(0, at);
    authority = authority.substr(at + 1);
    if (out.user.find(':') != std::string::npos)
      return "the database URL must not contain a password: set PGPASSWORD in the "
             "environment or in the secrets env file";
  }
  if (auto colon = authority.rfind(':'); colon != std::string::npos) {
    auto port = authority.substr(colon + 1);
    authority = authority.substr(0, colon);
    if (port.empty() || port.size() > 5
        || !std::all_of(port.begin(), port.end(), [](char c) { return std::isdigit(c); }))
      return "invalid port '" + port + "' in database URL";
    out.port = std::stoi(port);
    if (out.port < 1 || out.port > 65535)
      return "port " + port + " out of range [1, 65535] in database URL";
  }
  if (authority.empty())
    return "postgresql URL without a host";
  out.host = authority;
  return {};
}

} // namespace herald::db
