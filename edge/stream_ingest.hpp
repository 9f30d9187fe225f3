// StreamIngest: the ingest-thread state of one stream. Turns origin Frames into RTP packets once
// per stream, keeps RTP sequence numbers and timestamps continuous across origin restarts, and
// drops dependent frames after a gap in the origin's sequence numbers until the next keyframe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "edge/stream_event.hpp"
#include "media/frame.hpp"
#include "media/rtp_h264.hpp"
#include "proto/media.pb.h"

namespace edge {

struct IngestStats {
  uint64_t frames = 0;           // frames received from the origin
  uint64_t gaps = 0;             // sequence gaps (lost ZeroMQ messages)
  uint64_t lost_frames = 0;      // frames missing in those gaps
  uint64_t dropped_frames = 0;   // frames not forwarded while waiting for a keyframe
  uint64_t epoch_changes = 0;    // origin restarts seen
  uint64_t duplicates = 0;       // frames already forwarded (catch-up overlap), ignored
};

class StreamIngest {
 public:
  // `ssrc` and `initial_sequence` are chosen once per stream (random in production).
  StreamIngest(std::string stream, uint32_t ssrc, uint16_t initial_sequence, uint32_t initial_rtp_timestamp);

  // Handles one frame. Appends at most one Frame event and at most one Description event
  // (before the frame) to `out`. Ingest thread only.
  void on_frame(const media::Frame& frame, std::vector<StreamEvent>& out);
  // Handles StreamInfo; appends a Description event when the description changed and a Down
  // event when the origin reports the source down.
  void on_info(const rs::media::StreamInfo& info, std::vector<StreamEvent>& out);

  const IngestStats& stats() const { return stats_; }
  // True until a keyframe arrives after the start, a gap or an origin restart.
  bool waiting_for_keyframe() const { return waiting_for_keyframe_; }
  const std::string& stream() const { return stream_; }

 private:
  bool accept_sequence(const media::Frame& frame);
  uint32_t rtp_timestamp_for(const media::Frame& frame);
  void update_description_from_keyframe(const media::Frame& frame, std::vector<StreamEvent>& out);
  void publish_description(TrackDescription track, std::vector<StreamEvent>& out);

  std::string stream_;
  media::RtpH264Packetizer packetizer_;
  IngestStats stats_;
  std::optional<uint64_t> epoch_;
  std::optional<uint64_t> last_sequence_;
  bool waiting_for_keyframe_ = true;
  // RTP timestamp = pts + offset_; re-based on an origin restart so readers see no jump back.
  int64_t rtp_offset_ = 0;
  std::optional<uint32_t> last_rtp_timestamp_;
  std::optional<int64_t> last_capture_time_us_;
  uint32_t initial_rtp_timestamp_;
  StreamDescriptionPtr description_;
};

}  // namespace edge
