// The pipeline in a cluster (issue 16): each series' analyzers live on the
// node that owns it (board), jobs carry the assignment epoch, a lost or
// changed owner gets the job in flight again (see pipeline_state.hpp).
#include "actors/analysis/pipeline_state.hpp"

namespace herald::analysis_actors::pipeline_detail {

analyzer_actor pipeline_state::find_worker(const series_state& s, std::uint8_t k) const {
  auto path = s.path + "." + analysis::kind_name(analysis::kind_at(k));
  if (!o.board)
    return caf::actor_cast<analyzer_actor>(dir->find(path));
  if (s.owner.empty())
    return {};
  return caf::actor_cast<analyzer_actor>(dir->find_at(path, s.owner, s.owner == o.node));
}

void pipeline_state::apply_assignments() {
  if (!o.board || o.board->version() == board_version)
    return;
  board_version = o.board->version();
  for (auto& [id, s] : series) {
    if (!s.started)
      continue;
    auto a = o.board->owner_of(id);
    if (!a || (a->owner == s.owner && a->epoch == s.epoch))
      continue;
    log->info("{} {} moves from node '{}' to '{}' (assignment epoch {} -> {}){}", s.symbol,
              s.interval, s.owner, a->owner, s.epoch, a->epoch,
              s.busy ? ": its job in flight is sent there" : "");
    ++n.moved;
    s.owner = a->owner;
    s.epoch = a->epoch;
    s.workers = {};
    s.failed_handle = {};
    s.fresh = true; // the new owner's analyzers rebuild from the hub's window
    if (s.busy) {
      // Sent again from its first candle: the answers of the old owner for
      // this job are void (a new seq) and refused (the old epoch).
      auto job = s.job();
      job.fresh = std::exchange(s.fresh, false);
      send_job(s, std::move(job));
    }
  }
}

void pipeline_state::on_worker_down(const caf::actor_addr& who) {
  watched.erase(who);
  for (auto& [id, s] : series) {
    if (!s.busy)
      continue;
    for (std::size_t i = 0; i < analysis::kind_count; ++i) {
      if (s.done[i] || !s.workers[i] || s.workers[i].address() != who)
        continue;
      auto k = static_cast<std::uint8_t>(i);
      s.failed_handle[k] = who;
      ++s.attempt[k]; // its request will not be answered (a lost node): void it
      ++n.retried;
      self->delayed_send(self, std::chrono::milliseconds{10}, retry_atom::value, id, s.seq, k);
    }
  }
}

} // namespace herald::analysis_actors::pipeline_detail
