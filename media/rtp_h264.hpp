// H.264 over RTP, RFC 6184: packetization mode 1 (single NAL unit, STAP-A, FU-A) and the
// matching depacketizer used by tests, the benchmark client and fuzzing.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "media/packetized_frame.hpp"
#include "media/rtp.hpp"
#include "media/rtp_depacketizer.hpp"

namespace media {

inline constexpr size_t kDefaultRtpMaxPacketSize = 1400;  // RTP header + payload, fits 1500 MTU

class RtpH264Packetizer {
 public:
  struct Config {
    uint8_t payload_type = 96;
    uint32_t ssrc = 0;
    uint16_t initial_sequence = 0;
    size_t max_packet_size = kDefaultRtpMaxPacketSize;  // >= 64
    uint8_t interleaved_channel = 0;
  };
  explicit RtpH264Packetizer(Config config);

  // Packetizes one Annex-B access unit into RTP packets with one timestamp (RFC 6184 5.1):
  // consecutive small NAL units are aggregated in STAP-A (5.7.1), a NAL unit that does not fit
  // is fragmented in FU-A (5.8), others go as single NAL unit packets (5.6). Access unit
  // delimiters and filler data are dropped. The marker bit is set on the last packet.
  // Sequence numbers continue from the previous call (wrapping at 65535).
  PacketizedFrame packetize(std::span<const uint8_t> annex_b, uint32_t rtp_timestamp,
                            bool keyframe);

  uint16_t next_sequence() const { return next_sequence_; }
  uint32_t ssrc() const { return config_.ssrc; }

 private:
  Config config_;
  uint16_t next_sequence_;
};

// Reassembles access units from RTP packets (in order; a gap drops the unit in progress and
// waits for the next access unit start; see RtpDepacketizer). IDR slices make a keyframe.
class RtpH264Depacketizer {
 public:
  using AccessUnit = RtpAccessUnit;
  using Stats = RtpDepacketizerStats;

  RtpH264Depacketizer();
  // RtpDepacketizer::feed: one RTP packet (header included) in, a completed unit out when one
  // ends; malformed payloads are errors that leave it ready for the next unit.
  absl::StatusOr<std::optional<AccessUnit>> feed(std::span<const uint8_t> packet) {
    return assembler_.feed(packet);
  }
  const Stats& stats() const { return assembler_.stats(); }

 private:
  RtpDepacketizer assembler_;
};

}  // namespace media
