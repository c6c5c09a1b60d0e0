#pragma once
// Learning messages (issue 19): what the A/B agent answers the creator when
// asked which arm a unit (a piece on a channel) gets, and the run a loop
// agent (learning.tuning, learning.performance) answers the coordinator.
// No CAF header needed.

#include <string>

#include "db/storage.hpp"

namespace herald::db {

inline bool operator==(const learning_run_row& a, const learning_run_row& b) {
  return a.id == b.id && a.loop == b.loop && a.scheduled_at == b.scheduled_at
         && a.started_at == b.started_at && a.finished_at == b.finished_at
         && a.status == b.status && a.inputs_json == b.inputs_json
         && a.result_json == b.result_json;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, learning_run_row& x) {
  return f(x.id, x.loop, x.scheduled_at, x.started_at, x.finished_at, x.status, x.inputs_json,
           x.result_json);
}

} // namespace herald::db

namespace herald {

/// One experiment's decision for one unit.
struct ab_choice {
  std::string test_id;
  std::string factor; ///< template | chart | posting_hour
  std::string arm;    ///< template: the variant's name; chart: with | without; hour: "09"
};

inline bool operator==(const ab_choice& a, const ab_choice& b) {
  return a.test_id == b.test_id && a.factor == b.factor && a.arm == b.arm;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ab_choice& x) {
  return f(x.test_id, x.factor, x.arm);
}

} // namespace herald
