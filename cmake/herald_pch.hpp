// Precompiled header for herald_lib and the test targets: the heavy,
// never-changing third-party headers. Project headers stay out of it so that
// editing them does not invalidate the PCH.
#pragma once
#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>
