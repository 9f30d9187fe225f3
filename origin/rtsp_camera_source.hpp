// RtspCameraSource: an IP camera (or any RTSP server) read with our own RTSP client
// (receiver::RtspReceiver, ADR 013). H.264/H.265 video passes through byte for byte as Annex-B
// access units handed over the moment their last packet arrives (no demuxer waits for the next
// frame); AAC, Opus and G.711 audio become track 1. Cameras whose video we do not depacketize
// (MJPEG, ...) and --transcode use AvSource (libavformat) instead: open() says Unimplemented.
// A camera silent for StreamSettings::read_timeout is declared lost.
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <optional>

#include "origin/source.hpp"
#include "receiver/rtsp_receiver.hpp"

namespace origin {

class RtspCameraSource final : public Source {
 public:
  // Connects and plays. Errors: Unimplemented when the camera has no H.264/H.265 video (use
  // AvSource), otherwise the camera's answer or the network error, in words.
  static absl::StatusOr<std::unique_ptr<Source>> open(const StreamSettings& settings,
                                                      const std::atomic<bool>& stop);

  absl::StatusOr<SourceUnit> read() override;
  std::vector<TrackDesc> tracks() const override { return tracks_; }
  uint64_t corrupt_skipped() const override;
  std::vector<uint8_t> announced_parameter_sets() const override { return announced_; }

 private:
  RtspCameraSource(const StreamSettings& settings, const std::atomic<bool>& stop)
      : settings_(settings), stop_(stop) {}
  absl::Status describe_tracks();
  void on_unit(receiver::MediaUnit&& unit);

  StreamSettings settings_;
  const std::atomic<bool>& stop_;
  std::unique_ptr<receiver::RtspReceiver> receiver_;
  std::vector<TrackDesc> tracks_;
  std::optional<size_t> video_;  // session track index of our track 0
  std::optional<size_t> audio_;  // ... of our track 1
  std::vector<uint8_t> announced_;
  std::deque<SourceUnit> ready_;
  int64_t last_media_us_ = 0;
};

// Opens the receiver for `settings` (TCP, UDP or multicast; auto: TCP, then UDP when the camera
// refuses interleaved transport with 461).
absl::StatusOr<std::unique_ptr<receiver::RtspReceiver>> open_camera_receiver(
    const StreamSettings& settings, const std::atomic<bool>& stop);

}  // namespace origin
