#include "app/cli.hpp"

#include <sstream>

namespace herald::app {

std::string invocation::get(const std::string& opt, const std::string& fallback) const {
  auto i = options.find(opt);
  return i == options.end() ? fallback : i->second;
}

namespace {

const option_spec* find_option(const command& cmd, const std::string& name) {
  for (auto& o : cmd.options)
    if (o.name == name)
      return &o;
  return nullptr;
}

} // namespace

std::string parse_options(const command& cmd, const std::vector<std::string>& argv,
                          invocation& out) {
  bool only_args = false;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const auto& a = argv[i];
    if (only_args || a.size() < 2 || a[0] != '-' || a == "-") {
      out.args.push_back(a);
      continue;
    }
    if (a == "--") {
      only_args = true;
      continue;
    }
    if (a == "-h") {
      out.options["help"] = "";
      continue;
    }
    if (a.rfind("--", 0) != 0) {
      // Single-letter options (`-c COMMAND`) are declared with a one-letter name.
      auto* short_spec = a.size() == 2 ? find_option(cmd, a.substr(1)) : nullptr;
      if (short_spec == nullptr)
        return "unknown option '" + a + "'";
      if (short_spec->value_name.empty()) {
        out.options[short_spec->name] = "";
      } else if (i + 1 < argv.size()) {
        out.options[short_spec->name] = argv[++i];
      } else {
        return "option '" + a + "' needs a value (" + short_spec->value_name + ")";
      }
      continue;
    }
    auto body = a.substr(2);
    auto eq = body.find('=');
    auto name = body.substr(0, eq);
    if (name.find('.') != std::string::npos) {
      if (eq == std::string::npos)
        return "configuration override '" + a + "' needs a value: --" + name + "=VALUE";
      out.overrides.push_back(a);
      continue;
    }
    auto spec = find_option(cmd, name);
    if (spec == nullptr && name != "help")
      return "unknown option '--" + name + "' for 'herald " + cmd.name + "'";
    if (spec == nullptr || spec->value_name.empty()) {
      if (eq != std::string::npos)
        return "option '--" + name + "' takes no value";
      out.options[name] = "";
      continue;
    }
    if (eq != std::string::npos) {
      out.options[name] = body.substr(eq + 1);
    } else if (i + 1 < argv.size()) {
      out.options[name] = argv[++i];
    } else {
      return "option '--" + name + "' needs a value (" + spec->value_name + ")";
    }
  }
  if (out.has("help"))
    return {};
  if (out.args.size() < cmd.min_args)
    return "'herald " + cmd.name + "' needs " + (cmd.args.empty() ? "arguments" : cmd.args);
  if (out.args.size() > cmd.max_args)
    return "unexpected argument '" + out.args[cmd.max_args] + "' for 'herald " + cmd.name + "'";
  return {};
}

std::string command_help(const command& cmd) {
  std::ostringstream os;
  os << "Usage: herald " << cmd.name << " [options] [--section.key=value ...]";
  if (!cmd.args.empty())
    os << " " << cmd.args;
  os << "\n\n" << cmd.summary << "\n";
  if (!cmd.description.empty())
    os << "\n" << cmd.description << "\n";
  os << "\nOptions:\n";
  auto line = [&](const std::string& left, const std::string& help) {
    os << "  " << left;
    for (auto n = left.size(); n < 26; ++n)
      os << ' ';
    os << help << "\n";
  };
  for (auto& o : cmd.options)
    line((o.name.size() == 1 ? "-" : "--") + o.name + (o.value_name.empty() ? "" : " " + o.value_name), o.help);
  line("--section.key=value", "override any key of the config file");
  line("-h, --help", "show this help");
  os << "\nExit codes: 0 ok, 1 runtime failure, 2 usage or configuration error.\n";
  return os.str();
}

std::string global_help(const std::vector<command>& cmds) {
  std::ostringstream os;
  os << "Herald: market research and content agents on an actor system.\n\n"
        "Usage: herald <command> [options] [--section.key=value ...]\n\n"
        "Commands:\n";
  for (auto& c : cmds) {
    os << "  " << c.name;
    for (auto n = c.name.size(); n < 16; ++n)
      os << ' ';
    os << c.summary << "\n";
  }
  os << "\nGlobal options:\n"
        "  --version       print the version and exit\n"
        "  -h, --help      show this help; 'herald <command> --help' for a command\n"
        "\nExit codes: 0 ok, 1 runtime failure, 2 usage or configuration error.\n";
  return os.str();
}

const command* find_command(const std::vector<command>& cmds,
                            const std::vector<std::string>& argv, std::size_t& consumed) {
  const command* best = nullptr;
  consumed = 0;
  for (auto& c : cmds) {
    std::istringstream words{c.name};
    std::string w;
    std::size_t n = 0;
    bool match = true;
    while (words >> w) {
      if (n >= argv.size() || argv[n] != w) {
        match = false;
        break;
      }
      ++n;
    }
    if (match && n > consumed) {
      best = &c;
      consumed = n;
    }
  }
  return best;
}

} // namespace herald::app
