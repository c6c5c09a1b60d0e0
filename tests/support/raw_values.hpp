#pragma once
// Raw configuration values as the CAF parser hands them over, for tests of
// the schema and its checks.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "config/settings.hpp"

namespace herald::test {

inline config::raw_value integer(std::int64_t i) {
  config::raw_value r;
  r.k = config::raw_value::kind::integer;
  r.i = i;
  return r;
}

inline config::raw_value str(std::string s) {
  config::raw_value r;
  r.k = config::raw_value::kind::string;
  r.s = std::move(s);
  return r;
}

inline config::raw_value dur(std::chrono::nanoseconds ns) {
  config::raw_value r;
  r.k = config::raw_value::kind::duration;
  r.ns = ns;
  return r;
}

inline config::raw_value list(const std::vector<std::string>& items) {
  config::raw_value r;
  r.k = config::raw_value::kind::list;
  for (auto& i : items)
    r.items.push_back(str(i));
  return r;
}

/// An entry read from the file `source`.
inline config::raw_entry file_entry(std::string key, config::raw_value v,
                                    std::string source = "herald.conf") {
  return {std::move(key), std::move(v), config::origin::file, std::move(source)};
}

} // namespace herald::test
