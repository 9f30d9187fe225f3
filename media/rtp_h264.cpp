// H.264 over RTP, RFC 6184: packetization mode 1 (sections 5.6, 5.7.1, 5.8) and reassembly.
#include "media/nal_packetizer.hpp"
#include "media/rtp_packet_writer.hpp"
#include "media/rtp_video.hpp"

#include <algorithm>
#include <array>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "media/h264.hpp"
#include "media/rtp_depacketizer.hpp"

namespace media {
namespace {

constexpr uint8_t kStapA = static_cast<uint8_t>(h264::NalType::StapA);
constexpr uint8_t kFuA = static_cast<uint8_t>(h264::NalType::FuA);
constexpr size_t kStapAHeaderSize = 1;
constexpr size_t kFuAHeaderSize = 2;  // FU indicator + FU header
constexpr uint8_t kForbiddenBit = 0x80;
constexpr uint8_t kNriMask = 0x60;

// Whether a NAL unit header (and the first byte after it) can begin an access unit: an AUD,
// SEI or parameter set, or a slice whose first_mb_in_slice is 0 (ue(v) 0 is the single bit 1).
bool begins_access_unit(uint8_t nal_type, std::optional<uint8_t> next_byte) {
  switch (static_cast<h264::NalType>(nal_type)) {
    case h264::NalType::Aud:
    case h264::NalType::Sei:
    case h264::NalType::Sps:
    case h264::NalType::Pps:
      return true;
    case h264::NalType::Slice:
    case h264::NalType::Idr:
      return next_byte && (*next_byte & 0x80) != 0;
    default:
      return false;
  }
}

// Whether an RTP payload starts an access unit (RFC 6184 5.6 single NAL, 5.7.1 STAP-A with its
// first aggregated NAL unit, 5.8 FU-A with the S bit).
bool payload_begins_access_unit(std::span<const uint8_t> p) {
  if (p.empty()) return false;
  auto at = [&](size_t i) -> std::optional<uint8_t> {
    return i < p.size() ? std::optional<uint8_t>(p[i]) : std::nullopt;
  };
  const uint8_t type = p[0] & 0x1f;
  if (type == kStapA) {
    const size_t first = kStapAHeaderSize + kNalSizeFieldSize;
    return p.size() > first && begins_access_unit(p[first] & 0x1f, at(first + 1));
  }
  if (type == kFuA) {
    return p.size() >= kFuAHeaderSize && (p[1] & kFuStartBit) != 0 &&
           begins_access_unit(p[1] & 0x1f, at(kFuAHeaderSize));
  }
  return begins_access_unit(type, at(1));
}

bool dropped_nal(Nal nal) {
  const uint8_t type = h264::nal_type(nal);
  return type == static_cast<uint8_t>(h264::NalType::Aud) ||
         type == static_cast<uint8_t>(h264::NalType::Filler);
}

}  // namespace

// The payload headers of RFC 6184 for packetize_nal_units (media/nal_packetizer.hpp).
struct H264Format {
  static bool is_dropped(Nal nal) { return dropped_nal(nal); }
  static constexpr size_t kNalHeaderSize = 1;

  // RFC 6184 5.7.1 (STAP-A). Header rules of 5.3/5.7 (paraphrased): NRI is the maximum NRI of
  // the aggregated NAL units; F is set when any aggregated NAL unit has F set.
  static std::array<uint8_t, 1> aggregate_header(std::span<const Nal> nals) {
    uint8_t f_and_nri = 0;
    for (Nal nal : nals) {
      f_and_nri = static_cast<uint8_t>(std::max<uint8_t>(f_and_nri & kNriMask, nal[0] & kNriMask) |
                                       ((f_and_nri | nal[0]) & kForbiddenBit));
    }
    return {static_cast<uint8_t>(f_and_nri | kStapA)};
  }
  // RFC 6184 5.8 (paraphrased): the FU indicator carries F and NRI of the fragmented NAL unit
  // with type 28; the FU header carries S, E, R = 0 and the NAL unit type.
  static std::array<uint8_t, 1> fragment_header(Nal nal) {
    return {static_cast<uint8_t>((nal[0] & 0xe0) | kFuA)};
  }
  static uint8_t nal_type(Nal nal) { return h264::nal_type(nal); }
};

template class AnnexBPacketizer<H264Format>;

namespace {

bool is_idr(uint8_t nal_header) {
  return (nal_header & 0x1f) == static_cast<uint8_t>(h264::NalType::Idr);
}

constexpr NalFormat kFormat{
    .aggregate_name = "STAP-A", .fragment_name = "FU-A", .nal_header_size = 1, .is_key = is_idr};

// Appends one RTP payload (RFC 6184 5.6 single NAL unit, 5.7.1 STAP-A, 5.8 FU-A) to `unit`.
absl::Status append_payload(std::span<const uint8_t> payload, UnitInProgress& unit) {
  if (payload.empty()) return absl::InvalidArgumentError("empty RTP payload");
  const uint8_t type = payload[0] & 0x1f;
  if (unit.in_fragment && type != kFuA) {
    return absl::InvalidArgumentError("FU-A fragment ended without the end bit");
  }
  if (type >= 1 && type <= 23) {
    // RFC 6184 5.6: types 1-23 are single NAL unit packets, the payload is the NAL unit.
    return append_single(kFormat, payload, unit);
  }
  if (type == kStapA) return append_aggregate(kFormat, payload, unit);
  if (type == kFuA) {
    if (payload.size() < kFuAHeaderSize) return absl::InvalidArgumentError("FU-A too short");
    const uint8_t fu_header = payload[1];
    // Reconstructed header: F and NRI from the FU indicator, type from the FU header.
    const uint8_t nal_header[] = {static_cast<uint8_t>((payload[0] & 0xe0) | (fu_header & 0x1f))};
    return append_fragment(kFormat, fu_header, nal_header, payload.subspan(kFuAHeaderSize), unit);
  }
  if (type >= 25 && type <= 29) {
    return absl::UnimplementedError(
        absl::StrCat("NAL unit type ", type, " (STAP-B/MTAP/FU-B) needs packetization-mode=2"));
  }
  return absl::InvalidArgumentError(absl::StrCat("reserved NAL unit type ", type));
}

}  // namespace

RtpH264Depacketizer::RtpH264Depacketizer()
    : RtpDepacketizer(append_payload, payload_begins_access_unit) {}

}  // namespace media
