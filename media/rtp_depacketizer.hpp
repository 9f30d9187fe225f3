// Access-unit reassembly shared by the H.264 (RFC 6184) and H.265 (RFC 7798) depacketizers:
// sequence tracking, loss handling, and the timestamp and marker rules. The payload format
// supplies how a payload's NAL units are appended and whether a payload begins an access unit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace media {

// Largest access unit reassembled (Annex-B bytes); bigger units are ResourceExhausted errors.
inline constexpr size_t kMaxAccessUnitBytes = 8 * 1024 * 1024;

struct RtpAccessUnit {
  uint32_t rtp_timestamp = 0;
  std::vector<uint8_t> annex_b;  // NAL units with 4-byte start codes
  bool keyframe = false;         // contains an IDR (H.264) or IRAP (H.265) NAL unit
};

struct RtpDepacketizerStats {
  uint64_t packets = 0;
  uint64_t lost_packets = 0;   // from sequence gaps
  uint64_t dropped_units = 0;  // incomplete access units discarded
};

// The access unit being assembled, as a payload format appends to it.
struct UnitInProgress {
  std::vector<uint8_t> annex_b;
  bool keyframe = false;
  bool in_fragment = false;  // inside a fragmented NAL unit (FU-A, FU)
};

// OK when `more` bytes still fit in a unit of `current` bytes; ResourceExhausted otherwise.
absl::Status check_unit_room(size_t current, size_t more);

// What a NAL-unit payload format tells the shared appenders below.
struct NalFormat {
  const char* aggregate_name;           // "STAP-A", "AP": in error messages
  const char* fragment_name;            // "FU-A", "FU"
  size_t nal_header_size;               // 1 (H.264) or 2 (H.265); the payload header's size too
  bool (*is_key)(uint8_t nal_header0);  // an IDR (H.264) or IRAP (H.265) NAL unit
};

// Appends a single NAL unit packet's payload, which is the NAL unit (RFC 6184 5.6, RFC 7798
// 4.4.1), with a start code.
absl::Status append_single(const NalFormat& format, std::span<const uint8_t> payload,
                           UnitInProgress& unit);

// Appends the NAL units of an aggregation packet (STAP-A, RFC 6184 5.7.1; AP, RFC 7798 4.4.2)
// with start codes: after the payload header, each NAL unit behind a 16-bit size.
absl::Status append_aggregate(const NalFormat& format, std::span<const uint8_t> payload,
                              UnitInProgress& unit);

// Appends one fragment (FU-A, RFC 6184 5.8; FU, RFC 7798 4.4.3): `data` is the slice after the
// FU header. On the start fragment (S bit) `nal_header`, the reconstructed NAL unit header,
// comes first. S and E in one FU header (forbidden to senders) is taken as a whole NAL unit.
absl::Status append_fragment(const NalFormat& format, uint8_t fu_header,
                             std::span<const uint8_t> nal_header, std::span<const uint8_t> data,
                             UnitInProgress& unit);

class RtpDepacketizer {
 public:
  using AccessUnit = RtpAccessUnit;
  using Stats = RtpDepacketizerStats;
  // Largest access unit reassembled; bigger units are ResourceExhausted errors.
  static constexpr size_t kMaxAccessUnitBytes = media::kMaxAccessUnitBytes;

  // Appends the NAL units of one RTP payload to `unit`, or says why the payload is malformed.
  using AppendFn = absl::Status (*)(std::span<const uint8_t> payload, UnitInProgress& unit);
  // Whether a payload begins an access unit (used only after a sequence gap).
  using BeginsFn = bool (*)(std::span<const uint8_t> payload);

  RtpDepacketizer(AppendFn append, BeginsFn begins) : append_(append), begins_(begins) {}

  // Feeds one RTP packet (header included). Returns a completed access unit when the packet
  // carries the marker bit, or when a timestamp change closes the previous unit. Malformed
  // payloads return an error and leave the depacketizer ready for the next access unit.
  // After a sequence gap the unit in progress is dropped, and so is the next one unless the gap
  // fell on a unit boundary: the packet before it carried the marker bit and the packet after
  // it begins a unit. A sender that skips whole frames (a relay catching a slow reader up to a
  // keyframe) so loses nothing more than the frames it skipped.
  absl::StatusOr<std::optional<RtpAccessUnit>> feed(std::span<const uint8_t> packet);

  const RtpDepacketizerStats& stats() const { return stats_; }

 private:
  std::optional<RtpAccessUnit> finish();

  AppendFn append_;
  BeginsFn begins_;
  RtpDepacketizerStats stats_;
  std::optional<uint16_t> last_sequence_;
  std::optional<uint32_t> current_timestamp_;
  UnitInProgress unit_;
  bool broken_ = false;
  bool last_marker_ = false;  // the previous packet ended an access unit
};

}  // namespace media
