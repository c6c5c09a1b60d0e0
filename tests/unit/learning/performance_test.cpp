#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include <nlohmann/json.hpp>

#include "learning/performance.hpp"

using namespace herald;
using namespace herald::learning;

namespace {

struct data {
  std::vector<outcome_row> rows;
  std::vector<int> dirs;
  std::vector<double> scores, confs;
};

data sample(std::size_t n, unsigned seed) {
  std::mt19937_64 g(seed);
  std::uniform_real_distribution<double> u(-1, 1), c(0, 100), f(-0.02, 0.02);
  data d;
  for (std::size_t i = 0; i < n; ++i) {
    outcome_row r;
    r.time = static_cast<std::int64_t>(i) * 60'000;
    for (std::size_t k = 0; k < kind_count; ++k) {
      r.score[k] = u(g);
      r.confidence[k] = i % 7 == 0 ? 0 : c(g); // some warm-up rows: no vote
    }
    r.present = static_cast<std::uint8_t>(i % 11 == 0 ? 0xFE : 0xFF); // analyzer 0 sometimes absent
    r.fwd = f(g);
    r.resolved = i % 13 != 0;
    d.rows.push_back(r);
    d.scores.push_back(u(g));
    d.confs.push_back(c(g));
    d.dirs.push_back(d.scores.back() >= 0.15 ? 1 : d.scores.back() <= -0.15 ? -1 : 0);
  }
  return d;
}

} // namespace

TEST_CASE("performance analytics equal an independent computation", "[learning][performance]") {
  auto d = sample(5000, 1);
  std::vector<const outcome_row*> ptrs;
  for (auto& r : d.rows)
    ptrs.push_back(&r);
  auto out = performance(ptrs, d.dirs, d.scores, d.confs);
  REQUIRE(out.size() == kind_count + 1);
  CHECK(out.back().scope == "combined");
  CHECK(out[2].scope == "momentum");
  for (std::size_t k = 0; k <= kind_count; ++k) {
    // Independently: plain loops over the rows, written out again.
    double calls = 0, hits = 0, n = 0, se = 0, longs = 0, shorts = 0, lsum = 0, ssum = 0;
    double all = 0, fsum = 0;
    std::array<double, 10> bin_n{}, bin_up{};
    for (std::size_t i = 0; i < d.rows.size(); ++i) {
      auto& r = d.rows[i];
      if (!r.resolved)
        continue;
      all += 1;
      fsum += r.fwd;
      double score, conf;
      int dir;
      if (k == kind_count) {
        score = d.scores[i];
        conf = d.confs[i];
        dir = d.dirs[i];
      } else {
        if (!((r.present >> k) & 1) || r.confidence[k] <= 0)
          continue;
        score = r.score[k];
        conf = r.confidence[k];
        dir = score >= 0.15 ? 1 : score <= -0.15 ? -1 : 0;
      }
      double p = 0.5 + 0.5 * score * conf / 100;
      double y = r.fwd > 0 ? 1 : 0;
      n += 1;
      se += (p - y) * (p - y);
      int b = p >= 1 ? 9 : static_cast<int>(std::floor(p * 10));
      bin_n[b] += 1;
      bin_up[b] += y;
      if (dir != 0) {
        calls += 1;
        hits += dir * r.fwd > 0;
        if (dir > 0) {
          longs += 1;
          lsum += r.fwd;
        } else {
          shorts += 1;
          ssum += -r.fwd;
        }
      }
    }
    auto& s = out[k];
    INFO(s.scope);
    CHECK(s.hits.n == calls);
    CHECK(s.hits.hits == hits);
    CHECK(s.rows == n);
    CHECK(s.brier == Approx(se / n).epsilon(1e-12));
    CHECK(s.longs == longs);
    CHECK(s.shorts == shorts);
    CHECK(s.long_return == Approx(lsum / longs).epsilon(1e-12));
    CHECK(s.short_return == Approx(ssum / shorts).epsilon(1e-12));
    CHECK(s.buy_hold == Approx(fsum / all).epsilon(1e-12));
    for (std::size_t b = 0; b < 10; ++b) {
      CHECK(s.bins[b].rows == bin_n[b]);
      if (bin_n[b] > 0)
        CHECK(s.bins[b].up == Approx(bin_up[b] / bin_n[b]));
    }
  }
  // Random votes have no skill: the intervals hold 50%.
  CHECK(out.back().hits.chance_like());
}

TEST_CASE("performance snapshots round-trip through JSON and draw a reliability diagram",
          "[learning][performance]") {
  auto d = sample(2000, 2);
  std::vector<const outcome_row*> ptrs;
  for (auto& r : d.rows)
    ptrs.push_back(&r);
  auto out = performance(ptrs, d.dirs, d.scores, d.confs);
  auto back = scope_from_json("combined", to_json(out.back()));
  CHECK(back.hits.n == out.back().hits.n);
  CHECK(back.brier == out.back().brier);
  CHECK(back.bins[3].rows == out.back().bins[3].rows);
  auto j = nlohmann::json::parse(to_json(out.back()));
  CHECK(j["ci95"].size() == 2);
  CHECK(j["calibration"].size() == 10);
  auto png = reliability_png(out.back(), 640, 480);
  REQUIRE(png.size() > 1000);
  CHECK(png.substr(1, 3) == "PNG");
  // IHDR: width and height, big-endian, at bytes 16..23.
  auto be = [&](std::size_t at) {
    return (static_cast<unsigned char>(png[at]) << 24) | (static_cast<unsigned char>(png[at + 1]) << 16)
           | (static_cast<unsigned char>(png[at + 2]) << 8) | static_cast<unsigned char>(png[at + 3]);
  };
  CHECK(be(16) == 640);
  CHECK(be(20) == 480);
  auto md = performance_markdown(out, "week of 2026-11-30");
  CHECK(md.find("| combined | ") != std::string::npos);
  CHECK(md.find("| momentum | ") != std::string::npos);
  // An empty scope draws "no data", not a crash.
  CHECK(reliability_png(scope_stats{}).substr(1, 3) == "PNG");
}
