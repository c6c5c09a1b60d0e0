// Facts as JSON (what a brief and a plan carry) and the sample and
// optional facts each content type's templates are checked against at
// start (declared in content/briefing.hpp).
#include "content/briefing.hpp"

#include <nlohmann/json.hpp>

namespace herald::content {

std::string facts_to_json(const facts& f) {
  auto j = nlohmann::json::object();
  for (auto& [k, v] : f.all()) {
    if (auto d = std::get_if<double>(&v))
      j[k] = *d;
    else if (auto i = std::get_if<std::int64_t>(&v))
      j[k] = *i;
    else
      j[k] = std::get<std::string>(v);
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

facts facts_from_json(const std::string& json) {
  facts f;
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object())
    return f;
  for (auto& [k, v] : j.items()) {
    if (v.is_number_integer())
      f.set(k, v.get<std::int64_t>());
    else if (v.is_number())
      f.set(k, v.get<double>());
    else if (v.is_string())
      f.set(k, v.get<std::string>());
  }
  return f;
}

std::map<content_type, facts> sample_facts() {
  std::map<content_type, facts> m;
  facts a;
  a.set("symbol", "BTCUSDT").set("interval", "1m").set("direction", "long").set("bias", "bullish")
    .set("price", 43210.12).set("strength", 42).set("confidence", 67).set("confidence_max", 100)
    .set("time", "2023-11-14 22:13 UTC").set("regime", "normal").set("rsi", 58.3)
    .set("atr_pct", 0.42).set("change_pct", 1.25).set("change_hours", 24).set("ema", 43100.5)
    .set("trend", "up").set("link", "https://example.org/alert.html");
  m[content_type::alert] = a;
  facts r;
  r.set("date", "2023-11-14").set("heading", "Daily recap 2023-11-14").set("insight_hours", 24).set("until", "2023-11-14 21:00 UTC").set("series", 3)
    .set("movers", "BTCUSDT +1.25% over 24 h (up)").set("hours", 24).set("insights", 4)
    .set("signals", 1440).set("top_symbol", "BTCUSDT").set("top_change", 1.25)
    .set("bottom_symbol", "ETHUSDT").set("bottom_change", -0.5)
    .set("link", "https://example.org/recap.html");
  m[content_type::recap] = r;
  facts p;
  p.set("title", "Weekly research report, week to 2023-11-19").set("date", "2023-11-19")
    .set("series", 3).set("summary", "BTCUSDT (1m): +1.25% over 24h.")
    .set("body", "# Report\n\ntext").set("link", "https://example.org/report.html");
  m[content_type::report] = p;
  m[content_type::thread] = p;
  facts sc; // learning::weekly_scorecard's facts
  sc.set("title", "Weekly analysis scorecard, week of 2023-11-13").set("date", "2023-11-20")
    .set("week", "2023-11-13").set("period_hours", 168).set("outcomes", 1200)
    .set("summary", "The combined signal was right on 51.2% of 800 calls.")
    .set("body", "| Scope | Calls |\n|---|---|\n| combined | 800 |")
    .set("combined_calls", 800).set("combined_hit_rate", 51.2).set("combined_low", 47.8)
    .set("combined_high", 54.7).set("combined_brier", 0.2489).set("best_scope", "momentum")
    .set("best_hit_rate", 53.4).set("link", "https://example.org/scorecard.html");
  m[content_type::scorecard] = sc;
  return m;
}

/// The facts a template may find missing (not known yet: indicators not
/// warm, no regime, a single series): every template must render without
/// them, i.e. use them only inside optional [[ ... ]] segments.
std::map<content_type, std::vector<std::string>> optional_facts() {
  return {{content_type::alert,
           {"regime", "rsi", "atr_pct", "ema", "change_pct", "change_hours", "trend"}},
          {content_type::recap,
           {"movers", "hours", "top_symbol", "top_change", "bottom_symbol", "bottom_change"}},
          {content_type::report, {}},
          {content_type::thread, {}},
          {content_type::scorecard,
           {"combined_calls", "combined_hit_rate", "combined_low", "combined_high",
            "combined_brier", "best_scope", "best_hit_rate"}}};
}

} // namespace herald::content
