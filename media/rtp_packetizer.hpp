// RtpPacketizer: one packetizer for any codec we carry (H.264, H.265, AAC, Opus, G.711), so the
// edge can treat tracks alike. Output is media::PacketizedFrame, made once per frame and shared.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "absl/status/statusor.h"
#include "media/frame.hpp"
#include "media/packetized_frame.hpp"
#include "media/rtp_stream.hpp"

namespace media {

struct RtpPacketizerConfig {
  Codec codec = Codec::H264;
  RtpStreamConfig stream;  // payload_type is ignored for G.711 (static 0 / 8)
};

class RtpPacketizer {
 public:
  virtual ~RtpPacketizer() = default;
  // Errors for codecs we do not carry, before any packetizing.
  static absl::StatusOr<std::unique_ptr<RtpPacketizer>> create(const RtpPacketizerConfig& config);

  // Packetizes one access unit (Annex-B for video, raw frame for audio) at `rtp_timestamp`.
  virtual absl::StatusOr<PacketizedFrame> packetize(std::span<const uint8_t> payload,
                                                    uint32_t rtp_timestamp, bool keyframe) = 0;
  virtual uint32_t ssrc() const = 0;
};

// RTP clock rate of a codec (RFC 3551 / RFC 7587 / RFC 6184 / RFC 7798): 90000 for video,
// 8000 for G.711, 48000 for Opus; AAC uses its sampling rate (0 here: ask the track).
uint32_t default_clock_rate(Codec codec);
bool is_video(Codec codec);

}  // namespace media
