#pragma once
// Access to the real market data in ../shared/data/market (see its README).
// A fresh clone does not have it: tests that need it skip with a message.

#include <fstream>
#include <string>

#include <catch2/catch.hpp>

namespace herald::test {

inline std::string market_data(const std::string& relative) {
  return std::string{HERALD_TEST_DATA_DIR} + "/" + relative;
}

inline bool have_market_data() {
  return std::ifstream{market_data("README.md")}.good();
}

} // namespace herald::test

/// Skips the current test case (visibly) when the shared market data is absent.
#define HERALD_REQUIRE_MARKET_DATA()                                                     \
  do {                                                                                   \
    if (!herald::test::have_market_data()) {                                             \
      WARN("SKIPPED: ../shared/data/market is absent (" HERALD_TEST_DATA_DIR ")");       \
      return;                                                                            \
    }                                                                                    \
  } while (false)
