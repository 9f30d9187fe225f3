// Access-unit reassembly shared by the H.264 and H.265 depacketizers (rtp_depacketizer.hpp).
#include "media/rtp_depacketizer.hpp"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "media/h264.hpp"
#include "media/nal_packetizer.hpp"  // kNalSizeFieldSize, kFuStartBit, kFuEndBit
#include "media/rtp.hpp"

namespace media {

absl::Status check_unit_room(size_t current, size_t more) {
  if (more > kMaxAccessUnitBytes - std::min(current, kMaxAccessUnitBytes)) {
    return absl::ResourceExhaustedError(
        absl::StrCat("access unit exceeds ", kMaxAccessUnitBytes, " bytes"));
  }
  return absl::OkStatus();
}

absl::Status append_single(const NalFormat& format, std::span<const uint8_t> payload,
                           UnitInProgress& unit) {
  if (auto s = check_unit_room(unit.annex_b.size(), payload.size() + 4); !s.ok()) return s;
  h264::append_annex_b(unit.annex_b, payload);
  unit.keyframe = unit.keyframe || format.is_key(payload[0]);
  return absl::OkStatus();
}

absl::Status append_aggregate(const NalFormat& format, std::span<const uint8_t> payload,
                              UnitInProgress& unit) {
  size_t pos = format.nal_header_size;
  if (payload.size() <= pos) {
    return absl::InvalidArgumentError(absl::StrCat(format.aggregate_name, " without NAL units"));
  }
  while (pos < payload.size()) {
    if (payload.size() - pos < kNalSizeFieldSize) {
      return absl::InvalidArgumentError(
          absl::StrCat(format.aggregate_name, " NAL unit size truncated"));
    }
    const size_t size = (size_t{payload[pos]} << 8) | payload[pos + 1];
    pos += kNalSizeFieldSize;
    if (size == 0 || size < format.nal_header_size || size > payload.size() - pos) {
      return absl::InvalidArgumentError(
          absl::StrCat(format.aggregate_name, " NAL unit size ", size, " invalid"));
    }
    if (auto s = check_unit_room(unit.annex_b.size(), size + 4); !s.ok()) return s;
    h264::append_annex_b(unit.annex_b, payload.subspan(pos, size));
    unit.keyframe = unit.keyframe || format.is_key(payload[pos]);
    pos += size;
  }
  return absl::OkStatus();
}

absl::Status append_fragment(const NalFormat& format, uint8_t fu_header,
                             std::span<const uint8_t> nal_header, std::span<const uint8_t> data,
                             UnitInProgress& unit) {
  if (auto s = check_unit_room(unit.annex_b.size(), data.size() + 4 + nal_header.size()); !s.ok()) {
    return s;
  }
  if ((fu_header & kFuStartBit) != 0) {
    if (unit.in_fragment) {
      return absl::InvalidArgumentError(
          absl::StrCat(format.fragment_name, " start bit inside a fragment"));
    }
    h264::append_annex_b(unit.annex_b, nal_header);
    unit.keyframe = unit.keyframe || format.is_key(nal_header[0]);
    unit.in_fragment = true;
  } else if (!unit.in_fragment) {
    return absl::InvalidArgumentError(
        absl::StrCat(format.fragment_name, " fragment without a start fragment"));
  }
  unit.annex_b.insert(unit.annex_b.end(), data.begin(), data.end());
  if ((fu_header & kFuEndBit) != 0) unit.in_fragment = false;
  return absl::OkStatus();
}

absl::StatusOr<std::optional<RtpAccessUnit>> RtpDepacketizer::feed(
    std::span<const uint8_t> packet) {
  ++stats_.packets;
  auto header = RtpHeader::parse(packet);
  if (!header.ok()) return header.status();
  const auto payload = header->payload(packet);

  // RFC 3550 5.1: "The sequence number increments by one for each RTP data packet sent, and
  // may be used by the receiver to detect packet loss".
  const bool after_marker = last_marker_;
  last_marker_ = header->marker;
  if (last_sequence_ && header->sequence != static_cast<uint16_t>(*last_sequence_ + 1)) {
    stats_.lost_packets += static_cast<uint16_t>(header->sequence - *last_sequence_ - 1);
    if (finish()) ++stats_.dropped_units;
    // The lost packets may have started this packet's access unit: skip until a new timestamp,
    // unless the gap fell between two units (whole units lost).
    broken_ = !(after_marker && begins_(payload));
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

  std::optional<RtpAccessUnit> out;
  // RFC 6184 5.1 / RFC 7798 4.1: the marker bit is set for the last packet of the access unit;
  // a sender that omits it is still served: a new timestamp closes the previous unit
  // (rtp_nal_codec_test, rtp_h264_cases.hpp and rtp_h265_cases.hpp: "timestamp change closes a unit
  // without marker").
  if (current_timestamp_ && *current_timestamp_ != header->timestamp) out = finish();
  if (!current_timestamp_) current_timestamp_ = header->timestamp;

  if (auto status = append_(payload, unit_); !status.ok()) {
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

std::optional<RtpAccessUnit> RtpDepacketizer::finish() {
  std::optional<RtpAccessUnit> au;
  if (!unit_.annex_b.empty() && !unit_.in_fragment) {
    au = RtpAccessUnit{current_timestamp_.value_or(0), std::move(unit_.annex_b), unit_.keyframe};
  } else if (!unit_.annex_b.empty()) {
    ++stats_.dropped_units;  // ends inside a fragment: the last NAL unit is incomplete
  }
  unit_.annex_b.clear();  // keeps its capacity for the next unit
  unit_.keyframe = false;
  unit_.in_fragment = false;
  current_timestamp_.reset();
  return au;
}

}  // namespace media
