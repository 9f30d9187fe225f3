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
// waits for the next access unit start). Rejects PACI packets and the unspecified types 51..63.
class RtpH265Depacketizer {
 public:
  // Largest access unit reassembled (Annex-B bytes); bigger units are ResourceExhausted errors.
  static constexpr size_t kMaxAccessUnitBytes = media::kMaxAccessUnitBytes;

  struct AccessUnit {
    uint32_t rtp_timestamp = 0;
    std::vector<uint8_t> annex_b;  // NAL units with 4-byte start codes
    bool keyframe = false;         // contains an IRAP NAL unit (types 16..23)
  };
  struct Stats {
    uint64_t packets = 0;
    uint64_t lost_packets = 0;   // from sequence gaps
    uint64_t dropped_units = 0;  // incomplete access units discarded
  };

  // Feeds one RTP packet (header included). Returns a completed access unit when the packet
  // carries the marker bit, or when a timestamp change closes the previous unit. Malformed
  // payloads return an error and leave the depacketizer ready for the next access unit.
  // After a sequence gap the unit in progress is dropped, and so is the next one unless the gap
  // fell on a unit boundary (marker before it; AUD, parameter set, prefix SEI or the first slice
  // segment of a picture after it), as in RtpH264Depacketizer.
  absl::StatusOr<std::optional<AccessUnit>> feed(std::span<const uint8_t> packet);

  const Stats& stats() const { return stats_; }

 private:
  std::optional<AccessUnit> finish();
  absl::Status append_payload(std::span<const uint8_t> payload);
  absl::Status append_fu(std::span<const uint8_t> payload);

  Stats stats_;
  std::optional<uint16_t> last_sequence_;
  std::optional<uint32_t> current_timestamp_;
  std::vector<uint8_t> current_;
  bool current_keyframe_ = false;
  bool in_fragment_ = false;
  bool broken_ = false;
  bool last_marker_ = false;  // the previous packet ended an access unit
};

}  // namespace media
