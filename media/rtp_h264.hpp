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

namespace media {

inline constexpr size_t kDefaultRtpMaxPacketSize = 1400;  // RTP header + payload, fits 1500 MTU
// Largest access unit the depacketizer reassembles (Annex-B bytes); bigger units are errors.
inline constexpr size_t kMaxAccessUnitBytes = 8 * 1024 * 1024;

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
// waits for the next access unit start).
class RtpH264Depacketizer {
 public:
  struct AccessUnit {
    uint32_t rtp_timestamp = 0;
    std::vector<uint8_t> annex_b;  // NAL units with 4-byte start codes
    bool keyframe = false;         // contains an IDR slice
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
  // fell on a unit boundary: the packet before it carried the marker bit and the packet after
  // it begins a unit (an AUD, SEI or parameter set, or the first slice of a picture). A sender
  // that skips whole frames (a relay catching a slow reader up to a keyframe) loses nothing
  // more than the frames it skipped.
  absl::StatusOr<std::optional<AccessUnit>> feed(std::span<const uint8_t> packet);

  const Stats& stats() const { return stats_; }

 private:
  std::optional<AccessUnit> finish();
  absl::Status append_payload(std::span<const uint8_t> payload);

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
