// What becomes of the strategist's plans: written as `scheduled` rows,
// moved to a posting hour, released to the creator when due (a scorecard
// through its job first), and the brief each one gets.
#include "actors/content/strategist_state.hpp"

#include "actors/learning/ab.hpp"
#include "learning/experiment.hpp"
#include "market/interval.hpp"

namespace herald::content_actors::strategist_detail {

using namespace std::chrono_literals;

void strategist_state::add(std::vector<content::plan> plans, bool ask) {
  if (ask)
    ask_hours(plans);
  for (auto& p : plans) {
    if (book && p.scheduled_at > view->clock()) {
      try {
        if (!book->find(p.id)) {
          content::piece_record r;
          r.id = p.id;
          r.piece = p.piece;
          r.type = content::content_type_name(p.type);
          r.channel = content::channel_name(p.ch);
          r.insight_id = p.insight_id;
          r.scheduled_at = p.scheduled_at;
          r.state = content::state::scheduled;
          if (auto m = material.find(p.insight_id); m != material.end()) {
            r.facts_json = m->second.facts_json;
            r.title = m->second.title;
          }
          book->save(r);
          log->info("{} is scheduled for {}", r.id, market::format_utc(r.scheduled_at));
        }
      } catch (const std::exception& e) {
        log->warn("{}: cannot record it as scheduled ({}); it is kept in memory only", p.id,
                  e.what());
      }
    }
    if (pending_ids.insert(p.id).second)
      pending.emplace(p.scheduled_at, std::move(p));
  }
}

void strategist_state::reload() {
  if (!book)
    return;
  try {
    for (auto& r : book->in_state(content::state::scheduled)) {
      auto t = content::parse_content_type(r.type);
      auto ch = content::parse_channel(r.channel);
      if (!t || !ch)
        continue;
      content::plan p;
      p.id = r.id;
      p.piece = r.piece;
      p.type = *t;
      p.ch = *ch;
      p.scheduled_at = r.scheduled_at;
      p.insight_id = r.insight_id;
      if (!r.insight_id.empty() && !material.count(r.insight_id))
        material[r.insight_id] = {r.facts_json, r.title, {}};
      if (pending_ids.insert(p.id).second)
        pending.emplace(p.scheduled_at, std::move(p));
      log->info("{} was scheduled for {} before the restart; it goes out when due", r.id,
                market::format_utc(r.scheduled_at));
    }
  } catch (const std::exception& e) {
    log->error("cannot reload scheduled pieces: {}", e.what());
  }
}

void strategist_state::release(std::int64_t now) {
  auto creator = caf::actor_cast<creator_actor>(dir->find("content.creator"));
  std::vector<content::plan> later; // scorecards waiting for the database
  while (!pending.empty() && pending.begin()->first <= now) {
    auto p = std::move(pending.begin()->second);
    pending.erase(pending.begin());
    pending_ids.erase(p.id);
    if (recorded(p.id)) { // a rebuilt strategist plans again what went out
      if (!p.insight_id.empty() && !still_pending(p.insight_id))
        material.erase(p.insight_id);
      continue;
    }
    content_brief b;
    try {
      b = brief(p);
      if (p.type == content::content_type::scorecard) {
        start_scorecard(std::move(p), std::move(b), later);
        continue;
      }
    } catch (const std::exception& e) {
      // A bug or an input no one foresaw costs this piece, logged with its
      // id, not the strategist (a restart would meet it again).
      log->error("{} cannot be written and is skipped: {}", p.id, e.what());
      continue;
    }
    if (!p.insight_id.empty()) {
      bool more = false; // the same insight planned for another channel
      for (auto& [t, q] : pending)
        more = more || q.insight_id == p.insight_id;
      if (!more)
        material.erase(p.insight_id);
    }
    if (creator)
      self->send(creator, std::move(b));
    else
      log->error("no content.creator: piece {} is lost for this run", p.id);
  }
  for (auto& p : later) {
    pending_ids.insert(p.id);
    pending.emplace(p.scheduled_at, std::move(p));
  }
}

void strategist_state::start_scorecard(content::plan p, content_brief b, std::vector<content::plan>& later) {
  if (scorecard_jobs.count(p.id))
    return; // its job answers (and requeues it if need be)
  auto now = std::chrono::steady_clock::now();
  if (!draining && now - scorecard_waited < 1s) {
    later.push_back(std::move(p));
    return;
  }
  scorecard_jobs.insert(p.id);
  auto job = spawn_scorecard_job(self, o);
  self->request(job, 10min, std::move(b))
    .then(
      [this, p](std::int32_t step, content_brief& filled, std::string& why) {
        on_scorecard(p, static_cast<learning::scorecard_step>(step), std::move(filled), why);
      },
      [this, p](caf::error& e) {
        log->warn("{}: the scorecard job failed ({}); tried again", p.id, caf::to_string(e));
        scorecard_waited = std::chrono::steady_clock::now();
        on_scorecard(p, learning::scorecard_step::wait, {}, caf::to_string(e));
      });
}

void strategist_state::on_scorecard(const content::plan& p, learning::scorecard_step step, content_brief b,
                  const std::string& why) {
  scorecard_jobs.erase(p.id);
  bool ending = !after_scorecards.empty(); // a bounded run's drain waits for this
  if (step == learning::scorecard_step::ready && !recorded(p.id)) {
    if (auto creator = caf::actor_cast<creator_actor>(dir->find("content.creator")))
      self->send(creator, std::move(b));
    else
      log->error("no content.creator: piece {} is lost for this run", p.id);
  } else if (step == learning::scorecard_step::wait) {
    scorecard_waited = std::chrono::steady_clock::now();
    if (ending)
      log->info("{} is not published in this run ({}); it goes out when due after the next "
                "start", p.id, why);
    else
      log->debug("{} waits: {}", p.id, why);
    if (pending_ids.insert(p.id).second)
      pending.emplace(p.scheduled_at, p);
  } else if (step == learning::scorecard_step::nothing) {
    log->info("{}: nothing to publish: {}", p.id, why);
    try {
      if (book)
        if (auto r = book->find(p.id); r && r->state == content::state::scheduled) {
          r->state = content::state::rejected;
          r->last_error = "nothing to score: " + why;
          book->save(*r);
        }
    } catch (const std::exception& e) {
      log->warn("{}: cannot record it as rejected ({}); planned again after a restart", p.id,
                e.what());
    }
  }
  if (scorecard_jobs.empty())
    for (auto& rp : std::exchange(after_scorecards, {}))
      drain_creator(rp);
}

bool strategist_state::recorded(const std::string& id) {
  if (!book)
    return false;
  try {
    auto r = book->find(id);
    return r && r->state != content::state::scheduled;
  } catch (const std::exception& e) {
    log->warn("{}: cannot read the ledger ({}); planning it (the publisher drops a repeat)",
              id, e.what());
    return false;
  }
}

bool strategist_state::still_pending(const std::string& insight_id) const {
  for (auto& [t, q] : pending)
    if (q.insight_id == insight_id)
      return true;
  return false;
}

content_brief strategist_state::brief(const content::plan& p) {
  content_brief b;
  b.id = p.id;
  b.piece = p.piece;
  b.type = content::content_type_name(p.type);
  b.channel = content::channel_name(p.ch);
  b.insight_id = p.insight_id;
  b.scheduled_at = p.scheduled_at;
  bool images = p.ch != content::channel::x; // X media upload is not implemented
  switch (p.type) {
    case content::content_type::alert: {
      auto i = material.find(p.insight_id);
      if (i == material.end())
        break;
      b.facts_json = i->second.facts_json;
      b.title = i->second.title;
      b.with_chart = images;
      if (images)
        b.chart = i->second.chart;
      break;
    }
    case content::content_type::recap: {
      auto f = view->recap_facts(p.scheduled_at);
      // The daily recap is titled by its day; a closing recap (the end of
      // a bounded run) by the minute it runs to, so no two recaps share a
      // title.
      // A recap over less than a day says how long it covers.
      bool closing = p.piece.find(":closing:") != std::string::npos;
      auto hours = f.find("hours") ? std::get<std::int64_t>(*f.find("hours")) : 0;
      b.title = closing ? "Recap to " + content::minute_utc(p.scheduled_at)
                : hours >= 23
                  ? "Daily recap " + market::format_utc(p.scheduled_at).substr(0, 10)
                  : "Recap of the " + std::to_string(std::max<std::int64_t>(hours, 1))
                      + " h to " + content::minute_utc(p.scheduled_at);
      f.set("heading", b.title);
      b.facts_json = content::facts_to_json(f);
      break;
    }
    case content::content_type::report:
    case content::content_type::thread: {
      std::string title;
      content::facts used;
      auto md = view->research_report(p.scheduled_at, &title, &used);
      if (md.rfind("# ", 0) == 0) // the page shows the title itself
        md = md.substr(md.find('\n') + 1);
      auto first = md.find_first_not_of('\n');
      md = first == std::string::npos ? std::string{} : md.substr(first);
      b.title = title;
      b.markdown = md;
      b.digest = view->report_digest(p.scheduled_at, &used);
      // Every number and date the report prints, for the fact check.
      content::facts f = used;
      f.set("title", title)
        .set("date", market::format_utc(p.scheduled_at).substr(0, 10))
        .set("series", static_cast<std::int64_t>(view->series().size()))
        .set("summary", b.digest)
        .set("body", md)
        .set("period_hours", view->report_hours(p.scheduled_at));
      b.facts_json = content::facts_to_json(f);
      b.with_chart = images && p.ch == content::channel::articles;
      if (b.with_chart)
        b.chart = view->chart("", "", p.scheduled_at);
      break;
    }
    case content::content_type::scorecard:
      break; // scorecard(): from the database
  }
  return b;
}

bool strategist_state::movable(const content::plan& p) {
  return p.type != content::content_type::alert
         && p.piece.find(":closing:") == std::string::npos;
}

void strategist_state::ask_hours(std::vector<content::plan>& plans) {
  auto ab = caf::actor_cast<learning_actors::ab_actor>(dir->find("learning.ab"));
  if (!ab)
    return;
  std::vector<content::plan> now;
  for (auto& p : plans) {
    if (!movable(p) || pending_ids.count(p.id)) { // planned already: its time stands
      now.push_back(std::move(p));
      continue;
    }
    if (asking.count(p.id))
      continue; // asked already
    if (recorded(p.id)) { // it went out: a rebuilt strategist plans it again
      now.push_back(std::move(p));
      continue;
    }
    auto id = p.id;
    auto type = std::string{content::content_type_name(p.type)};
    auto ch = std::string{content::channel_name(p.ch)};
    asking.emplace(id, asked{std::move(p), false, {}});
    self->request(ab, o->ab_timeout, ab_hour_atom::value, id, type, ch)
      .then([this, id](std::vector<ab_choice>& choices) { on_hour(id, choices); },
            [this, id](caf::error& e) {
              log->warn("{}: no posting hour from learning.ab ({}); it goes out at its planned "
                        "time, outside the posting-hour experiments",
                        id, caf::to_string(e));
              on_hour(id, {});
            });
  }
  plans = std::move(now);
}

void strategist_state::on_hour(const std::string& id, const std::vector<ab_choice>& choices) {
  auto it = asking.find(id);
  if (it == asking.end())
    return;
  it->second.answered = true;
  it->second.choices = choices;
  for (auto& [other, q] : asking)
    if (!q.answered)
      return; // the rest come (or time out) first
  std::vector<content::plan> plans;
  for (auto& [pid, q] : std::exchange(asking, {})) {
    auto p = std::move(q.plan);
    for (auto& c : q.choices) {
      auto hour = c.factor == "posting_hour" ? learning::arm_hour(c.arm) : std::nullopt;
      if (!hour)
        continue;
      auto planned = p.scheduled_at;
      planner->move_to_hour(p, *hour);
      log->info("{}: posting hour {}:00 UTC (experiment '{}'): {} instead of {}", pid, c.arm,
                c.test_id, market::format_utc(p.scheduled_at), market::format_utc(planned));
    }
    plans.push_back(std::move(p));
  }
  add(std::move(plans), false);
  if (view->clock() != INT64_MIN)
    release(view->clock());
  run_steps(); // the reports that waited
  try_drains();
}

} // namespace herald::content_actors::strategist_detail
