// Helpers shared by the RTP payload format unit tests (rtp_audio_test, rtp_nal_codec_test):
// hand-made RTP packets, checks of packetizer output, feeding a depacketizer, and the case
// table types of the H.264/H.265 suite.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "media/packetized_frame.hpp"
#include "media/rtp.hpp"
#include "test_bytes.hpp"

namespace media::rtp_test {

using test_bytes::Bytes;
using test_bytes::cat;
using test_bytes::hex;

// Bytes [begin, end) of `b`.
inline Bytes slice(const Bytes& b, size_t begin, size_t end) {
  return Bytes(b.begin() + begin, b.begin() + end);
}

// An RTP packet with SSRC 0 and `payload` (hex).
inline Bytes rtp(uint16_t seq, uint32_t ts, bool marker, std::string_view payload,
                 uint8_t payload_type = 96) {
  Bytes out(kRtpHeaderSize);
  RtpHeader{.marker = marker, .payload_type = payload_type, .sequence = seq, .timestamp = ts}
      .serialize_to(out.data());
  const Bytes p = hex(payload);
  out.insert(out.end(), p.begin(), p.end());
  return out;
}

struct WantPacket {
  bool marker;
  uint32_t timestamp;
  Bytes payload;
};

// Checks prefix, RTP header and payload of every packet of `f`.
inline void expect_packets(const PacketizedFrame& f, uint8_t channel, uint8_t payload_type,
                           uint16_t first_sequence, uint32_t ssrc,
                           const std::vector<WantPacket>& want) {
  EXPECT_EQ(f.first_sequence, first_sequence);
  EXPECT_EQ(f.interleaved_channel, channel);
  EXPECT_TRUE(f.keyframe);
  ASSERT_EQ(f.packet_count(), want.size());
  if (!want.empty()) {
    EXPECT_EQ(f.rtp_timestamp, want[0].timestamp);
  }
  for (size_t i = 0; i < f.packet_count(); ++i) {
    SCOPED_TRACE(i);
    const auto packet = f.packet(i);
    const uint8_t* prefix = f.bytes.data() + f.packet_offsets[i];
    EXPECT_EQ(Bytes(prefix, prefix + 4),
              (Bytes{'$', channel, static_cast<uint8_t>(packet.size() >> 8),
                     static_cast<uint8_t>(packet.size())}));
    auto h = RtpHeader::parse(packet);
    ASSERT_TRUE(h.ok()) << h.status();
    EXPECT_EQ(*h, (RtpHeader{.marker = want[i].marker,
                             .payload_type = payload_type,
                             .sequence = static_cast<uint16_t>(first_sequence + i),
                             .timestamp = want[i].timestamp,
                             .ssrc = ssrc}));
    EXPECT_EQ(Bytes(packet.begin() + 12, packet.end()), want[i].payload);
  }
}

// What a depacketizer made of a run of packets: the access units it completed, in order, and
// the errors of the packets it refused.
template <class AccessUnit>
struct Fed {
  std::vector<AccessUnit> units;
  std::vector<absl::Status> errors;
};

// Feeds one packet; depacketizers return either at most one access unit (std::optional) or any
// number of them (std::vector).
template <class Depacketizer>
void feed_one(Depacketizer& d, std::span<const uint8_t> packet,
              Fed<typename Depacketizer::AccessUnit>& fed) {
  using AccessUnit = typename Depacketizer::AccessUnit;
  auto r = d.feed(packet);
  if (!r.ok()) {
    fed.errors.push_back(r.status());
    return;
  }
  if constexpr (std::is_same_v<std::remove_cvref_t<decltype(*r)>, std::optional<AccessUnit>>) {
    if (*r) fed.units.push_back(std::move(**r));
  } else {
    for (auto& au : *r) fed.units.push_back(std::move(au));
  }
}

template <class Depacketizer>
Fed<typename Depacketizer::AccessUnit> feed_all(Depacketizer& d,
                                                const std::vector<Bytes>& packets) {
  Fed<typename Depacketizer::AccessUnit> fed;
  for (const auto& packet : packets) feed_one(d, packet, fed);
  return fed;
}

template <class Depacketizer>
Fed<typename Depacketizer::AccessUnit> feed_all(Depacketizer& d, const PacketizedFrame& f) {
  Fed<typename Depacketizer::AccessUnit> fed;
  for (size_t i = 0; i < f.packet_count(); ++i) feed_one(d, f.packet(i), fed);
  return fed;
}

// A run of packets for a depacketizer and what it should make of them.
template <class WantAu>
struct DepacketizerCase {
  std::string_view name;
  std::vector<Bytes> packets;
  std::vector<WantAu> want;  // the access units completed, in order
  size_t want_errors;        // packets refused
  uint64_t want_lost;
  uint64_t want_dropped;
};

// Feeds the packets of `c` to `d` and checks the access units (each one against its WantAu by
// `expect_unit(got, want)`), the refused packets and the counters. Wrap the call in
// ASSERT_NO_FATAL_FAILURE: a wrong number of access units stops the check here.
template <class Depacketizer, class WantAu, class ExpectUnit>
void expect_depacketized(Depacketizer& d, const DepacketizerCase<WantAu>& c,
                         ExpectUnit expect_unit) {
  const auto fed = feed_all(d, c.packets);
  ASSERT_EQ(fed.units.size(), c.want.size());
  for (size_t i = 0; i < fed.units.size(); ++i) {
    SCOPED_TRACE(i);
    expect_unit(fed.units[i], c.want[i]);
  }
  EXPECT_EQ(fed.errors.size(), c.want_errors);
  EXPECT_EQ(d.stats().packets, c.packets.size());
  EXPECT_EQ(d.stats().lost_packets, c.want_lost);
  EXPECT_EQ(d.stats().dropped_units, c.want_dropped);
}

// ---- H.264/H.265 case tables (rtp_h264_cases.hpp, rtp_h265_cases.hpp) ----

// NAL units with 4-byte start codes.
inline Bytes annex_b(const std::vector<Bytes>& nals) {
  Bytes out;
  for (const auto& n : nals) {
    out.insert(out.end(), {0, 0, 0, 1});
    out.insert(out.end(), n.begin(), n.end());
  }
  return out;
}

struct NalWantPacket {
  bool marker;
  Bytes payload;
};

// One access unit, shared by the packetizer test and the packetizer-depacketizer round trip.
struct NalCase {
  std::string_view name;
  size_t max_packet_size;  // RTP header + payload; 64 leaves 52 payload bytes
  std::vector<Bytes> nals;
  std::vector<NalWantPacket> want;
};

struct NalWantAu {
  uint32_t ts;
  std::string_view annex_b;
  bool keyframe;
};

using NalDepacketizerCase = DepacketizerCase<NalWantAu>;

}  // namespace media::rtp_test
