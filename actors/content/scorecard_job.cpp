// The scorecard job (see actors/content/content.hpp): one brief, then quit.
#include "actors/content/content.hpp"

#include <caf/all.hpp>

#include "learning/scorecard.hpp"

namespace herald::content_actors {

namespace {

scorecard_job_actor::behavior_type scorecard_job_impl(scorecard_job_actor::pointer self,
                                                      std::shared_ptr<const content_options> o) {
  return {
    [self, o](content_brief& b) -> caf::result<std::int32_t, content_brief, std::string> {
      self->quit();
      if (!o->storage)
        return caf::make_error(caf::sec::runtime_error, "a scorecard needs the database");
      learning::scorecard_options so;
      so.horizon = o->scorecard_horizon;
      so.call_threshold = o->scorecard_threshold;
      std::string why;
      try {
        auto step = learning::fill_scorecard(*o->storage, b, so, &why);
        return caf::result<std::int32_t, content_brief, std::string>(
          static_cast<std::int32_t>(step), std::move(b), std::move(why));
      } catch (const std::exception& e) {
        return caf::make_error(caf::sec::runtime_error, e.what());
      }
    },
  };
}

} // namespace

scorecard_job_actor spawn_scorecard_job(caf::local_actor* parent,
                                        std::shared_ptr<const content_options> o) {
  return parent->spawn<caf::detached>(scorecard_job_impl, std::move(o));
}

} // namespace herald::content_actors
