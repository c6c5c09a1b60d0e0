#include "ops/alert_webhook.hpp"

#include <nlohmann/json.hpp>

namespace herald::ops {
namespace {

using json = nlohmann::json;

constexpr std::size_t max_alerts = 1000;
constexpr std::size_t max_text = 512;

std::string clean(const std::string& s) {
  std::string out;
  out.reserve(std::min(s.size(), max_text));
  for (unsigned char c : s) {
    if (out.size() >= max_text)
      break;
    out.push_back(c < 0x20 || c == 0x7f ? ' ' : static_cast<char>(c));
  }
  return out;
}

/// An optional string member of `obj`; false (and `error`) when present but
/// not a string.
bool text(const json& obj, const char* key, const std::string& where, std::string& out,
          std::string& error) {
  if (!obj.contains(key) || obj[key].is_null())
    return true;
  if (!obj[key].is_string()) {
    error = where + "." + key + ": must be a string";
    return false;
  }
  out = clean(obj[key].get<std::string>());
  return true;
}

} // namespace

std::optional<alert_batch> parse_alert_webhook(const std::string& body, std::string& error) {
  auto j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    error = "the body is not a JSON object (Alertmanager webhook payload, version 4)";
    return std::nullopt;
  }
  if (!j.contains("version") || j["version"] != "4") {
    error = "version: must be \"4\" (Alertmanager's webhook payload)";
    return std::nullopt;
  }
  if (!j.contains("alerts") || !j["alerts"].is_array()) {
    error = "alerts: missing or not an array";
    return std::nullopt;
  }
  if (j["alerts"].size() > max_alerts) {
    error = "alerts: more than " + std::to_string(max_alerts) + " in one payload";
    return std::nullopt;
  }
  alert_batch out;
  if (!text(j, "receiver", "payload", out.receiver, error))
    return std::nullopt;
  std::size_t i = 0;
  for (auto& a : j["alerts"]) {
    auto where = "alerts[" + std::to_string(i++) + "]";
    if (!a.is_object()) {
      error = where + ": not an object";
      return std::nullopt;
    }
    alert_notice n;
    if (!text(a, "status", where, n.status, error) || !text(a, "startsAt", where, n.starts_at, error)
        || !text(a, "fingerprint", where, n.fingerprint, error))
      return std::nullopt;
    if (n.status != "firing" && n.status != "resolved") {
      error = where + ".status: must be \"firing\" or \"resolved\"";
      return std::nullopt;
    }
    if (!a.contains("labels") || !a["labels"].is_object()) {
      error = where + ".labels: missing or not an object";
      return std::nullopt;
    }
    auto& labels = a["labels"];
    if (!text(labels, "alertname", where + ".labels", n.name, error)
        || !text(labels, "severity", where + ".labels", n.severity, error)
        || !text(labels, "instance", where + ".labels", n.instance, error))
      return std::nullopt;
    if (n.name.empty()) {
      error = where + ".labels.alertname: missing";
      return std::nullopt;
    }
    if (a.contains("annotations")) {
      if (!a["annotations"].is_object()) {
        error = where + ".annotations: not an object";
        return std::nullopt;
      }
      if (!text(a["annotations"], "summary", where + ".annotations", n.summary, error))
        return std::nullopt;
    }
    out.alerts.push_back(std::move(n));
  }
  return out;
}

std::string alert_event_json(const alert_notice& a, const std::string& receiver) {
  return json{{"status", a.status},     {"alert", a.name},
              {"severity", a.severity}, {"instance", a.instance},
              {"summary", a.summary},   {"starts_at", a.starts_at},
              {"fingerprint", a.fingerprint}, {"receiver", receiver}}
      .dump();
}

} // namespace herald::ops
