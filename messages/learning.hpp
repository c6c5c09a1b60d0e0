#pragma once
// Learning messages (issue 19): what the A/B agent answers the creator when
// asked which arm a unit (a piece on a channel) gets. No CAF header needed.

#include <string>

namespace herald {

/// One experiment's decision for one unit.
struct ab_choice {
  std::string test_id;
  std::string factor; ///< template | chart
  std::string arm;    ///< template: the variant's name; chart: with | without
};

inline bool operator==(const ab_choice& a, const ab_choice& b) {
  return a.test_id == b.test_id && a.factor == b.factor && a.arm == b.arm;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ab_choice& x) {
  return f(x.test_id, x.factor, x.arm);
}

} // namespace herald
