#include "ops/metrics.hpp"

#include "ops/actor_groups.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "ops/latency.hpp"

namespace herald::ops {

namespace {

std::string number(double v) {
  if (std::isnan(v))
    return "NaN";
  if (std::isinf(v))
    return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

} // namespace

std::string prometheus_writer::escape(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

void prometheus_writer::family(const std::string& name, const std::string& type,
                               const std::string& help) {
  out_ += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

void prometheus_writer::sample(const std::string& name, const labels& l, double value) {
  out_ += name;
  if (!l.empty()) {
    out_ += '{';
    bool first = true;
    for (const auto& [k, v] : l) {
      if (!first)
        out_ += ',';
      first = false;
      out_ += k + "=\"" + escape(v) + "\"";
    }
    out_ += '}';
  }
  out_ += ' ' + number(value) + '\n';
}

void prometheus_writer::histogram(const std::string& name, const labels& l,
                                  const std::vector<std::uint64_t>& counts, double sum_seconds) {
  const auto& bounds = latency_bounds();
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < latency_buckets; ++i) {
    cumulative += i < counts.size() ? counts[i] : 0;
    auto with_le = l;
    with_le.emplace_back("le", i < bounds.size() ? number(bounds[i]) : "+Inf");
    sample(name + "_bucket", with_le, static_cast<double>(cumulative));
  }
  sample(name + "_sum", l, sum_seconds);
  sample(name + "_count", l, static_cast<double>(cumulative));
}

void http_counters::count(const std::string& route, const std::string& method, int status) {
  std::lock_guard<std::mutex> guard{mtx_};
  ++counts_[{route, method, status}];
}

std::map<std::tuple<std::string, std::string, int>, std::uint64_t> http_counters::get() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return counts_;
}

process_sample read_process_sample() {
  process_sample p;
  long ticks = sysconf(_SC_CLK_TCK);
  long page = sysconf(_SC_PAGESIZE);
  {
    std::ifstream stat{"/proc/self/stat"};
    std::string line;
    if (std::getline(stat, line)) {
      // Fields after the command name (which may hold spaces) start at ")".
      auto close = line.rfind(')');
      if (close != std::string::npos) {
        std::istringstream in{line.substr(close + 2)};
        std::vector<std::string> f;
        std::string x;
        while (in >> x)
          f.push_back(x);
        // f[0] is field 3 (state): utime=14, stime=15, num_threads=20,
        // starttime=22, vsize=23, rss=24 (1-based field numbers).
        auto field = [&](int n) -> double {
          std::size_t i = static_cast<std::size_t>(n - 3);
          return i < f.size() ? std::atof(f[i].c_str()) : 0.0;
        };
        if (ticks > 0) {
          p.cpu_seconds = (field(14) + field(15)) / static_cast<double>(ticks);
          double boot = 0;
          std::ifstream s{"/proc/stat"};
          std::string key;
          while (s >> key) {
            if (key == "btime") {
              s >> boot;
              break;
            }
            s.ignore(1 << 16, '\n');
          }
          p.start_time_seconds = boot + field(22) / static_cast<double>(ticks);
        }
        p.threads = field(20);
        p.virtual_bytes = field(23);
        p.resident_bytes = field(24) * static_cast<double>(page);
      }
    }
  }
  if (DIR* d = opendir("/proc/self/fd")) {
    double n = 0;
    while (auto* e = readdir(d))
      if (e->d_name[0] != '.')
        ++n;
    closedir(d);
    p.open_fds = n > 0 ? n - 1 : 0; // the directory stream itself
  }
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0)
    p.max_fds = static_cast<double>(lim.rlim_cur);
  return p;
}

std::string render_metrics(const snapshot& s, const http_counters& http,
                           const process_sample& p) {
  prometheus_writer w;
  using labels = prometheus_writer::labels;

  // One row per actor; beyond ops::group_above actors (thousands of
  // series) the series pools one row per kind (ops/actor_groups.hpp): the
  // label actor="analysis.series.*.momentum", counters and busy time
  // summed, the mailbox the largest, the histogram buckets summed, up = 1
  // only when every actor of the kind runs, and herald_actor_group_size /
  // _running say how many there are.
  struct row {
    const std::string* path;
    double messages, mailbox, restarts, busy, up;
    const std::vector<std::uint64_t>* buckets;
  };
  std::vector<row> rows;
  grouped_tree grouped;
  if (s.actors.size() > group_above) {
    grouped = group_series(s);
    for (auto& r : grouped.rows) {
      if (r.actor) {
        auto& a = *r.actor;
        rows.push_back({&a.path, static_cast<double>(a.messages), static_cast<double>(a.mailbox),
                        static_cast<double>(a.restarts), a.busy_seconds, a.running ? 1.0 : 0.0,
                        &a.buckets});
      } else {
        auto& g = grouped.groups[r.group];
        rows.push_back({&g.path, static_cast<double>(g.messages), static_cast<double>(g.mailbox),
                        static_cast<double>(g.restarts), g.busy_seconds,
                        g.running == g.count ? 1.0 : 0.0, &g.buckets});
      }
    }
  } else {
    for (auto& a : s.actors)
      rows.push_back({&a.path, static_cast<double>(a.messages), static_cast<double>(a.mailbox),
                      static_cast<double>(a.restarts), a.busy_seconds, a.running ? 1.0 : 0.0,
                      &a.buckets});
  }
  w.family("herald_actor_messages_processed_total", "counter",
           "Messages an actor handled (all incarnations of its path).");
  for (const auto& r : rows)
    w.sample("herald_actor_messages_processed_total", labels{{"actor", *r.path}}, r.messages);
  w.family("herald_actor_mailbox_size", "gauge",
           "Messages waiting in the actor's mailbox at its last report.");
  for (const auto& r : rows)
    w.sample("herald_actor_mailbox_size", labels{{"actor", *r.path}}, r.mailbox);
  w.family("herald_actor_processing_seconds", "histogram",
           "Time an actor spent handling one message.");
  for (const auto& r : rows)
    w.histogram("herald_actor_processing_seconds", labels{{"actor", *r.path}}, *r.buckets, r.busy);
  w.family("herald_actor_restarts_total", "counter", "Restarts of the actor by its supervisor.");
  for (const auto& r : rows)
    w.sample("herald_actor_restarts_total", labels{{"actor", *r.path}}, r.restarts);
  w.family("herald_actor_up", "gauge", "1 while the actor runs.");
  for (const auto& r : rows)
    w.sample("herald_actor_up", labels{{"actor", *r.path}}, r.up);
  if (!grouped.groups.empty()) {
    w.family("herald_actor_group_size", "gauge",
             "Actors of one kind in the series pools (shown as one row beyond 2,000 actors).");
    for (const auto& g : grouped.groups)
      w.sample("herald_actor_group_size", labels{{"actor", g.path}}, static_cast<double>(g.count));
    w.family("herald_actor_group_running", "gauge", "Of those, the actors running.");
    for (const auto& g : grouped.groups)
      w.sample("herald_actor_group_running", labels{{"actor", g.path}},
               static_cast<double>(g.running));
  }

  w.family("herald_pipeline_latency_seconds", "histogram",
           "From a candle batch reaching the analysis pipeline to its signals being released.");
  w.histogram("herald_pipeline_latency_seconds", {}, s.pipeline_latency, s.pipeline_latency_sum);

  w.family("herald_candles_ingested_total", "counter", "Candles the hub accepted, per series.");
  for (const auto& x : s.series)
    w.sample("herald_candles_ingested_total", labels{{"symbol", x.symbol}, {"interval", x.interval}},
             static_cast<double>(x.accepted));
  w.family("herald_candles_rejected_total", "counter", "Candles the hub refused, by reason.");
  for (const auto& x : s.series) {
    w.sample("herald_candles_rejected_total",
             labels{{"symbol", x.symbol}, {"interval", x.interval}, {"reason", "duplicate"}},
             static_cast<double>(x.duplicates));
    w.sample("herald_candles_rejected_total",
             labels{{"symbol", x.symbol}, {"interval", x.interval}, {"reason", "invalid"}},
             static_cast<double>(x.rejected));
  }
  w.family("herald_candle_gaps_total", "counter", "Gaps detected in a series.");
  for (const auto& x : s.series)
    w.sample("herald_candle_gaps_total", labels{{"symbol", x.symbol}, {"interval", x.interval}},
             static_cast<double>(x.gaps));

  w.family("herald_signals_total", "counter", "Signals from the analysis pipeline, by direction.");
  for (const auto& [k, v] : s.signals_by_direction)
    w.sample("herald_signals_total", labels{{"outcome", k}}, static_cast<double>(v));
  w.family("herald_insights_total", "counter", "Insights from the risk manager, by decision.");
  for (const auto& [k, v] : s.insights_by_outcome)
    w.sample("herald_insights_total", labels{{"outcome", k}}, static_cast<double>(v));

  w.family("herald_posts_total", "counter", "Content pieces by channel and result.");
  for (const auto& c : s.channels) {
    auto put = [&](const char* result, std::uint64_t v) {
      w.sample("herald_posts_total", labels{{"channel", c.channel}, {"result", result}},
               static_cast<double>(v));
    };
    put("published", c.published);
    put("failed", c.failed);
    put("pending_approval", c.pending_approval);
    put("dry_run", c.dry_run);
    put("in_doubt", c.in_doubt);
    put("refused", c.refused);
  }
  w.family("herald_posts_queued", "gauge", "Content pieces waiting in a channel's queue.");
  for (const auto& c : s.channels)
    w.sample("herald_posts_queued", labels{{"channel", c.channel}}, static_cast<double>(c.queued));

  w.family("herald_db_write_queue_depth", "gauge",
           "Records accepted by the write-behind agent and not yet written.");
  w.sample("herald_db_write_queue_depth", {}, static_cast<double>(s.db_pending));
  w.family("herald_db_records_written_total", "counter", "Records written to the database.");
  w.sample("herald_db_records_written_total", {}, static_cast<double>(s.db_written));
  w.family("herald_db_records_rejected_total", "counter", "Records the database refused for good.");
  w.sample("herald_db_records_rejected_total", {}, static_cast<double>(s.db_rejected));
  w.family("herald_db_up", "gauge", "1 while the database accepts writes.");
  w.sample("herald_db_up", {}, s.db_available ? 1 : 0);
  w.family("herald_ready", "gauge", "1 when every readiness check passes.");
  w.sample("herald_ready", {}, s.ready() ? 1 : 0);
  w.family("herald_flow_queued", "gauge",
           "What a back-pressure stage holds (hub: candles not stored; pipeline: candles in "
           "analysis; risk: records not committed).");
  for (const auto& f : s.flow)
    w.sample("herald_flow_queued", labels{{"stage", f.stage}}, static_cast<double>(f.queued));
  w.family("herald_flow_limit", "gauge", "Where a stage starts holding back the stage before it.");
  for (const auto& f : s.flow)
    w.sample("herald_flow_limit", labels{{"stage", f.stage}}, static_cast<double>(f.limit));
  w.family("herald_flow_holding_seconds", "gauge",
           "How long a stage has held back the stage before it (0: flowing).");
  for (const auto& f : s.flow)
    w.sample("herald_flow_holding_seconds", labels{{"stage", f.stage}},
             static_cast<double>(f.holding_ms) / 1000.0);
  w.family("herald_flow_holds_total", "counter",
           "Answers a stage held back because it was full (saturation events).");
  for (const auto& f : s.flow)
    w.sample("herald_flow_holds_total", labels{{"stage", f.stage}}, static_cast<double>(f.holds));

  w.family("herald_http_requests_total", "counter", "HTTP requests by route, method and status.");
  for (const auto& [key, v] : http.get())
    w.sample("herald_http_requests_total",
             labels{{"route", std::get<0>(key)}, {"method", std::get<1>(key)},
                    {"code", std::to_string(std::get<2>(key))}},
             static_cast<double>(v));

  w.family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.");
  w.sample("process_cpu_seconds_total", {}, p.cpu_seconds);
  w.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
  w.sample("process_resident_memory_bytes", {}, p.resident_bytes);
  w.family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
  w.sample("process_virtual_memory_bytes", {}, p.virtual_bytes);
  w.family("process_open_fds", "gauge", "Number of open file descriptors.");
  w.sample("process_open_fds", {}, p.open_fds);
  w.family("process_max_fds", "gauge", "Maximum number of open file descriptors.");
  w.sample("process_max_fds", {}, p.max_fds);
  w.family("process_threads", "gauge", "Number of OS threads in the process.");
  w.sample("process_threads", {}, p.threads);
  w.family("process_start_time_seconds", "gauge",
           "Start time of the process since unix epoch in seconds.");
  w.sample("process_start_time_seconds", {}, p.start_time_seconds);
  return w.text();
}

const actor_view* snapshot::find(const std::string& path) const {
  for (const auto& a : actors)
    if (a.path == path)
      return &a;
  return nullptr;
}

} // namespace herald::ops
