#include "actors/analysis/worker.hpp"
#include "actors/ops/instrumented.hpp"

#include <chrono>
#include <deque>
#include <set>

#include <caf/all.hpp>

#include "actors/data/hub.hpp"
#include "io/logging.hpp"
#include "messages/errors.hpp"

namespace herald::analysis_actors {

namespace {

struct worker_state {
  static inline const char* name = "herald.analyzer";
  worker_options o;
  std::shared_ptr<supervision::agent_directory> dir;
  std::shared_ptr<spdlog::logger> log;
  std::unique_ptr<analysis::analyzer> a;
  bool rebuilt = false;
  std::vector<analysis::result> buf;
  std::set<std::string> seen_news; ///< article ids already counted
  std::deque<std::string> seen_order;

  void news(const db::news_article& n) {
    if (o.k != analysis::kind::news_sentiment || !seen_news.insert(n.id).second)
      return;
    seen_order.push_back(n.id);
    if (seen_order.size() > 100'000) {
      seen_news.erase(seen_order.front());
      seen_order.pop_front();
    }
    static_cast<analysis::news_sentiment*>(a.get())->on_news(n.published_at, n.sentiment);
  }

  /// Results kept between jobs: live jobs hold a candle or a few; a larger
  /// job (a replay, a backtest) borrows more and gives it back, so a
  /// series does not keep a replay-sized buffer for life (issue 20: it was
  /// 1,024 results, 216 KiB, per analyzer actor).
  static constexpr std::size_t kept_results = 64;
  void give_back() {
    if (buf.capacity() > kept_results) {
      buf.resize(kept_results);
      buf.shrink_to_fit();
    }
  }

  void replay(const std::vector<candle>& history) {
    buf.resize(std::max<std::size_t>(buf.size(), kept_results));
    for (std::size_t i = 0; i < history.size(); i += buf.size())
      a->on_candles(history.data() + i, std::min(buf.size(), history.size() - i), buf.data());
  }

  analysis_reply run(const analysis_job& job) {
    for (auto& n : job.news)
      news(n);
    analysis_reply r;
    r.seq = job.seq;
    r.epoch = job.epoch;
    r.analyzer = static_cast<std::uint8_t>(o.k);
    auto n = job.candles.size();
    if (buf.size() < n)
      buf.resize(n);
    if (n == 1)
      buf[0] = a->on_candle(job.candles[0]); // timed on its own
    else
      a->on_candles(job.candles.data(), n, buf.data());
    r.results.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      auto& x = buf[i];
      analyzer_output out;
      out.time = x.candle_time;
      out.score = x.score;
      out.confidence = x.confidence;
      out.duration_ns = x.duration_ns;
      if (x.text)
        out.label = x.text;
      if (job.want_payload)
        out.payload = x.payload_json();
      r.results.push_back(std::move(out));
    }
    give_back();
    return r;
  }
};

analyzer_actor::behavior_type worker_impl(ops::instrumented_stateful<analyzer_actor, worker_state>* self,
                                          worker_options o,
                                          std::shared_ptr<supervision::agent_directory> dir) {
  auto& st = self->state;
  st.a = analysis::make_analyzer(o.k, o.opts);
  st.o = std::move(o);
  st.dir = std::move(dir);
  st.log = logging::get("analysis.worker");
  return {
    // const: the job message is shared by all analyzers of the series, and a
    // mutable reference would make CAF copy it (copy on write).
    [self](const analysis_job& job) -> caf::result<analysis_reply> {
      auto& st = self->state;
      if (st.o.stall.count() > 0) { // fault injection: answer late
        auto rp = self->make_response_promise<analysis_reply>();
        auto reply = st.run(job);
        auto stall = st.o.stall;
        self->spawn([rp, reply, stall](caf::event_based_actor* h) mutable -> caf::behavior {
          h->delayed_send(h, stall, caf::tick_atom::value);
          return {[h, rp, reply](caf::tick_atom) mutable {
            rp.deliver(reply);
            h->quit();
          }};
        });
        return rp;
      }
      if (job.fresh && st.rebuilt) {
        // The pipeline rewound: these candles may be analysed already.
        // Start over from the hub's window, as a new incarnation would.
        st.a = analysis::make_analyzer(st.o.k, st.o.opts);
        st.seen_news.clear();
        st.seen_order.clear();
        st.rebuilt = false;
      }
      if (st.rebuilt || job.candles.empty())
        return st.run(job);
      st.rebuilt = true;
      auto hub = caf::actor_cast<data::hub_actor>(st.dir->find("data.hub"));
      if (!hub) { // restarting: the pipeline asks again shortly
        st.rebuilt = false;
        return make_error(herald_errc::not_ready, "no hub to rebuild from");
      }
      // Rebuild before answering; `await` holds back every other message
      // (later jobs) until the history is in.
      auto rp = self->make_response_promise<analysis_reply>();
      auto before = job.candles.front().open_time;
      auto with_candles = [self, hub, before, rp, job]() mutable {
        auto& st = self->state;
        self->request(hub, std::chrono::seconds{10}, caf::get_atom::value, st.o.symbol,
                      st.o.interval, st.o.rebuild_candles, before)
          .await(
            [self, rp, job](std::vector<candle>& history) mutable {
              auto& st = self->state;
              st.replay(history);
              if (!history.empty())
                st.log->debug("{}.{}: state rebuilt from {} candles", st.o.symbol,
                              analysis::kind_name(st.o.k), history.size());
              rp.deliver(st.run(job));
            },
            [self, rp, job](caf::error& err) mutable {
              auto& st = self->state;
              // The hub restarted and has not caught up to this job yet, or
              // died meanwhile: the pipeline asks again shortly (it gives up
              // after analysis.restart-wait); rebuild then. Never cold: a
              // state without its history would change the signals.
              st.rebuilt = false;
              st.log->debug("{} {}: no history from the hub yet ({}); the pipeline asks again",
                            st.o.symbol, analysis::kind_name(st.o.k), caf::to_string(err));
              if (err.category() == caf::atom("herald"))
                rp.deliver(std::move(err));
              else
                rp.deliver(make_error(herald_errc::not_ready, caf::to_string(err)));
            });
      };
      if (st.o.k != analysis::kind::news_sentiment) {
        with_candles();
        return rp;
      }
      self->request(hub, std::chrono::seconds{10}, caf::get_atom::value, news_atom::value,
                    st.o.symbol)
        .await(
          [self, with_candles](std::vector<db::news_article>& articles) mutable {
            for (auto& a : articles)
              self->state.news(a);
            with_candles();
          },
          [with_candles](caf::error&) mutable { with_candles(); });
      return rp;
    },
  };
}

} // namespace

worker_options worker_for(analysis::kind k, std::string symbol, std::string interval,
                          const analysis::analyzer_options& opts, std::uint32_t rebuild_candles) {
  worker_options w;
  w.k = k;
  w.symbol = std::move(symbol);
  w.interval = std::move(interval);
  w.opts = opts;
  w.rebuild_candles = rebuild_candles;
  return w;
}

analyzer_actor spawn_worker(caf::local_actor* parent, worker_options o,
                            std::shared_ptr<supervision::agent_directory> dir) {
  return parent->spawn(worker_impl, std::move(o), std::move(dir));
}

} // namespace herald::analysis_actors
