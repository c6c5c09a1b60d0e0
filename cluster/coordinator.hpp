#pragma once
// One node's part in coordinating the cluster through PostgreSQL (issue 16),
// run by the membership thread after every renewal (and at once after a
// node was lost):
// - it takes or renews the leases its roles want: `coordinator` (every
//   node), `analysis` (analysis nodes: the pipeline and the risk manager run
//   where it is held) and `publisher` (content nodes), each with a fencing
//   epoch that grows with every new holder;
// - as coordinator it plans the series placement over the analysis nodes
//   that are up in its view and renewing in the database (plan_moves), and
//   writes the moves fenced by its epoch, with a deployment log row;
// - it reads the assignments into the board.
// No CAF; errors are db::storage_error (the membership thread logs them).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cluster/board.hpp"
#include "cluster/placement.hpp"
#include "cluster/view.hpp"
#include "db/storage.hpp"

namespace herald::cluster {

struct coordination_options {
  std::string node;
  std::vector<std::string> roles;
  std::chrono::milliseconds lease_ttl{5000};
  placement_options placement;
  /// Moves towards a joined node happen at most once per this interval (a
  /// lost node's series move at every step).
  std::chrono::milliseconds rebalance_interval{5000};
  /// Which stored (symbol, interval) series are analysed (empty: all), and
  /// their ids (required: the pipeline's, analysis::series_id).
  std::function<bool(const std::string& symbol, const std::string& interval)> tracked;
  std::function<std::string(const std::string& symbol, const std::string& interval)> series_id;
};

/// The leases a node with `roles` takes part in.
std::vector<std::string> wanted_leases(const std::vector<std::string>& roles);

class coordinator {
public:
  using record_fn = std::function<void(const std::string& event, const std::string& details)>;

  coordinator(std::shared_ptr<db::storage> store, std::shared_ptr<const view> v,
              std::shared_ptr<board> b, coordination_options o, record_fn record);

  /// One step: leases, planning (when coordinator), assignments read.
  void step();
  /// Gives up every lease this node holds (an orderly stop).
  void release_all();

  /// The analysis nodes a coordinator places series on right now.
  std::vector<std::string> live_analysis_nodes();

private:
  void leases();
  /// Plans and writes the moves over `current` (read this step); returns
  /// the assignments as they stand after the write.
  std::vector<assignment> plan(std::int64_t epoch, std::vector<assignment> current);

  std::shared_ptr<db::storage> store_;
  std::shared_ptr<const view> view_;
  std::shared_ptr<board> board_;
  coordination_options o_;
  record_fn record_;
  std::vector<std::string> wanted_;
  board::clock::time_point last_rebalance_{};
};

} // namespace herald::cluster
