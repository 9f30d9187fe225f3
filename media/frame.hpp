// Frame: one immutable, refcounted access unit as it travels from the wire into the edge.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace media {

enum class Codec { Unknown, H264, H265, Aac, Opus, Pcmu, Pcma };

// An encoded access unit. Immutable after construction; share it as FramePtr.
// The payload bytes are owned by `owner` (a ZeroMQ message, a vector, ...), never copied.
struct Frame {
  std::string stream;
  uint32_t track = 0;
  Codec codec = Codec::Unknown;
  uint64_t sequence = 0;
  int64_t pts_90k = 0;
  int64_t dts_90k = 0;
  bool keyframe = false;
  int64_t capture_time_us = 0;
  int64_t publish_time_us = 0;  // origin's wall clock when it sent the frame (0: not sent)
  uint64_t origin_epoch = 0;
  int64_t received_monotonic_us = 0;  // when this process received it (steady clock)
  std::span<const uint8_t> payload;   // Annex-B access unit for video
  std::shared_ptr<const void> owner;  // keeps `payload` alive
};

using FramePtr = std::shared_ptr<const Frame>;

}  // namespace media
