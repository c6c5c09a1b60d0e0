#include "io/binance/wire.hpp"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "io/files/candle_file.hpp"
#include "io/text/sanitize.hpp"

namespace herald::io::binance {

namespace {

bool number(const nlohmann::json& j, double& out) {
  if (j.is_number()) {
    out = j.get<double>();
    return true;
  }
  if (j.is_string()) {
    auto& s = j.get_ref<const std::string&>();
    return parse_number(s.data(), s.data() + s.size(), out);
  }
  return false;
}

bool integer(const nlohmann::json& j, std::int64_t& out) {
  if (j.is_number_integer()) {
    out = j.get<std::int64_t>();
    return true;
  }
  return false;
}

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

} // namespace

std::string parse_klines(std::string_view body, const std::string& symbol,
                         const std::string& interval, std::vector<candle>& out) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(body.begin(), body.end());
  } catch (const nlohmann::json::exception& e) {
    return "malformed klines reply: " + io::text::one_line(e.what(), 300);
  }
  if (!doc.is_array())
    return "malformed klines reply: expected an array, got " + std::string{doc.type_name()};
  std::size_t i = 0;
  for (auto& row : doc) {
    if (!row.is_array() || row.size() < 11)
      return "malformed kline #" + std::to_string(i) + ": expected an array of 12 fields";
    candle c;
    c.symbol = symbol;
    c.interval = interval;
    double trades = 0;
    if (!integer(row[0], c.open_time) || !number(row[1], c.open) || !number(row[2], c.high)
        || !number(row[3], c.low) || !number(row[4], c.close) || !number(row[5], c.volume)
        || !integer(row[6], c.close_time) || !number(row[7], c.quote_volume)
        || !number(row[8], trades) || !number(row[9], c.taker_buy_base)
        || !number(row[10], c.taker_buy_quote))
      return "malformed kline #" + std::to_string(i) + ": a field has the wrong type";
    if (!(trades >= 0 && trades < 9e15))
      return "malformed kline #" + std::to_string(i) + ": trade count out of range";
    c.trades = static_cast<std::int64_t>(trades);
    c.has_extras = true;
    out.push_back(std::move(c));
    ++i;
  }
  return {};
}

std::optional<kline_event> parse_kline_frame(std::string_view frame, std::string& error) {
  error.clear();
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(frame.begin(), frame.end());
  } catch (const nlohmann::json::exception& e) {
    error = "malformed WebSocket frame: " + io::text::one_line(e.what(), 300);
    return std::nullopt;
  }
  if (doc.is_object() && doc.contains("data") && doc.contains("stream")) {
    auto data = doc["data"]; // combined stream
    doc = std::move(data);
  }
  if (!doc.is_object() || !doc.contains("e") || !doc["e"].is_string() || doc["e"] != "kline"
      || !doc.contains("k"))
    return std::nullopt; // e.g. a subscription answer
  auto& k = doc["k"];
  kline_event ev;
  auto& c = ev.bar;
  double trades = 0;
  if (!k.is_object() || !k.contains("s") || !k["s"].is_string() || !k.contains("i")
      || !k["i"].is_string() || !k.contains("x") || !k["x"].is_boolean()
      || !integer(k.value("t", nlohmann::json{}), c.open_time)
      || !integer(k.value("T", nlohmann::json{}), c.close_time)
      || !number(k.value("o", nlohmann::json{}), c.open)
      || !number(k.value("h", nlohmann::json{}), c.high)
      || !number(k.value("l", nlohmann::json{}), c.low)
      || !number(k.value("c", nlohmann::json{}), c.close)
      || !number(k.value("v", nlohmann::json{}), c.volume)
      || !number(k.value("q", nlohmann::json{}), c.quote_volume)
      || !number(k.value("n", nlohmann::json{}), trades)
      || !number(k.value("V", nlohmann::json{}), c.taker_buy_base)
      || !number(k.value("Q", nlohmann::json{}), c.taker_buy_quote)) {
    error = "malformed kline event: a field is missing or has the wrong type";
    return std::nullopt;
  }
  if (!(trades >= 0 && trades < 9e15)) {
    error = "malformed kline event: trade count out of range";
    return std::nullopt;
  }
  c.symbol = k["s"].get<std::string>();
  c.interval = k["i"].get<std::string>();
  c.trades = static_cast<std::int64_t>(trades);
  c.has_extras = true;
  ev.closed = k["x"].get<bool>();
  return ev;
}

std::string describe_error(std::string_view body) {
  try {
    auto doc = nlohmann::json::parse(body.begin(), body.end());
    if (doc.is_object() && doc.contains("code") && doc["code"].is_number_integer()
        && doc.contains("msg") && doc["msg"].is_string())
      return std::to_string(doc["code"].get<long long>()) + " "
             + io::text::one_line(doc["msg"].get<std::string>(), 300);
  } catch (const nlohmann::json::exception&) {
  }
  auto s = io::text::one_line(body, 200);
  return s.empty() ? "(empty body)" : s;
}

void weight_budget::observe(int used_weight, std::int64_t now_ms) {
  minute_ = now_ms / 60'000;
  used_ = used_weight;
}

std::int64_t weight_budget::delay_ms(int weight, std::int64_t now_ms) const {
  auto minute = now_ms / 60'000;
  if (minute != minute_)
    return 0; // a new minute: the weight counter starts over
  if (used_ + weight <= static_cast<int>(limit_ * share_))
    return 0;
  return (minute + 1) * 60'000 - now_ms; // wait for the next minute
}

std::string klines_path(const std::string& symbol, const std::string& interval,
                        std::int64_t start_ms, std::int64_t end_ms, int limit) {
  return "/api/v3/klines?symbol=" + symbol + "&interval=" + interval
         + "&startTime=" + std::to_string(start_ms) + "&endTime=" + std::to_string(end_ms)
         + "&limit=" + std::to_string(limit);
}

std::string stream_name(const std::string& symbol, const std::string& interval) {
  return lower(symbol) + "@kline_" + interval;
}

} // namespace herald::io::binance
