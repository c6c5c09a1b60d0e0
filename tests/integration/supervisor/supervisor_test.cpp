// The supervisor actor in a real actor system. Children record their starts
// and orderly stops in an event log; tests wait on that log (or on the agent
// directory) with deadlines, never with sleeps.

#include <catch2/catch.hpp>

#include <caf/all.hpp>

#include "config/loader.hpp"
#include "io/logging.hpp"
#include "supervisor/supervisor.hpp"
#include "support/event_log.hpp"

using namespace herald;
namespace logging = herald::logging;
using namespace herald::supervision;
using namespace std::chrono_literals;
using herald::test::event_log;
using strings = std::vector<std::string>;

namespace {

/// A worker that logs "start:<name>" when it starts and, when asked to stop
/// (exit message), "stop:<name>:<reason>" before it quits. `stubborn` ignores
/// user_shutdown (logging "ignored:<name>") and must be killed.
/// Messages: ok_atom -> exits normally; delete_atom -> exits abnormally.
caf::behavior recorder(caf::event_based_actor* self, std::string name,
                       std::shared_ptr<event_log> log, bool stubborn) {
  log->add("start:" + name);
  self->set_exit_handler([self, name, log, stubborn](caf::exit_msg& msg) {
    if (stubborn && msg.reason == caf::exit_reason::user_shutdown) {
      log->add("ignored:" + name);
      return;
    }
    log->add("stop:" + name + ":" + describe_reason(msg.reason));
    self->quit(msg.reason);
  });
  return {
    [self](caf::ok_atom) { self->quit(); },
    [self](caf::delete_atom) { self->quit(caf::exit_reason::unhandled_exception); },
  };
}

child_spec worker(const std::string& name, std::shared_ptr<event_log> log,
                  restart_type rt = restart_type::permanent, bool stubborn = false) {
  child_spec c;
  c.name = name;
  c.restart = rt;
  c.shutdown_timeout = 200ms;
  c.start = [name, log, stubborn](caf::local_actor* self, const std::string& arg) {
    return self->spawn(recorder, arg.empty() ? name : arg, log, stubborn);
  };
  return c;
}

struct fixture {
  config::herald_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  std::shared_ptr<event_log> log = std::make_shared<event_log>();
  std::shared_ptr<agent_directory> dir = std::make_shared<agent_directory>();

  supervisor_actor start(strategy s, std::vector<child_spec> kids, std::int64_t intensity = 10,
                         std::string name = "sup") {
    supervisor_config c;
    c.name = name;
    c.path = name;
    c.flags.strat = s;
    c.flags.intensity = intensity;
    c.flags.period = 5s;
    c.children = std::move(kids);
    c.directory = dir;
    auto sup = spawn_supervisor(sys, std::move(c));
    return sup;
  }

  caf::actor child(const supervisor_actor& sup, const std::string& id) {
    caf::actor out;
    self->request(sup, 5s, caf::get_atom::value, id)
      .receive([&](caf::actor& a) { out = a; },
               [&](caf::error& e) { FAIL("no child " << id << ": " << sys.render(e)); });
    return out;
  }

  std::vector<child_info> children(const supervisor_actor& sup) {
    std::vector<child_info> out;
    self->request(sup, 5s, which_children_atom::value)
      .receive([&](std::vector<child_info>& xs) { out = std::move(xs); },
               [&](caf::error& e) { FAIL(sys.render(e)); });
    return out;
  }

  /// Waits until the directory entry `path` satisfies `pred` (false when
  /// the entry is absent).
  bool wait_agent(const std::string& path, std::function<bool(const agent_record&)> pred) {
    return dir->wait_until(
      [&](const agent_directory& d) {
        for (auto& r : d.snapshot())
          if (r.path == path)
            return pred(r);
        return false;
      },
      std::chrono::steady_clock::now() + 10s);
  }

  /// Stops a supervisor and waits for it to be gone.
  caf::error stop(const supervisor_actor& sup) {
    self->monitor(sup);
    self->send_exit(sup, caf::exit_reason::user_shutdown);
    caf::error reason;
    self->receive([&](caf::down_msg& dm) { reason = dm.reason; },
                  caf::after(10s) >> [&] { FAIL("supervisor did not stop"); });
    return reason;
  }
};

} // namespace

TEST_CASE_METHOD(fixture, "children start in list order", "[supervisor]") {
  auto sup = start(strategy::one_for_one, {worker("a", log), worker("b", log), worker("c", log)});
  REQUIRE(log->wait_size(3));
  CHECK(log->events() == strings{"start:a", "start:b", "start:c"});
  stop(sup);
}

TEST_CASE_METHOD(fixture, "a child supervisor's subtree is up before the next sibling starts",
                 "[supervisor]") {
  supervisor_config mid;
  mid.name = mid.path = "mid";
  mid.children = {worker("a", log), worker("b", log)};
  mid.directory = dir;
  auto sup = start(strategy::one_for_one, {supervisor_child(mid), worker("after", log)});
  bool ready = false;
  self->request(sup, 5s, ready_atom::value)
    .receive([&](bool b) { ready = b; }, [&](caf::error& e) { FAIL(sys.render(e)); });
  REQUIRE(ready);
  // ready means everything started: no waiting needed here
  CHECK(log->events() == strings{"start:a", "start:b", "start:after"});
  stop(sup);
}

TEST_CASE_METHOD(fixture, "one_for_one restarts only the failed child", "[supervisor]") {
  auto sup = start(strategy::one_for_one, {worker("a", log), worker("b", log), worker("c", log)});
  REQUIRE(log->wait_size(3));
  auto mark = log->size();
  self->send_exit(child(sup, "b"), caf::exit_reason::kill);
  REQUIRE(log->wait_size(mark + 1));
  CHECK(log->since(mark) == strings{"start:b"});
  auto kids = children(sup);
  REQUIRE(kids.size() == 3);
  CHECK(kids[1].restarts == 1);
  CHECK(kids[1].last_exit_reason == "kill");
  CHECK(kids[0].restarts == 0);
  stop(sup);
}

TEST_CASE_METHOD(fixture, "one_for_all stops the siblings in reverse order and restarts all",
                 "[supervisor]") {
  auto sup = start(strategy::one_for_all, {worker("a", log), worker("b", log), worker("c", log)});
  REQUIRE(log->wait_size(3));
  auto mark = log->size();
  self->send_exit(child(sup, "b"), caf::exit_reason::kill);
  REQUIRE(log->wait_size(mark + 5));
  CHECK(log->since(mark) == strings{"stop:c:user_shutdown", "stop:a:user_shutdown", "start:a",
                                    "start:b", "start:c"});
  stop(sup);
}

TEST_CASE_METHOD(fixture,
                 "rest_for_one restarts the failed child and every child started after it",
                 "[supervisor]") {
  auto sup = start(strategy::rest_for_one,
                   {worker("a", log), worker("b", log), worker("c", log), worker("d", log)});
  REQUIRE(log->wait_size(4));
  auto mark = log->size();
  self->send(child(sup, "b"), caf::delete_atom::value); // abnormal exit
  REQUIRE(log->wait_size(mark + 5));
  CHECK(log->since(mark) == strings{"stop:d:user_shutdown", "stop:c:user_shutdown", "start:b",
                                    "start:c", "start:d"});
  stop(sup);
}

TEST_CASE_METHOD(fixture, "a permanent child is restarted even after a normal exit",
                 "[supervisor][restart-type]") {
  auto sup = start(strategy::one_for_one, {worker("p", log)});
  REQUIRE(log->wait_size(1));
  self->send(child(sup, "p"), caf::ok_atom::value);
  REQUIRE(log->wait_size(2));
  CHECK(log->events() == strings{"start:p", "start:p"});
  stop(sup);
}

TEST_CASE_METHOD(fixture, "a transient child is restarted only after an abnormal exit",
                 "[supervisor][restart-type]") {
  auto sup = start(strategy::one_for_one, {worker("t", log, restart_type::transient),
                                           worker("marker", log)});
  REQUIRE(log->wait_size(2));
  self->send(child(sup, "t"), caf::delete_atom::value);
  REQUIRE(log->wait_for([](const strings& es) {
    return std::count(es.begin(), es.end(), "start:t") == 2;
  }));
  // A normal exit: it stays down (spec kept). A marker restart afterwards
  // proves the supervisor processed the exit before we look.
  self->send(child(sup, "t"), caf::ok_atom::value);
  REQUIRE(wait_agent("sup.t", [](const agent_record& r) { return !r.running; }));
  self->send(child(sup, "marker"), caf::delete_atom::value);
  REQUIRE(log->wait_for([](const strings& es) {
    return std::count(es.begin(), es.end(), "start:marker") == 2;
  }));
  auto kids = children(sup);
  REQUIRE(kids.size() == 2);
  CHECK(kids[0].name == "t");
  CHECK_FALSE(kids[0].running);
  CHECK(log->count("start:t") == 2);
  stop(sup);
}

TEST_CASE_METHOD(fixture, "a temporary child is never restarted, not even by a sibling's failure",
                 "[supervisor][restart-type]") {
  auto sup = start(strategy::one_for_all, {worker("a", log), worker("tmp", log, restart_type::temporary),
                                           worker("c", log)});
  REQUIRE(log->wait_size(3));
  auto mark = log->size();
  self->send_exit(child(sup, "a"), caf::exit_reason::kill);
  REQUIRE(log->wait_size(mark + 4));
  CHECK(log->since(mark) ==
        strings{"stop:c:user_shutdown", "stop:tmp:user_shutdown", "start:a", "start:c"});
  auto kids = children(sup);
  REQUIRE(kids.size() == 2);
  CHECK(kids[0].name == "a");
  CHECK(kids[1].name == "c");
  // and on its own failure
  auto sup2 = start(strategy::one_for_one, {worker("tmp2", log, restart_type::temporary),
                                            worker("z", log)}, 10, "sup2");
  REQUIRE(log->wait_for([](const strings& es) {
    return std::count(es.begin(), es.end(), "start:z") == 1;
  }));
  self->send(child(sup2, "tmp2"), caf::delete_atom::value);
  REQUIRE(dir->wait_until([](const agent_directory& d) {
    for (auto& r : d.snapshot())
      if (r.path == "sup2.tmp2")
        return false;
    return true;
  }, std::chrono::steady_clock::now() + 10s));
  CHECK(children(sup2).size() == 1);
  CHECK(log->count("start:tmp2") == 1);
  stop(sup);
  stop(sup2);
}

TEST_CASE_METHOD(fixture, "exceeding the restart intensity escalates to the parent",
                 "[supervisor][intensity]") {
  supervisor_config mid;
  mid.name = "mid";
  mid.path = "mid";
  mid.flags.strat = strategy::one_for_one;
  mid.flags.intensity = 1;
  mid.flags.period = 60s;
  mid.children = {worker("w", log)};
  mid.directory = dir;
  auto root = start(strategy::one_for_one, {supervisor_child(mid)}, 5, "root");
  REQUIRE(log->wait_size(1));
  // First crash: restarted by mid (1 restart in the window is allowed).
  auto find_addr = [&](const std::string& path) {
    for (auto& r : dir->snapshot())
      if (r.path == path && r.running)
        return r.addr;
    return caf::actor_addr{};
  };
  self->send_exit(caf::actor_cast<caf::actor>(find_addr("mid.w")), caf::exit_reason::kill);
  REQUIRE(log->wait_size(2));
  CHECK(dir->restarts("mid") == 0);
  // Second crash within the period: mid gives up, root restarts mid, mid starts w again.
  REQUIRE(dir->wait_until([&](const agent_directory&) { return bool(find_addr("mid.w")); },
                          std::chrono::steady_clock::now() + 10s));
  self->send_exit(caf::actor_cast<caf::actor>(find_addr("mid.w")), caf::exit_reason::kill);
  REQUIRE(dir->wait_until([](const agent_directory& d) { return d.restarts("mid") == 1; },
                          std::chrono::steady_clock::now() + 10s));
  REQUIRE(log->wait_size(3));
  CHECK(log->count("start:w") == 3);
  auto kids = children(root);
  REQUIRE(kids.size() == 1);
  CHECK(kids[0].last_exit_reason == "herald: restart_intensity_exceeded");
  CHECK(kids[0].restarts == 1);
  stop(root);
}

TEST_CASE_METHOD(fixture, "a top-level supervisor over its intensity fails with that reason",
                 "[supervisor][intensity]") {
  auto sup = start(strategy::one_for_one, {worker("a", log), worker("b", log)}, 0);
  REQUIRE(log->wait_size(2));
  self->monitor(sup);
  self->send_exit(child(sup, "a"), caf::exit_reason::kill);
  caf::error reason;
  self->receive([&](caf::down_msg& dm) { reason = dm.reason; },
                caf::after(10s) >> [] { FAIL("supervisor did not fail"); });
  CHECK(reason == make_error(herald_errc::restart_intensity_exceeded));
  // the surviving sibling was stopped in order before the supervisor failed
  CHECK(log->count("stop:b:user_shutdown") == 1);
}

TEST_CASE_METHOD(fixture, "shutdown stops children in reverse order and kills one that hangs",
                 "[supervisor][shutdown]") {
  auto sup = start(strategy::one_for_one, {worker("a", log),
                                           worker("b", log, restart_type::permanent, true),
                                           worker("c", log)});
  REQUIRE(log->wait_size(3));
  auto b = child(sup, "b");
  self->monitor(b);
  self->monitor(sup);
  auto mark = log->size();
  self->send_exit(sup, caf::exit_reason::user_shutdown);
  std::map<caf::actor_addr, caf::error> downs;
  for (int i = 0; i < 2; ++i)
    self->receive([&](caf::down_msg& dm) { downs[dm.source] = dm.reason; },
                  caf::after(10s) >> [] { FAIL("shutdown did not finish"); });
  CHECK(downs[sup.address()] == caf::exit_reason::user_shutdown);
  // b did not cooperate: it was killed after its shutdown timeout
  CHECK(downs[b.address()] == caf::exit_reason::kill);
  CHECK(log->since(mark) == strings{"stop:c:user_shutdown", "ignored:b", "stop:a:user_shutdown"});
}

TEST_CASE_METHOD(fixture, "killing a supervisor takes its whole subtree down",
                 "[supervisor][shutdown]") {
  auto sup = start(strategy::one_for_one, {worker("a", log), worker("b", log)});
  REQUIRE(log->wait_size(2));
  auto a = child(sup, "a");
  auto b = child(sup, "b");
  self->monitor(a);
  self->monitor(b);
  self->send_exit(sup, caf::exit_reason::kill);
  int down = 0;
  self->receive_for(down, 2)([](caf::down_msg&) {});
  CHECK(down == 2);
}

TEST_CASE_METHOD(fixture, "a backed-off restart waits, and shutdown cancels it",
                 "[supervisor][backoff]") {
  auto slow = worker("slow", log);
  slow.backoff.min = 1h; // far beyond the test: the restart must not happen
  slow.backoff.max = 2h;
  auto sup = start(strategy::one_for_one, {slow, worker("fast", log)});
  REQUIRE(log->wait_size(2));
  // Failing on their own (a kill is restarted at once: see below).
  self->send_exit(child(sup, "slow"), caf::exit_reason::unhandled_exception);
  self->send_exit(child(sup, "fast"), caf::exit_reason::unhandled_exception);
  // the child without backoff is back, the one with backoff is down
  REQUIRE(log->wait_for([](const strings& es) {
    return std::count(es.begin(), es.end(), "start:fast") == 2;
  }));
  REQUIRE(wait_agent("sup.slow", [](const agent_record& r) {
    return !r.running && r.last_exit_reason == "unhandled_exception";
  }));
  auto kids = children(sup);
  REQUIRE(kids.size() == 2);
  CHECK_FALSE(kids[0].running);
  CHECK(kids[0].restarts == 0);
  CHECK(kids[0].last_exit_reason == "unhandled_exception");
  CHECK(kids[1].running);
  // an orderly shutdown does not wait for the pending restart
  CHECK(stop(sup) == caf::exit_reason::user_shutdown);
  CHECK(log->count("start:slow") == 1);
}

TEST_CASE_METHOD(fixture, "a killed child is restarted at once, whatever its backoff",
                 "[supervisor][backoff]") {
  // A kill is an outside decision (chaos, an operator), not a crash loop:
  // backoff would keep agents down under chaos and stall the system.
  auto slow = worker("slow", log);
  slow.backoff.min = 1h;
  slow.backoff.max = 2h;
  auto sup = start(strategy::one_for_one, {slow});
  REQUIRE(log->wait_size(1));
  for (int i = 0; i < 3; ++i) {
    self->send_exit(child(sup, "slow"), caf::exit_reason::kill);
    REQUIRE(log->wait_for([i](const strings& es) {
      return std::count(es.begin(), es.end(), "start:slow") == i + 2;
    }));
  }
  CHECK(stop(sup) == caf::exit_reason::user_shutdown);
}

TEST_CASE_METHOD(fixture, "a crash loop in one domain is restarted with backoff and stops "
                 "neither another domain nor the root",
                 "[supervisor][backoff]") {
  // The shipped defaults: 500 restarts in 10 s, backoff 5 ms doubling to 5 s.
  backoff_options bo;
  bo.min = 5ms;
  bo.max = 5s;
  bo.random_factor = 0.2;
  bo.reset_after = 2s;
  child_spec loop;
  loop.name = "adapter";
  loop.shutdown_timeout = 200ms;
  loop.backoff = bo;
  auto l = log;
  loop.start = [l](caf::local_actor* self, const std::string&) {
    // An agent that fails on its own as soon as it runs (a channel adapter
    // that throws on every message).
    return self->spawn([l](caf::event_based_actor* a) -> caf::behavior {
      l->add("start:adapter");
      a->send(a, caf::delete_atom::value);
      return {[a](caf::delete_atom) { a->quit(caf::exit_reason::unhandled_exception); }};
    });
  };
  auto steady = worker("hub", log);
  steady.backoff = bo;
  auto domain = [&](const std::string& name, child_spec kid) {
    supervisor_config c;
    c.name = name;
    c.path = "root." + name;
    c.flags.strat = strategy::one_for_one;
    c.flags.intensity = 500;
    c.flags.period = 10s;
    c.children = {std::move(kid)};
    c.directory = dir;
    return supervisor_child(c);
  };
  auto root = start(strategy::one_for_one, {domain("data", steady), domain("content", loop)}, 500,
                    "root");
  REQUIRE(log->wait_for([](const strings& es) {
    return std::count(es.begin(), es.end(), "start:adapter") >= 8; // 7 restarts, slower each time
  }));
  // The other domain's agent never restarted; the root and both domains live.
  CHECK(log->count("start:hub") == 1);
  auto kids = children(root);
  REQUIRE(kids.size() == 2);
  CHECK(kids[0].running);
  CHECK(kids[1].running);
  CHECK(kids[0].restarts == 0);
  CHECK(kids[1].restarts == 0); // the content domain itself never escalated
  CHECK(stop(root) == caf::exit_reason::user_shutdown);
}

TEST_CASE_METHOD(fixture, "a simple_one_for_one pool grows and shrinks at run time",
                 "[supervisor][pool]") {
  supervisor_config c;
  c.name = "pool";
  c.path = "pool";
  c.flags.strat = strategy::simple_one_for_one;
  c.flags.intensity = 10;
  c.pool = worker("member", log);
  c.directory = dir;
  auto pool = spawn_supervisor(sys, c);
  for (auto id : {"btc", "eth", "sol"})
    self->request(pool, 5s, start_child{id, std::string{"m-"} + id})
      .receive([](caf::actor& a) { CHECK(a); },
               [&](caf::error& e) { FAIL(sys.render(e)); });
  CHECK(children(pool).size() == 3);
  CHECK(log->events() == strings{"start:m-btc", "start:m-eth", "start:m-sol"});
  // duplicate ids are refused
  self->request(pool, 5s, start_child{"eth", "again"})
    .receive([](caf::actor&) { FAIL("duplicate id accepted"); },
             [](caf::error& e) { CHECK(e); });
  // shrink
  self->request(pool, 5s, terminate_child{"eth"})
    .receive([](bool was_running) { CHECK(was_running); },
             [&](caf::error& e) { FAIL(sys.render(e)); });
  auto kids = children(pool);
  REQUIRE(kids.size() == 2);
  CHECK(kids[0].name == "btc");
  CHECK(kids[1].name == "sol");
  CHECK(log->count("stop:m-eth:user_shutdown") == 1);
  // a crashed member is restarted with its own argument
  self->send_exit(child(pool, "sol"), caf::exit_reason::kill);
  REQUIRE(log->wait_for([](const strings& es) {
    return std::count(es.begin(), es.end(), "start:m-sol") == 2;
  }));
  CHECK(children(pool).size() == 2);
  stop(pool);
}

TEST_CASE_METHOD(fixture, "start_child on a static supervisor is an error", "[supervisor][pool]") {
  auto sup = start(strategy::one_for_one, {worker("a", log)});
  self->request(sup, 5s, start_child{"x", ""})
    .receive([](caf::actor&) { FAIL("accepted"); }, [](caf::error& e) { CHECK(e); });
  stop(sup);
}

TEST_CASE_METHOD(fixture, "10,000 crash/restart cycles leave no actor behind",
                 "[supervisor][soak]") {
  logging::options quiet_logs;
  quiet_logs.level = "error"; // 10,000 restart lines would drown the test output
  logging::setup(quiet_logs);
  supervisor_config c;
  c.name = "soak";
  c.path = "soak";
  c.flags.strat = strategy::one_for_one;
  c.flags.intensity = 1'000'000;
  c.flags.period = 1s;
  c.directory = dir;
  child_spec quiet;
  quiet.name = "w";
  quiet.start = [](caf::local_actor* self, const std::string&) {
    return self->spawn([]() -> caf::behavior { return {[](int) {}}; });
  };
  c.children = {quiet};
  auto sup = spawn_supervisor(sys, c);
  auto running_addr = [&]() {
    for (auto& r : dir->snapshot())
      if (r.path == "soak.w" && r.running)
        return r.addr;
    return caf::actor_addr{};
  };
  REQUIRE(dir->wait_until([&](const agent_directory&) { return bool(running_addr()); },
                          std::chrono::steady_clock::now() + 10s));
  auto baseline = sys.registry().running();
  const std::uint64_t cycles = 10'000;
  for (std::uint64_t i = 0; i < cycles; ++i) {
    auto addr = running_addr();
    self->send_exit(caf::actor_cast<caf::actor>(addr), caf::exit_reason::kill);
    auto ok = dir->wait_until(
      [&](const agent_directory& d) {
        if (d.restarts("soak.w") < i + 1)
          return false;
        for (auto& r : d.snapshot())
          if (r.path == "soak.w")
            return r.running;
        return false;
      },
      std::chrono::steady_clock::now() + 10s);
    if (!ok)
      FAIL("cycle " << i << " did not restart");
  }
  CHECK(dir->restarts("soak.w") == cycles);
  // Killed incarnations unregister asynchronously: wait for the count to settle.
  auto settled = [&] { return sys.registry().running() == baseline; };
  for (int i = 0; i < 1000 && !settled(); ++i)
    self->request(sup, 5s, which_children_atom::value).receive([](std::vector<child_info>&) {},
                                                                [](caf::error&) {});
  CHECK(sys.registry().running() == baseline);
  stop(sup);
  logging::setup(logging::options{});
}
