#pragma once
// API tokens and roles. Tokens come from the secret HERALD_API_TOKENS:
//   name:role:token[,name:role:token...]      (roles: viewer, operator, admin)
// Tokens are kept only as SHA-256 digests and compared in constant time
// against every entry (no early exit, no length leak); neither tokens nor
// digests are ever logged. Each token has its own token bucket (requests per
// minute with a burst) that answers "wait N seconds" when exhausted.
// Pure: no CAF.

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "content/rate.hpp"

namespace herald::ops {

enum class role { viewer = 0, operator_ = 1, admin = 2 };

const char* to_string(role r);
std::optional<role> parse_role(const std::string& s);

struct principal {
  std::string name;
  role level = role::viewer;
};

class token_table {
public:
  /// Parses the secret's value; returns an error naming the entry that is
  /// wrong (never its token), or "" on success. Tokens must be at least 16
  /// characters; names and tokens must be unique.
  std::string parse(const std::string& spec);

  /// The principal owning `presented`, compared in constant time.
  std::optional<principal> authenticate(const std::string& presented) const;

  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }
  std::vector<principal> principals() const;

private:
  struct entry {
    principal who;
    std::array<unsigned char, 32> digest;
  };
  std::vector<entry> entries_;
};

/// Per-principal request budgets (thread-safe).
class request_limiter {
public:
  /// `per_minute` requests a minute with bursts of `burst`; 0 disables.
  request_limiter(double per_minute, double burst) : per_minute_(per_minute), burst_(burst) {}
  /// nullopt: allowed; else seconds to wait (at least 1).
  std::optional<std::int64_t> take(const std::string& name, std::int64_t now_ms);

private:
  double per_minute_, burst_;
  std::mutex mtx_;
  std::vector<std::pair<std::string, content::token_bucket>> buckets_;
};

/// Constant-time equality of two equally sized byte arrays.
bool equal_digest(const std::array<unsigned char, 32>& a, const std::array<unsigned char, 32>& b);
std::array<unsigned char, 32> sha256(const std::string& text);

} // namespace herald::ops
