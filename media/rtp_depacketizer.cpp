// Access-unit reassembly shared by the H.264 and H.265 depacketizers (rtp_depacketizer.hpp).
#include "media/rtp_depacketizer.hpp"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "media/rtp.hpp"

namespace media {

absl::Status check_unit_room(size_t current, size_t more) {
  if (more > kMaxAccessUnitBytes - std::min(current, kMaxAccessUnitBytes)) {
    return absl::ResourceExhaustedError(
        absl::StrCat("access unit exceeds ", kMaxAccessUnitBytes, " bytes"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<RtpAccessUnit>> RtpDepacketizer::feed(
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
