#include "analysis/analyzer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>

#include <nlohmann/json.hpp>

namespace herald::analysis {

double result::get(const char* key) const {
  for (std::size_t i = 0; i < n_facts; ++i)
    if (std::strcmp(facts[i].first, key) == 0)
      return facts[i].second;
  return std::numeric_limits<double>::quiet_NaN();
}

std::string result::payload_json() const {
  auto j = nlohmann::json::object();
  for (std::size_t i = 0; i < n_facts; ++i) {
    auto [key, v] = facts[i];
    nlohmann::json value = std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
    if (auto dot = std::strchr(key, '.'))
      j[std::string(key, dot)][dot + 1] = std::move(value);
    else
      j[key] = std::move(value);
  }
  if (text_key)
    j[text_key] = text ? text : "";
  if (list_key) {
    auto names = nlohmann::json::array();
    for (std::uint32_t b = 0; b < 32 && list_names; ++b)
      if (list_bits & (1u << b))
        names.push_back(list_names[b]);
    j[list_key] = std::move(names);
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void analyzer::finish(const candle& c, const char* agent, result& r) {
  r.score = safe(r.score, -1, 1);
  r.confidence = safe(r.confidence, 0, 100);
  r.agent = agent;
  r.candle_time = c.open_time;
}

void result::reset() {
  // Only what analysers read or append to: the fact array past n_facts is
  // never read, so a result is reused without zeroing its ~200 bytes.
  score = 0;
  confidence = 0;
  n_facts = 0;
  text_key = text = list_key = nullptr;
  list_names = nullptr;
  list_bits = 0;
}

result analyzer::on_candle(const candle& c) {
  result r;
  auto t0 = std::chrono::steady_clock::now();
  analyse(c, r);
  r.duration_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::steady_clock::now() - t0)
                    .count();
  finish(c, name(), r);
  return r;
}

void analyzer::on_candles(const candle* cs, std::size_t n, result* out) {
  if (n == 0)
    return;
  auto t0 = std::chrono::steady_clock::now();
  const char* agent = name();
  for (std::size_t i = 0; i < n; ++i) {
    auto& r = out[i];
    r.reset();
    analyse(cs[i], r);
    finish(cs[i], agent, r);
  }
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
              std::chrono::steady_clock::now() - t0)
              .count();
  auto each = ns / static_cast<std::int64_t>(n);
  for (std::size_t i = 0; i < n; ++i)
    out[i].duration_ns = each;
}

} // namespace herald::analysis
