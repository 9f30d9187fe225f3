// FrameRecorder: subscribes to an origin's stream with relay::FrameSubscriber (as an edge would)
// on its own thread and records every frame and StreamInfo, for the origin's tests. A recorder
// whose subscription missed the start of the first GOP takes that GOP through the origin's
// catch-up endpoint, as an edge does.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "proto/media.pb.h"
#include "relay/frame_subscriber.hpp"

namespace rstest {

struct RecordedFrame {
  uint32_t track = 0;
  rs::media::Codec codec = rs::media::CODEC_UNSPECIFIED;
  uint64_t sequence = 0;
  int64_t pts = 0;
  int64_t dts = 0;
  bool keyframe = false;
  int64_t capture_time_us = 0;
  int64_t received_us = 0;  // monotonic, here
  std::vector<uint8_t> payload;
};

struct Recording {
  std::vector<RecordedFrame> frames;
  std::vector<rs::media::StreamInfo> infos;
  std::vector<RecordedFrame> track(uint32_t t) const;
};

// The NAL units of `frames`' payloads (Annex-B), in order.
std::vector<std::vector<uint8_t>> published_nals(const std::vector<RecordedFrame>& frames);

// Whether `published` (what a recorder that may have joined late got) stands in `reference` in
// order and without gaps. Parameter sets (and some SEI) repeat identically every GOP, so it
// aligns on the first published NAL unit that occurs exactly once in the reference.
::testing::AssertionResult contiguous_in_reference(
    const std::vector<std::vector<uint8_t>>& published,
    const std::vector<std::vector<uint8_t>>& reference);

class FrameRecorder {
 public:
  // Connects to `endpoint` and subscribes to `stream`. nullptr and *error on failure.
  static std::unique_ptr<FrameRecorder> start(const std::string& endpoint,
                                              const std::string& stream, std::string* error);
  ~FrameRecorder();

  Recording snapshot() const;
  // Polls until `done(snapshot)` holds; false on timeout.
  bool wait_until(const std::function<bool(const Recording&)>& done,
                  std::chrono::milliseconds timeout) const;

 private:
  FrameRecorder() = default;
  void run(std::string endpoint, std::string stream);
  void record(const relay::Received& message, bool after_catchup);

  mutable std::mutex mu_;
  Recording recording_;
  std::atomic<bool> stop_{false};
  std::atomic<int> ready_{0};  // 1 subscribed, -1 failed
  std::string error_;
  std::thread thread_;
};

}  // namespace rstest
