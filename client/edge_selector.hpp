// EdgeSelector: the client's failover policy, as pure logic. It decides what to do next (ask the
// coordinator, play a URL, or exit) from what happened (an assignment answer, a playback that
// ended), with exponential backoff and full jitter between retries and a list of excluded edges.
// No I/O, no clocks, no logging: the caller passes the time and executes (and logs) each Step.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cluster/backoff.hpp"
#include "proto/cluster.pb.h"

namespace client {

using SteadyTime = std::chrono::steady_clock::time_point;

// Exit codes of rtsp-client (docs/client.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitNoFrames = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitNotFound = 3;     // unknown stream, bad URL, DESCRIBE 404, refused
inline constexpr int kExitUnreachable = 4;  // coordinator or URL unreachable at start

// How one playback ended.
enum class PlayEnd {
  Stopped,   // user quit, --duration or --frames reached, signal
  Stalled,   // no packet within the stall timeout
  Error,     // connection refused or closed, read or decode error
  NotFound,  // the server answered DESCRIBE with 404
  Rejected,  // the server refused for good (401/403/400) or the URL is unusable
};
const char* to_string(PlayEnd end);

struct PlayOutcome {
  PlayEnd end = PlayEnd::Error;
  bool got_frames = false;  // at least one frame was decoded in this playback
  std::string detail;       // human-readable reason
};

struct Step {
  enum class Kind { AskCoordinator, Play, Exit };
  Kind kind = Kind::Exit;
  std::chrono::milliseconds delay{0};  // wait this long first (backoff); 0 = now
  std::vector<std::string> excluded;   // AskCoordinator: edges to exclude
  std::string url;                     // Play
  std::string edge;                    // Play: edge name ("" in direct mode)
  int exit_code = 0;                   // Exit
  std::string message;                 // one log line describing the step ("" = nothing to log)
};

struct SelectorOptions {
  std::string stream;      // coordinator mode: the stream to ask for
  std::string direct_url;  // direct mode when set: play this URL, no coordinator
  std::string coordinator;
  int connect_retries = 5;  // attempts before giving up when nothing ever played
  cluster::BackoffOptions backoff{std::chrono::milliseconds(250), std::chrono::milliseconds(8000)};
  // While the coordinator says the stream is live somewhere, retries stay under this cap: the
  // stream is one working edge away.
  std::chrono::milliseconds live_backoff_max{1000};
  std::chrono::milliseconds exclude_for{std::chrono::seconds(10)};  // a failed edge stays excluded
  uint64_t seed = 1;                                                // backoff jitter
};

// Not thread-safe: one owner (the client's playback thread).
class EdgeSelector {
 public:
  explicit EdgeSelector(SelectorOptions options);

  // The first step.
  Step start(SteadyTime now);
  // After an AskCoordinator step: the coordinator's answer. `reached` is false when the request
  // never got to the coordinator (the channel was not connected for the whole attempt): the
  // channel's own jittered reconnect backoff is spacing the attempts, so the next one goes at
  // once (adding a second backoff would only delay a client after the coordinator is back).
  Step on_assigned(const absl::StatusOr<rs::cluster::AssignReply>& reply, SteadyTime now,
                   bool reached = true);
  // A playback decoded its first frame: the next failure starts the backoff from the beginning.
  void on_first_frame();
  // After a Play step: how it ended.
  Step on_play_ended(const PlayOutcome& outcome, SteadyTime now);

  bool direct() const { return !options_.direct_url.empty(); }
  // The stream's cluster-wide health from the coordinator's last answer (UNSPECIFIED before).
  const rs::cluster::StreamStatus& stream_status() const { return stream_status_; }
  // Edges currently excluded (expired ones pruned at `now`).
  std::vector<std::string> excluded(SteadyTime now);
  int failures() const { return failures_; }

 private:
  Step ask(std::chrono::milliseconds delay, SteadyTime now, std::string message);
  Step retry_after_failure(const std::string& what, SteadyTime now);
  Step wait_for_coordinator(const std::string& what, SteadyTime now);
  // The retry backoff: capped at live_backoff_max while the stream is live somewhere.
  cluster::Backoff& backoff();
  Step next_alternate(const std::string& why);
  Step exit(int code, std::string message) const;
  // "in 123 ms (attempt 2, backoff cap 500 ms)"
  std::string backoff_text(std::chrono::milliseconds delay, std::chrono::milliseconds cap) const;

  struct Exclusion {
    std::string edge;
    SteadyTime until;
  };
  struct Choice {
    std::string edge;
    std::string url;
  };
  SelectorOptions options_;
  cluster::Backoff backoff_;
  cluster::Backoff live_backoff_;
  rs::cluster::StreamStatus stream_status_;
  bool asked_with_exclusions_ = false;  // the last AskCoordinator step excluded edges
  std::vector<Exclusion> exclusions_;
  std::vector<Choice> alternates_;  // from the last answer, best first, not yet tried
  std::string current_edge_;
  std::string current_url_;
  bool ever_assigned_ = false;
  bool ever_played_ = false;
  int failures_ = 0;  // consecutive failed steps since the last frame
};

}  // namespace client
