// StallPolicy (stall_policy.hpp).
#include "client/stall_policy.hpp"

#include <algorithm>

#include "base/strings.hpp"
#include "cluster/stream_health.hpp"

namespace client {

StallDecision StallPolicy::failover(std::string reason) {
  waits_ = 0;
  live_answers_ = 0;
  offline_ = false;
  StallDecision d;
  d.kind = StallDecision::Kind::Failover;
  d.reason = std::move(reason);
  return d;
}

StallDecision StallPolicy::wait(bool offline, std::string reason) {
  // Capped doubling: 250, 500, 1000, 1000, ... ms.
  auto delay = options_.recheck_initial;
  for (int i = 0; i < waits_ && delay < options_.recheck_max; ++i) delay *= 2;
  ++waits_;
  offline_ = offline_ || offline;
  StallDecision d;
  d.kind = StallDecision::Kind::Wait;
  d.recheck_in = std::min(delay, options_.recheck_max);
  d.source_offline = offline;
  d.reason = std::move(reason);
  return d;
}

StallDecision StallPolicy::on_answer(const EdgeAnswer& answer) {
  switch (answer.reply) {
    case EdgeReply::NoAnswer:
      return failover(base::cat("the edge did not answer the stream_state query",
                                answer.detail.empty() ? "" : " (", answer.detail,
                                answer.detail.empty() ? "" : ")"));
    case EdgeReply::Closed:
      return failover(base::cat("the connection to the edge ended (", answer.detail, ")"));
    case EdgeReply::Refused:
      return failover(base::cat("the edge cannot tell the stream's state (", answer.detail, ")"));
    case EdgeReply::Answered:
      break;
  }
  if (answer.draining) return failover("the edge is draining");
  if (!answer.stream) return failover("the edge answered without a usable stream_state");
  const rs::cluster::StreamHealth health = answer.stream->health();
  const std::string state = cluster::format_stream_state(*answer.stream);
  if (cluster::upstream_fault(health)) {
    live_answers_ = 0;
    return wait(true, base::cat("source offline - waiting (edge says ", state, ")"));
  }
  if (health == rs::cluster::STREAM_HEALTH_SWITCHING) {
    live_answers_ = 0;
    return wait(false, base::cat("the edge is switching to a standby origin (", state, ")"));
  }
  if (health == rs::cluster::STREAM_HEALTH_LIVE &&
      live_answers_ < options_.live_answers_tolerated) {
    ++live_answers_;
    return wait(false,
                base::cat("the edge says the stream is live (", state, "); checking once more"));
  }
  if (health == rs::cluster::STREAM_HEALTH_LIVE) {
    return failover(base::cat("the edge says the stream is live but sends nothing (", state, ")"));
  }
  return failover(base::cat("the edge says ", state));
}

void StallPolicy::on_media() {
  waits_ = 0;
  live_answers_ = 0;
  offline_ = false;
}

}  // namespace client
