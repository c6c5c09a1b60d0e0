#include "cluster/peers.hpp"

#include <algorithm>
#include <cmath>

namespace herald::cluster {

const std::vector<std::string>& known_roles() {
  static const std::vector<std::string> roles{"data", "analysis", "content", "ops"};
  return roles;
}

std::string check_greeting(const greeting& mine, const greeting& theirs) {
  if (theirs.protocol != mine.protocol)
    return "node '" + theirs.name + "' speaks cluster protocol " + std::to_string(theirs.protocol)
           + " (Herald " + theirs.version + "), this node " + std::to_string(mine.protocol)
           + " (Herald " + mine.version + "): upgrade one of them";
  if (theirs.name.empty())
    return "a node greeted without a name";
  if (theirs.name == mine.name)
    return "a peer calls itself '" + theirs.name
           + "' like this node: every node needs its own cluster.name";
  if (theirs.roles.empty())
    return "node '" + theirs.name + "' holds no role";
  for (auto& r : theirs.roles)
    if (std::find(known_roles().begin(), known_roles().end(), r) == known_roles().end())
      return "node '" + theirs.name + "' claims the unknown role '" + r + "'";
  return "";
}

peer_link::peer_link(std::string address, dial_options o, std::uint64_t seed)
  : address_(std::move(address)), o_(o), rng_(seed) {}

std::int64_t peer_link::delay(std::uint32_t attempt) {
  double base = static_cast<double>(o_.min_ms) * std::pow(2.0, std::min<std::uint32_t>(attempt, 30));
  base = std::min(base, static_cast<double>(o_.max_ms));
  std::uniform_real_distribution<double> share(0.0, o_.jitter);
  return static_cast<std::int64_t>(base * (1.0 + share(rng_)));
}

bool peer_link::should_dial(std::int64_t now_ms) {
  if (state_ == state::idle || (state_ == state::waiting && now_ms >= due_)) {
    state_ = state::dialing;
    due_ = 0;
    return true;
  }
  return false;
}

void peer_link::dial_failed(std::int64_t now_ms, const std::string& why) {
  if (state_ != state::dialing)
    return;
  error_ = why;
  state_ = state::waiting;
  due_ = now_ms + delay(failures_);
  ++failures_;
}

void peer_link::connected(greeting g) {
  state_ = state::up;
  failures_ = 0;
  error_.clear();
  due_ = 0;
  peer_ = std::move(g);
}

void peer_link::lost(std::int64_t now_ms) {
  if (state_ != state::up)
    return;
  peer_.reset();
  state_ = state::waiting;
  due_ = now_ms + delay(0);
  failures_ = 1;
}

} // namespace herald::cluster
