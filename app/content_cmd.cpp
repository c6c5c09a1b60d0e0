// herald content list | approve ID | reject ID: the operator's view of the
// publishing ledger (content_plans), on the database of the config file.
// A running herald picks up approved pieces within content.approval-poll.

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "app/commands.hpp"
#include "app/database.hpp"
#include "app/prepare.hpp"
#include "content/ledger.hpp"
#include "market/interval.hpp"

namespace herald::app {

namespace {

std::shared_ptr<db::storage> open_ledger_db(const invocation& inv, const char* cmd, int& rc) {
  auto p = prepare(inv);
  if (!p) {
    rc = exit_usage;
    return nullptr;
  }
  bool usage_error = false;
  auto store = open_database(p->loaded, inv.get("db"), usage_error, inv.has("db"));
  if (!store) {
    rc = usage_error ? exit_usage : exit_failure;
    return nullptr;
  }
  try {
    store->migrate();
  } catch (const db::storage_error& e) {
    std::cerr << "herald " << cmd << ": " << e.what() << "\n";
    rc = exit_failure;
    return nullptr;
  }
  return store;
}

} // namespace

int content_list_command(const invocation& inv) {
  int rc = exit_ok;
  auto store = open_ledger_db(inv, "content list", rc);
  if (!store)
    return rc;
  std::vector<std::string> states;
  if (inv.has("state")) {
    auto st = inv.get("state");
    const auto& all = content::all_states();
    if (std::find(all.begin(), all.end(), st) == all.end()) {
      std::string list;
      for (auto& s : all)
        list += (list.empty() ? "" : ", ") + s;
      std::cerr << "herald content list: unknown state '" << st << "' (one of " << list << ")\n";
      return exit_usage;
    }
    states.push_back(st);
  } else {
    // what needs a human first, then the rest
    states = {content::state::pending_approval, content::state::in_doubt, content::state::failed,
              content::state::scheduled, content::state::planned, content::state::publishing,
              content::state::dry_run,
              content::state::published, content::state::rejected};
  }
  try {
    content::ledger book{store};
    std::size_t n = 0;
    for (auto& st : states)
      for (auto& r : book.in_state(st)) {
        if (n++ == 0)
          std::printf("%-17s %-9s %-17s %s\n", "state", "channel", "scheduled (UTC)", "id");
        std::printf("%-17s %-9s %-17s %s\n", r.state.c_str(), r.channel.c_str(),
                    market::format_utc(r.scheduled_at).substr(0, 16).c_str(), r.id.c_str());
        auto text = r.parts.empty() ? r.title : r.parts.front();
        for (auto& c : text)
          if (c == '\n')
            c = ' ';
        if (text.size() > 110)
          text = text.substr(0, 107) + "...";
        std::printf("    %s\n", text.c_str());
        if (!r.last_error.empty() && r.state != content::state::published)
          std::printf("    last error: %s\n", r.last_error.c_str());
      }
    if (n == 0)
      std::cout << "herald content list: no pieces" << (inv.has("state") ? " in that state" : "")
                << "\n";
  } catch (const std::exception& e) {
    std::cerr << "herald content list: " << e.what() << "\n";
    return exit_failure;
  }
  return exit_ok;
}

namespace {

int decide(const invocation& inv, bool approve) {
  const char* cmd = approve ? "content approve" : "content reject";
  int rc = exit_ok;
  auto store = open_ledger_db(inv, cmd, rc);
  if (!store)
    return rc;
  content::ledger book{store};
  int failures = 0;
  for (auto& id : inv.args) {
    try {
      auto why = approve ? book.approve(id) : book.reject(id);
      if (why.empty())
        std::cout << "herald " << cmd << ": " << id
                  << (approve ? ": approved; a running herald sends it within "
                                "content.approval-poll (or the next start does)\n"
                              : ": rejected; it will not be sent\n");
      else {
        std::cerr << "herald " << cmd << ": " << why << "\n";
        ++failures;
      }
    } catch (const std::exception& e) {
      std::cerr << "herald " << cmd << ": " << id << ": " << e.what() << "\n";
      return exit_failure;
    }
  }
  return failures == 0 ? exit_ok : exit_usage;
}

} // namespace

int content_approve_command(const invocation& inv) { return decide(inv, true); }
int content_reject_command(const invocation& inv) { return decide(inv, false); }

} // namespace herald::app
