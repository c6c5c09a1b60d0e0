// Crash/restart throughput of one supervised child: kill -> down_msg ->
// restart decision -> spawn -> synchronous start handshake -> directory.
// Prints cycles per second and the mean cycle time.
//   build/bench/herald_bench_supervisor [cycles]

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <caf/all.hpp>

#include "config/loader.hpp"
#include "io/logging.hpp"
#include "supervisor/supervisor.hpp"

using namespace herald::supervision;

int main(int argc, char** argv) {
  std::uint64_t cycles = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 20000;
  herald::logging::options quiet;
  quiet.level = "error";
  herald::logging::setup(quiet);
  herald::config::herald_system_config cfg;
  caf::actor_system sys{cfg};
  auto dir = std::make_shared<agent_directory>();
  supervisor_config c;
  c.name = c.path = "bench";
  c.flags.intensity = 100'000'000;
  c.flags.period = std::chrono::seconds{1};
  c.directory = dir;
  child_spec w;
  w.name = "w";
  w.start = [](caf::local_actor* self, const std::string&) {
    return self->spawn([]() -> caf::behavior { return {[](int) {}}; });
  };
  c.children = {w};
  auto sup = spawn_supervisor(sys, c);
  auto addr_of = [&] {
    for (auto& r : dir->snapshot())
      if (r.path == "bench.w" && r.running)
        return r.addr;
    return caf::actor_addr{};
  };
  auto deadline = [] { return std::chrono::steady_clock::now() + std::chrono::seconds{10}; };
  dir->wait_until([&](const agent_directory&) { return bool(addr_of()); }, deadline());
  auto t0 = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < cycles; ++i) {
    caf::anon_send_exit(caf::actor_cast<caf::actor>(addr_of()), caf::exit_reason::kill);
    if (!dir->wait_until([&](const agent_directory& d) {
          return d.restarts("bench.w") >= i + 1 && bool(addr_of());
        }, deadline())) {
      std::fprintf(stderr, "cycle %llu did not restart\n", static_cast<unsigned long long>(i));
      return 1;
    }
  }
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("supervisor restart: %llu kill/restart cycles in %.3f s = %.0f cycles/s, "
              "%.1f us per cycle\n",
              static_cast<unsigned long long>(cycles), secs, cycles / secs,
              secs * 1e6 / cycles);
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
  return 0;
}
