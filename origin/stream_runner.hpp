// StreamRunner: one stream of the origin, on its own thread. It opens the source, publishes its
// access units on one continuous timeline, and when the source is lost reconnects with
// exponential backoff and full jitter, publishing StreamInfo state=DOWN once a second meanwhile.
// After every (re)connection video starts at a keyframe carrying its parameter sets; sequence
// numbers (per track) and timestamps continue across sessions (docs/origin.md).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "cluster/backoff.hpp"
#include "cluster/delay_histogram.hpp"
#include "origin/frame_sink.hpp"
#include "origin/parameter_sets.hpp"
#include "origin/source.hpp"
#include "origin/source_factory.hpp"
#include "origin/timeline.hpp"

namespace origin {

struct StreamRunnerStats {
  std::array<uint64_t, 2> frames{};  // published, per track
  uint64_t bytes = 0;
  uint64_t sessions = 0;              // successful connections
  uint64_t failed_attempts = 0;       // connection attempts that failed
  uint64_t waiting_for_keyframe = 0;  // video units dropped until the session's first keyframe
  uint64_t out_of_order = 0;          // units whose timestamp did not advance
  uint64_t parameter_sets_added = 0;  // keyframes that got cached SPS/PPS(/VPS) in front
  uint64_t corrupt_skipped = 0;       // from finished sessions
};

// What /metrics reads while the runner runs: written by the runner's thread, read by any
// (relaxed atomics). docs/metrics.md, "Origin".
struct StreamRunnerMetrics {
  std::atomic<bool> source_up{false};         // a session is open and past its keyframe
  std::atomic<uint64_t> units_in{0};          // units the source delivered
  std::atomic<uint64_t> frames_published{0};  // video and audio
  std::atomic<uint64_t> bytes_published{0};
  std::atomic<uint64_t> reconnects{0};               // open attempts after the first
  std::atomic<uint64_t> failed_attempts{0};          // open attempts that failed
  std::atomic<uint64_t> dropped_before_keyframe{0};  // video units before a session's keyframe
  cluster::DelayHistogram encode_time;               // our encoder, per frame (encoded sources)
};

// A random nonzero 64-bit number identifying this run of the origin (FrameHeader.origin_epoch).
uint64_t make_origin_epoch();

class StreamRunner {
 public:
  // `sink` must outlive the runner. `opener` opens one session of the source.
  StreamRunner(StreamSettings settings, FrameSink* sink, uint64_t origin_epoch,
               SourceOpener opener = open_source);

  // Runs until `stop` becomes true (checked at least every 50 ms while waiting; blocking source
  // reads are interrupted through the same flag). Thread: the caller's, for the whole run.
  void run(const std::atomic<bool>& stop);

  const StreamRunnerStats& stats() const { return stats_; }  // the runner's thread only
  const StreamRunnerMetrics& metrics() const { return metrics_; }
  const std::string& stream() const { return settings_.stream; }

 private:
  absl::Status run_session(Source& source, const std::atomic<bool>& stop);
  void begin_session(const Source& source);
  bool admit_video(SourceUnit& unit);
  bool admit(SourceUnit& unit, const Source& source);
  void pace(const SourceUnit& unit, const MappedTime& time, const std::atomic<bool>& stop);
  void publish(SourceUnit& unit, const MappedTime& time);
  void wait_down(std::chrono::milliseconds delay, const std::atomic<bool>& stop,
                 std::string reason);
  // Sets the StreamInfo state (LIVE or DOWN with a reason) and when it began.
  void set_live(bool live, std::string reason);
  void publish_info(bool force);
  rs::media::StreamInfo build_info() const;
  void maybe_log_stats(const Source* source);

  StreamSettings settings_;
  FrameSink* sink_;
  uint64_t origin_epoch_;
  SourceOpener opener_;
  cluster::Backoff backoff_;
  Timeline timeline_;
  std::optional<ParameterSetCache> parameter_sets_;
  std::vector<TrackDesc> tracks_;
  bool live_ = false;                       // state LIVE (else DOWN) in StreamInfo
  int64_t state_since_us_ = 0;              // wall clock when `live_` last changed
  std::string state_reason_;                // why the stream is DOWN
  std::optional<PublisherInfo> publisher_;  // a pushed stream's current publisher
  bool waiting_for_keyframe_ = true;
  bool session_published_ = false;
  bool info_changed_ = false;
  std::array<uint64_t, 2> next_sequence_{};
  int64_t next_info_us_ = 0;               // monotonic
  std::optional<int64_t> pace_anchor_us_;  // monotonic time of the anchor unit
  int64_t pace_anchor_media_us_ = 0;       // its published dts in µs
  StreamRunnerStats stats_;
  StreamRunnerMetrics metrics_;
  StreamRunnerStats logged_stats_;
  int64_t logged_at_us_ = 0;
};

}  // namespace origin
