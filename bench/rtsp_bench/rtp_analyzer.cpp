// RTP fixed header (RFC 3550 5.1) and H.264 payload structures (RFC 6184 5.6-5.8) read in place.
#include "bench/rtsp_bench/rtp_analyzer.hpp"

#include <span>

#include "media/sei.hpp"

namespace rtsp_bench {
namespace {

constexpr uint8_t kNalIdr = 5;
constexpr uint8_t kNalSei = 6;
constexpr uint8_t kStapA = 24;  // RFC 6184 5.7.1
constexpr uint8_t kFuA = 28;    // RFC 6184 5.8

uint16_t be16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] << 8 | p[1]);
}
uint32_t be32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
         static_cast<uint32_t>(p[2]) << 8 | p[3];
}
bool is_slice(uint8_t type) {
  return type >= 1 && type <= 5;
}

}  // namespace

void RtpAnalyzer::on_packet(const uint8_t* data, size_t size, const ReceiveTime& at, bool in_window,
                            std::vector<LatencySample>* samples) {
  const int64_t mono_us = at.mono_us;
  // RFC 3550 5.1: V=2, P, X, CC, M, PT, sequence number, timestamp, SSRC, CSRC list.
  if (size < 12 || (data[0] >> 6) != 2) {
    ++counters_.malformed;
    return;
  }
  size_t header = 12 + 4 * static_cast<size_t>(data[0] & 0x0f);
  if ((data[0] & 0x10) != 0) {  // 5.3.1 header extension
    if (size < header + 4) {
      ++counters_.malformed;
      return;
    }
    header += 4 + 4 * static_cast<size_t>(be16(data + header + 2));
  }
  size_t end = size;
  if ((data[0] & 0x20) != 0) end -= data[size - 1];  // padding count in the last octet
  if (header > end || end > size) {
    ++counters_.malformed;
    return;
  }
  const bool marker = (data[1] & 0x80) != 0;
  const int payload_type = data[1] & 0x7f;
  if (payload_type_ >= 0 && payload_type != payload_type_) return;
  const uint16_t sequence = be16(data + 2);
  const uint32_t timestamp = be32(data + 4);

  ++counters_.packets_total;
  if (counters_.first_packet_mono_us < 0) counters_.first_packet_mono_us = mono_us;
  if (in_window) {
    ++counters_.packets;
    counters_.bytes += size;
    if (last_packet_mono_us_ >= 0 && mono_us - last_packet_mono_us_ > counters_.max_gap_us) {
      counters_.max_gap_us = mono_us - last_packet_mono_us_;
    }
  }
  last_packet_mono_us_ = mono_us;

  bool gap = false;
  if (have_sequence_) {
    const auto delta = static_cast<int16_t>(sequence - next_sequence_);
    if (delta < 0) {  // late or duplicate: a player would drop it too
      ++counters_.out_of_order;
      return;
    }
    if (delta > 0) {
      gap = true;
      counters_.lost_total += static_cast<uint64_t>(delta);
      if (in_window) counters_.lost += static_cast<uint64_t>(delta);
    }
  }
  const bool first_packet = !have_sequence_;
  have_sequence_ = true;
  next_sequence_ = static_cast<uint16_t>(sequence + 1);

  const uint8_t* payload = data + header;
  const size_t payload_size = end - header;
  // A fragment that is not the first one (FU-A without the S bit) never starts a unit cleanly.
  const bool continuation =
      payload_size >= 2 && (payload[0] & 0x1f) == kFuA && (payload[1] & 0x80) == 0;
  if (au_open_ && timestamp != au_timestamp_) {  // a new unit began without the previous marker
    finish_access_unit(/*marker_seen=*/false, at, in_window, samples);
  }
  if (!au_open_) {
    const bool clean = !gap && !continuation && (prev_was_marker_ || first_packet);
    start_access_unit(timestamp, clean, mono_us);
  } else if (gap) {
    au_broken_ = true;
  }
  if (au_scanning_) inspect_payload(payload, payload_size);
  prev_was_marker_ = marker;
  if (marker) finish_access_unit(/*marker_seen=*/true, at, in_window, samples);
}

void RtpAnalyzer::start_access_unit(uint32_t timestamp, bool clean, int64_t mono_us) {
  au_open_ = true;
  au_broken_ = !clean;
  au_keyframe_ = false;
  au_scanning_ = true;
  au_timestamp_ = timestamp;
  au_first_mono_us_ = mono_us;
  au_capture_us_ = -1;
}

void RtpAnalyzer::inspect_payload(const uint8_t* payload, size_t size) {
  if (size < 1) return;
  const uint8_t type = payload[0] & 0x1f;
  if (type == kStapA) {  // 5.7.1: 16-bit size, then the NAL unit, repeated
    size_t pos = 1;
    while (pos + 2 <= size) {
      const size_t nal_size = be16(payload + pos);
      pos += 2;
      if (nal_size == 0 || pos + nal_size > size) break;
      inspect_nal(payload + pos, nal_size);
      pos += nal_size;
    }
  } else if (type == kFuA) {  // 5.8: FU indicator, FU header carrying the NAL type
    if (size >= 2) {
      const uint8_t fu_type = payload[1] & 0x1f;
      if (fu_type == kNalIdr) au_keyframe_ = true;
      if (is_slice(fu_type)) au_scanning_ = false;
    }
  } else {
    inspect_nal(payload, size);
  }
}

void RtpAnalyzer::inspect_nal(const uint8_t* nal, size_t size) {
  const uint8_t type = nal[0] & 0x1f;
  if (type == kNalSei && au_capture_us_ < 0) {
    if (auto t = media::parse_capture_time_sei(std::span<const uint8_t>(nal, size))) {
      au_capture_us_ = *t;
    }
  } else if (is_slice(type)) {
    if (type == kNalIdr) au_keyframe_ = true;
    au_scanning_ = false;  // SEI precedes the primary coded picture (H.264 7.4.1.2.3)
  }
}

void RtpAnalyzer::finish_access_unit(bool marker_seen, const ReceiveTime& at, bool in_window,
                                     std::vector<LatencySample>* samples) {
  const bool complete = marker_seen && !au_broken_;
  if (complete && au_keyframe_ && counters_.first_keyframe_mono_us < 0) {
    counters_.first_keyframe_mono_us = au_first_mono_us_;
  }
  if (in_window) {
    if (complete) {
      ++counters_.frames_complete;
      if (au_capture_us_ >= 0) {
        samples->push_back({au_capture_us_, static_cast<int32_t>(at.wall_us - au_capture_us_),
                            static_cast<int32_t>(at.read_wall_us - au_capture_us_)});
      } else {
        ++counters_.frames_without_sei;
      }
    } else {
      ++counters_.frames_incomplete;
    }
  }
  au_open_ = false;
}

}  // namespace rtsp_bench
