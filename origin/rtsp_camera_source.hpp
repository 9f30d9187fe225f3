// RtspCameraSource: an IP camera (or any RTSP server) read with our own RTSP client
// (receiver::RtspReceiver, ADR 013). H.264/H.265 video passes through byte for byte as Annex-B
// access units handed over the moment their last packet arrives (no demuxer waits for the next
// frame); AAC, Opus and G.711 audio become track 1. Cameras whose video we do not depacketize
// (MJPEG, ...) and --transcode use AvSource (libavformat) instead: open_rtsp_camera_source()
// says Unimplemented.
// A camera silent for StreamSettings::read_timeout is declared lost.
#pragma once

#include <atomic>
#include <memory>

#include "origin/source.hpp"
#include "receiver/rtsp_receiver.hpp"

namespace origin {

absl::StatusOr<std::unique_ptr<Source>> open_rtsp_camera_source(const StreamSettings& settings,
                                                                const std::atomic<bool>& stop);

// The camera's RTSP session, opened and playing (with "auto", UDP after a 461 over TCP).
absl::StatusOr<std::unique_ptr<receiver::RtspReceiver>> open_camera_receiver(
    const StreamSettings& settings, const std::atomic<bool>& stop);

}  // namespace origin
