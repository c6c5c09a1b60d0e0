#include <catch2/catch.hpp>

#include "io/binance/wire.hpp"

using namespace herald::io::binance;

TEST_CASE("kline frames: raw, combined, closed flag, and hostile input", "[binance][wire]") {
  std::string err;
  auto raw = parse_kline_frame(R"({"e":"kline","E":1672515782136,"s":"BNBBTC","k":{"t":1672515780000,"T":1672515839999,"s":"BNBBTC","i":"1m","f":100,"L":200,"o":"0.0010","c":"0.0020","h":"0.0025","l":"0.0015","v":"1000","n":100,"x":false,"q":"1.0000","V":"500","Q":"0.500","B":"123456"}})", err);
  REQUIRE(raw);
  CHECK_FALSE(raw->closed);
  CHECK(raw->bar.symbol == "BNBBTC");
  CHECK(raw->bar.close == 0.002);
  CHECK(raw->bar.trades == 100);
  auto combined = parse_kline_frame(
    R"({"stream":"bnbbtc@kline_1m","data":{"e":"kline","E":1,"s":"BNBBTC","k":{"t":1672515780000,"T":1672515839999,"s":"BNBBTC","i":"1m","o":"1","c":"1","h":"1","l":"1","v":"0","n":0,"x":true,"q":"0","V":"0","Q":"0"}}})",
    err);
  REQUIRE(combined);
  CHECK(combined->closed);
  // found by fuzzing: a numeric "e" must not throw
  CHECK_FALSE(parse_kline_frame(R"({"e":8172})", err));
  CHECK(err.empty());
  CHECK_FALSE(parse_kline_frame(R"({"result":null,"id":1})", err));
  CHECK_FALSE(parse_kline_frame("{not json", err));
  CHECK(err.find("malformed WebSocket frame") == 0);
  CHECK_FALSE(parse_kline_frame(R"({"e":"kline","k":{"t":1,"x":true,"s":"A","i":"1m","n":1e300}})", err));
  CHECK_FALSE(err.empty());
}

TEST_CASE("error bodies are described, whatever their shape", "[binance][wire]") {
  CHECK(describe_error(R"({"code":-1121,"msg":"Invalid symbol."})") == "-1121 Invalid symbol.");
  CHECK(describe_error(R"({"code":"x","msg":5})") == R"({"code":"x","msg":5})");
  CHECK(describe_error("") == "(empty body)");
}

TEST_CASE("the weight budget waits for the next minute only when needed", "[binance][wire]") {
  weight_budget b{6000, 0.5};
  CHECK(b.delay_ms(2, 60'000) == 0);
  b.observe(2999, 60'000 + 10'000);
  CHECK(b.delay_ms(2, 60'000 + 10'000) == 50'000);
  CHECK(b.delay_ms(2, 120'000) == 0); // a new minute
  b.observe(100, 130'000);
  CHECK(b.delay_ms(2, 130'000) == 0);
}
