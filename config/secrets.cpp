#include "config/secrets.hpp"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace herald::config {

namespace {

std::optional<std::string> process_env(const std::string& name) {
  if (auto v = std::getenv(name.c_str()))
    return std::string{v};
  return std::nullopt;
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos)
    return {};
  auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

bool valid_name(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])))
    return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
      return false;
  return true;
}

} // namespace

std::string secrets::load_file(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    return "cannot read secrets env file '" + path + "'";
  std::stringstream buf;
  buf << in.rdbuf();
  file_ = path;
  return load_text(buf.str(), path);
}

std::string secrets::load_text(const std::string& text, const std::string& source) {
  std::istringstream in{text};
  std::string line;
  int no = 0;
  while (std::getline(in, line)) {
    ++no;
    auto t = trim(line);
    if (t.empty() || t[0] == '#')
      continue;
    if (t.rfind("export ", 0) == 0)
      t = trim(t.substr(7));
    auto eq = t.find('=');
    auto where = source + ":" + std::to_string(no);
    if (eq == std::string::npos)
      return where + ": expected KEY=VALUE"; // the line may hold a secret: not echoed
    auto name = trim(t.substr(0, eq));
    auto val = trim(t.substr(eq + 1));
    if (!valid_name(name))
      return where + ": invalid variable name '" + name + "'";
    if (val.size() >= 2 && (val.front() == '"' || val.front() == '\'')
        && val.back() == val.front())
      val = val.substr(1, val.size() - 2);
    from_file_[name] = val;
  }
  if (file_.empty())
    file_ = source;
  return {};
}

std::optional<std::string> secrets::get(const std::string& name) const {
  auto env = env_ ? env_ : &process_env;
  if (auto v = env(name))
    return v;
  if (auto i = from_file_.find(name); i != from_file_.end())
    return i->second;
  return std::nullopt;
}

std::string secrets::provenance(const std::string& name) const {
  auto env = env_ ? env_ : &process_env;
  if (env(name))
    return "environment";
  if (from_file_.count(name))
    return file_;
  return "unset";
}

const std::vector<std::string>& secrets::known_names() {
  // Later issues add the names their adapters read (database, exchanges,
  // publishing channels, LLM).
  static const std::vector<std::string> names = {
    "PGPASSWORD",           "HERALD_TELEGRAM_TOKEN", "HERALD_DISCORD_WEBHOOK",
    "HERALD_X_TOKEN",       "HERALD_WEBHOOK_SECRET", "ANTHROPIC_API_KEY",
    "HERALD_API_TOKENS",    "HERALD_DISCORD_BOT_TOKEN"};
  return names;
}

} // namespace herald::config
