// H.265 over RTP, RFC 7798 sections 4.4.1 (single NAL unit), 4.4.2 (AP), 4.4.3 (FU) and
// reassembly. No DONL fields: we never signal sprop-max-don-diff > 0 (RFC 7798 4.4.1).
#include "media/rtp_h265.hpp"
#include "media/rtp_packet_writer.hpp"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "media/h264.hpp"
#include "media/h265.hpp"

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

using Nal = std::span<const uint8_t>;

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
  // so a receiver would misread such a NAL unit (rtp_h265_test "unspecified types").
  return type == static_cast<uint8_t>(h265::NalType::Aud) ||
         type == static_cast<uint8_t>(h265::NalType::Fd) || type >= kAp;
}

// How many NAL units starting at `first` fit together in one AP payload.
size_t ap_count(const std::vector<Nal>& nals, size_t first, size_t max_payload) {
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

// An upper bound of the bytes and packets needed, so that packetize() never reallocates.
void reserve_for(PacketizedFrame& frame, const std::vector<Nal>& nals, size_t max_payload) {
  const size_t per_packet = kInterleavedPrefixSize + kRtpHeaderSize + kFuHeaderSize;
  const size_t max_fragment = max_payload - kFuHeaderSize;
  size_t bytes = 0;
  size_t packets = 0;
  for (Nal nal : nals) {
    const size_t fragments = (nal.size() + max_fragment - 1) / max_fragment;
    bytes += nal.size() + kApLengthSize + kPayloadHeaderSize + per_packet * (fragments + 1);
    packets += fragments + 1;
  }
  frame.bytes.reserve(bytes);
  frame.packet_offsets.reserve(packets);
}

}  // namespace

RtpH265Packetizer::RtpH265Packetizer(Config config)
    : config_(config), next_sequence_(config.initial_sequence) {
  config_.max_packet_size = clamp_packet_size(config_.max_packet_size);
}

PacketizedFrame RtpH265Packetizer::packetize(std::span<const uint8_t> annex_b,
                                             uint32_t rtp_timestamp, bool keyframe) {
  PacketizedFrame frame;
  frame.keyframe = keyframe;
  frame.rtp_timestamp = rtp_timestamp;
  frame.first_sequence = next_sequence_;
  frame.interleaved_channel = config_.interleaved_channel;

  std::vector<Nal> nals = h264::split_annex_b(annex_b);
  std::erase_if(nals, is_dropped);
  const size_t max_payload = config_.max_packet_size - kRtpHeaderSize;
  reserve_for(frame, nals, max_payload);

  RtpPacketWriter w{frame, RtpHeader{}, config_.interleaved_channel};
  w.header.payload_type = config_.payload_type;
  w.header.ssrc = config_.ssrc;
  w.header.timestamp = rtp_timestamp;
  w.header.sequence = next_sequence_;
  for (size_t i = 0; i < nals.size();) {
    // 4.4.2: "An AP MUST carry at least two aggregation units".
    const size_t ap = ap_count(nals, i, max_payload);
    if (ap >= 2) {
      write_ap(w, std::span<const Nal>(nals).subspan(i, ap), i + ap == nals.size());
      i += ap;
      continue;
    }
    // RFC 7798 4.1: the marker bit is "set for the last packet of the access unit".
    const bool last = i + 1 == nals.size();
    if (nals[i].size() <= max_payload) {
      // 4.4.1: a single NAL unit packet carries the NAL unit as is; its header is the
      // PayloadHdr.
      w.begin(nals[i].size(), last);
      w.append(nals[i]);
    } else {
      write_fu(w, nals[i], max_payload, last);
    }
    ++i;
  }
  next_sequence_ = w.header.sequence;
  return frame;
}

absl::StatusOr<std::optional<RtpH265Depacketizer::AccessUnit>> RtpH265Depacketizer::feed(
    std::span<const uint8_t> packet) {
  ++stats_.packets;
  auto header = RtpHeader::parse(packet);
  if (!header.ok()) return header.status();
  const size_t padding = (packet[0] & 0x20) != 0 ? packet.back() : 0;  // validated by parse()
  const auto payload =
      packet.subspan(header->header_size, packet.size() - header->header_size - padding);

  // RFC 3550 5.1: "The sequence number increments by one for each RTP data packet sent, and
  // may be used by the receiver to detect packet loss".
  const bool after_marker = last_marker_;
  last_marker_ = header->marker;
  if (last_sequence_ && header->sequence != static_cast<uint16_t>(*last_sequence_ + 1)) {
    stats_.lost_packets += static_cast<uint16_t>(header->sequence - *last_sequence_ - 1);
    if (finish()) ++stats_.dropped_units;
    // The lost packets may have started this packet's access unit: skip until a new timestamp,
    // unless the gap fell between two units (whole units lost).
    broken_ = !(after_marker && payload_begins_access_unit(payload));
    if (broken_) current_timestamp_ = header->timestamp;
  }
  last_sequence_ = header->sequence;

  if (broken_) {
    if (current_timestamp_ == header->timestamp) {
      if (header->marker) {
        broken_ = false;
        current_timestamp_.reset();
      }
      return std::nullopt;
    }
    broken_ = false;
    current_timestamp_.reset();
  }

  std::optional<AccessUnit> out;
  // RFC 7798 4.1: the marker bit is "set for the last packet of the access unit"; a sender
  // that omits it is still served: a new timestamp closes the previous unit
  // (rtp_h265_test "timestamp change closes a unit without marker").
  if (current_timestamp_ && *current_timestamp_ != header->timestamp) out = finish();
  if (!current_timestamp_) current_timestamp_ = header->timestamp;

  if (auto status = append_payload(payload); !status.ok()) {
    if (out) ++stats_.dropped_units;  // one result only: the error wins
    if (finish()) ++stats_.dropped_units;
    broken_ = !header->marker;
    if (broken_) current_timestamp_ = header->timestamp;
    return status;
  }
  // When a timestamp change already closed a unit, this one is returned by the next change.
  if (header->marker && !out) out = finish();
  return out;
}

std::optional<RtpH265Depacketizer::AccessUnit> RtpH265Depacketizer::finish() {
  std::optional<AccessUnit> au;
  if (!current_.empty() && !in_fragment_) {
    au = AccessUnit{current_timestamp_.value_or(0), std::move(current_), current_keyframe_};
  } else if (!current_.empty()) {
    ++stats_.dropped_units;  // ends inside an FU: the last NAL unit is incomplete
  }
  current_.clear();
  current_timestamp_.reset();
  current_keyframe_ = false;
  in_fragment_ = false;
  return au;
}

namespace {

absl::Status check_room(size_t current, size_t more) {
  if (more > kMaxAccessUnitBytes - std::min(current, kMaxAccessUnitBytes)) {
    return absl::ResourceExhaustedError(
        absl::StrCat("access unit exceeds ", kMaxAccessUnitBytes, " bytes"));
  }
  return absl::OkStatus();
}

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
    if (auto s = check_room(out.size(), size + 4); !s.ok()) return s;
    h264::append_annex_b(out, payload.subspan(pos, size));
    keyframe = keyframe || is_irap(payload[pos]);
    pos += size;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status RtpH265Depacketizer::append_payload(std::span<const uint8_t> payload) {
  if (payload.size() < kPayloadHeaderSize) {
    return absl::InvalidArgumentError("RTP payload shorter than the payload header");
  }
  const uint8_t type = h265::nal_type(payload);
  if (in_fragment_ && type != kFu) {
    return absl::InvalidArgumentError("FU fragment ended without the end bit");
  }
  if (type < kAp) {
    // RFC 7798 4.4.1: types 0..47 are single NAL unit packets, the payload is the NAL unit.
    if (auto s = check_room(current_.size(), payload.size() + 4); !s.ok()) return s;
    h264::append_annex_b(current_, payload);
    current_keyframe_ = current_keyframe_ || is_irap(payload[0]);
    return absl::OkStatus();
  }
  if (type == kAp) return append_ap(current_, current_keyframe_, payload);
  if (type == kFu) return append_fu(payload);
  if (type == kPaci) {
    return absl::UnimplementedError("PACI packets (RFC 7798 4.4.4) are not supported");
  }
  return absl::InvalidArgumentError(absl::StrCat("reserved payload header type ", type));
}

absl::Status RtpH265Depacketizer::append_fu(std::span<const uint8_t> payload) {
  if (payload.size() < kFuHeaderSize) return absl::InvalidArgumentError("FU too short");
  const uint8_t fu_header = payload[2];
  const uint8_t fu_type = fu_header & kFuTypeMask;
  const auto data = payload.subspan(kFuHeaderSize);
  if (auto s = check_room(current_.size(), data.size() + 6); !s.ok()) return s;
  if ((fu_header & kFuStart) != 0) {
    if (in_fragment_) return absl::InvalidArgumentError("FU start bit inside a fragment");
    // 4.4.3: "FuType MUST be equal to the field Type of the fragmented NAL unit"; AP, FU and
    // PACI are never fragmented.
    if (fu_type >= kAp) {
      return absl::InvalidArgumentError(absl::StrCat("FU of payload type ", fu_type));
    }
    // Reconstructed header: F, LayerId and TID from the PayloadHdr, type from the FU header.
    const uint8_t nal_header[] = {static_cast<uint8_t>((payload[0] & ~kTypeMask) | (fu_type << 1)),
                                  payload[1]};
    h264::append_annex_b(current_, nal_header);
    current_keyframe_ = current_keyframe_ || h265::is_irap(fu_type);
    in_fragment_ = true;
  } else if (!in_fragment_) {
    return absl::InvalidArgumentError("FU fragment without a start fragment");
  }
  current_.insert(current_.end(), data.begin(), data.end());
  // 4.4.3 forbids S and E in one FU header; we accept it as a whole NAL unit (lenient
  // receiver, like RtpH264Depacketizer).
  if ((fu_header & kFuEnd) != 0) in_fragment_ = false;
  return absl::OkStatus();
}

}  // namespace media
