// StallPolicy: what the player does when its edge goes quiet, as pure logic (docs/client.md,
// "Stalls"). The player asks the edge on the open session (GET_PARAMETER stream_state,
// edge_state) and hands the answer here:
//   * the edge answers and says the upstream is down (source down at the origin, origin silent,
//     stream starting) -> stay connected, show "source offline - waiting", ask again after a
//     short capped backoff, and play the moment frames come back: no coordinator call, no hop;
//   * the edge does not answer, closes, refuses the query, is draining, or says the fault is its
//     own (edge-local) -> fail over;
//   * the edge says the stream is live but nothing arrives -> one more check, then fail over.
// No I/O, no clocks, no logging.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "proto/cluster.pb.h"

namespace client {

enum class EdgeReply {
  NoAnswer,  // no response within the query timeout
  Closed,    // the connection closed or failed
  Refused,   // an error status (451, 501, 454, ...): the edge cannot tell
  Answered,  // 200 with text/parameters
};

struct EdgeAnswer {
  EdgeReply reply = EdgeReply::NoAnswer;
  std::optional<rs::cluster::StreamStatus> stream;  // parsed stream_state, when answered
  bool draining = false;                            // edge_state: draining
  std::string detail;                               // e.g. "451 Parameter Not Understood"
};

struct StallDecision {
  enum class Kind { Wait, Failover };
  Kind kind = Kind::Failover;
  std::chrono::milliseconds recheck_in{0};  // Wait: ask again after this long without media
  bool source_offline = false;              // Wait: the upstream is down (overlay, JSON event)
  std::string reason;                       // one line: logs, overlay, JSON event
};

struct StallPolicyOptions {
  std::chrono::milliseconds recheck_initial{250};
  std::chrono::milliseconds recheck_max{1000};  // the cap: a returning source is seen
                                                // within a second even if media were missed
  int live_answers_tolerated = 1;               // "live" with no media: checks before failover
};

// Not thread-safe: one owner (the playback thread).
class StallPolicy {
 public:
  explicit StallPolicy(StallPolicyOptions options = {}) : options_(options) {}

  // The edge's answer to a stall query; what to do next.
  StallDecision on_answer(const EdgeAnswer& answer);
  // Media flows again: the next stall starts from the beginning.
  void on_media();
  // True between a Wait with source_offline and the next on_media().
  bool source_offline() const { return offline_; }

 private:
  StallDecision failover(std::string reason);
  StallDecision wait(bool offline, std::string reason);

  StallPolicyOptions options_;
  int waits_ = 0;         // consecutive waits since media last flowed
  int live_answers_ = 0;  // consecutive "live" answers without media
  bool offline_ = false;
};

}  // namespace client
