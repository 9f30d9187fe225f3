// EdgeSelector (edge_selector.hpp).
#include "client/edge_selector.hpp"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "base/lookup.hpp"
#include "base/strings.hpp"
#include "cluster/coordinator_client.hpp"
#include "cluster/stream_health.hpp"

namespace client {

constexpr base::Row<PlayEnd, const char*> kPlayEndNames[] = {{PlayEnd::Stopped, "stopped"},
                                                             {PlayEnd::Stalled, "stalled"},
                                                             {PlayEnd::Error, "error"},
                                                             {PlayEnd::NotFound, "not found"},
                                                             {PlayEnd::Rejected, "rejected"}};

const char* to_string(PlayEnd end) {
  return base::lookup(kPlayEndNames, end, "?");
}

EdgeSelector::EdgeSelector(SelectorOptions options)
    : options_(std::move(options)),
      backoff_(options_.backoff, options_.seed),
      live_backoff_(
          {options_.backoff.initial, std::min(options_.backoff.max, options_.live_backoff_max)},
          options_.seed + 1) {}

cluster::Backoff& EdgeSelector::backoff() {
  return stream_status_.health() == rs::cluster::STREAM_HEALTH_LIVE ? live_backoff_ : backoff_;
}

std::vector<std::string> EdgeSelector::excluded(SteadyTime now) {
  std::erase_if(exclusions_, [&](const Exclusion& e) { return e.until <= now; });
  std::vector<std::string> names;
  for (const auto& e : exclusions_) names.push_back(e.edge);
  return names;
}

Step EdgeSelector::exit(int code, std::string message) const {
  Step s;
  s.kind = Step::Kind::Exit;
  s.exit_code = code;
  s.message = std::move(message);
  return s;
}

std::string EdgeSelector::backoff_text(std::chrono::milliseconds delay,
                                       std::chrono::milliseconds cap) const {
  return base::cat("in ", delay.count(), " ms (attempt ", failures_ + 1, ", backoff cap ",
                   cap.count(), " ms)");
}

Step EdgeSelector::ask(std::chrono::milliseconds delay, SteadyTime now, std::string message) {
  Step s;
  s.kind = Step::Kind::AskCoordinator;
  s.delay = delay;
  s.excluded = excluded(now);
  s.message = std::move(message);
  asked_with_exclusions_ = !s.excluded.empty();
  return s;
}

Step EdgeSelector::start(SteadyTime now) {
  if (direct()) {
    current_url_ = options_.direct_url;
    Step s;
    s.kind = Step::Kind::Play;
    s.url = options_.direct_url;
    s.message = base::cat("playing ", options_.direct_url, " (direct)");
    return s;
  }
  return ask(std::chrono::milliseconds(0), now,
             base::cat("asking coordinator ", options_.coordinator, " for stream \"",
                       options_.stream, "\""));
}

Step EdgeSelector::next_alternate(const std::string& why) {
  const Choice alt = alternates_.front();
  alternates_.erase(alternates_.begin());
  current_edge_ = alt.edge;
  current_url_ = alt.url;
  Step s;
  s.kind = Step::Kind::Play;
  s.url = alt.url;
  s.edge = alt.edge;
  s.message = base::cat(why, "; trying alternate ", alt.edge, " ", alt.url);
  return s;
}

Step EdgeSelector::on_assigned(const absl::StatusOr<rs::cluster::AssignReply>& reply,
                               SteadyTime now, bool reached) {
  if (reply.ok()) {
    ever_assigned_ = true;
    current_edge_ = reply->edge();
    current_url_ = reply->url();
    stream_status_ = reply->stream_status();
    const auto ex = excluded(now);
    alternates_.clear();
    std::vector<std::string> names;
    for (const auto& a : reply->alternates()) {
      if (std::find(ex.begin(), ex.end(), a.edge()) != ex.end() || a.edge() == reply->edge()) {
        continue;
      }
      alternates_.push_back({a.edge(), a.url()});
      names.push_back(a.edge());
    }
    Step s;
    s.kind = Step::Kind::Play;
    s.url = reply->url();
    s.edge = reply->edge();
    s.message = base::cat("coordinator assigned ", reply->edge(), " ", reply->url(),
                          " (alternates: ", names.empty() ? "none" : absl::StrJoin(names, ","),
                          ", ttl ", reply->ttl_ms(), " ms; stream ",
                          cluster::format_stream_state(reply->stream_status()), ")");
    return s;
  }
  const absl::Status& st = reply.status();
  const std::string what = base::cat(absl::StatusCodeToString(st.code()), ": ", st.message());
  if (st.code() == absl::StatusCode::kNotFound && !ever_played_) {
    return exit(kExitNotFound, base::cat("stream \"", options_.stream,
                                         "\" is unknown to the coordinator (", what, ")"));
  }
  if (st.code() != absl::StatusCode::kNotFound && !cluster::is_retryable(st.code())) {
    return exit(kExitNotFound, base::cat("coordinator ", options_.coordinator,
                                         " refused the request (", what, ")"));
  }
  if (!alternates_.empty()) {
    return next_alternate(
        base::cat("coordinator ", options_.coordinator, " did not answer (", what, ")"));
  }
  if (!ever_assigned_ && failures_ + 1 >= options_.connect_retries) {
    const bool silent = st.code() == absl::StatusCode::kDeadlineExceeded ||
                        absl::StrContains(st.message(), "failed to connect");
    return exit(kExitUnreachable,
                base::cat(silent ? "coordinator unreachable: " : "no edge: ", "gave up on ",
                          options_.coordinator, " for stream \"", options_.stream, "\" after ",
                          failures_ + 1, " attempts (last: ", what, ")"));
  }
  if (!reached) return wait_for_coordinator(what, now);
  if (st.code() == absl::StatusCode::kUnavailable && asked_with_exclusions_) {
    // Every edge the client could get is one it excluded: backing off would leave the viewer
    // black although the edges may be fine (a fault upstream of all of them looks the same from
    // here). Forget the exclusions and ask again at once; if that fails too, back off.
    exclusions_.clear();
    return ask(std::chrono::milliseconds(0), now,
               base::cat("coordinator ", options_.coordinator, ": ", what,
                         "; forgetting the excluded edges and asking again"));
  }
  return retry_after_failure(base::cat("coordinator ", options_.coordinator, ": ", what), now);
}

Step EdgeSelector::wait_for_coordinator(const std::string& what, SteadyTime now) {
  Step s = ask(std::chrono::milliseconds(0), now, "");
  s.message = base::cat("coordinator ", options_.coordinator, " unreachable on attempt ",
                        failures_ + 1, " (", what,
                        "); asking again at once, the connection retries with jittered backoff");
  ++failures_;
  return s;
}

Step EdgeSelector::retry_after_failure(const std::string& what, SteadyTime now) {
  cluster::Backoff& b = backoff();
  const std::chrono::milliseconds cap = b.cap();
  const std::chrono::milliseconds delay = b.next();
  Step s;
  if (direct()) {
    s.kind = Step::Kind::Play;
    s.delay = delay;
    s.url = options_.direct_url;
    s.message =
        base::cat(what, "; reconnecting to ", options_.direct_url, " ", backoff_text(delay, cap));
  } else {
    s = ask(delay, now, "");
    s.message =
        base::cat(what, "; asking coordinator again", s.excluded.empty() ? "" : " excluding ",
                  absl::StrJoin(s.excluded, ","), " ", backoff_text(delay, cap));
  }
  ++failures_;
  return s;
}

void EdgeSelector::on_first_frame() {
  ever_played_ = true;
  failures_ = 0;
  backoff_.reset();
  live_backoff_.reset();
}

Step EdgeSelector::on_play_ended(const PlayOutcome& outcome, SteadyTime now) {
  if (outcome.got_frames) on_first_frame();
  if (outcome.end == PlayEnd::Stopped) return exit(kExitOk, "");
  const std::string where = direct() ? current_url_ : base::cat(current_edge_, " ", current_url_);
  const std::string what = base::cat(where, " ", to_string(outcome.end), " (", outcome.detail, ")");
  if (direct()) {
    const bool fatal = outcome.end == PlayEnd::NotFound || outcome.end == PlayEnd::Rejected;
    if (fatal && !ever_played_) return exit(kExitNotFound, what);
    if (!ever_played_ && failures_ + 1 >= options_.connect_retries) {
      return exit(kExitUnreachable,
                  base::cat(what, "; giving up after ", failures_ + 1, " attempts"));
    }
    return retry_after_failure(what, now);
  }
  if (!current_edge_.empty()) {
    std::erase_if(exclusions_, [&](const Exclusion& e) { return e.edge == current_edge_; });
    exclusions_.push_back({current_edge_, now + options_.exclude_for});
    std::erase_if(alternates_, [&](const Choice& c) { return c.edge == current_edge_; });
  }
  return retry_after_failure(what, now);
}

}  // namespace client
