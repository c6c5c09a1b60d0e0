#pragma once
// The storage backends every storage test runs against: a fresh SQLite file
// and a fresh database on the throwaway PostgreSQL that ctest starts (fixture
// "postgres", scripts/pg-throwaway). When the PostgreSQL server is not
// running (a test binary started by hand), its cases are skipped with a
// visible warning.

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

#include <catch2/catch.hpp>

namespace herald::test {

struct backend_target {
  std::string name; ///< "sqlite" or "postgresql"
  std::string url;
};

/// Runs a command and returns its first output line ("" on failure).
inline std::string run_line(const std::string& cmd) {
  std::string out;
  if (auto p = popen(cmd.c_str(), "r")) {
    char buf[512];
    if (fgets(buf, sizeof(buf), p))
      out = buf;
    if (pclose(p) != 0)
      return {};
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
    out.pop_back();
  return out;
}

/// Every line a command prints on stdout (the lines of a query tool).
inline std::vector<std::string> output_lines(const std::string& cmd) {
  std::vector<std::string> out;
  if (auto p = popen(cmd.c_str(), "r")) {
    std::string line;
    char buf[8192];
    while (fgets(buf, sizeof(buf), p)) {
      line += buf;
      if (!line.empty() && line.back() == '\n') {
        line.pop_back();
        out.push_back(std::move(line));
        line.clear();
      }
    }
    if (!line.empty())
      out.push_back(line);
    pclose(p);
  }
  return out;
}

inline std::string pg_script() {
  return std::string{HERALD_SOURCE_DIR} + "/scripts/pg-throwaway";
}

inline bool pg_available() {
  return std::ifstream{std::string{HERALD_TEST_PG_DIR} + "/url"}.good();
}

/// A fresh, empty database per call.
inline std::vector<backend_target> fresh_backends() {
  static int counter = 0;
  std::vector<backend_target> out;
  auto file = "/tmp/herald-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter)
              + ".db";
  std::remove(file.c_str());
  std::remove((file + "-wal").c_str());
  std::remove((file + "-shm").c_str());
  out.push_back({"sqlite", "sqlite://" + file});
  if (pg_available()) {
    auto url = run_line(pg_script() + " newdb " + HERALD_TEST_PG_DIR);
    if (!url.empty())
      out.push_back({"postgresql", url});
  }
  return out;
}

/// Runs `body(target)` once per backend, each in its own Catch2 section with
/// a fresh database; warns visibly when PostgreSQL is not there.
template <class F>
void for_each_backend(F body) {
  auto targets = fresh_backends();
  if (targets.size() < 2)
    WARN("PostgreSQL is not running (start the tests through ctest, which starts it): "
         "only SQLite is tested here");
  for (auto& t : targets) {
    DYNAMIC_SECTION(t.name) {
      body(t);
    }
  }
}

} // namespace herald::test
