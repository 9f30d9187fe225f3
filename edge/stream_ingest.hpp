// StreamIngest: the ingest-thread state of one stream. Turns origin Frames into RTP packets once
// per stream and track, keeps each track's RTP sequence numbers and timestamps continuous across
// origin restarts, and drops dependent frames after a gap in the origin's sequence numbers until
// the next video keyframe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "edge/stream_event.hpp"
#include "media/frame.hpp"
#include "media/rtp_packetizer.hpp"
#include "proto/media.pb.h"

namespace edge {

struct IngestStats {
  uint64_t frames = 0;          // frames received from the origin
  uint64_t gaps = 0;            // sequence gaps (lost ZeroMQ messages)
  uint64_t lost_frames = 0;     // frames missing in those gaps
  uint64_t dropped_frames = 0;  // frames not forwarded while waiting for a keyframe
  uint64_t epoch_changes = 0;   // origin restarts seen
  uint64_t duplicates = 0;      // frames already forwarded (catch-up overlap), ignored
  uint64_t codec_changes = 0;   // the video codec changed: readers are closed
};

class StreamIngest {
 public:
  // `ssrc`, `initial_sequence` and `initial_rtp_timestamp` seed track 0 (random in production);
  // other tracks derive theirs from them.
  StreamIngest(std::string stream, uint32_t ssrc, uint16_t initial_sequence,
               uint32_t initial_rtp_timestamp);

  // Handles one frame. Appends at most one Description event and one Frame event to `out`.
  // Ingest thread only.
  void on_frame(const media::Frame& frame, std::vector<StreamEvent>& out);
  // Handles StreamInfo: a Description when it changed, a Down event when the source is down.
  void on_info(const rs::media::StreamInfo& info, std::vector<StreamEvent>& out);

  const IngestStats& stats() const { return stats_; }
  // The edge unsubscribed: forget the origin's position so the next subscription starts like the
  // first (catch-up, no false gap). RTP timelines continue.
  void reset_position();
  const std::string& stream() const { return stream_; }
  // True until a video keyframe arrives after the start, a gap or an origin restart.
  bool waiting_for_keyframe() const { return waiting_for_keyframe_; }
  // True when `frame` can only be dropped now: a video delta frame while waiting for a keyframe,
  // or the first frames of a restarted origin (new epoch) that are not a keyframe.
  bool must_wait(const media::Frame& frame) const {
    return frame.track == 0 && !frame.keyframe &&
           (waiting_for_keyframe_ || epoch_ != frame.origin_epoch);
  }

 private:
  struct Track {
    media::Codec codec = media::Codec::Unknown;
    uint32_t clock_rate = 90000;
    uint32_t ssrc = 0;
    std::unique_ptr<media::RtpPacketizer> packetizer;
    uint16_t next_sequence = 0;              // carried over when the packetizer is replaced
    std::optional<uint64_t> last_sequence;   // highest seen (gap detection)
    std::optional<uint64_t> last_forwarded;  // highest forwarded (duplicate detection)
    int64_t rtp_offset = 0;
    std::optional<uint32_t> last_rtp_timestamp;
    std::optional<int64_t> last_capture_time_us;
    uint32_t initial_rtp_timestamp = 0;
  };

  Track& track(uint32_t id);
  bool accept_sequence(Track& track, const media::Frame& frame);
  void on_epoch(const media::Frame& frame);
  uint32_t rtp_timestamp_for(Track& track, const media::Frame& frame);
  bool ensure_packetizer(Track& track, uint32_t id, media::Codec codec);
  void update_from_keyframe(const media::Frame& frame, std::vector<StreamEvent>& out);
  void publish(StreamDescription next, std::vector<StreamEvent>& out);

  std::string stream_;
  uint32_t seed_ssrc_;
  uint16_t seed_sequence_;
  uint32_t seed_timestamp_;
  absl::flat_hash_map<uint32_t, Track> tracks_;
  IngestStats stats_;
  std::optional<uint64_t> epoch_;
  bool waiting_for_keyframe_ = true;
  StreamDescriptionPtr description_;
};

}  // namespace edge
