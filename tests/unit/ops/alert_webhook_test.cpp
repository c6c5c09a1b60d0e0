#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "ops/alert_webhook.hpp"

using namespace herald;

namespace {
// The shape Alertmanager 0.25 sends (notify/webhook: version 4).
const char* payload = R"({
  "receiver": "webhook", "status": "firing", "version": "4", "truncatedAlerts": 0,
  "groupKey": "{}:{alertname=\"HeraldNodeDown\"}", "externalURL": "http://alertmanager:9093",
  "groupLabels": {"alertname": "HeraldNodeDown"}, "commonLabels": {}, "commonAnnotations": {},
  "alerts": [
    {"status": "firing",
     "labels": {"alertname": "HeraldNodeDown", "instance": "herald-n3:8080", "job": "herald",
                "severity": "critical"},
     "annotations": {"summary": "node herald-n3:8080 is down\u0007\nnext"},
     "startsAt": "2026-12-07T05:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
     "generatorURL": "http://prometheus:9090/graph", "fingerprint": "1f2e3d"},
    {"status": "resolved", "labels": {"alertname": "HeraldStaleFeed"},
     "startsAt": "2026-12-07T04:00:00Z", "fingerprint": "aa"}
  ]})";
} // namespace

TEST_CASE("alert webhook: Alertmanager's version 4 payload is read", "[ops][alerts]") {
  std::string err;
  auto b = ops::parse_alert_webhook(payload, err);
  INFO(err);
  REQUIRE(b);
  CHECK(b->receiver == "webhook");
  REQUIRE(b->alerts.size() == 2);
  auto& a = b->alerts[0];
  CHECK(a.status == "firing");
  CHECK(a.name == "HeraldNodeDown");
  CHECK(a.instance == "herald-n3:8080");
  CHECK(a.severity == "critical");
  CHECK(a.summary == "node herald-n3:8080 is down  next"); // control characters blanked
  CHECK(a.fingerprint == "1f2e3d");
  CHECK(b->alerts[1].status == "resolved");
  CHECK(b->alerts[1].severity.empty());
  auto ev = nlohmann::json::parse(ops::alert_event_json(a, b->receiver));
  CHECK(ev["alert"] == "HeraldNodeDown");
  CHECK(ev["status"] == "firing");
  CHECK(ev["instance"] == "herald-n3:8080");
}

TEST_CASE("alert webhook: a malformed payload is refused naming what and where",
          "[ops][alerts]") {
  auto refuse = [](const std::string& body) {
    std::string err;
    auto b = ops::parse_alert_webhook(body, err);
    CHECK_FALSE(b);
    return err;
  };
  CHECK(refuse("not json").find("not a JSON object") != std::string::npos);
  CHECK(refuse(R"({"version":"3","alerts":[]})").find("version") != std::string::npos);
  CHECK(refuse(R"({"version":"4"})").find("alerts: missing") != std::string::npos);
  CHECK(refuse(R"({"version":"4","alerts":[{"status":"firing","labels":{}}]})")
        == "alerts[0].labels.alertname: missing");
  CHECK(refuse(R"({"version":"4","alerts":[{"status":"odd","labels":{"alertname":"A"}}]})")
        == "alerts[0].status: must be \"firing\" or \"resolved\"");
  CHECK(refuse(R"({"version":"4","alerts":[{"status":"firing","labels":{"alertname":7}}]})")
        == "alerts[0].labels.alertname: must be a string");
  std::string many = R"({"version":"4","alerts":[)";
  for (int i = 0; i < 1001; ++i)
    many += std::string{i ? "," : ""} + R"({"status":"firing","labels":{"alertname":"A"}})";
  many += "]}";
  CHECK(refuse(many).find("more than 1000") != std::string::npos);
}

TEST_CASE("alert webhook: long strings are cut", "[ops][alerts]") {
  std::string body = R"({"version":"4","alerts":[{"status":"firing","labels":{"alertname":")"
                     + std::string(5000, 'x') + R"("}}]})";
  std::string err;
  auto b = ops::parse_alert_webhook(body, err);
  REQUIRE(b);
  CHECK(b->alerts[0].name.size() == 512);
}
