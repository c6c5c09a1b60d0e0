#include "content/templates.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/args.h>
#include <fmt/format.h>

namespace herald::content {

namespace {

constexpr const char* type_names[] = {"alert", "recap", "report", "thread", "scorecard"};

} // namespace

const char* content_type_name(content_type t) {
  return type_names[static_cast<std::size_t>(t)];
}

std::optional<content_type> parse_content_type(std::string_view name) {
  for (std::size_t i = 0; i < content_type_count; ++i)
    if (name == type_names[i])
      return static_cast<content_type>(i);
  return std::nullopt;
}

facts& facts::set(const std::string& key, double v) {
  values_[key] = v;
  return *this;
}
facts& facts::set(const std::string& key, std::int64_t v) {
  values_[key] = v;
  return *this;
}
facts& facts::set(const std::string& key, std::string v) {
  values_[key] = std::move(v);
  return *this;
}

const facts::value* facts::find(const std::string& key) const {
  auto it = values_.find(key);
  return it == values_.end() ? nullptr : &it->second;
}

std::string resolve_optional(std::string_view tpl, const facts& f) {
  std::string out;
  out.reserve(tpl.size());
  std::size_t i = 0;
  while (i < tpl.size()) {
    auto open = tpl.find("[[", i);
    if (open == std::string_view::npos) {
      out.append(tpl.substr(i));
      break;
    }
    auto close = tpl.find("]]", open + 2);
    if (close == std::string_view::npos) { // not a segment: literal text
      out.append(tpl.substr(i));
      break;
    }
    out.append(tpl.substr(i, open - i));
    auto inner = tpl.substr(open + 2, close - open - 2);
    bool known = true;
    for (std::size_t j = 0; j < inner.size(); ++j) {
      if (inner[j] != '{')
        continue;
      if (j + 1 < inner.size() && inner[j + 1] == '{') { // "{{": a literal brace
        ++j;
        continue;
      }
      auto end = inner.find_first_of(":}", j + 1);
      if (end == std::string_view::npos)
        break;
      if (!f.find(std::string{inner.substr(j + 1, end - j - 1)})) {
        known = false;
        break;
      }
      j = end;
    }
    if (known)
      out.append(inner);
    i = close + 2;
  }
  return out;
}

std::optional<std::string> render(std::string_view tpl_in, const facts& f, std::string* error) {
  auto resolved = resolve_optional(tpl_in, f);
  std::string_view tpl = resolved;
  fmt::dynamic_format_arg_store<fmt::format_context> store;
  for (auto& [key, v] : f.all())
    std::visit([&](auto& x) { store.push_back(fmt::arg(key.c_str(), x)); }, v);
  try {
    return fmt::vformat(fmt::string_view{tpl.data(), tpl.size()}, store);
  } catch (const fmt::format_error& e) {
    if (error)
      *error = e.what();
    return std::nullopt;
  }
}

std::uint64_t stable_hash(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

bool carries(channel c, content_type t) {
  if (t == content_type::thread)
    return c == channel::x || c == channel::telegram;
  if (t == content_type::report || t == content_type::scorecard)
    return c != channel::x && c != channel::telegram;
  return true;
}

std::vector<std::string> template_set::missing(const std::vector<channel>& channels,
                                               const std::vector<content_type>& types) const {
  std::vector<std::string> out;
  for (auto c : channels)
    for (auto t : types)
      if (carries(c, t) && variants(t, c).empty())
        out.push_back(std::string{content_type_name(t)} + "." + channel_name(c));
  return out;
}

template_set template_set::load(const std::string& dir,
                                const std::map<content_type, facts>& samples,
                                const std::map<content_type, std::vector<std::string>>& optional) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw template_error(dir + ": not a directory of templates");
  template_set set;
  std::vector<fs::path> files;
  for (auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".txt")
      files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (auto& p : files) {
    auto stem = p.stem().string(); // type.channel.variant
    auto where = p.string();
    auto a = stem.find('.');
    auto b = a == std::string::npos ? a : stem.find('.', a + 1);
    if (a == std::string::npos || b == std::string::npos || b + 1 >= stem.size())
      throw template_error(where + ": name must be <type>.<channel>.<variant>.txt");
    auto type = parse_content_type(stem.substr(0, a));
    if (!type)
      throw template_error(where + ": unknown content type '" + stem.substr(0, a)
                           + "' (alert, recap, report, thread)");
    auto ch = parse_channel(stem.substr(a + 1, b - a - 1));
    if (!ch)
      throw template_error(where + ": unknown channel '" + stem.substr(a + 1, b - a - 1)
                           + "' (articles, telegram, discord, x, webhook)");
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (!in)
      throw template_error(where + ": cannot read");
    auto text = ss.str();
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
      text.pop_back();
    if (text.empty())
      throw template_error(where + ": empty template");
    if (auto s = samples.find(*type); s != samples.end()) {
      std::string err;
      if (!content::render(text, s->second, &err))
        throw template_error(where + ": does not render with the facts of a " + stem.substr(0, a)
                             + ": " + err);
      // Facts that may be unknown must sit inside [[ ... ]], or a cold
      // start would fail (or tempt a stand-in value).
      if (auto o = optional.find(*type); o != optional.end())
        for (auto& name : o->second) {
          facts without;
          for (auto& [k, v] : s->second.all())
            if (k != name)
              std::visit([&, key = k](auto& x) { without.set(key, x); }, v);
          if (!content::render(text, without, &err))
            throw template_error(where + ": uses {" + name + "} outside an optional [[ ... ]] "
                                 "segment, but " + name + " may be unknown (" + err + ")");
        }
    }
    set.by_kind_[{*type, *ch}].push_back({stem.substr(b + 1), where, std::move(text)});
  }
  return set;
}

const std::vector<template_variant>& template_set::variants(content_type t, channel c) const {
  static const std::vector<template_variant> none;
  auto it = by_kind_.find({t, c});
  return it == by_kind_.end() ? none : it->second;
}

std::optional<rendered> template_set::render(content_type t, channel c, const facts& f,
                                             std::string_view key, std::string* error,
                                             std::string_view preferred) const {
  auto& vs = variants(t, c);
  if (vs.empty()) {
    if (error)
      *error = std::string{"no template for "} + content_type_name(t) + " on " + channel_name(c);
    return std::nullopt;
  }
  const template_variant* chosen = &vs[stable_hash(key) % vs.size()];
  for (auto& x : vs)
    if (!preferred.empty() && x.name == preferred)
      chosen = &x;
  auto& v = *chosen;
  std::string err;
  auto text = content::render(v.text, f, &err);
  if (!text) {
    if (error)
      *error = v.path + ": " + err;
    return std::nullopt;
  }
  return rendered{std::move(*text), v.name};
}

std::size_t template_set::size() const {
  std::size_t n = 0;
  for (auto& [k, v] : by_kind_)
    n += v.size();
  return n;
}

} // namespace herald::content
