#pragma once
// The node agent's view of its peers as plain code: whether a greeting is
// acceptable, and each peer link's dial schedule (one dial at a time,
// jittered exponential backoff after failures and losses, reset once up).
// The actor (issue 16, next) only carries these decisions out. No CAF.

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace herald::cluster {

/// Raised when nodes can no longer understand each other's messages; nodes
/// with different protocol versions refuse each other.
constexpr int protocol_version = 2; // 2: analysis jobs and replies carry the assignment epoch

/// The roles a node may hold.
const std::vector<std::string>& known_roles();

/// What two nodes tell each other first.
struct greeting {
  std::string name;
  std::uint64_t incarnation = 0; ///< a restarted node has a higher one
  std::vector<std::string> roles;
  std::string version; ///< Herald's version, for the registry and the consoles
  int protocol = protocol_version;
};

/// Why `theirs` is refused by a node that greeted with `mine` ("" when it
/// is accepted): another protocol version (both named), no or the same name,
/// an unknown or no role.
std::string check_greeting(const greeting& mine, const greeting& theirs);

struct dial_options {
  std::int64_t min_ms = 200;    ///< first redial delay
  std::int64_t max_ms = 10'000; ///< longest redial delay
  double jitter = 0.5;          ///< each delay stretched by a random share in [0, jitter]
};

/// One peer address: idle -> dialing -> up, or -> waiting (backoff) ->
/// dialing ... A lost link waits the shortest delay first.
class peer_link {
public:
  enum class state { idle, dialing, up, waiting };

  peer_link(std::string address, dial_options o, std::uint64_t seed);

  const std::string& address() const { return address_; }
  state current() const { return state_; }
  /// The greeting of the node behind it while up.
  const std::optional<greeting>& peer() const { return peer_; }

  /// True when a dial should start now (idle, or waiting and due); the link
  /// is then dialing until dial_failed() or connected(). Never two at once.
  bool should_dial(std::int64_t now_ms);
  /// When the next dial is due (waiting), else 0.
  std::int64_t due_at() const { return due_; }
  void dial_failed(std::int64_t now_ms, const std::string& why);
  void connected(greeting g);
  /// The peer was lost (down message): redial after the shortest delay.
  void lost(std::int64_t now_ms);
  const std::string& last_error() const { return error_; }
  std::uint32_t failures() const { return failures_; }

private:
  std::int64_t delay(std::uint32_t attempt);

  std::string address_;
  dial_options o_;
  std::mt19937_64 rng_;
  state state_ = state::idle;
  std::int64_t due_ = 0;
  std::uint32_t failures_ = 0;
  std::string error_;
  std::optional<greeting> peer_;
};

} // namespace herald::cluster
