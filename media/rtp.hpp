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
  size_t padding_size = 0;              // set by parse(): trailing padding, count byte included

  // Parses version 2 headers with CSRC list and extension; rejects anything shorter than it claims.
  static absl::StatusOr<RtpHeader> parse(std::span<const uint8_t> packet);
  // Writes the 12-byte fixed header (no CSRC, no extension) to out[0..12).
  void serialize_to(uint8_t* out) const;
  // The payload of `packet`, the packet parse() read this header from: after the header,
  // before the padding.
  std::span<const uint8_t> payload(std::span<const uint8_t> packet) const {
    return packet.subspan(header_size, packet.size() - header_size - padding_size);
  }

  friend bool operator==(const RtpHeader& a, const RtpHeader& b) {
    return a.marker == b.marker && a.payload_type == b.payload_type && a.sequence == b.sequence &&
           a.timestamp == b.timestamp && a.ssrc == b.ssrc;
  }
};

// NTP timestamp (RFC 3550 section 4) from microseconds since the Unix epoch.
uint64_t ntp_from_unix_us(int64_t unix_us);

// A 28-byte RTCP SR with no report blocks (RFC 3550 6.4.1).
std::vector<uint8_t> make_sender_report(uint32_t ssrc, int64_t wall_clock_us,
                                        uint32_t rtp_timestamp, uint32_t packet_count,
                                        uint32_t octet_count);

// One report block of an RTCP RR or SR (RFC 3550 6.4.1/6.4.2): what a receiver saw of `ssrc`.
struct ReportBlock {
  uint32_t reporter_ssrc = 0;
  uint32_t ssrc = 0;
  uint8_t fraction_lost = 0;      // fixed point /256, since the previous report
  int32_t cumulative_lost = 0;    // 24-bit signed
  uint32_t highest_sequence = 0;  // extended
  uint32_t jitter = 0;            // RTP timestamp units
  friend bool operator==(const ReportBlock&, const ReportBlock&) = default;
};

// An RTCP RR (RFC 3550 6.4.2) from `reporter_ssrc` with up to 31 report blocks (each block's
// own reporter_ssrc is ignored). Receivers send it so a server knows they are alive and what
// they lost.
std::vector<uint8_t> make_receiver_report(uint32_t reporter_ssrc,
                                          std::span<const ReportBlock> blocks);

// Walks a compound RTCP packet and returns the report blocks of its RR and SR packets. Other
// packet types (SDES, BYE, APP, feedback) are skipped. Malformed input is an error; nothing is
// read past `packet`.
absl::StatusOr<std::vector<ReportBlock>> parse_report_blocks(std::span<const uint8_t> packet);

}  // namespace media
