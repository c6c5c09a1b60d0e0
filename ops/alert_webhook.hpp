#pragma once
// Alertmanager's webhook payload (version 4), as POSTed to
// /api/v1/alerts: the stack's Alertmanager sends Herald's own alerts there,
// so they show in the consoles' live events and in the node's log. Parsing
// is strict about the shape and bounded in size; every string kept is
// cleaned of control characters and cut to a fixed length. Pure: no CAF.

#include <optional>
#include <string>
#include <vector>

namespace herald::ops {

struct alert_notice {
  std::string status;      ///< firing | resolved
  std::string name;        ///< labels.alertname
  std::string severity;    ///< labels.severity ("" when absent)
  std::string instance;    ///< labels.instance ("" when absent)
  std::string summary;     ///< annotations.summary ("" when absent)
  std::string starts_at;   ///< RFC 3339, as sent
  std::string fingerprint; ///< Alertmanager's id of the alert
};

struct alert_batch {
  std::string receiver;
  std::vector<alert_notice> alerts;
};

/// Parses a webhook body. On error returns nullopt and sets `error` to what
/// was wrong and where (e.g. "alerts[2].labels.alertname: missing").
std::optional<alert_batch> parse_alert_webhook(const std::string& body, std::string& error);

/// One event of the live journal (type "alert") for a notice: a JSON object.
std::string alert_event_json(const alert_notice& a, const std::string& receiver);

} // namespace herald::ops
