// The A/B allocator's regret (issue 19): K = 4 Bernoulli arms with
// p = {0.05, 0.04, 0.04, 0.03}, T = 20,000 exposures, 200 seeds. Herald's
// allocator runs exactly as the A/B agent runs it (learning::experiment_state:
// a unit's arm from its own uniform number against the current weights,
// outcomes settled with the weights they were assigned under, reweighting
// every `batch` outcomes), next to textbook Thompson sampling through the
// same path (sharpen 1, no optimism) and uniform allocation. Regret is
// pseudo-regret: the sum over exposures of p_best - p_arm. Each seed draws
// one reward sequence per arm, shared by all allocators (common random
// numbers), so the comparison is paired.
//
//   herald_bench_bandit [--seeds N] [--first S] [--batch B] [--threads T]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "learning/experiment.hpp"

using namespace herald::learning;

namespace {

constexpr int arms = 4;
constexpr double p[arms] = {0.05, 0.04, 0.04, 0.03};
constexpr int horizon = 20'000;

struct rewards {
  std::vector<std::vector<char>> by_arm; ///< the n-th pull of arm k gives by_arm[k][n]
};

rewards rewards_for(unsigned seed) {
  std::mt19937_64 g(0x5eed0000ULL + seed * 7919ULL);
  rewards r;
  r.by_arm.resize(arms);
  for (int k = 0; k < arms; ++k) {
    std::bernoulli_distribution d(p[k]);
    r.by_arm[k].resize(horizon);
    for (auto& x : r.by_arm[k])
      x = d(g);
  }
  return r;
}

enum class kind { herald, plain, uniform };

double regret(kind what, const rewards& r, unsigned seed, int batch) {
  experiment_def d;
  d.id = "bench-" + std::to_string(seed);
  d.arms = {"a", "b", "c", "d"};
  d.fixed = what == kind::uniform;
  auto s = start(d);
  bandit_options o;
  if (what == kind::plain) {
    o.sharpen = 1;
    o.optimistic = false;
  }
  std::vector<int> pulls(arms, 0);
  double total = 0;
  for (int t = 0; t < horizon; ++t) {
    auto k = assign(s, "u" + std::to_string(t));
    count_assignment(s, k);
    bool win = r.by_arm[k][pulls[k]++] != 0;
    settle(s, k, s.weights, win);
    total += p[0] - p[k];
    if ((t + 1) % batch == 0)
      reweight(s, o);
  }
  return total;
}

struct summary {
  double mean = 0, se = 0, p50 = 0, p90 = 0, max = 0;
};

summary summarise(std::vector<double> v) {
  summary s;
  auto n = static_cast<double>(v.size());
  for (auto x : v)
    s.mean += x / n;
  double var = 0;
  for (auto x : v)
    var += (x - s.mean) * (x - s.mean) / (n - 1);
  s.se = std::sqrt(var / n);
  std::sort(v.begin(), v.end());
  s.p50 = v[v.size() / 2];
  s.p90 = v[v.size() * 9 / 10];
  s.max = v.back();
  return s;
}

} // namespace

int main(int argc, char** argv) {
  int seeds = 200, first = 0, batch = 20;
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--seeds"))
      seeds = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--first"))
      first = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--batch"))
      batch = std::max(1, std::atoi(argv[i + 1]));
    else if (!std::strcmp(argv[i], "--threads"))
      threads = static_cast<unsigned>(std::max(1, std::atoi(argv[i + 1])));
  }
  std::printf("bandit bench: K=4 p={.05,.04,.04,.03}, T=%d, seeds %d..%d, reweight every %d "
              "outcomes, %u threads\n",
              horizon, first, first + seeds - 1, batch, threads);
  auto t0 = std::chrono::steady_clock::now();
  std::vector<double> herald(seeds), plain(seeds), uniform(seeds);
  std::vector<std::thread> pool;
  for (unsigned w = 0; w < threads; ++w)
    pool.emplace_back([&, w] {
      for (int i = static_cast<int>(w); i < seeds; i += static_cast<int>(threads)) {
        auto seed = static_cast<unsigned>(first + i);
        auto r = rewards_for(seed);
        herald[i] = regret(kind::herald, r, seed, batch);
        plain[i] = regret(kind::plain, r, seed, batch);
        uniform[i] = regret(kind::uniform, r, seed, batch);
      }
    });
  for (auto& t : pool)
    t.join();
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto u = summarise(uniform);
  std::printf("%-34s %8s %6s %6s %6s %6s %10s\n", "allocator", "regret", "s.e.", "p50", "p90",
              "max", "% uniform");
  auto line = [&](const char* name, const summary& s) {
    std::printf("%-34s %8.1f %6.1f %6.0f %6.0f %6.0f %9.1f%%\n", name, s.mean, s.se, s.p50, s.p90,
                s.max, 100 * s.mean / u.mean);
  };
  line("uniform", u);
  line("Thompson sampling (textbook)", summarise(plain));
  auto h = summarise(herald);
  line("Herald (sharpened, optimistic)", h);
  std::vector<double> diff(seeds);
  for (int i = 0; i < seeds; ++i)
    diff[i] = herald[i] - plain[i];
  auto dd = summarise(diff);
  std::printf("paired difference Herald - textbook: %.1f (s.e. %.1f)\n", dd.mean, dd.se);
  std::printf("target: <= 25%% of uniform's regret: %s (%.1f%%)\n",
              h.mean <= 0.25 * u.mean ? "met" : "NOT met", 100 * h.mean / u.mean);
  std::printf("%.1f s\n", secs);
  return 0;
}
