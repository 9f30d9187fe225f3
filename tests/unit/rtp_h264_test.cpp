// Tests for media/rtp_h264 (RFC 6184): one case table shared by packetizer and depacketizer,
// then depacketizer-only cases for loss, wrap-around and malformed payloads.
#include "media/rtp_h264.hpp"

#include <gtest/gtest.h>

#include "test_bytes.hpp"

#include <cctype>
#include <string_view>
#include <vector>

namespace media {
namespace {

using test_bytes::Bytes;
using test_bytes::cat;
using test_bytes::hex;

// A NAL unit of `size` bytes: header, then 01 02 ... (never zero, so no start code emulation).
Bytes nal(uint8_t header, size_t size) {
  Bytes out{header};
  for (size_t i = 1; i < size; ++i) out.push_back(static_cast<uint8_t>(i % 255 + 1));
  return out;
}

Bytes slice(const Bytes& b, size_t begin, size_t end) {
  return Bytes(b.begin() + begin, b.begin() + end);
}

Bytes annex_b(const std::vector<Bytes>& nals) {
  Bytes out;
  for (const auto& n : nals) {
    out.insert(out.end(), {0, 0, 0, 1});
    out.insert(out.end(), n.begin(), n.end());
  }
  return out;
}

// Real x264 1280x720 high profile parameter sets (see h264_test).
const Bytes kSps = hex("67 64 00 1f ac b2 00 a0 0b 76 02 20 00 00 03 00 20 00 00 07 91 e3 06 49");
const Bytes kPps = hex("68 eb c3 cb 22 c0");

struct WantPacket {
  bool marker;
  Bytes payload;
};

struct Case {
  std::string_view name;
  size_t max_packet_size;  // RTP header + payload; 64 leaves 52 payload bytes
  std::vector<Bytes> nals;
  std::vector<WantPacket> want;
};

std::vector<Case> shared_cases() {
  const Bytes idr52 = nal(0x65, 52);
  const Bytes idr53 = nal(0x65, 53);
  const Bytes slice111 = nal(0x41, 111);
  const Bytes idr40 = nal(0x65, 40);
  const Bytes sei23 = nal(0x06, 23), slice24 = nal(0x41, 24), sei24 = nal(0x06, 24);
  const Bytes slice30 = nal(0x41, 30);
  const Bytes sei28 = nal(0x06, 28), idr3000 = nal(0x65, 3000);
  const Bytes idr60 = nal(0x65, 60), p10 = nal(0x41, 10), q10 = nal(0x21, 10);
  return {
      {"single nal exactly fitting the payload", 64, {idr52}, {{true, idr52}}},
      {"one byte over: fu-a two fragments",
       64,
       {idr53},
       {{false, cat({hex("7c 85"), slice(idr53, 1, 51)})},
        {true, cat({hex("7c 45"), slice(idr53, 51, 53)})}}},
      {"fu-a three fragments keep nri and type",
       64,
       {slice111},
       {{false, cat({hex("5c 81"), slice(slice111, 1, 51)})},
        {false, cat({hex("5c 01"), slice(slice111, 51, 101)})},
        {true, cat({hex("5c 41"), slice(slice111, 101, 111)})}}},
      {"stap-a of x264 sps+pps, idr single",
       64,
       {kSps, kPps, idr40},
       {{false, cat({hex("78 00 18"), kSps, hex("00 06"), kPps})}, {true, idr40}}},
      {"stap-a filling the payload exactly, nri is the max",
       64,
       {sei23, slice24},
       {{true, cat({hex("58 00 17"), sei23, hex("00 18"), slice24})}}},
      {"stap-a one byte over: two single nal packets",
       64,
       {sei24, slice24},
       {{false, sei24}, {true, slice24}}},
      {"aud and filler are dropped",
       64,
       {hex("09 f0"), slice30, hex("0c ff ff 80")},
       {{true, slice30}}},
      {"x264 keyframe at the default size: stap-a sps+pps+sei, fu-a idr",
       kDefaultRtpMaxPacketSize,
       {kSps, kPps, sei28, idr3000},
       {{false, cat({hex("78 00 18"), kSps, hex("00 06"), kPps, hex("00 1c"), sei28})},
        {false, cat({hex("7c 85"), slice(idr3000, 1, 1387)})},
        {false, cat({hex("7c 05"), slice(idr3000, 1387, 2773)})},
        {true, cat({hex("7c 45"), slice(idr3000, 2773, 3000)})}}},
      {"stap-a after fu-a",
       64,
       {idr60, p10, q10},
       {{false, cat({hex("7c 85"), slice(idr60, 1, 51)})},
        {false, cat({hex("7c 45"), slice(idr60, 51, 60)})},
        {true, cat({hex("58 00 0a"), p10, hex("00 0a"), q10})}}},
  };
}

bool has_idr(const std::vector<Bytes>& nals) {
  for (const auto& n : nals) {
    if ((n[0] & 0x1f) == 5) return true;
  }
  return false;
}

TEST(RtpH264Packetizer, PacketizesSharedCases) {
  for (const auto& c : shared_cases()) {
    SCOPED_TRACE(c.name);
    RtpH264Packetizer p({.payload_type = 97,
                         .ssrc = 0xcafe,
                         .initial_sequence = 100,
                         .max_packet_size = c.max_packet_size,
                         .interleaved_channel = 4});
    const PacketizedFrame f = p.packetize(annex_b(c.nals), 90000, true);
    EXPECT_EQ(f.first_sequence, 100);
    EXPECT_EQ(f.rtp_timestamp, 90000u);
    EXPECT_EQ(f.interleaved_channel, 4);
    EXPECT_TRUE(f.keyframe);
    ASSERT_EQ(f.packet_count(), c.want.size());
    for (size_t i = 0; i < f.packet_count(); ++i) {
      SCOPED_TRACE(i);
      const auto packet = f.packet(i);
      ASSERT_LE(packet.size(), c.max_packet_size);
      const uint8_t* prefix = f.bytes.data() + f.packet_offsets[i];
      EXPECT_EQ(Bytes(prefix, prefix + 4), (Bytes{'$', 4, static_cast<uint8_t>(packet.size() >> 8),
                                                  static_cast<uint8_t>(packet.size())}));
      auto h = RtpHeader::parse(packet);
      ASSERT_TRUE(h.ok()) << h.status();
      EXPECT_EQ(*h, (RtpHeader{.marker = c.want[i].marker,
                               .payload_type = 97,
                               .sequence = static_cast<uint16_t>(100 + i),
                               .timestamp = 90000,
                               .ssrc = 0xcafe}));
      EXPECT_EQ(Bytes(packet.begin() + 12, packet.end()), c.want[i].payload);
    }
    EXPECT_EQ(p.next_sequence(), 100 + c.want.size());
  }
}

TEST(RtpH264Depacketizer, RoundTripsSharedCases) {
  for (const auto& c : shared_cases()) {
    SCOPED_TRACE(c.name);
    RtpH264Packetizer p({.max_packet_size = c.max_packet_size});
    const PacketizedFrame f = p.packetize(annex_b(c.nals), 3000, false);
    RtpH264Depacketizer d;
    std::vector<RtpH264Depacketizer::AccessUnit> got;
    for (size_t i = 0; i < f.packet_count(); ++i) {
      auto r = d.feed(f.packet(i));
      ASSERT_TRUE(r.ok()) << r.status();
      if (*r) got.push_back(std::move(**r));
    }
    std::vector<Bytes> want_nals;
    for (const auto& n : c.nals) {
      if ((n[0] & 0x1f) != 9 && (n[0] & 0x1f) != 12) want_nals.push_back(n);
    }
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].rtp_timestamp, 3000u);
    EXPECT_EQ(got[0].annex_b, annex_b(want_nals));
    EXPECT_EQ(got[0].keyframe, has_idr(want_nals));
    EXPECT_EQ(d.stats().packets, f.packet_count());
    EXPECT_EQ(d.stats().lost_packets, 0u);
  }
}

TEST(RtpH264Packetizer, WritesExactBytes) {
  RtpH264Packetizer p({.payload_type = 96,
                       .ssrc = 0x11223344,
                       .initial_sequence = 0x1234,
                       .interleaved_channel = 2});
  const PacketizedFrame f = p.packetize(hex("00 00 00 01 09 f0 00 00 01 41 9a"), 0x01020304, false);
  EXPECT_EQ(f.bytes, hex("24 02 00 0e 80 e0 12 34 01 02 03 04 11 22 33 44 41 9a"));
  EXPECT_EQ(f.packet_offsets, std::vector<uint32_t>{0});
  EXPECT_EQ(f.track, 0u);
  EXPECT_FALSE(f.keyframe);
  EXPECT_EQ(f.rtp_bytes(), 14u);
}

TEST(RtpH264Packetizer, SequenceWrapsAt65535) {
  RtpH264Packetizer p({.initial_sequence = 65534, .max_packet_size = 64});
  const PacketizedFrame a = p.packetize(annex_b({nal(0x41, 111)}), 0, false);
  ASSERT_EQ(a.packet_count(), 3u);
  std::vector<uint16_t> seqs;
  for (size_t i = 0; i < a.packet_count(); ++i)
    seqs.push_back(RtpHeader::parse(a.packet(i))->sequence);
  EXPECT_EQ(seqs, (std::vector<uint16_t>{65534, 65535, 0}));
  EXPECT_EQ(p.next_sequence(), 1);
  const PacketizedFrame b = p.packetize(annex_b({nal(0x41, 10)}), 3000, false);
  EXPECT_EQ(b.first_sequence, 1);
}

TEST(RtpH264Packetizer, EmptyAccessUnitHasNoPackets) {
  RtpH264Packetizer p({});
  EXPECT_EQ(p.packetize(hex("00 00 00 01 09 f0"), 0, false).packet_count(), 0u);
  EXPECT_EQ(p.packetize({}, 0, false).packet_count(), 0u);
  EXPECT_EQ(p.next_sequence(), 0);
}

// An RTP packet with payload type 96 and SSRC 0.
Bytes rtp(uint16_t seq, uint32_t ts, bool marker, std::string_view payload) {
  Bytes out(kRtpHeaderSize);
  RtpHeader{.marker = marker, .sequence = seq, .timestamp = ts}.serialize_to(out.data());
  const Bytes p = hex(payload);
  out.insert(out.end(), p.begin(), p.end());
  return out;
}

struct WantAu {
  uint32_t ts;
  std::string_view annex_b;
  bool keyframe;
};

struct DepacketizerCase {
  std::string_view name;
  std::vector<Bytes> packets;
  std::vector<WantAu> want;
  size_t want_errors;
  uint64_t want_lost;
  uint64_t want_dropped;
};

const DepacketizerCase kDepacketizerCases[] = {
    {"loss inside fu-a drops the unit",
     {rtp(1, 1000, false, "7c 85 aa"), rtp(3, 1000, true, "7c 45 cc"), rtp(4, 4000, true, "41 9a")},
     {{4000, "00 00 00 01 41 9a", false}},
     0,
     1,
     1},
    {"sequence wraps 65535 -> 0",
     {rtp(65535, 1000, false, "7c 85 aa bb"), rtp(0, 1000, true, "7c 45 cc")},
     {{1000, "00 00 00 01 65 aa bb cc", true}},
     0,
     0,
     0},
    {"starts mid-fragment",
     {rtp(10, 1000, false, "7c 05 aa"), rtp(11, 1000, true, "7c 45 bb"),
      rtp(12, 4000, true, "41 9a")},
     {{4000, "00 00 00 01 41 9a", false}},
     1,
     0,
     0},
    {"truncated stap-a",
     {rtp(1, 1000, true, "78 00 05 67 42"), rtp(2, 4000, true, "18 00 02 09 f0 00 02 41 9a")},
     {{4000, "00 00 00 01 09 f0 00 00 00 01 41 9a", false}},
     1,
     0,
     0},
    {"stap-a with a zero size and with only a header",
     {rtp(1, 1000, true, "78 00 00 67"), rtp(2, 2000, true, "78"), rtp(3, 3000, true, "78 00")},
     {},
     3,
     0,
     0},
    {"lost start of an access unit skips the rest of it",
     {rtp(1, 1000, true, "41 01"), rtp(3, 4000, false, "41 02"), rtp(4, 4000, true, "41 03"),
      rtp(5, 7000, true, "41 04")},
     {{1000, "00 00 00 01 41 01", false}, {7000, "00 00 00 01 41 04", false}},
     0,
     1,
     0},
    {"whole units lost: a unit that begins with parameter sets is kept",
     {rtp(1, 1000, true, "41 9a"), rtp(5, 4000, false, "78 00 02 67 42 00 02 68 ce"),
      rtp(6, 4000, true, "65 88 84")},
     {{1000, "00 00 00 01 41 9a", false},
      {4000, "00 00 00 01 67 42 00 00 00 01 68 ce 00 00 00 01 65 88 84", true}},
     0,
     3,
     0},
    {"whole units lost: a unit whose fu-a starts the first slice is kept",
     {rtp(1, 1000, true, "41 9a"), rtp(4, 4000, false, "7c 85 88"), rtp(5, 4000, true, "7c 45 84")},
     {{1000, "00 00 00 01 41 9a", false}, {4000, "00 00 00 01 65 88 84", true}},
     0,
     2,
     0},
    {"gap after a marker before a later slice of a picture skips that unit",
     {rtp(1, 1000, true, "41 9a"), rtp(5, 4000, true, "41 02"), rtp(6, 7000, true, "41 9a")},
     {{1000, "00 00 00 01 41 9a", false}, {7000, "00 00 00 01 41 9a", false}},
     0,
     3,
     0},
    {"loss of the marker packet drops the unit",
     {rtp(1, 1000, false, "65 01"), rtp(3, 4000, true, "41 02"), rtp(4, 7000, true, "41 03")},
     {{7000, "00 00 00 01 41 03", false}},
     0,
     1,
     1},
    {"timestamp change closes a unit without marker",
     {rtp(1, 1000, false, "41 01"), rtp(2, 4000, false, "41 02"), rtp(3, 7000, false, "41 03")},
     {{1000, "00 00 00 01 41 01", false}, {4000, "00 00 00 01 41 02", false}},
     0,
     0,
     0},
    {"stap-b, mtap16, mtap24, fu-b and reserved types are rejected",
     {rtp(1, 1000, true, "19 00 00 00 01 41"), rtp(2, 2000, true, "1a 00"),
      rtp(3, 3000, true, "1b 00"), rtp(4, 4000, true, "1d 80 00 00 41"), rtp(5, 5000, true, "00"),
      rtp(6, 6000, true, "1e 00"), rtp(7, 7000, true, "1f 00"), rtp(8, 8000, true, "41 9a")},
     {{8000, "00 00 00 01 41 9a", false}},
     7,
     0,
     0},
    {"fu-a start inside a fragment",
     {rtp(1, 1000, false, "7c 85 aa"), rtp(2, 1000, true, "7c 85 bb"), rtp(3, 2000, true, "41 9a")},
     {{2000, "00 00 00 01 41 9a", false}},
     1,
     0,
     1},
    {"single nal unit inside a fragment",
     {rtp(1, 1000, false, "7c 85 aa"), rtp(2, 1000, true, "41 9a")},
     {},
     1,
     0,
     1},
    {"marker inside fu-a drops the unit",
     {rtp(1, 1000, false, "7c 85 aa"), rtp(2, 1000, true, "7c 05 bb"), rtp(3, 2000, true, "41 01")},
     {{2000, "00 00 00 01 41 01", false}},
     0,
     0,
     1},
    {"fu-a too short and empty payload",
     {rtp(1, 1000, true, "7c"), rtp(2, 2000, true, "")},
     {},
     2,
     0,
     0},
    {"idr in stap-a is a keyframe",
     {rtp(1, 1000, true, "78 00 02 67 42 00 03 65 88 84")},
     {{1000, "00 00 00 01 67 42 00 00 00 01 65 88 84", true}},
     0,
     0,
     0},
    {"padding is stripped",
     {hex("a0 e0 00 01 00 00 03 e8 00 00 00 00 41 9a 00 00 03")},
     {{1000, "00 00 00 01 41 9a", false}},
     0,
     0,
     0},
    {"not rtp version 2", {hex("40 e0 00 01 00 00 03 e8 00 00 00 00 41 9a")}, {}, 1, 0, 0},
};

TEST(RtpH264Depacketizer, HandlesLossAndMalformedPayloads) {
  for (const auto& c : kDepacketizerCases) {
    SCOPED_TRACE(c.name);
    RtpH264Depacketizer d;
    std::vector<RtpH264Depacketizer::AccessUnit> got;
    size_t errors = 0;
    for (const auto& packet : c.packets) {
      auto r = d.feed(packet);
      if (!r.ok()) {
        ++errors;
      } else if (*r) {
        got.push_back(std::move(**r));
      }
    }
    ASSERT_EQ(got.size(), c.want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      SCOPED_TRACE(i);
      EXPECT_EQ(got[i].rtp_timestamp, c.want[i].ts);
      EXPECT_EQ(got[i].annex_b, hex(c.want[i].annex_b));
      EXPECT_EQ(got[i].keyframe, c.want[i].keyframe);
    }
    EXPECT_EQ(errors, c.want_errors);
    EXPECT_EQ(d.stats().packets, c.packets.size());
    EXPECT_EQ(d.stats().lost_packets, c.want_lost);
    EXPECT_EQ(d.stats().dropped_units, c.want_dropped);
  }
}

TEST(RtpH264Depacketizer, RejectsAccessUnitsOverTheLimit) {
  RtpH264Depacketizer d;
  const Bytes fragment(1400, 0x11);
  uint16_t seq = 0;
  Bytes packet = rtp(seq++, 1000, false, "7c 85");
  packet.insert(packet.end(), fragment.begin(), fragment.end());
  ASSERT_TRUE(d.feed(packet).ok());
  absl::Status status;
  for (size_t total = fragment.size(); status.ok() && total <= kMaxAccessUnitBytes + 1400;
       total += fragment.size()) {
    packet = rtp(seq++, 1000, false, "7c 05");
    packet.insert(packet.end(), fragment.begin(), fragment.end());
    status = d.feed(packet).status();
  }
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  auto next = d.feed(rtp(seq++, 4000, true, "41 9a"));
  ASSERT_TRUE(next.ok()) << next.status();
  ASSERT_TRUE(next->has_value());
  EXPECT_EQ((*next)->annex_b, hex("00 00 00 01 41 9a"));
}

}  // namespace
}  // namespace media
