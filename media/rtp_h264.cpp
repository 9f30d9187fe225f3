// H.264 over RTP, RFC 6184: packetization mode 1 (sections 5.6, 5.7.1, 5.8) and reassembly.
#include "media/rtp_h264.hpp"
#include "media/rtp_packet_writer.hpp"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "media/h264.hpp"

namespace media {
namespace {

constexpr uint8_t kStapA = static_cast<uint8_t>(h264::NalType::StapA);
constexpr uint8_t kFuA = static_cast<uint8_t>(h264::NalType::FuA);
constexpr size_t kStapAHeaderSize = 1;
constexpr size_t kStapALengthSize = 2;
constexpr size_t kFuAHeaderSize = 2;  // FU indicator + FU header
constexpr uint8_t kFuStart = 0x80;
constexpr uint8_t kFuEnd = 0x40;
constexpr uint8_t kForbiddenBit = 0x80;
constexpr uint8_t kNriMask = 0x60;

using Nal = std::span<const uint8_t>;

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
    const size_t first = kStapAHeaderSize + kStapALengthSize;
    return p.size() > first && begins_access_unit(p[first] & 0x1f, at(first + 1));
  }
  if (type == kFuA) {
    return p.size() >= kFuAHeaderSize && (p[1] & kFuStart) != 0 &&
           begins_access_unit(p[1] & 0x1f, at(kFuAHeaderSize));
  }
  return begins_access_unit(type, at(1));
}

bool is_dropped(Nal nal) {
  const uint8_t type = h264::nal_type(nal);
  return type == static_cast<uint8_t>(h264::NalType::Aud) ||
         type == static_cast<uint8_t>(h264::NalType::Filler);
}

// How many NAL units starting at `first` fit together in one STAP-A payload.
size_t stap_a_count(const std::vector<Nal>& nals, size_t first, size_t max_payload) {
  size_t size = kStapAHeaderSize;
  size_t count = 0;
  for (size_t i = first; i < nals.size(); ++i) {
    size += kStapALengthSize + nals[i].size();
    if (size > max_payload) break;
    ++count;
  }
  return count;
}

// RFC 6184 5.7.1 (STAP-A). Header rules of 5.3/5.7 (paraphrased): NRI is the maximum NRI of
// the aggregated NAL units; F is set when any aggregated NAL unit has F set.
void write_stap_a(RtpPacketWriter& w, std::span<const Nal> nals, bool marker) {
  size_t payload = kStapAHeaderSize;
  uint8_t f_and_nri = 0;
  for (Nal nal : nals) {
    payload += kStapALengthSize + nal.size();
    f_and_nri = static_cast<uint8_t>(std::max<uint8_t>(f_and_nri & kNriMask, nal[0] & kNriMask) |
                                     ((f_and_nri | nal[0]) & kForbiddenBit));
  }
  w.begin(payload, marker);
  w.push(f_and_nri | kStapA);
  for (Nal nal : nals) {
    w.push(static_cast<uint8_t>(nal.size() >> 8));
    w.push(static_cast<uint8_t>(nal.size()));
    w.append(nal);
  }
}

// RFC 6184 5.8 (paraphrased): the FU indicator carries F and NRI of the fragmented NAL unit
// with type 28; the FU header carries S (first fragment), E (last fragment), R = 0 and the NAL
// unit type. The NAL unit header byte itself is not sent; fragments start after it.
void write_fu_a(RtpPacketWriter& w, Nal nal, size_t max_payload, bool last_nal) {
  const uint8_t indicator = static_cast<uint8_t>((nal[0] & 0xe0) | kFuA);
  const size_t max_fragment = max_payload - kFuAHeaderSize;
  Nal rest = nal.subspan(1);
  for (size_t offset = 0; offset < rest.size();) {
    const size_t size = std::min(max_fragment, rest.size() - offset);
    const bool start = offset == 0;
    const bool end = offset + size == rest.size();
    w.begin(kFuAHeaderSize + size, end && last_nal);
    w.push(indicator);
    w.push(static_cast<uint8_t>((start ? kFuStart : 0) | (end ? kFuEnd : 0) | h264::nal_type(nal)));
    w.append(rest.subspan(offset, size));
    offset += size;
  }
}

// An upper bound of the bytes and packets needed, so that packetize() never reallocates.
void reserve_for(PacketizedFrame& frame, const std::vector<Nal>& nals, size_t max_payload) {
  const size_t per_packet = kInterleavedPrefixSize + kRtpHeaderSize + kFuAHeaderSize;
  const size_t max_fragment = max_payload - kFuAHeaderSize;
  size_t bytes = 0;
  size_t packets = 0;
  for (Nal nal : nals) {
    const size_t fragments = (nal.size() + max_fragment - 1) / max_fragment;
    bytes += nal.size() + kStapALengthSize + kStapAHeaderSize + per_packet * (fragments + 1);
    packets += fragments + 1;
  }
  frame.bytes.reserve(bytes);
  frame.packet_offsets.reserve(packets);
}

}  // namespace

RtpH264Packetizer::RtpH264Packetizer(Config config)
    : config_(config), next_sequence_(config.initial_sequence) {
  config_.max_packet_size = clamp_packet_size(config_.max_packet_size);
}

PacketizedFrame RtpH264Packetizer::packetize(std::span<const uint8_t> annex_b,
                                             uint32_t rtp_timestamp, bool keyframe) {
  PacketizedFrame frame;
  frame.track = 0;
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
    const size_t stap = stap_a_count(nals, i, max_payload);
    if (stap >= 2) {
      write_stap_a(w, std::span<const Nal>(nals).subspan(i, stap), i + stap == nals.size());
      i += stap;
      continue;
    }
    const bool last = i + 1 == nals.size();
    if (nals[i].size() <= max_payload) {
      // RFC 6184 5.6: a single NAL unit packet carries the NAL unit as is; its header byte is
      // the payload header.
      w.begin(nals[i].size(), last);
      w.append(nals[i]);
    } else {
      write_fu_a(w, nals[i], max_payload, last);
    }
    ++i;
  }
  next_sequence_ = w.header.sequence;
  return frame;
}

absl::StatusOr<std::optional<RtpH264Depacketizer::AccessUnit>> RtpH264Depacketizer::feed(
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
  // RFC 6184 5.1: the marker bit is "Set for the very last packet of the access unit indicated
  // by the RTP timestamp"; a sender that omits it is still served: a new timestamp closes the
  // previous unit (rtp_h264_test "timestamp change closes a unit without marker").
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

std::optional<RtpH264Depacketizer::AccessUnit> RtpH264Depacketizer::finish() {
  std::optional<AccessUnit> au;
  if (!current_.empty() && !in_fragment_) {
    au = AccessUnit{current_timestamp_.value_or(0), std::move(current_), current_keyframe_};
  } else if (!current_.empty()) {
    ++stats_.dropped_units;  // ends inside an FU-A: the last NAL unit is incomplete
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

bool is_idr(uint8_t nal_header) {
  return (nal_header & 0x1f) == static_cast<uint8_t>(h264::NalType::Idr);
}

// Appends the NAL units of a STAP-A payload (RFC 6184 5.7.1) with start codes.
absl::Status append_stap_a(std::vector<uint8_t>& out, bool& keyframe, Nal payload) {
  size_t pos = kStapAHeaderSize;
  if (payload.size() <= pos) return absl::InvalidArgumentError("STAP-A without NAL units");
  while (pos < payload.size()) {
    if (payload.size() - pos < kStapALengthSize) {
      return absl::InvalidArgumentError("STAP-A NAL unit size truncated");
    }
    const size_t size = (size_t{payload[pos]} << 8) | payload[pos + 1];
    pos += kStapALengthSize;
    if (size == 0 || size > payload.size() - pos) {
      return absl::InvalidArgumentError(absl::StrCat("STAP-A NAL unit size ", size, " invalid"));
    }
    if (auto s = check_room(out.size(), size + 4); !s.ok()) return s;
    h264::append_annex_b(out, payload.subspan(pos, size));
    keyframe = keyframe || is_idr(payload[pos]);
    pos += size;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status RtpH264Depacketizer::append_payload(std::span<const uint8_t> payload) {
  if (payload.empty()) return absl::InvalidArgumentError("empty RTP payload");
  const uint8_t type = payload[0] & 0x1f;
  if (in_fragment_ && type != kFuA) {
    return absl::InvalidArgumentError("FU-A fragment ended without the end bit");
  }
  if (type >= 1 && type <= 23) {
    // RFC 6184 5.6: types 1-23 are single NAL unit packets, the payload is the NAL unit.
    if (auto s = check_room(current_.size(), payload.size() + 4); !s.ok()) return s;
    h264::append_annex_b(current_, payload);
    current_keyframe_ = current_keyframe_ || is_idr(payload[0]);
    return absl::OkStatus();
  }
  if (type == kStapA) return append_stap_a(current_, current_keyframe_, payload);
  if (type == kFuA) {
    if (payload.size() < kFuAHeaderSize) return absl::InvalidArgumentError("FU-A too short");
    const uint8_t fu_header = payload[1];
    const auto data = payload.subspan(kFuAHeaderSize);
    if (auto s = check_room(current_.size(), data.size() + 5); !s.ok()) return s;
    if ((fu_header & kFuStart) != 0) {
      if (in_fragment_) return absl::InvalidArgumentError("FU-A start bit inside a fragment");
      // Reconstructed header: F and NRI from the FU indicator, type from the FU header.
      const uint8_t nal_header = static_cast<uint8_t>((payload[0] & 0xe0) | (fu_header & 0x1f));
      const uint8_t header_bytes[] = {nal_header};
      h264::append_annex_b(current_, header_bytes);
      current_keyframe_ = current_keyframe_ || is_idr(nal_header);
      in_fragment_ = true;
    } else if (!in_fragment_) {
      return absl::InvalidArgumentError("FU-A fragment without a start fragment");
    }
    current_.insert(current_.end(), data.begin(), data.end());
    // 5.8 forbids S and E in one FU; we accept it as a whole NAL unit (lenient receiver).
    if ((fu_header & kFuEnd) != 0) in_fragment_ = false;
    return absl::OkStatus();
  }
  if (type >= 25 && type <= 29) {
    return absl::UnimplementedError(
        absl::StrCat("NAL unit type ", type, " (STAP-B/MTAP/FU-B) needs packetization-mode=2"));
  }
  return absl::InvalidArgumentError(absl::StrCat("reserved NAL unit type ", type));
}

}  // namespace media
