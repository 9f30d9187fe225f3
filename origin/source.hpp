// Source: where one stream's access units come from (a camera, a file, the test pattern, a
// webcam). A Source is one session: it is opened, read until it fails, then destroyed; the
// StreamRunner reconnects by opening a new one. One thread only.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "origin/stream_settings.hpp"
#include "proto/media.pb.h"

namespace origin {

inline constexpr uint32_t kVideoTrack = 0;
inline constexpr uint32_t kAudioTrack = 1;
inline constexpr uint32_t kVideoClockRate = 90'000;

// What StreamInfo.tracks[] says about one track.
struct TrackDesc {
  uint32_t track = kVideoTrack;
  rs::media::Codec codec = rs::media::CODEC_UNSPECIFIED;
  uint32_t clock_rate = kVideoClockRate;  // audio: the sample rate (Opus: 48000)
  uint32_t width = 0;
  uint32_t height = 0;
  double fps = 0;
  uint64_t bitrate_bps = 0;
  uint32_t gop_frames = 0;
  uint32_t channels = 0;
  std::string audio_config;  // AAC AudioSpecificConfig
  friend bool operator==(const TrackDesc&, const TrackDesc&) = default;
};

// The video track our H.264 encoder makes with `e` (test pattern, webcam, transcoded sources).
inline TrackDesc encoded_video_track(const EncoderConfig& e) {
  return TrackDesc{.codec = rs::media::CODEC_H264,
                   .width = static_cast<uint32_t>(e.width),
                   .height = static_cast<uint32_t>(e.height),
                   .fps = static_cast<double>(e.fps),
                   .bitrate_bps = static_cast<uint64_t>(e.bitrate_bps),
                   .gop_frames = static_cast<uint32_t>(e.gop_frames)};
}

struct SourceUnit {
  uint32_t track = kVideoTrack;
  std::shared_ptr<std::vector<uint8_t>> data;  // video: Annex-B access unit
  int64_t pts = 0;                             // source time, track clock
  int64_t dts = 0;
  int64_t capture_time_us = 0;  // wall clock: capture (encoded here) or receipt (pass-through)
  bool encoded_here = false;    // our encoder made it: the runner adds the capture-time SEI
  int64_t encode_us = 0;    // encoded here: how long our encoder took (rs_origin_encode_seconds)
  bool loop_point = false;  // first unit after a file loop: the timeline starts a segment
  bool keyframe = false;    // video: set by the StreamRunner from the NAL unit types
};

// Who pushes a published stream (SourceKind::Publish).
struct PublisherInfo {
  std::string protocol;  // "rtsp", "rtmp", "srt"
  std::string address;   // the publisher's "host:port"
  int64_t since_us = 0;  // wall clock, when it connected
};

class Source {
 public:
  virtual ~Source() = default;
  // Blocks until the next unit. An error ends the session; its message is the reason logged
  // ("404 not found: ...", "timeout: ...", "EOF: ...").
  virtual absl::StatusOr<SourceUnit> read() = 0;
  // Track 0 is video; track 1, when present, audio. May change while reading (e.g. the AAC
  // config becomes known with the first audio packet).
  virtual std::vector<TrackDesc> tracks() const = 0;
  // Files are paced by their timestamps; live sources come at their own pace.
  virtual bool paced_by_timestamps() const { return false; }
  // Corrupt packets skipped so far in this session.
  virtual uint64_t corrupt_skipped() const { return 0; }
  // Parameter sets the source announced out of band (RTSP sprop-parameter-sets), Annex-B; used
  // when a camera does not repeat them in front of its keyframes.
  virtual std::vector<uint8_t> announced_parameter_sets() const { return {}; }
  // A pushed stream's publisher (StreamInfo.publisher_*); nullptr for sources we pull.
  virtual const PublisherInfo* publisher() const { return nullptr; }
};

// Opens a session of the stream's source; `stop` interrupts blocking calls.
using SourceOpener = std::function<absl::StatusOr<std::unique_ptr<Source>>(
    const StreamSettings& settings, const std::atomic<bool>& stop)>;

}  // namespace origin
