#include "io/binance/rest.hpp"

#include <chrono>
#include <thread>

#include <httplib.h>

#include "io/http/deadline.hpp"
#include "market/interval.hpp"

namespace herald::io::binance {

rest_client::rest_client(rest_options opts, sleeper sleep, clock now)
  : opts_(std::move(opts)), budget_(opts_.weight_limit, opts_.weight_share) {
  sleep_ = sleep ? std::move(sleep)
                 : [](std::int64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds{ms}); };
  now_ = now ? std::move(now) : [] {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  };
}

std::string rest_client::get(const std::string& path) {
  httplib::Client cli{opts_.base_url};
  cli.set_connection_timeout(opts_.timeout_seconds, 0);
  cli.set_read_timeout(opts_.timeout_seconds, 0);
  std::int64_t backoff = opts_.backoff_min_ms;
  std::string last_problem;
  // Waits in slices of at most 100 ms, so that a stop ends them.
  auto wait = [&](std::int64_t ms) {
    while (ms > 0) {
      if (opts_.cancelled && opts_.cancelled())
        throw rest_error("abandoned " + opts_.base_url + path + ": stopping");
      auto step = opts_.cancelled ? std::min<std::int64_t>(ms, 100) : ms;
      sleep_(step);
      ms -= step;
    }
  };
  for (int attempt = 0; attempt <= opts_.max_retries; ++attempt) {
    if (opts_.cancelled && opts_.cancelled())
      throw rest_error("abandoned " + opts_.base_url + path + ": stopping");
    if (attempt > 0)
      ++stats_.retries;
    if (auto w = budget_.delay_ms(2, now_()); w > 0) {
      stats_.waited_ms += w;
      wait(w);
    }
    ++stats_.requests;
    io::http::request_deadline deadline{cli, std::chrono::seconds{opts_.timeout_seconds}};
    auto res = cli.Get(path.c_str());
    deadline.finish();
    if (!res) {
      last_problem = deadline.expired()
                       ? "no complete reply from " + opts_.base_url + " within "
                           + std::to_string(opts_.timeout_seconds) + " s"
                       : "no reply from " + opts_.base_url + ": " + httplib::to_string(res.error());
    } else {
      if (res->has_header("X-MBX-USED-WEIGHT-1M"))
        budget_.observe(std::atoi(res->get_header_value("X-MBX-USED-WEIGHT-1M").c_str()), now_());
      if (res->status == 200)
        return res->body;
      if (res->status == 429 || res->status == 418) {
        ++stats_.rate_limited;
        std::int64_t secs = 60;
        if (res->has_header("Retry-After"))
          secs = std::max<std::int64_t>(1, std::atoll(res->get_header_value("Retry-After").c_str()));
        last_problem = "HTTP " + std::to_string(res->status) + " ("
                       + (res->status == 418 ? "IP banned" : "rate limit") + "), Retry-After "
                       + std::to_string(secs) + " s";
        stats_.waited_ms += secs * 1000;
        wait(secs * 1000);
        continue; // the server said when: no extra backoff
      }
      if (res->status >= 400 && res->status < 500)
        throw rest_error("Binance refused " + path + ": HTTP " + std::to_string(res->status) + " "
                         + describe_error(res->body));
      last_problem = "HTTP " + std::to_string(res->status) + " " + describe_error(res->body);
    }
    stats_.waited_ms += backoff;
    wait(backoff);
    backoff = std::min(backoff * 2, opts_.backoff_max_ms);
  }
  throw rest_error("giving up on " + opts_.base_url + path + " after "
                   + std::to_string(opts_.max_retries + 1) + " attempts: " + last_problem);
}

std::vector<candle> rest_client::klines(const std::string& symbol, const std::string& interval,
                                        std::int64_t from_ms, std::int64_t to_ms) {
  auto ms = market::interval_ms(interval);
  if (!ms)
    throw rest_error("unknown interval '" + interval + "'");
  std::vector<candle> out;
  auto start = from_ms;
  while (start <= to_ms) {
    std::vector<candle> page;
    std::string problem;
    for (int attempt = 0;; ++attempt) {
      auto body = get(klines_path(symbol, interval, start, to_ms, 1000));
      page.clear();
      problem = parse_klines(body, symbol, interval, page);
      if (problem.empty())
        break;
      if (attempt >= opts_.max_retries)
        throw rest_error("giving up on klines of " + symbol + ": " + problem);
      ++stats_.retries;
      sleep_(opts_.backoff_min_ms);
    }
    if (page.empty())
      break;
    for (auto& c : page)
      if (c.open_time >= start && c.open_time <= to_ms)
        out.push_back(std::move(c));
    auto next = out.empty() ? to_ms + 1 : out.back().open_time + *ms;
    if (next <= start)
      break; // no progress: the server repeats itself
    start = next;
    if (page.size() < 1000)
      break;
  }
  return out;
}

} // namespace herald::io::binance
