// H.265 over RTP, RFC 7798 sections 4.4.1 (single NAL unit), 4.4.2 (AP), 4.4.3 (FU) and
// reassembly. No DONL fields: we never signal sprop-max-don-diff > 0 (RFC 7798 4.4.1).
#include "media/nal_packetizer.hpp"
#include "media/rtp_packet_writer.hpp"
#include "media/rtp_video.hpp"

#include <algorithm>
#include <array>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "media/h264.hpp"
#include "media/h265.hpp"
#include "media/rtp_depacketizer.hpp"

namespace media {
namespace {

constexpr uint8_t kAp = static_cast<uint8_t>(h265::NalType::Ap);
constexpr uint8_t kFu = static_cast<uint8_t>(h265::NalType::Fu);
constexpr uint8_t kPaci = static_cast<uint8_t>(h265::NalType::Paci);
constexpr size_t kPayloadHeaderSize = 2;  // same layout as the NAL unit header
constexpr size_t kFuHeaderSize = 3;       // PayloadHdr + FU header
constexpr uint8_t kFuTypeMask = 0x3f;
constexpr uint8_t kForbiddenBit = 0x80;
constexpr uint8_t kTypeMask = 0x7e;  // type bits in the first header byte

// Whether a NAL unit of `type`, whose first byte after the two-byte header is `next_byte`, can
// begin an access unit: an AUD, VPS/SPS/PPS or prefix SEI, or a VCL NAL unit with
// first_slice_segment_in_pic_flag (the first bit of the slice segment header) set.
bool begins_access_unit(uint8_t type, std::optional<uint8_t> next_byte) {
  switch (static_cast<h265::NalType>(type)) {
    case h265::NalType::Aud:
    case h265::NalType::Vps:
    case h265::NalType::Sps:
    case h265::NalType::Pps:
    case h265::NalType::PrefixSei:
      return true;
    default:
      return type < static_cast<uint8_t>(h265::NalType::Vps) && next_byte &&
             (*next_byte & 0x80) != 0;
  }
}

// Whether an RTP payload starts an access unit (RFC 7798 4.4.1 single NAL unit, 4.4.2 AP with
// its first aggregated unit, 4.4.3 FU with the S bit).
bool payload_begins_access_unit(std::span<const uint8_t> p) {
  if (p.size() < kPayloadHeaderSize) return false;
  auto at = [&](size_t i) -> std::optional<uint8_t> {
    return i < p.size() ? std::optional<uint8_t>(p[i]) : std::nullopt;
  };
  const uint8_t type = (p[0] & kTypeMask) >> 1;
  if (type == kAp) {
    const size_t first = kPayloadHeaderSize + kNalSizeFieldSize;
    return p.size() > first &&
           begins_access_unit((p[first] & kTypeMask) >> 1, at(first + h265::kNalHeaderSize));
  }
  if (type == kFu) {
    return p.size() >= kFuHeaderSize && (p[2] & kFuStartBit) != 0 &&
           begins_access_unit(p[2] & kFuTypeMask, at(kFuHeaderSize));
  }
  return begins_access_unit(type, at(kPayloadHeaderSize));
}

bool dropped_nal(Nal nal) {
  if (nal.size() < h265::kNalHeaderSize) return true;
  const uint8_t type = h265::nal_type(nal);
  // H.265 types 48..63 are unspecified; RFC 7798 4.4 gives 48, 49 and 50 to AP, FU and PACI,
  // so a receiver would misread such a NAL unit (rtp_nal_codec_test (rtp_h265_cases.hpp)
  // "unspecified types").
  return type == static_cast<uint8_t>(h265::NalType::Aud) ||
         type == static_cast<uint8_t>(h265::NalType::Fd) || type >= kAp;
}

}  // namespace

// The payload headers of RFC 7798 for packetize_nal_units (media/nal_packetizer.hpp).
struct H265Format {
  static bool is_dropped(Nal nal) { return dropped_nal(nal); }
  static constexpr size_t kNalHeaderSize = h265::kNalHeaderSize;

  // RFC 7798 4.4.2: "The F bit MUST be equal to 0 if the F bit of each aggregated NAL unit is
  // equal to zero; otherwise, it MUST be equal to 1. The Type field MUST be equal to 48. The
  // value of LayerId MUST be equal to the lowest value of LayerId of all the aggregated NAL
  // units. The value of TID MUST be the lowest value of TID of all the aggregated NAL units."
  static std::array<uint8_t, 2> aggregate_header(std::span<const Nal> nals) {
    uint8_t forbidden = 0;
    uint8_t layer = 0x3f;
    uint8_t tid = 0x07;
    for (Nal nal : nals) {
      forbidden |= nal[0] & kForbiddenBit;
      layer = std::min(layer, h265::layer_id(nal));
      tid = std::min(tid, h265::temporal_id_plus1(nal));
    }
    return {static_cast<uint8_t>(forbidden | (kAp << 1) | (layer >> 5)),
            static_cast<uint8_t>(((layer & 0x1f) << 3) | tid)};
  }
  // RFC 7798 4.4.3: "The fields F, LayerId, and TID MUST be equal to the fields F, LayerId, and
  // TID, respectively, of the fragmented NAL unit." The Type is 49; the FU header carries S, E
  // and FuType.
  static std::array<uint8_t, 2> fragment_header(Nal nal) {
    return {static_cast<uint8_t>((nal[0] & ~kTypeMask) | (kFu << 1)), nal[1]};
  }
  static uint8_t nal_type(Nal nal) { return h265::nal_type(nal); }
};

template class AnnexBPacketizer<H265Format>;

namespace {

bool is_irap(uint8_t header0) {
  return h265::is_irap((header0 >> 1) & 0x3f);
}

constexpr NalFormat kFormat{.aggregate_name = "AP",
                            .fragment_name = "FU",
                            .nal_header_size = h265::kNalHeaderSize,
                            .is_key = is_irap};

// Appends one RTP payload's FU (RFC 7798 4.4.3) to `unit`.
absl::Status append_fu(std::span<const uint8_t> payload, UnitInProgress& unit);

// Appends one RTP payload (RFC 7798 4.4.1 single NAL unit, 4.4.2 AP, 4.4.3 FU) to `unit`.
absl::Status append_payload(std::span<const uint8_t> payload, UnitInProgress& unit) {
  if (payload.size() < kPayloadHeaderSize) {
    return absl::InvalidArgumentError("RTP payload shorter than the payload header");
  }
  const uint8_t type = h265::nal_type(payload);
  if (unit.in_fragment && type != kFu) {
    return absl::InvalidArgumentError("FU fragment ended without the end bit");
  }
  if (type < kAp) {
    // RFC 7798 4.4.1: types 0..47 are single NAL unit packets, the payload is the NAL unit.
    return append_single(kFormat, payload, unit);
  }
  if (type == kAp) return append_aggregate(kFormat, payload, unit);
  if (type == kFu) return append_fu(payload, unit);
  if (type == kPaci) {
    return absl::UnimplementedError("PACI packets (RFC 7798 4.4.4) are not supported");
  }
  return absl::InvalidArgumentError(absl::StrCat("reserved payload header type ", type));
}

absl::Status append_fu(std::span<const uint8_t> payload, UnitInProgress& unit) {
  if (payload.size() < kFuHeaderSize) return absl::InvalidArgumentError("FU too short");
  const uint8_t fu_header = payload[2];
  const uint8_t fu_type = fu_header & kFuTypeMask;
  // 4.4.3: "FuType MUST be equal to the field Type of the fragmented NAL unit"; AP, FU and
  // PACI are never fragmented.
  if ((fu_header & kFuStartBit) != 0 && fu_type >= kAp) {
    return absl::InvalidArgumentError(absl::StrCat("FU of payload type ", fu_type));
  }
  // Reconstructed header: F, LayerId and TID from the PayloadHdr, type from the FU header.
  const uint8_t nal_header[] = {static_cast<uint8_t>((payload[0] & ~kTypeMask) | (fu_type << 1)),
                                payload[1]};
  return append_fragment(kFormat, fu_header, nal_header, payload.subspan(kFuHeaderSize), unit);
}

}  // namespace

RtpH265Depacketizer::RtpH265Depacketizer()
    : RtpDepacketizer(append_payload, payload_begins_access_unit) {}

}  // namespace media
