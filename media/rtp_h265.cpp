// H.265 over RTP, RFC 7798 sections 4.4.1 (single NAL unit), 4.4.2 (AP), 4.4.3 (FU) and
// reassembly. No DONL fields: we never signal sprop-max-don-diff > 0 (RFC 7798 4.4.1).
#include "media/rtp_h265.hpp"
#include "media/nal_packetizer.hpp"
#include "media/rtp_packet_writer.hpp"

#include <algorithm>

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
constexpr size_t kApLengthSize = 2;
constexpr size_t kFuHeaderSize = 3;  // PayloadHdr + FU header
constexpr uint8_t kFuStart = 0x80;
constexpr uint8_t kFuEnd = 0x40;
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
    const size_t first = kPayloadHeaderSize + kApLengthSize;
    return p.size() > first &&
           begins_access_unit((p[first] & kTypeMask) >> 1, at(first + h265::kNalHeaderSize));
  }
  if (type == kFu) {
    return p.size() >= kFuHeaderSize && (p[2] & kFuStart) != 0 &&
           begins_access_unit(p[2] & kFuTypeMask, at(kFuHeaderSize));
  }
  return begins_access_unit(type, at(kPayloadHeaderSize));
}

bool is_dropped(Nal nal) {
  if (nal.size() < h265::kNalHeaderSize) return true;
  const uint8_t type = h265::nal_type(nal);
  // H.265 types 48..63 are unspecified; RFC 7798 4.4 gives 48, 49 and 50 to AP, FU and PACI,
  // so a receiver would misread such a NAL unit (rtp_nal_codec_test (rtp_h265_cases.hpp)
  // "unspecified types").
  return type == static_cast<uint8_t>(h265::NalType::Aud) ||
         type == static_cast<uint8_t>(h265::NalType::Fd) || type >= kAp;
}

// How many NAL units starting at `first` fit together in one AP payload.
size_t ap_count(std::span<const Nal> nals, size_t first, size_t max_payload) {
  size_t size = kPayloadHeaderSize;
  size_t count = 0;
  for (size_t i = first; i < nals.size(); ++i) {
    size += kApLengthSize + nals[i].size();
    if (size > max_payload) break;
    ++count;
  }
  return count;
}

// RFC 7798 4.4.2: "The F bit MUST be equal to 0 if the F bit of each aggregated NAL unit is
// equal to zero; otherwise, it MUST be equal to 1. The Type field MUST be equal to 48. The
// value of LayerId MUST be equal to the lowest value of LayerId of all the aggregated NAL
// units. The value of TID MUST be the lowest value of TID of all the aggregated NAL units."
void write_ap(RtpPacketWriter& w, std::span<const Nal> nals, bool marker) {
  size_t payload = kPayloadHeaderSize;
  uint8_t forbidden = 0;
  uint8_t layer = 0x3f;
  uint8_t tid = 0x07;
  for (Nal nal : nals) {
    payload += kApLengthSize + nal.size();
    forbidden |= nal[0] & kForbiddenBit;
    layer = std::min(layer, h265::layer_id(nal));
    tid = std::min(tid, h265::temporal_id_plus1(nal));
  }
  w.begin(payload, marker);
  w.push(static_cast<uint8_t>(forbidden | (kAp << 1) | (layer >> 5)));
  w.push(static_cast<uint8_t>(((layer & 0x1f) << 3) | tid));
  for (Nal nal : nals) {
    // 4.4.2: "NALU size: 16 bits. ... indicates the size of the NAL unit in bytes".
    w.push(static_cast<uint8_t>(nal.size() >> 8));
    w.push(static_cast<uint8_t>(nal.size()));
    w.append(nal);
  }
}

// RFC 7798 4.4.3: "The fields F, LayerId, and TID MUST be equal to the fields F, LayerId, and
// TID, respectively, of the fragmented NAL unit." The FU header carries S, E and FuType; the
// NAL unit header itself is not sent, fragments start after it.
void write_fu(RtpPacketWriter& w, Nal nal, size_t max_payload, bool last_nal) {
  const uint8_t header0 = static_cast<uint8_t>((nal[0] & ~kTypeMask) | (kFu << 1));
  const uint8_t header1 = nal[1];
  const size_t max_fragment = max_payload - kFuHeaderSize;
  Nal rest = nal.subspan(h265::kNalHeaderSize);
  for (size_t offset = 0; offset < rest.size();) {
    const size_t size = std::min(max_fragment, rest.size() - offset);
    const bool start = offset == 0;
    const bool end = offset + size == rest.size();
    w.begin(kFuHeaderSize + size, end && last_nal);
    w.push(header0);
    w.push(header1);
    w.push(static_cast<uint8_t>((start ? kFuStart : 0) | (end ? kFuEnd : 0) | h265::nal_type(nal)));
    w.append(rest.subspan(offset, size));
    offset += size;
  }
}

// The payload format's parts for packetize_nal_units (media/nal_packetizer.hpp).
struct H265Format {
  static constexpr size_t kAggregateOverhead = kPayloadHeaderSize + kApLengthSize;
  static constexpr size_t kFragmentHeaderSize = kFuHeaderSize;
  static size_t aggregate_count(std::span<const Nal> nals, size_t first, size_t max_payload) {
    return ap_count(nals, first, max_payload);
  }
  static void write_aggregate(RtpPacketWriter& w, std::span<const Nal> nals, bool marker) {
    write_ap(w, nals, marker);
  }
  static void write_fragments(RtpPacketWriter& w, Nal nal, size_t max_payload, bool last_nal) {
    write_fu(w, nal, max_payload, last_nal);
  }
};

}  // namespace

RtpH265Packetizer::RtpH265Packetizer(Config config)
    : config_(config), next_sequence_(config.initial_sequence) {
  config_.max_packet_size = clamp_packet_size(config_.max_packet_size);
}

PacketizedFrame RtpH265Packetizer::packetize(std::span<const uint8_t> annex_b,
                                             uint32_t rtp_timestamp, bool keyframe) {
  std::vector<Nal> nals = h264::split_annex_b(annex_b);
  std::erase_if(nals, is_dropped);
  return packetize_nal_units<H265Format>(config_, nals, rtp_timestamp, keyframe, next_sequence_);
}

namespace {

bool is_irap(uint8_t header0) {
  return h265::is_irap((header0 >> 1) & 0x3f);
}

// Appends the NAL units of an AP payload (RFC 7798 4.4.2) with start codes.
absl::Status append_ap(std::vector<uint8_t>& out, bool& keyframe, Nal payload) {
  size_t pos = kPayloadHeaderSize;
  if (payload.size() <= pos) return absl::InvalidArgumentError("AP without NAL units");
  while (pos < payload.size()) {
    if (payload.size() - pos < kApLengthSize) {
      return absl::InvalidArgumentError("AP NAL unit size truncated");
    }
    const size_t size = (size_t{payload[pos]} << 8) | payload[pos + 1];
    pos += kApLengthSize;
    if (size < h265::kNalHeaderSize || size > payload.size() - pos) {
      return absl::InvalidArgumentError(absl::StrCat("AP NAL unit size ", size, " invalid"));
    }
    if (auto s = check_unit_room(out.size(), size + 4); !s.ok()) return s;
    h264::append_annex_b(out, payload.subspan(pos, size));
    keyframe = keyframe || is_irap(payload[pos]);
    pos += size;
  }
  return absl::OkStatus();
}

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
    if (auto s = check_unit_room(unit.annex_b.size(), payload.size() + 4); !s.ok()) return s;
    h264::append_annex_b(unit.annex_b, payload);
    unit.keyframe = unit.keyframe || is_irap(payload[0]);
    return absl::OkStatus();
  }
  if (type == kAp) return append_ap(unit.annex_b, unit.keyframe, payload);
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
  const auto data = payload.subspan(kFuHeaderSize);
  if (auto s = check_unit_room(unit.annex_b.size(), data.size() + 6); !s.ok()) return s;
  if ((fu_header & kFuStart) != 0) {
    if (unit.in_fragment) return absl::InvalidArgumentError("FU start bit inside a fragment");
    // 4.4.3: "FuType MUST be equal to the field Type of the fragmented NAL unit"; AP, FU and
    // PACI are never fragmented.
    if (fu_type >= kAp) {
      return absl::InvalidArgumentError(absl::StrCat("FU of payload type ", fu_type));
    }
    // Reconstructed header: F, LayerId and TID from the PayloadHdr, type from the FU header.
    const uint8_t nal_header[] = {static_cast<uint8_t>((payload[0] & ~kTypeMask) | (fu_type << 1)),
                                  payload[1]};
    h264::append_annex_b(unit.annex_b, nal_header);
    unit.keyframe = unit.keyframe || h265::is_irap(fu_type);
    unit.in_fragment = true;
  } else if (!unit.in_fragment) {
    return absl::InvalidArgumentError("FU fragment without a start fragment");
  }
  unit.annex_b.insert(unit.annex_b.end(), data.begin(), data.end());
  // 4.4.3 forbids S and E in one FU header; we accept it as a whole NAL unit (lenient
  // receiver, like RtpH264Depacketizer).
  if ((fu_header & kFuEnd) != 0) unit.in_fragment = false;
  return absl::OkStatus();
}

}  // namespace

RtpH265Depacketizer::RtpH265Depacketizer()
    : assembler_(append_payload, payload_begins_access_unit) {}

}  // namespace media
