#pragma once
// The instrumentation every Herald actor is built with: a mixin over the
// actor's base class (`instrumented<typed_event_based_actor<...>>`) that
// overrides CAF's per-message entry point `consume`, so it sees every
// message the actor handles - behaviour messages, responses, system
// messages - without any code in the handlers:
//  - counts messages and their processing time (ops/latency.hpp buckets);
//  - at most once per stats interval (after a message; an idle actor has
//    nothing new to say) reports them, with its own mailbox length (only
//    the actor itself may read it), to the actor registered as "inspector"
//    in the actor system's registry (nothing is sent when none is);
//  - `pause_atom` makes the actor hold its ordinary messages (requests and
//    sends; responses and system messages still run) until `resume_atom`,
//    when they are put back into its mailbox in their order, senders and
//    request ids intact.
// Counting is switched off by herald_system_config::actor_stats = false (the
// benchmark measures the cost both ways); pause/resume work either way.
//
// Use: declare the behaviour function with `instrumented_stateful<Handle,
// State>* self` (or `instrumented_pointer<Handle>`) instead of the handle's
// own `stateful_pointer<State>` / `pointer`; spawn it as before.

#include <chrono>
#include <cstdint>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/stateful_actor.hpp>

#include "messages/type_ids.hpp"
#include "ops/latency.hpp"

namespace herald::ops {

struct stats_settings {
  bool enabled = true;
  std::chrono::milliseconds interval{1000};
};

/// The settings of `sys` (herald_system_config; defaults for other configs).
stats_settings stats_settings_of(const caf::actor_system& sys);

/// The name the inspector registers under in the actor registry.
caf::atom_value inspector_key();

/// Sends `report` to the registered inspector, if there is one.
void send_stats(caf::actor_system& sys, actor_stats&& report);

/// Messages that a paused actor still handles (exits, downs, timeouts,
/// errors, CAF's system queries, responses).
bool runs_while_paused(const caf::mailbox_element& x);


template <class Base>
class instrumented : public Base {
public:
  using Base::Base;

  caf::invoke_message_result consume(caf::mailbox_element& x) override {
    auto& content = x.content();
    if (content.size() == 1 && content.match_element<caf::atom_value>(0)) {
      auto a = content.get_as<caf::atom_value>(0);
      if (a == pause_atom::value) {
        paused_ = true;
        report_now(); // a paused actor may handle nothing more to report with
        return caf::invoke_message_result::consumed;
      }
      if (a == resume_atom::value) {
        resume();
        report_now();
        return caf::invoke_message_result::consumed;
      }
    }
    if (!started_) {
      started_ = true;
      settings_ = stats_settings_of(this->home_system());
    }
    if (paused_ && !runs_while_paused(x)) {
      held_.push_back(caf::make_mailbox_element(std::move(x.sender), x.mid, std::move(x.stages),
                                                x.move_content_to_message()));
      return caf::invoke_message_result::consumed;
    }
    if (!settings_.enabled)
      return Base::consume(x);
    auto t0 = std::chrono::steady_clock::now();
    auto result = Base::consume(x);
    auto t1 = std::chrono::steady_clock::now();
    hist_.observe(static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count()));
    // Reports ride on the messages themselves (no timer: a timer message
    // would keep an otherwise unreferenced actor alive): once per interval,
    // and once more when a mailbox that was not empty has drained, so an
    // actor that goes idle does not leave a stale mailbox size behind.
    if (t1 >= next_report_)
      report(t1);
    else if (last_mailbox_ > 0 && this->mailbox().size() + held_.size() == 0)
      report(t1);
    return result;
  }

private:
  void report_now() {
    if (!started_) {
      started_ = true;
      settings_ = stats_settings_of(this->home_system());
    }
    if (settings_.enabled)
      report(std::chrono::steady_clock::now());
  }

  void report(std::chrono::steady_clock::time_point now) {
    next_report_ = now + settings_.interval;
    actor_stats st;
    st.actor_id = this->id();
    st.messages = hist_.total;
    st.busy_ns = hist_.sum_ns;
    st.mailbox = this->mailbox().size() + held_.size();
    last_mailbox_ = st.mailbox;
    st.buckets.assign(hist_.counts.begin(), hist_.counts.end());
    st.paused = paused_;
    send_stats(this->home_system(), std::move(st));
  }

  void resume() {
    paused_ = false;
    auto held = std::move(held_);
    held_.clear();
    for (auto& m : held)
      this->enqueue(std::move(m), this->context());
  }

  bool started_ = false;
  bool paused_ = false;
  std::uint64_t last_mailbox_ = 0;
  std::chrono::steady_clock::time_point next_report_{};
  stats_settings settings_;
  latency_histogram hist_;
  std::vector<caf::mailbox_element_ptr> held_;
};

/// `self` type of an instrumented stateful actor with interface `Handle`.
template <class Handle, class State>
using instrumented_stateful = caf::stateful_actor<State, instrumented<typename Handle::base>>;

/// `self` type of an instrumented stateless typed actor.
template <class Handle>
using instrumented_pointer = instrumented<typename Handle::base>*;

} // namespace herald::ops
