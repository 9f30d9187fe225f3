// H.264 over RTP, RFC 6184: packetization mode 1 (sections 5.6, 5.7.1, 5.8) and reassembly.
#include "media/rtp_h264.hpp"
#include "media/nal_packetizer.hpp"
#include "media/rtp_packet_writer.hpp"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "media/h264.hpp"
#include "media/rtp_depacketizer.hpp"

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
size_t stap_a_count(std::span<const Nal> nals, size_t first, size_t max_payload) {
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

// The payload format's parts for packetize_nal_units (media/nal_packetizer.hpp).
struct H264Format {
  static constexpr size_t kAggregateOverhead = kStapAHeaderSize + kStapALengthSize;
  static constexpr size_t kFragmentHeaderSize = kFuAHeaderSize;
  static size_t aggregate_count(std::span<const Nal> nals, size_t first, size_t max_payload) {
    return stap_a_count(nals, first, max_payload);
  }
  static void write_aggregate(RtpPacketWriter& w, std::span<const Nal> nals, bool marker) {
    write_stap_a(w, nals, marker);
  }
  static void write_fragments(RtpPacketWriter& w, Nal nal, size_t max_payload, bool last_nal) {
    write_fu_a(w, nal, max_payload, last_nal);
  }
};

}  // namespace

RtpH264Packetizer::RtpH264Packetizer(Config config)
    : config_(config), next_sequence_(config.initial_sequence) {
  config_.max_packet_size = clamp_packet_size(config_.max_packet_size);
}

PacketizedFrame RtpH264Packetizer::packetize(std::span<const uint8_t> annex_b,
                                             uint32_t rtp_timestamp, bool keyframe) {
  std::vector<Nal> nals = h264::split_annex_b(annex_b);
  std::erase_if(nals, is_dropped);
  return packetize_nal_units<H264Format>(config_, nals, rtp_timestamp, keyframe, next_sequence_);
}

namespace {

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
    if (auto s = check_unit_room(out.size(), size + 4); !s.ok()) return s;
    h264::append_annex_b(out, payload.subspan(pos, size));
    keyframe = keyframe || is_idr(payload[pos]);
    pos += size;
  }
  return absl::OkStatus();
}

// Appends one RTP payload (RFC 6184 5.6 single NAL unit, 5.7.1 STAP-A, 5.8 FU-A) to `unit`.
absl::Status append_payload(std::span<const uint8_t> payload, UnitInProgress& unit) {
  if (payload.empty()) return absl::InvalidArgumentError("empty RTP payload");
  const uint8_t type = payload[0] & 0x1f;
  if (unit.in_fragment && type != kFuA) {
    return absl::InvalidArgumentError("FU-A fragment ended without the end bit");
  }
  if (type >= 1 && type <= 23) {
    // RFC 6184 5.6: types 1-23 are single NAL unit packets, the payload is the NAL unit.
    if (auto s = check_unit_room(unit.annex_b.size(), payload.size() + 4); !s.ok()) return s;
    h264::append_annex_b(unit.annex_b, payload);
    unit.keyframe = unit.keyframe || is_idr(payload[0]);
    return absl::OkStatus();
  }
  if (type == kStapA) return append_stap_a(unit.annex_b, unit.keyframe, payload);
  if (type == kFuA) {
    if (payload.size() < kFuAHeaderSize) return absl::InvalidArgumentError("FU-A too short");
    const uint8_t fu_header = payload[1];
    const auto data = payload.subspan(kFuAHeaderSize);
    if (auto s = check_unit_room(unit.annex_b.size(), data.size() + 5); !s.ok()) return s;
    if ((fu_header & kFuStart) != 0) {
      if (unit.in_fragment) return absl::InvalidArgumentError("FU-A start bit inside a fragment");
      // Reconstructed header: F and NRI from the FU indicator, type from the FU header.
      const uint8_t nal_header = static_cast<uint8_t>((payload[0] & 0xe0) | (fu_header & 0x1f));
      const uint8_t header_bytes[] = {nal_header};
      h264::append_annex_b(unit.annex_b, header_bytes);
      unit.keyframe = unit.keyframe || is_idr(nal_header);
      unit.in_fragment = true;
    } else if (!unit.in_fragment) {
      return absl::InvalidArgumentError("FU-A fragment without a start fragment");
    }
    unit.annex_b.insert(unit.annex_b.end(), data.begin(), data.end());
    // 5.8 forbids S and E in one FU; we accept it as a whole NAL unit (lenient receiver).
    if ((fu_header & kFuEnd) != 0) unit.in_fragment = false;
    return absl::OkStatus();
  }
  if (type >= 25 && type <= 29) {
    return absl::UnimplementedError(
        absl::StrCat("NAL unit type ", type, " (STAP-B/MTAP/FU-B) needs packetization-mode=2"));
  }
  return absl::InvalidArgumentError(absl::StrCat("reserved NAL unit type ", type));
}

}  // namespace

RtpH264Depacketizer::RtpH264Depacketizer()
    : assembler_(append_payload, payload_begins_access_unit) {}

}  // namespace media
