// A network partition (issue 16, case d): every link of the node holding the
// coordinator and publisher leases - to its peers and to PostgreSQL - runs
// through a TCP fault proxy (tests/support/fault_proxy.hpp), and the proxies
// cut it off. The side without the leases (the cut-off node, once its lease
// time has run out) stops publishing and assigning; the other side takes
// both leases, places series on a node that joins meanwhile and publishes
// on. After healing, the node rejoins, holds nothing, and every piece reached
// the local Telegram, Discord, X and webhook servers exactly once.
#include <catch2/catch.hpp>

#include <map>

#include "support/cluster.hpp"
#include "support/publish_double.hpp"

using namespace herald::test;
using namespace std::chrono_literals;

namespace {

std::string tail(const std::string& out, std::size_t n = 4000) {
  return out.size() <= n ? out : out.substr(out.size() - n);
}

/// The lines of `out` that hold `what` (at most the last 40).
std::string lines_with(const std::string& out, const std::string& what) {
  std::vector<std::string> hits;
  std::size_t at = 0;
  while (at < out.size()) {
    auto end = out.find('\n', at);
    if (end == std::string::npos)
      end = out.size();
    auto line = out.substr(at, end - at);
    if (line.find(what) != std::string::npos)
      hits.push_back(line);
    at = end + 1;
  }
  std::string s;
  for (std::size_t i = hits.size() > 40 ? hits.size() - 40 : 0; i < hits.size(); ++i)
    s += hits[i] + "\n";
  return s;
}

/// The deployment log's `assigned` rows: (node that assigned, epoch).
std::vector<std::pair<std::string, std::int64_t>> assignments(const cluster_member& at) {
  std::vector<std::pair<std::string, std::int64_t>> out;
  local_cluster::wait_api(at, "/api/v1/cluster/log?limit=1000", [&](int st, const nlohmann::json& j) {
    if (st != 200 || !j.contains("items"))
      return false;
    for (auto& e : j["items"])
      if (e.value("event", "") == "assigned")
        out.emplace_back(e.value("node", ""), e["details"].value("epoch", std::int64_t{0}));
    return true;
  });
  return out;
}

} // namespace

TEST_CASE("a node cut off by a partition stops publishing and assigning and the other side "
          "takes over without duplicates",
          "[cluster][acceptance][partition]") {
  local_cluster cl;
  if (cl.db_url().empty()) {
    WARN("SKIPPED: the throwaway PostgreSQL is not running (run through ctest)");
    return;
  }
  // Cut: connections reset, new ones refused. Frozen: they stay open and
  // carry nothing, so only heartbeats and timeouts reveal the partition.
  const bool freeze = GENERATE(false, true);
  INFO((freeze ? "frozen links" : "cut links"));
  cl.through_proxies();
  publish_double remote;
  auto args = cluster_channel_args(remote);
  args.push_back("--cluster.redial-max=1s"); // quick rejoin after healing
  auto certs = cl.certs("n1,n2,n3,n4,n5");
  // n3 starts alone and takes the coordinator and publisher leases.
  auto& n3 = cl.start("n3", "content", certs, args);
  nlohmann::json j;
  REQUIRE(local_cluster::wait_api(n3, "/api/v1/cluster", [&](int st, const nlohmann::json& x) {
    j = x;
    return st == 200 && local_cluster::holder_of(x, "coordinator") == "n3"
           && local_cluster::holder_of(x, "publisher") == "n3";
  }));
  std::int64_t coordinator_epoch = 0, publisher_epoch = 0;
  local_cluster::holder_of(j, "coordinator", &coordinator_epoch);
  local_cluster::holder_of(j, "publisher", &publisher_epoch);
  cl.start("n4", "content", certs, args);
  cl.start("n2", "analysis", certs, args);
  auto& n1 = cl.start("n1", "data,ops", certs, args);
  REQUIRE(local_cluster::wait_api(n1, "/api/v1/cluster", [&](int st, const nlohmann::json& x) {
    return st == 200 && local_cluster::status_of(x, "n3") == "up"
           && local_cluster::status_of(x, "n2") == "up" && local_cluster::status_of(x, "n4") == "up";
  }));
  REQUIRE(remote.wait_for("telegram", 3, 120s)); // pieces flow from n3
  auto before_cut = assignments(n1);
  REQUIRE(!before_cut.empty()); // n3 placed the series on n2

  // The partition: n3 loses its peers and the database.
  auto cut_at = std::chrono::steady_clock::now();
  auto out_at_cut = n3.p->output().size();
  cl.isolate("n3", freeze);
  // The other side sees n3 lost (heartbeats) and, once n3's leases expired
  // in PostgreSQL, holds both with newer epochs.
  CHECK(n1.p->wait_output("node n3 lost", 30s));
  std::int64_t new_coordinator = 0, new_publisher = 0;
  CHECK(local_cluster::wait_api(n1, "/api/v1/cluster", [&](int st, const nlohmann::json& x) {
    j = x;
    auto c = local_cluster::holder_of(x, "coordinator", &new_coordinator);
    return st == 200 && !c.empty() && c != "n3"
           && local_cluster::holder_of(x, "publisher", &new_publisher) == "n4";
  }, 60s));
  INFO(j.dump());
  INFO("n4:\n" << tail(cl["n4"].p->output(), 8000));
  CHECK(new_coordinator > coordinator_epoch);
  CHECK(new_publisher > publisher_epoch);
  WARN("partition: coordinator and publisher leases held on the other side "
       << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now()
                                                                - cut_at)
            .count()
       << " ms after the cut (lease TTL 3 s)");
  // n3 stops its content agents on its own clock: its lease ran out. (With
  // frozen links, the stop itself waits for the publisher's database call
  // to time out; it publishes nothing meanwhile: its channels check the
  // lease's clock before every call.)
  INFO("n3:\n" << tail(n3.p->output().substr(out_at_cut), 12000));
  CHECK(n3.p->wait_output("lease 'publisher' not held: stopping content", 30s));
  // The majority side assigns: a node that joins now gets series from the
  // new coordinator.
  cl.start("n5", "analysis", certs, args); // its link to n3 starts cut
  CHECK(local_cluster::wait_api(n1, "/api/v1/cluster", [&](int st, const nlohmann::json& x) {
    if (st != 200)
      return false;
    for (auto& n : x["nodes"])
      if (n.value("name", "") == "n5" && !n["series"].empty())
        return true;
    return false;
  }, 60s));
  auto published = remote.received("telegram").size();
  CHECK(remote.wait_for("telegram", published + 2, 120s)); // n4 publishes on

  // Healing: n3 rejoins (peers redial it, it reaches the database again)
  // and holds no lease.
  cl.heal("n3");
  CHECK(local_cluster::wait_api(n1, "/api/v1/cluster", [&](int st, const nlohmann::json& x) {
    j = x;
    return st == 200 && local_cluster::status_of(x, "n3") == "up";
  }, 60s));
  // (Cut: its renewals failed and succeed again. Frozen: a renewal hung
  // on the frozen connection and completes when it thaws.)
  if (!freeze)
    CHECK(n3.p->wait_output("membership renewed again after", 30s));
  published = remote.received("telegram").size();
  CHECK(remote.wait_for("telegram", published + 2, 120s));
  CHECK(local_cluster::wait_api(n3, "/api/v1/cluster", [&](int st, const nlohmann::json& x) {
    return st == 200 && local_cluster::holder_of(x, "publisher") == "n4"
           && !local_cluster::holder_of(x, "coordinator").empty()
           && local_cluster::holder_of(x, "coordinator") != "n3";
  }, 30s));

  auto after_cut = n3.p->output().substr(out_at_cut);
  INFO("n3 after the cut:\n" << tail(after_cut));
  // A call its channel began while the lease was still valid may finish
  // just after the cut (that piece is published once, see below); nothing
  // is published once n3 saw its lease run out.
  // On a loaded machine the 3 s leases may change hands again after the
  // healing, and n3 may then take one legitimately, with a newer epoch:
  // between its lapse and such a take it publishes and assigns nothing.
  auto lapsed = after_cut.find("lease 'publisher' not held: stopping content");
  REQUIRE(lapsed != std::string::npos);
  auto npos = std::string::npos;
  auto retook_publisher = after_cut.find("lease 'publisher' taken by this node", lapsed);
  auto published_at = after_cut.find("published ", lapsed);
  CHECK((published_at == npos
         || (retook_publisher != npos && published_at > retook_publisher)));
  auto retook_coordinator = after_cut.find("lease 'coordinator' taken by this node");
  auto assigned = after_cut.find("cluster: assigned");
  CHECK((assigned == npos || (retook_coordinator != npos && assigned > retook_coordinator)));
  // Every assignment since the cut came from a coordinator of a newer
  // epoch: the other side's, or n3's only after it took the lease again.
  auto all = assignments(n1);
  REQUIRE(all.size() > before_cut.size());
  for (std::size_t i = 0; i < all.size(); ++i)
    if (std::find(before_cut.begin(), before_cut.end(), all[i]) == before_cut.end()) {
      INFO(all[i].first << " epoch " << all[i].second);
      CHECK(all[i].second >= new_coordinator);
      if (all[i].first == "n3")
        CHECK(all[i].second > new_coordinator);
    }
  // Every piece reached each service once (X refuses a resend of a call
  // the cut left open with 403: that is not a second post).
  std::map<std::string, int> seen;
  for (auto& r : remote.received())
    if (made_a_post(r))
      ++seen[r.service + " " + text_of(r)];
  REQUIRE(seen.size() > 6);
  for (auto& [text, n] : seen) {
    INFO(text.substr(0, 300));
    CHECK(n == 1);
  }
  INFO("n4:\n" << tail(cl["n4"].p->output()));
  for (auto name : {"n5", "n1", "n2", "n4", "n3"}) {
    auto before_stop = cl[name].p->output().size();
    cl[name].p->signal(SIGTERM);
    auto code = cl[name].p->wait_exit(60s);
    INFO(name << " after SIGTERM:\n" << tail(cl[name].p->output().substr(before_stop), 8000));
    INFO(name << ", its database lines:\n" << lines_with(cl[name].p->output(), "database"));
    CHECK(code == 0);
  }
}
