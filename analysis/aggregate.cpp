#include "analysis/aggregate.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

namespace herald::analysis {

const char* to_string(direction d) {
  switch (d) {
    case direction::long_:
      return "long";
    case direction::short_:
      return "short";
    default:
      return "neutral";
  }
}

std::string signal::id() const {
  auto t = std::to_string(time);
  std::string id;
  id.reserve(symbol.size() + interval.size() + t.size() + 2);
  id.append(symbol).append(1, ':').append(interval).append(1, ':').append(t);
  return id;
}

std::string series_id(const std::string& symbol, const std::string& interval) {
  std::string id;
  id.reserve(symbol.size() + interval.size() + 1);
  return id.append(symbol).append(1, '_').append(interval);
}

signal parse_signal(const std::string& symbol, const std::string& interval, std::int64_t time,
                    const std::string& direction_name, double confidence,
                    const std::string& payload_json) {
  auto where = [&] { return "signal " + symbol + ":" + interval + ":" + std::to_string(time); };
  auto j = nlohmann::json::parse(payload_json, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    throw std::invalid_argument{where() + ": payload is not a JSON object"};
  auto num = [&](const nlohmann::json& o, const char* key) {
    auto it = o.find(key);
    if (it == o.end() || !it->is_number())
      throw std::invalid_argument{where() + ": payload lacks the number '" + key + "'"};
    return it->get<double>();
  };
  signal s;
  s.symbol = symbol;
  s.interval = interval;
  s.time = time;
  if (direction_name == "long")
    s.dir = direction::long_;
  else if (direction_name == "short")
    s.dir = direction::short_;
  else if (direction_name == "neutral")
    s.dir = direction::neutral;
  else
    throw std::invalid_argument{where() + ": unknown direction '" + direction_name + "'"};
  s.confidence = confidence;
  s.score = num(j, "score");
  s.strength = num(j, "strength");
  s.price = num(j, "price");
  s.missing = static_cast<int>(num(j, "missing"));
  auto r = j.find("regime");
  if (r == j.end() || !r->is_string())
    throw std::invalid_argument{where() + ": payload lacks the text 'regime'"};
  s.regime = r->get<std::string>();
  auto parts = j.find("contributions");
  if (parts != j.end() && parts->is_array())
    for (auto& p : *parts) {
      if (!p.is_object())
        throw std::invalid_argument{where() + ": a contribution is not an object"};
      auto name = p.find("analyzer");
      auto k = name != p.end() && name->is_string() ? kind_from_name(name->get<std::string>())
                                                     : std::nullopt;
      if (!k)
        throw std::invalid_argument{where() + ": a contribution names no known analyzer"};
      contribution c;
      c.analyzer = static_cast<std::uint8_t>(*k);
      auto present = p.find("present");
      c.present = present != p.end() && present->is_boolean() && present->get<bool>();
      c.score = num(p, "score");
      c.confidence = num(p, "confidence");
      c.weight = num(p, "weight");
      s.contributions.push_back(c);
    }
  return s;
}

std::string signal::payload_json() const {
  auto parts = nlohmann::json::array();
  for (auto& c : contributions)
    parts.push_back({{"analyzer", kind_name(static_cast<kind>(c.analyzer))},
                     {"present", c.present},
                     {"score", c.score},
                     {"confidence", c.confidence},
                     {"weight", c.weight}});
  nlohmann::json j = {{"score", score},     {"strength", strength}, {"price", price},
                      {"regime", regime},   {"missing", missing},   {"contributions", parts}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {

double pow10(int decimals) {
  static const double table[] = {1,   1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,
                                 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  return decimals >= 0 && decimals < 16 ? table[decimals] : std::pow(10.0, decimals);
}

double round_to(double x, int decimals) {
  double f = pow10(decimals);
  double r = std::round(x * f) / f;
  return r == 0 ? 0.0 : r; // no "-0"
}

} // namespace

signal aggregate(const aggregate_options& opts, const std::string& symbol,
                 const std::string& interval, std::int64_t time, double price,
                 const contribution_set& in, const std::string& regime) {
  signal s;
  s.symbol = symbol;
  s.interval = interval;
  s.contributions = in;
  auto& parts = s.contributions;
  s.time = time;
  s.price = price;
  s.regime = regime.empty() ? "unknown" : regime;
  double num = 0, den = 0, total_weight = 0, conf = 0;
  constexpr auto regime_kind = static_cast<std::uint8_t>(kind::volatility_regime);
  for (auto& c : parts) {
    c.weight = c.analyzer < kind_count ? opts.weights[c.analyzer] : 0.0;
    if (c.analyzer == regime_kind) { // no direction: it scales confidence below
      s.missing += !c.present;
      continue;
    }
    total_weight += c.weight;
    if (!c.present) {
      ++s.missing;
      continue;
    }
    double wc = c.weight * c.confidence / 100;
    num += wc * c.score;
    den += wc;
    conf += c.weight * c.confidence;
  }
  s.score = den > 0 ? num / den : 0;
  s.confidence = total_weight > 0 ? conf / total_weight : 0;
  if (s.regime == "low")
    s.confidence *= opts.scale_low;
  else if (s.regime == "high")
    s.confidence *= opts.scale_high;
  s.score = round_to(s.score, opts.decimals);
  s.strength = std::abs(s.score);
  s.confidence = round_to(std::min(100.0, std::max(0.0, s.confidence)), opts.decimals);
  s.dir = s.score >= opts.threshold    ? direction::long_
          : s.score <= -opts.threshold ? direction::short_
                                       : direction::neutral;
  return s;
}

} // namespace herald::analysis
