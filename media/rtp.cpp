// RTP fixed header (RFC 3550 section 5.1) and RTCP sender report (section 6.4.1).
#include "media/rtp.hpp"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace media {
namespace {

constexpr uint8_t kRtpVersion = 2;
constexpr uint8_t kRtcpSenderReport = 200;
constexpr size_t kSenderReportSize = 28;
// RFC 3550 section 4: NTP time is seconds since 0h UTC on 1 January 1900.
constexpr uint64_t kNtpUnixOffsetSeconds = 2208988800ULL;

uint16_t read_u16(const uint8_t* p) {
  return static_cast<uint16_t>((p[0] << 8) | p[1]);
}
uint32_t read_u32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
void write_u16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
void write_u32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}

}  // namespace

absl::StatusOr<RtpHeader> RtpHeader::parse(std::span<const uint8_t> packet) {
  if (packet.size() < kRtpHeaderSize) {
    return absl::InvalidArgumentError(absl::StrCat("RTP packet too short: ", packet.size()));
  }
  const uint8_t* p = packet.data();
  if ((p[0] >> 6) != kRtpVersion) {
    return absl::InvalidArgumentError(absl::StrCat("RTP version ", p[0] >> 6, " is not 2"));
  }
  RtpHeader h;
  h.marker = (p[1] & 0x80) != 0;
  h.payload_type = p[1] & 0x7f;
  h.sequence = read_u16(p + 2);
  h.timestamp = read_u32(p + 4);
  h.ssrc = read_u32(p + 8);
  // 5.1: "CSRC count (CC): 4 bits. The CSRC count contains the number of CSRC identifiers
  // that follow the fixed header."
  size_t size = kRtpHeaderSize + 4 * size_t{static_cast<uint8_t>(p[0] & 0x0f)};
  // 5.3.1: "If the X bit in the RTP header is one, a variable-length header extension MUST be
  // appended to the RTP header, following the CSRC list if present" (16-bit length in words).
  if ((p[0] & 0x10) != 0) {
    if (packet.size() < size + 4) return absl::InvalidArgumentError("RTP extension truncated");
    size += 4 + 4 * size_t{read_u16(p + size + 2)};
  }
  if (packet.size() < size) {
    return absl::InvalidArgumentError(
        absl::StrCat("RTP header claims ", size, " bytes, packet has ", packet.size()));
  }
  // 5.1: "The last octet of the padding contains a count of how many padding octets should be
  // ignored, including itself."
  if ((p[0] & 0x20) != 0) {
    const size_t padding = packet.back();
    if (padding == 0 || packet.size() - size < padding) {
      return absl::InvalidArgumentError(absl::StrCat("RTP padding ", padding, " is invalid"));
    }
    h.padding_size = padding;
  }
  h.header_size = size;
  return h;
}

void RtpHeader::serialize_to(uint8_t* out) const {
  out[0] = kRtpVersion << 6;  // P=0, X=0, CC=0
  out[1] = static_cast<uint8_t>((marker ? 0x80 : 0) | (payload_type & 0x7f));
  write_u16(out + 2, sequence);
  write_u32(out + 4, timestamp);
  write_u32(out + 8, ssrc);
}

uint64_t ntp_from_unix_us(int64_t unix_us) {
  // Floor division so that times before 1970 still have a fraction in [0, 1).
  int64_t seconds = unix_us / 1'000'000;
  int64_t micros = unix_us % 1'000'000;
  if (micros < 0) {
    micros += 1'000'000;
    --seconds;
  }
  const uint64_t ntp_seconds = static_cast<uint64_t>(seconds) + kNtpUnixOffsetSeconds;
  const uint64_t fraction = (static_cast<uint64_t>(micros) << 32) / 1'000'000;
  return (ntp_seconds << 32) | fraction;
}

std::vector<uint8_t> make_sender_report(uint32_t ssrc, int64_t wall_clock_us,
                                        uint32_t rtp_timestamp, uint32_t packet_count,
                                        uint32_t octet_count) {
  std::vector<uint8_t> sr(kSenderReportSize);
  uint8_t* p = sr.data();
  p[0] = kRtpVersion << 6;  // V=2, P=0, RC=0: no report blocks
  p[1] = kRtcpSenderReport;
  // 6.4.1: "length: 16 bits. The length of this RTCP packet in 32-bit words minus one".
  write_u16(p + 2, kSenderReportSize / 4 - 1);
  write_u32(p + 4, ssrc);
  const uint64_t ntp = ntp_from_unix_us(wall_clock_us);
  write_u32(p + 8, static_cast<uint32_t>(ntp >> 32));
  write_u32(p + 12, static_cast<uint32_t>(ntp));
  write_u32(p + 16, rtp_timestamp);
  write_u32(p + 20, packet_count);
  write_u32(p + 24, octet_count);
  return sr;
}

std::vector<uint8_t> make_receiver_report(uint32_t reporter_ssrc,
                                          std::span<const ReportBlock> blocks) {
  constexpr uint8_t kRtcpReceiverReport = 201;
  constexpr size_t kBlockSize = 24;
  const size_t count = std::min<size_t>(blocks.size(), 31);  // RC is 5 bits
  std::vector<uint8_t> rr(8 + count * kBlockSize);
  uint8_t* p = rr.data();
  p[0] = static_cast<uint8_t>((kRtpVersion << 6) | count);
  p[1] = kRtcpReceiverReport;
  write_u16(p + 2, static_cast<uint16_t>(rr.size() / 4 - 1));
  write_u32(p + 4, reporter_ssrc);
  for (size_t i = 0; i < count; ++i) {
    // 6.4.1: SSRC, fraction lost (8 bits), cumulative lost (24 bits, signed), extended highest
    // sequence number, interarrival jitter, LSR, DLSR (no SR is tracked: 0).
    const ReportBlock& b = blocks[i];
    uint8_t* q = p + 8 + i * kBlockSize;
    write_u32(q, b.ssrc);
    const int32_t lost = std::clamp<int32_t>(b.cumulative_lost, -0x800000, 0x7FFFFF);
    write_u32(q + 4, (uint32_t{b.fraction_lost} << 24) | (static_cast<uint32_t>(lost) & 0xFFFFFF));
    write_u32(q + 8, b.highest_sequence);
    write_u32(q + 12, b.jitter);
  }
  return rr;
}

namespace {
uint32_t be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
}  // namespace

absl::StatusOr<std::vector<ReportBlock>> parse_report_blocks(std::span<const uint8_t> packet) {
  std::vector<ReportBlock> out;
  size_t offset = 0;
  while (offset < packet.size()) {
    if (packet.size() - offset < 4) return absl::InvalidArgumentError("truncated RTCP header");
    const uint8_t* p = packet.data() + offset;
    // RFC 3550 6.4.1: version 2, RC in the low 5 bits, length in 32-bit words minus one.
    if ((p[0] >> 6) != 2) return absl::InvalidArgumentError("RTCP version is not 2");
    const size_t count = p[0] & 0x1f;
    const uint8_t type = p[1];
    const size_t length = (size_t{p[2]} << 8 | p[3]) * 4 + 4;
    if (length > packet.size() - offset)
      return absl::InvalidArgumentError("RTCP length past the packet");
    if (type == 200 || type == 201) {
      const size_t blocks_at = type == 200 ? 28 : 8;  // SR has a 20-byte sender info
      if (length < blocks_at + count * 24)
        return absl::InvalidArgumentError("RTCP report too short");
      const uint32_t reporter = be32(p + 4);
      for (size_t i = 0; i < count; ++i) {
        const uint8_t* b = p + blocks_at + i * 24;
        ReportBlock block;
        block.reporter_ssrc = reporter;
        block.ssrc = be32(b);
        block.fraction_lost = b[4];
        uint32_t lost = (uint32_t{b[5]} << 16) | (uint32_t{b[6]} << 8) | b[7];
        if (lost & 0x800000) lost |= 0xff000000;  // sign-extend the 24-bit field
        block.cumulative_lost = static_cast<int32_t>(lost);
        block.highest_sequence = be32(b + 8);
        block.jitter = be32(b + 12);
        out.push_back(block);
      }
    }
    offset += length;
  }
  return out;
}

}  // namespace media
