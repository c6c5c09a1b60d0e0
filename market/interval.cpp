#include "market/interval.hpp"

#include <ctime>

namespace herald::market {

namespace {

struct named {
  const char* name;
  std::int64_t ms;
};

constexpr named table[] = {
  {"1m", minute_ms},      {"3m", 3 * minute_ms}, {"5m", 5 * minute_ms}, {"15m", 15 * minute_ms},
  {"30m", 30 * minute_ms}, {"1h", hour_ms},      {"2h", 2 * hour_ms},   {"4h", 4 * hour_ms},
  {"6h", 6 * hour_ms},     {"8h", 8 * hour_ms},  {"12h", 12 * hour_ms}, {"1d", day_ms},
  {"1w", week_ms},
};

// 1970-01-01 was a Thursday; the first Monday 00:00 UTC is 4 days later.
constexpr std::int64_t monday_offset = 4 * day_ms;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  auto q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

} // namespace

std::optional<std::int64_t> interval_ms(std::string_view name) {
  for (auto& n : table)
    if (name == n.name)
      return n.ms;
  return std::nullopt;
}

std::string interval_name(std::int64_t ms) {
  for (auto& n : table)
    if (n.ms == ms)
      return n.name;
  return {};
}

const std::vector<std::string>& interval_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (auto& n : table)
      out.emplace_back(n.name);
    return out;
  }();
  return names;
}

std::int64_t bar_start(std::int64_t t, std::int64_t ms) {
  if (ms == week_ms)
    return floor_div(t - monday_offset, ms) * ms + monday_offset;
  return floor_div(t, ms) * ms;
}

std::string format_utc(std::int64_t ms) {
  auto secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

} // namespace herald::market
