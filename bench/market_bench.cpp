// Market data benchmarks (issue 4), one core:
//  1. parse + validate throughput per file format (rows/s), on generated
//     files shaped exactly like the real ones (target: >= 3,000,000 rows/s for
//     data.vision CSV);
//  2. hub fan-out: cost per candle per subscriber with 10 subscribers
//     (target: < 2 us), measured as (time with 10 subscribers - time with 0) /
//     (candles * 10), and the total per candle.
//
//   herald_bench_market [rows]

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <sstream>
#include <string>

#include <caf/all.hpp>

#include "actors/data/hub.hpp"
#include "config/loader.hpp"
#include "io/files/candle_file.hpp"
#include "io/logging.hpp"
#include "market/interval.hpp"
#include "market/validation.hpp"

using namespace herald;
using clk = std::chrono::steady_clock;

namespace {

struct bar {
  long long t;
  double o, h, l, c, v, q, tb, tq;
  long long n;
};

std::vector<bar> bars(std::size_t n) {
  std::vector<bar> out;
  out.reserve(n);
  double p = 28923.63;
  for (std::size_t i = 0; i < n; ++i) {
    bar b;
    b.t = 1609459200000LL + static_cast<long long>(i) * 60000LL;
    b.o = p;
    p += (static_cast<double>((i * 7919) % 200) - 99.5) * 0.37;
    b.c = p;
    b.h = std::max(b.o, b.c) + 3.25;
    b.l = std::min(b.o, b.c) - 2.75;
    b.v = 27.457032 + static_cast<double>(i % 1000) / 7.0;
    b.q = b.v * p;
    b.tb = b.v / 2;
    b.tq = b.q / 2;
    b.n = 1292 + static_cast<long long>(i % 900);
    out.push_back(b);
  }
  return out;
}

std::string datavision(const std::vector<bar>& bs, bool micro) {
  std::string out;
  out.reserve(bs.size() * 160);
  char buf[256];
  long long f = micro ? 1000 : 1;
  for (auto& b : bs) {
    std::snprintf(buf, sizeof(buf), "%lld,%.8f,%.8f,%.8f,%.8f,%.8f,%lld,%.8f,%lld,%.8f,%.8f,0\n",
                  b.t * f, b.o, b.h, b.l, b.c, b.v, (b.t + 59999) * f + (micro ? 999 : 0), b.q,
                  b.n, b.tb, b.tq);
    out += buf;
  }
  return out;
}

std::string header_csv(const std::vector<bar>& bs) {
  std::string out = "timestamp,open,high,low,close,volume\n";
  char buf[160];
  for (auto& b : bs) {
    std::snprintf(buf, sizeof(buf), "%s+0000,%.2f,%.2f,%.2f,%.2f,%.5f\n",
                  market::format_utc(b.t).c_str(), b.o, b.h, b.l, b.c, b.v);
    out += buf;
  }
  return out;
}

std::string json_rows(const std::vector<bar>& bs) {
  std::string out = "[";
  char buf[160];
  for (std::size_t i = 0; i < bs.size(); ++i) {
    auto& b = bs[i];
    std::snprintf(buf, sizeof(buf), "%s[%lld,%.8g,%.8g,%.8g,%.8g,%.1f]", i ? "," : "", b.t, b.o,
                  b.h, b.l, b.c, b.v);
    out += buf;
  }
  return out + "]";
}

std::string json_columns(const std::vector<bar>& bs) {
  std::ostringstream os;
  os.precision(10);
  const char* names[] = {"date", "open", "high", "low", "close", "volume"};
  os << "{";
  for (int k = 0; k < 6; ++k) {
    os << (k ? "," : "") << "\"" << names[k] << "\":{";
    for (std::size_t i = 0; i < bs.size(); ++i) {
      auto& b = bs[i];
      os << (i ? "," : "") << "\"" << i << "\":";
      switch (k) {
        case 0: os << b.t; break;
        case 1: os << b.o; break;
        case 2: os << b.h; break;
        case 3: os << b.l; break;
        case 4: os << b.c; break;
        default: os << b.v;
      }
    }
    os << "}";
  }
  os << "}";
  return os.str();
}

void bench_parse(const char* name, const std::string& text, std::size_t rows) {
  // best of 3
  double best = 1e9;
  std::size_t accepted = 0;
  for (int rep = 0; rep < 3; ++rep) {
    auto t0 = clk::now();
    auto r = io::parse_candles(text, name, "BTCUSDT", "1m");
    market::series_validator v{market::minute_ms};
    for (auto& c : r.file.candles)
      v.check(c);
    best = std::min(best, std::chrono::duration<double>(clk::now() - t0).count());
    accepted = v.accepted();
  }
  std::printf("  %-28s %10.0f rows/s  (%zu rows, %.1f MB, %zu valid)\n", name, rows / best, rows,
              static_cast<double>(text.size()) / 1e6, accepted);
}

// -- hub fan-out -----------------------------------------------------------------

struct counter {
  std::mutex m;
  std::condition_variable cv;
  std::uint64_t n = 0;
  std::uint64_t target = ~std::uint64_t{0};
  void add() {
    std::lock_guard<std::mutex> g{m};
    if (++n >= target)
      cv.notify_all();
  }
  void wait(std::uint64_t t) {
    std::unique_lock<std::mutex> l{m};
    target = t;
    cv.wait_for(l, std::chrono::minutes{5}, [&] { return n >= target; });
  }
};

data::candle_sink_actor::behavior_type sink(data::candle_sink_actor::pointer,
                                            std::shared_ptr<counter> c) {
  return {[c](candle&) { c->add(); }};
}

double run_hub(std::size_t candles, int subscribers) {
  config::herald_system_config cfg;
  caf::actor_system sys{cfg};
  auto dir = std::make_shared<supervision::agent_directory>();
  data::hub_options o;
  o.persist = false;
  o.resample_to = {};
  auto hub = data::spawn_hub(sys, o, dir);
  auto cnt = std::make_shared<counter>();
  caf::scoped_actor self{sys};
  for (int i = 0; i < subscribers; ++i)
    self->request(hub, std::chrono::seconds{5}, subscribe_atom::value, std::string{"*"},
                  std::string{"*"}, sys.spawn(sink, cnt))
      .receive([](bool) {}, [](caf::error&) {});
  auto bs = bars(candles);
  std::vector<std::vector<candle>> batches;
  for (std::size_t i = 0; i < bs.size(); i += 1000) {
    std::vector<candle> chunk;
    for (std::size_t j = i; j < std::min(bs.size(), i + 1000); ++j) {
      candle c;
      c.symbol = "BTCUSDT";
      c.interval = "1m";
      c.open_time = bs[j].t;
      c.open = bs[j].o;
      c.high = bs[j].h;
      c.low = bs[j].l;
      c.close = bs[j].c;
      c.volume = bs[j].v;
      c.close_time = bs[j].t + 59999;
      chunk.push_back(c);
    }
    batches.push_back(std::move(chunk));
  }
  auto t0 = clk::now();
  for (auto& b : batches)
    self->request(hub, std::chrono::seconds{60}, b).receive([](std::uint64_t) {},
                                                            [](caf::error&) {});
  if (subscribers > 0)
    cnt->wait(static_cast<std::uint64_t>(candles) * static_cast<std::uint64_t>(subscribers));
  auto secs = std::chrono::duration<double>(clk::now() - t0).count();
  caf::anon_send_exit(hub, caf::exit_reason::user_shutdown);
  return secs;
}

} // namespace

int main(int argc, char** argv) {
  std::size_t rows = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  logging::options quiet;
  quiet.level = "error";
  logging::setup(quiet);
  auto bs = bars(rows);
  std::printf("parse + validate, one core (best of 3):\n");
  bench_parse("data.vision CSV (ms)", datavision(bs, false), rows);
  bench_parse("data.vision CSV (us)", datavision(bs, true), rows);
  bench_parse("CSV with header (dates)", header_csv(bs), rows);
  bench_parse("JSON rows (freqtrade)", json_rows(bs), rows);
  std::vector<bar> small(bs.begin(), bs.begin() + std::min<std::size_t>(rows, 200'000));
  bench_parse("JSON columns (pandas)", json_columns(small), small.size());

  std::size_t candles = 200'000;
  std::printf("hub fan-out of %zu candles (batches of 1,000, no persistence):\n", candles);
  auto t0 = run_hub(candles, 0);
  auto t10 = run_hub(candles, 10);
  std::printf("  0 subscribers:  %.3f s (%.2f us per candle: validation, window)\n", t0,
              t0 * 1e6 / candles);
  std::printf("  10 subscribers: %.3f s (%.2f us per candle)\n", t10, t10 * 1e6 / candles);
  std::printf("  fan-out cost: %.3f us per candle per subscriber (target < 2 us)\n",
              (t10 - t0) * 1e6 / (candles * 10.0));
  return 0;
}
