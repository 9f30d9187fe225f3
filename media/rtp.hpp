// RTP fixed header (RFC 3550 section 5.1) and RTCP sender report (section 6.4.1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/statusor.h"

namespace media {

inline constexpr size_t kRtpHeaderSize = 12;

struct RtpHeader {
  bool marker = false;
  uint8_t payload_type = 96;
  uint16_t sequence = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
  size_t header_size = kRtpHeaderSize;  // set by parse(): includes CSRCs and extension

  // Parses version 2 headers with CSRC list and extension; rejects anything shorter than it claims.
  static absl::StatusOr<RtpHeader> parse(std::span<const uint8_t> packet);
  // Writes the 12-byte fixed header (no CSRC, no extension) to out[0..12).
  void serialize_to(uint8_t* out) const;

  friend bool operator==(const RtpHeader& a, const RtpHeader& b) {
    return a.marker == b.marker && a.payload_type == b.payload_type && a.sequence == b.sequence &&
           a.timestamp == b.timestamp && a.ssrc == b.ssrc;
  }
};

// NTP timestamp (RFC 3550 section 4) from microseconds since the Unix epoch.
uint64_t ntp_from_unix_us(int64_t unix_us);

// A 28-byte RTCP SR with no report blocks (RFC 3550 6.4.1).
std::vector<uint8_t> make_sender_report(uint32_t ssrc, int64_t wall_clock_us, uint32_t rtp_timestamp,
                                        uint32_t packet_count, uint32_t octet_count);

}  // namespace media
