#include "ops/auth.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>

namespace herald::ops {

const char* to_string(role r) {
  switch (r) {
    case role::viewer:
      return "viewer";
    case role::operator_:
      return "operator";
    case role::admin:
      return "admin";
  }
  return "viewer";
}

std::optional<role> parse_role(const std::string& s) {
  if (s == "viewer")
    return role::viewer;
  if (s == "operator")
    return role::operator_;
  if (s == "admin")
    return role::admin;
  return std::nullopt;
}

std::array<unsigned char, 32> sha256(const std::string& text) {
  std::array<unsigned char, 32> out{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), out.data());
  return out;
}

bool equal_digest(const std::array<unsigned char, 32>& a, const std::array<unsigned char, 32>& b) {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

namespace {

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos)
    return "";
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

} // namespace

std::string token_table::parse(const std::string& spec) {
  entries_.clear();
  std::size_t index = 0;
  std::size_t pos = 0;
  while (pos <= spec.size()) {
    auto comma = spec.find(',', pos);
    auto item = trim(spec.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
    pos = comma == std::string::npos ? spec.size() + 1 : comma + 1;
    if (item.empty())
      continue;
    ++index;
    auto c1 = item.find(':');
    auto c2 = c1 == std::string::npos ? std::string::npos : item.find(':', c1 + 1);
    if (c2 == std::string::npos)
      return "HERALD_API_TOKENS entry " + std::to_string(index)
             + ": expected name:role:token (roles: viewer, operator, admin)";
    auto name = trim(item.substr(0, c1));
    auto role_text = trim(item.substr(c1 + 1, c2 - c1 - 1));
    auto token = item.substr(c2 + 1);
    if (name.empty())
      return "HERALD_API_TOKENS entry " + std::to_string(index) + ": empty name";
    auto r = parse_role(role_text);
    if (!r)
      return "HERALD_API_TOKENS entry '" + name + "': unknown role '" + role_text
             + "' (viewer, operator, admin)";
    if (token.size() < 16)
      return "HERALD_API_TOKENS entry '" + name + "': token shorter than 16 characters";
    auto digest = sha256(token);
    for (const auto& e : entries_) {
      if (e.who.name == name)
        return "HERALD_API_TOKENS: name '" + name + "' appears twice";
      if (equal_digest(e.digest, digest))
        return "HERALD_API_TOKENS entry '" + name + "': same token as '" + e.who.name + "'";
    }
    entries_.push_back(entry{principal{name, *r}, digest});
  }
  return "";
}

std::optional<principal> token_table::authenticate(const std::string& presented) const {
  auto digest = sha256(presented);
  std::optional<principal> found;
  // Every entry is compared: the time does not depend on which one matches.
  for (const auto& e : entries_)
    if (equal_digest(e.digest, digest) && !found)
      found = e.who;
  return found;
}

std::vector<principal> token_table::principals() const {
  std::vector<principal> out;
  for (const auto& e : entries_)
    out.push_back(e.who);
  return out;
}

std::optional<std::int64_t> request_limiter::take(const std::string& name, std::int64_t now_ms) {
  if (per_minute_ <= 0)
    return std::nullopt;
  std::lock_guard<std::mutex> guard{mtx_};
  auto it = std::find_if(buckets_.begin(), buckets_.end(),
                         [&](const auto& b) { return b.first == name; });
  if (it == buckets_.end()) {
    buckets_.emplace_back(name, content::token_bucket{burst_, per_minute_});
    it = buckets_.end() - 1;
  }
  auto wait = it->second.take(now_ms);
  if (!wait)
    return std::nullopt;
  // token_bucket adds 1 ms so that a wait is never 0; whole seconds, rounded up.
  return std::max<std::int64_t>(1, (*wait - 1 + 999) / 1000);
}

} // namespace herald::ops
