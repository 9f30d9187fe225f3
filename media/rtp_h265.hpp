// H.265 over RTP, RFC 7798: single NAL unit packets (4.4.1), aggregation packets (4.4.2) and
// fragmentation units (4.4.3) without DONL (sprop-max-don-diff = 0), and the matching
// depacketizer used by tests, the benchmark client and fuzzing.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "media/packetized_frame.hpp"
#include "media/rtp.hpp"
#include "media/rtp_h264.hpp"  // kDefaultRtpMaxPacketSize, kMaxAccessUnitBytes

namespace media {

class RtpH265Packetizer {
 public:
  struct Config {
    uint8_t payload_type = 96;
    uint32_t ssrc = 0;
    uint16_t initial_sequence = 0;
    size_t max_packet_size = kDefaultRtpMaxPacketSize;  // RTP header + payload; clamped to >= 64
    uint8_t interleaved_channel = 0;
  };
  explicit RtpH265Packetizer(Config config);

  // Packetizes one Annex-B access unit into RTP packets with one timestamp (RFC 7798 4.1):
  // consecutive small NAL units are aggregated in APs (4.4.2), a NAL unit that does not fit is
  // fragmented in FUs (4.4.3), others go as single NAL unit packets (4.4.1). Access unit
  // delimiters, filler data, unspecified types 48..63 and NAL units shorter than the 2-byte
  // header are dropped. The
  // marker bit is set on the last packet. Sequence numbers continue from the previous call
  // (wrapping at 65535). Pure: no I/O; not thread-safe (one owner).
  PacketizedFrame packetize(std::span<const uint8_t> annex_b, uint32_t rtp_timestamp,
                            bool keyframe);

  uint16_t next_sequence() const { return next_sequence_; }
  uint32_t ssrc() const { return config_.ssrc; }

 private:
  Config config_;
  uint16_t next_sequence_;
};

// Reassembles access units from RTP packets (in order; a gap drops the unit in progress and
// waits for the next access unit start; see RtpDepacketizer). IRAP NAL units (types 16..23)
// make a keyframe. Rejects PACI packets and the unspecified types 51..63.
class RtpH265Depacketizer {
 public:
  // Largest access unit reassembled (Annex-B bytes); bigger units are ResourceExhausted errors.
  static constexpr size_t kMaxAccessUnitBytes = media::kMaxAccessUnitBytes;
  using AccessUnit = RtpAccessUnit;
  using Stats = RtpDepacketizerStats;

  RtpH265Depacketizer();
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
