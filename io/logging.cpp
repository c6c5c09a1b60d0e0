#include "io/logging.hpp"

#include <algorithm>

#include <mutex>

#include <nlohmann/json.hpp>
#include <spdlog/details/os.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace herald::logging {

namespace {

constexpr const char* text_pattern = "%Y-%m-%d %H:%M:%S.%e %^%-5l%$ [%n] %v";

/// One JSON object per line: ts (ISO-8601 UTC, ms), level, logger, thread, msg.
class json_formatter final : public spdlog::formatter {
public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    using namespace std::chrono;
    auto t = system_clock::to_time_t(msg.time);
    auto ms = duration_cast<milliseconds>(msg.time.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char ts[40];
    auto n = std::strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(ts + n, sizeof(ts) - n, ".%03dZ", static_cast<int>(ms));
    nlohmann::json j;
    j["ts"] = ts;
    j["level"] = std::string(spdlog::level::to_string_view(msg.level).data(),
                             spdlog::level::to_string_view(msg.level).size());
    j["logger"] = std::string(msg.logger_name.data(), msg.logger_name.size());
    j["thread"] = msg.thread_id;
    j["msg"] = std::string(msg.payload.data(), msg.payload.size());
    // Invalid UTF-8 in a message must not throw: replace it.
    auto line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(line.data(), line.data() + line.size());
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<json_formatter>();
  }
};

struct registry {
  std::mutex mtx;
  options opts;
  std::vector<spdlog::sink_ptr> sinks;
  std::map<std::string, std::shared_ptr<spdlog::logger>> loggers;
};

// The one piece of process-wide state: spdlog's loggers are process-wide by
// design, and every agent must reach its logger without threading a context
// through each spawn.
registry& reg() {
  static registry r;
  return r;
}

std::vector<spdlog::sink_ptr> default_sinks() {
  auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  console->set_pattern(text_pattern);
  return {console};
}

void apply(spdlog::logger& lg, const options& opts) {
  lg.set_level(spdlog::level::from_str(level_for(opts, lg.name())));
  lg.flush_on(spdlog::level::warn);
}

} // namespace

std::string level_for(const options& opts, const std::string& name) {
  std::string best = opts.level;
  std::size_t best_len = 0;
  for (auto& entry : opts.levels) {
    auto eq = entry.find('=');
    if (eq == std::string::npos)
      continue;
    auto prefix = entry.substr(0, eq);
    bool match = name == prefix
                 || (name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0
                     && name[prefix.size()] == '.');
    if (match && prefix.size() >= best_len) {
      best = entry.substr(eq + 1);
      best_len = prefix.size();
    }
  }
  return best;
}

std::string setup(const options& opts) {
  std::vector<spdlog::sink_ptr> sinks;
  if (opts.console) {
    auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    sinks.push_back(console);
  }
  if (!opts.file.empty()) {
    try {
      sinks.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
        opts.file, opts.max_file_size, opts.max_files));
    } catch (const spdlog::spdlog_ex& e) {
      return "cannot open log file '" + opts.file + "': " + e.what();
    }
  }
  for (auto& s : sinks) {
    if (opts.json)
      s->set_formatter(std::make_unique<json_formatter>());
    else
      s->set_pattern(text_pattern);
  }
  auto& r = reg();
  std::lock_guard<std::mutex> guard{r.mtx};
  r.opts = opts;
  r.sinks = sinks;
  for (auto& [name, lg] : r.loggers) {
    lg->sinks() = sinks;
    apply(*lg, opts);
  }
  return {};
}

namespace {

class event_sink : public spdlog::sinks::base_sink<std::mutex> {
public:
  explicit event_sink(event_fn f) : f_(std::move(f)) { set_level(spdlog::level::warn); }

protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    auto level = spdlog::level::to_string_view(msg.level);
    f_(std::string{msg.logger_name.data(), msg.logger_name.size()},
       std::string{level.data(), level.size()},
       std::string{msg.payload.data(), msg.payload.size()});
  }
  void flush_() override {}

private:
  event_fn f_;
};

} // namespace

spdlog::sink_ptr add_event_sink(event_fn f) {
  auto sink = std::make_shared<event_sink>(std::move(f));
  auto& r = reg();
  std::lock_guard<std::mutex> guard{r.mtx};
  if (r.sinks.empty() && r.opts.console)
    r.sinks = default_sinks();
  r.sinks.push_back(sink);
  for (auto& [name, lg] : r.loggers)
    lg->sinks() = r.sinks;
  return sink;
}

void remove_event_sink(const spdlog::sink_ptr& sink) {
  auto& r = reg();
  std::lock_guard<std::mutex> guard{r.mtx};
  r.sinks.erase(std::remove(r.sinks.begin(), r.sinks.end(), sink), r.sinks.end());
  for (auto& [name, lg] : r.loggers)
    lg->sinks() = r.sinks;
}

std::shared_ptr<spdlog::logger> get(const std::string& name) {
  auto& r = reg();
  std::lock_guard<std::mutex> guard{r.mtx};
  if (auto i = r.loggers.find(name); i != r.loggers.end())
    return i->second;
  if (r.sinks.empty() && r.opts.console)
    r.sinks = default_sinks();
  auto lg = std::make_shared<spdlog::logger>(name, r.sinks.begin(), r.sinks.end());
  apply(*lg, r.opts);
  r.loggers.emplace(name, lg);
  return lg;
}

void flush_all() {
  auto& r = reg();
  std::lock_guard<std::mutex> guard{r.mtx};
  for (auto& [name, lg] : r.loggers)
    lg->flush();
}

} // namespace herald::logging
