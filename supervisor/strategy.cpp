#include "supervisor/strategy.hpp"

namespace herald::supervision {

const char* to_string(strategy s) {
  switch (s) {
    case strategy::one_for_one: return "one_for_one";
    case strategy::one_for_all: return "one_for_all";
    case strategy::rest_for_one: return "rest_for_one";
    case strategy::simple_one_for_one: return "simple_one_for_one";
  }
  return "?";
}

const char* to_string(restart_type r) {
  switch (r) {
    case restart_type::permanent: return "permanent";
    case restart_type::transient: return "transient";
    case restart_type::temporary: return "temporary";
  }
  return "?";
}

restart_decision decide(strategy s, const std::vector<child_view>& children,
                        std::size_t failed, bool abnormal) {
  restart_decision d;
  const auto& f = children.at(failed);
  bool restart = f.restart == restart_type::permanent
                 || (f.restart == restart_type::transient && abnormal);
  if (!restart) {
    // Temporary children and pool members leave for good; a transient child
    // that finished normally keeps its spec but stays down.
    if (f.restart == restart_type::temporary || s == strategy::simple_one_for_one)
      d.to_remove.push_back(f.name);
    return d;
  }
  d.restart = true;
  std::size_t first = failed; // first index of the group that restarts
  std::size_t last = failed;  // last index (inclusive)
  if (s == strategy::one_for_all) {
    first = 0;
    last = children.size() - 1;
  } else if (s == strategy::rest_for_one) {
    last = children.size() - 1;
  }
  for (std::size_t i = last + 1; i-- > first;) {
    if (i == failed)
      continue;
    const auto& c = children[i];
    if (c.running)
      d.to_stop.push_back(c.name);
    if (c.restart == restart_type::temporary)
      d.to_remove.push_back(c.name);
  }
  for (std::size_t i = first; i <= last; ++i)
    if (i == failed || children[i].restart != restart_type::temporary)
      d.to_start.push_back(children[i].name);
  return d;
}

} // namespace herald::supervision
