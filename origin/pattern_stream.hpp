// PatternStream: the origin's one stream loop for the built-in test pattern. On a steady-clock
// schedule it renders a frame, encodes it once, adds the capture-time SEI and publishes the
// access unit; it publishes StreamInfo once a second and whenever it changes.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "origin/h264_encoder.hpp"
#include "origin/test_pattern.hpp"
#include "proto/media.pb.h"
#include "relay/frame_publisher.hpp"

namespace origin {

struct PatternStreamConfig {
  std::string stream = "cam1";
  EncoderConfig encoder;
  uint64_t origin_epoch = 1;  // nonzero; see make_origin_epoch()
  std::chrono::milliseconds info_interval{1000};
  std::chrono::milliseconds stats_interval{10000};
};

struct PatternStreamStats {
  uint64_t frames = 0;    // access units published
  uint64_t skipped = 0;   // schedule slots skipped because the loop ran late
  uint64_t bytes = 0;     // payload bytes published
  int64_t encode_us = 0;  // total time spent rendering + encoding
};

// A random nonzero 64-bit number identifying this run of the origin.
uint64_t make_origin_epoch();

// Lives on the thread that calls run(); `publisher` must outlive it and is used only there.
class PatternStream {
 public:
  static absl::StatusOr<std::unique_ptr<PatternStream>> create(const PatternStreamConfig& config,
                                                               relay::FramePublisher* publisher);

  // Produces frames until `stop` becomes true (checked at least every 50 ms), then flushes the
  // encoder. Returns an error when encoding or publishing fails.
  absl::Status run(const std::atomic<bool>& stop);

  const PatternStreamStats& stats() const { return stats_; }

 private:
  PatternStream(const PatternStreamConfig& config, relay::FramePublisher* publisher,
                std::unique_ptr<H264Encoder> encoder);
  absl::Status produce(int64_t frame_index);
  absl::Status publish_unit(EncodedUnit& unit);
  bool update_track_info(const EncodedUnit& unit);
  absl::Status maybe_publish_info(bool force);
  void maybe_log_stats();

  PatternStreamConfig config_;
  relay::FramePublisher* publisher_;
  std::unique_ptr<H264Encoder> encoder_;
  TestPattern pattern_;
  std::deque<std::pair<int64_t, int64_t>> capture_times_;  // (pts in frames, capture µs)
  rs::media::StreamInfo info_;
  bool have_info_ = false;
  uint64_t next_sequence_ = 0;
  int64_t next_info_us_ = 0;  // monotonic
  PatternStreamStats stats_;
  PatternStreamStats logged_stats_;  // at the previous stats line
  int64_t logged_at_us_ = 0;         // monotonic
};

}  // namespace origin
