// Tests for media/rtp_h265 (RFC 7798): one case table shared by packetizer and depacketizer,
// then depacketizer-only cases for loss, wrap-around and malformed payloads.
#include "media/rtp_h265.hpp"

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

// A NAL unit of `size` bytes: 2-byte header, then 01 02 ... (never zero: no start codes).
Bytes nal(uint8_t h0, uint8_t h1, size_t size) {
  Bytes out{h0, h1};
  for (size_t i = 2; i < size; ++i) out.push_back(static_cast<uint8_t>(i % 255 + 1));
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

// Real libx265 1280x720 main profile parameter sets (see h265_test).
const Bytes kVps = hex("40 01 0c 01 ff ff 01 60 00 00 03 00 90 00 00 03 00 00 03 00 5d 95 98 09");
const Bytes kSps = hex(
    "42 01 01 01 60 00 00 03 00 90 00 00 03 00 00 03 00 5d a0 02 80 80 2d 16 59 59 a4 93 2b c0 5a "
    "02 00 00 03 00 02 00 00 03 00 3c 10");
const Bytes kPps = hex("44 01 c1 72 b4 62 40");

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
  const Bytes idr52 = nal(0x26, 0x01, 52), idr53 = nal(0x26, 0x01, 53);
  const Bytes idr100 = nal(0x26, 0x01, 100);
  const Bytes trail111 = nal(0x02, 0x02, 111);  // TRAIL_R, TID 2
  const Bytes idr40 = nal(0x26, 0x01, 40);
  const Bytes sei23 = nal(0x4e, 0x01, 23), trail23 = nal(0x02, 0x01, 23);
  const Bytes sei24 = nal(0x4e, 0x01, 24);
  const Bytes trail30 = nal(0x02, 0x01, 30);
  const Bytes sei28 = nal(0x4e, 0x01, 28), idr3000 = nal(0x26, 0x01, 3000);
  const Bytes idr60 = nal(0x26, 0x01, 60), p10 = nal(0x02, 0x01, 10), q10 = nal(0x00, 0x01, 10);
  // Layer 1 TID 3 prefix SEI; F=1 layer 2 TID 2 TRAIL_R; layer 33 TID 1; layer 34 TID 4.
  const Bytes l1t3 = nal(0x4e, 0x0b, 10), fl2t2 = nal(0x82, 0x12, 10);
  const Bytes l33t1 = nal(0x03, 0x09, 10), l34t4 = nal(0x03, 0x14, 10);
  return {
      {"single nal exactly fitting the payload", 64, {idr52}, {{true, idr52}}},
      {"one byte over: fu two fragments",
       64,
       {idr53},
       {{false, cat({hex("62 01 93"), slice(idr53, 2, 51)})},
        {true, cat({hex("62 01 53"), slice(idr53, 51, 53)})}}},
      {"fu fragments exactly filling two packets",
       64,
       {idr100},
       {{false, cat({hex("62 01 93"), slice(idr100, 2, 51)})},
        {true, cat({hex("62 01 53"), slice(idr100, 51, 100)})}}},
      {"fu three fragments keep type and tid",
       64,
       {trail111},
       {{false, cat({hex("62 02 81"), slice(trail111, 2, 51)})},
        {false, cat({hex("62 02 01"), slice(trail111, 51, 100)})},
        {true, cat({hex("62 02 41"), slice(trail111, 100, 111)})}}},
      {"ap of x265 vps+sps+pps, idr single",
       100,
       {kVps, kSps, kPps, idr40},
       {{false, cat({hex("60 01 00 18"), kVps, hex("00 2b"), kSps, hex("00 07"), kPps})},
        {true, idr40}}},
      {"ap filling the payload exactly",
       64,
       {sei23, trail23},
       {{true, cat({hex("60 01 00 17"), sei23, hex("00 17"), trail23})}}},
      {"ap one byte over: two single nal packets",
       64,
       {sei24, trail23},
       {{false, sei24}, {true, trail23}}},
      {"ap header: F is the or, layer id and tid the lowest",
       64,
       {l1t3, fl2t2},
       {{true, cat({hex("e0 0a 00 0a"), l1t3, hex("00 0a"), fl2t2})}}},
      {"ap header: layer id high bit from layers 33 and 34",
       64,
       {l34t4, l33t1},
       {{true, cat({hex("61 09 00 0a"), l34t4, hex("00 0a"), l33t1})}}},
      {"aud, filler data and a 1-byte nal are dropped",
       64,
       {hex("46 01 50"), trail30, hex("4c 01 ff ff"), hex("02")},
       {{true, trail30}}},
      {"unspecified types 48 (ap), 49 (fu), 50 (paci) and 63 are dropped",
       64,
       {hex("60 01 aa"), hex("62 01 bb"), trail30, hex("64 01 cc"), hex("7e 01 dd")},
       {{true, trail30}}},
      {"x265 keyframe at the default size: ap vps+sps+pps+sei, fu idr",
       kDefaultRtpMaxPacketSize,
       {kVps, kSps, kPps, sei28, idr3000},
       {{false, cat({hex("60 01 00 18"), kVps, hex("00 2b"), kSps, hex("00 07"), kPps, hex("00 1c"),
                     sei28})},
        {false, cat({hex("62 01 93"), slice(idr3000, 2, 1387)})},
        {false, cat({hex("62 01 13"), slice(idr3000, 1387, 2772)})},
        {true, cat({hex("62 01 53"), slice(idr3000, 2772, 3000)})}}},
      {"ap after fu",
       64,
       {idr60, p10, q10},
       {{false, cat({hex("62 01 93"), slice(idr60, 2, 51)})},
        {false, cat({hex("62 01 53"), slice(idr60, 51, 60)})},
        {true, cat({hex("60 01 00 0a"), p10, hex("00 0a"), q10})}}},
  };
}

bool is_dropped(const Bytes& n) {
  const int type = (n[0] >> 1) & 0x3f;
  return n.size() < 2 || type == 35 || type == 38 || type >= 48;
}

bool has_irap(const std::vector<Bytes>& nals) {
  for (const auto& n : nals) {
    const int type = (n[0] >> 1) & 0x3f;
    if (type >= 16 && type <= 23) return true;
  }
  return false;
}

TEST(RtpH265Packetizer, PacketizesSharedCases) {
  for (const auto& c : shared_cases()) {
    SCOPED_TRACE(c.name);
    RtpH265Packetizer p({.payload_type = 98,
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
                               .payload_type = 98,
                               .sequence = static_cast<uint16_t>(100 + i),
                               .timestamp = 90000,
                               .ssrc = 0xcafe}));
      EXPECT_EQ(Bytes(packet.begin() + 12, packet.end()), c.want[i].payload);
    }
    EXPECT_EQ(p.next_sequence(), 100 + c.want.size());
  }
}

TEST(RtpH265Depacketizer, RoundTripsSharedCases) {
  for (const auto& c : shared_cases()) {
    SCOPED_TRACE(c.name);
    RtpH265Packetizer p({.max_packet_size = c.max_packet_size});
    const PacketizedFrame f = p.packetize(annex_b(c.nals), 3000, false);
    RtpH265Depacketizer d;
    std::vector<RtpH265Depacketizer::AccessUnit> got;
    for (size_t i = 0; i < f.packet_count(); ++i) {
      auto r = d.feed(f.packet(i));
      ASSERT_TRUE(r.ok()) << r.status();
      if (*r) got.push_back(std::move(**r));
    }
    std::vector<Bytes> want_nals;
    for (const auto& n : c.nals) {
      if (!is_dropped(n)) want_nals.push_back(n);
    }
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].rtp_timestamp, 3000u);
    EXPECT_EQ(got[0].annex_b, annex_b(want_nals));
    EXPECT_EQ(got[0].keyframe, has_irap(want_nals));
    EXPECT_EQ(d.stats().packets, f.packet_count());
    EXPECT_EQ(d.stats().lost_packets, 0u);
  }
}

TEST(RtpH265Packetizer, WritesExactBytes) {
  RtpH265Packetizer p({.payload_type = 96,
                       .ssrc = 0x11223344,
                       .initial_sequence = 0x1234,
                       .interleaved_channel = 2});
  const PacketizedFrame f =
      p.packetize(hex("00 00 00 01 46 01 50 00 00 01 02 01 d0 9a"), 0x01020304, false);
  EXPECT_EQ(f.bytes, hex("24 02 00 10 80 e0 12 34 01 02 03 04 11 22 33 44 02 01 d0 9a"));
  EXPECT_EQ(f.packet_offsets, std::vector<uint32_t>{0});
  EXPECT_EQ(f.track, 0u);
  EXPECT_FALSE(f.keyframe);
  EXPECT_EQ(f.rtp_bytes(), 16u);
}

TEST(RtpH265Packetizer, SequenceWrapsAt65535) {
  RtpH265Packetizer p({.initial_sequence = 65534, .max_packet_size = 64});
  const PacketizedFrame a = p.packetize(annex_b({nal(0x02, 0x01, 111)}), 0, false);
  ASSERT_EQ(a.packet_count(), 3u);
  std::vector<uint16_t> seqs;
  for (size_t i = 0; i < a.packet_count(); ++i)
    seqs.push_back(RtpHeader::parse(a.packet(i))->sequence);
  EXPECT_EQ(seqs, (std::vector<uint16_t>{65534, 65535, 0}));
  EXPECT_EQ(p.next_sequence(), 1);
  const PacketizedFrame b = p.packetize(annex_b({nal(0x02, 0x01, 10)}), 3000, false);
  EXPECT_EQ(b.first_sequence, 1);
}

TEST(RtpH265Packetizer, EmptyAccessUnitHasNoPackets) {
  RtpH265Packetizer p({});
  EXPECT_EQ(p.packetize(hex("00 00 00 01 46 01 50"), 0, false).packet_count(), 0u);
  EXPECT_EQ(p.packetize({}, 0, false).packet_count(), 0u);
  EXPECT_EQ(p.next_sequence(), 0);
}

TEST(RtpH265Packetizer, ClampsTinyMaxPacketSize) {
  RtpH265Packetizer p({.max_packet_size = 1});
  const PacketizedFrame f = p.packetize(annex_b({nal(0x26, 0x01, 53)}), 0, true);
  EXPECT_EQ(f.packet_count(), 2u);
  EXPECT_EQ(f.packet(0).size(), 64u);
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
    {"loss inside fu drops the unit",
     {rtp(1, 1000, false, "62 01 93 aa"), rtp(3, 1000, true, "62 01 53 cc"),
      rtp(4, 4000, true, "02 01 9a")},
     {{4000, "00 00 00 01 02 01 9a", false}},
     0,
     1,
     1},
    {"sequence wraps 65535 -> 0",
     {rtp(65535, 1000, false, "62 01 93 aa bb"), rtp(0, 1000, true, "62 01 53 cc")},
     {{1000, "00 00 00 01 26 01 aa bb cc", true}},
     0,
     0,
     0},
    {"fu restores F, layer id and tid from the payload header",
     {rtp(1, 1000, false, "e3 ff 81 aa"), rtp(2, 1000, true, "e3 ff 41 bb")},
     {{1000, "00 00 00 01 83 ff aa bb", false}},
     0,
     0,
     0},
    {"starts mid-fragment",
     {rtp(10, 1000, false, "62 01 13 aa"), rtp(11, 1000, true, "62 01 53 bb"),
      rtp(12, 4000, true, "02 01 9a")},
     {{4000, "00 00 00 01 02 01 9a", false}},
     1,
     0,
     0},
    {"truncated ap",
     {rtp(1, 1000, true, "60 01 00 05 40 01"),
      rtp(2, 4000, true, "60 01 00 02 4e 01 00 03 02 01 9a")},
     {{4000, "00 00 00 01 4e 01 00 00 00 01 02 01 9a", false}},
     1,
     0,
     0},
    {"ap with a zero size, a 1-byte nal, a half size field and only a header",
     {rtp(1, 1000, true, "60 01 00 00 40"), rtp(2, 2000, true, "60 01 00 01 40"),
      rtp(3, 3000, true, "60 01 00"), rtp(4, 4000, true, "60 01")},
     {},
     4,
     0,
     0},
    {"cra in an ap is a keyframe",
     {rtp(1, 1000, true, "60 01 00 02 40 01 00 03 2a 01 84")},
     {{1000, "00 00 00 01 40 01 00 00 00 01 2a 01 84", true}},
     0,
     0,
     0},
    {"bla single nal unit is a keyframe, rsv_vcl31 is not",
     {rtp(1, 1000, true, "20 01 84"), rtp(2, 2000, true, "3e 01 84")},
     {{1000, "00 00 00 01 20 01 84", true}, {2000, "00 00 00 01 3e 01 84", false}},
     0,
     0,
     0},
    {"lost start of an access unit skips the rest of it",
     {rtp(1, 1000, true, "02 01 01"), rtp(3, 4000, false, "02 01 02"),
      rtp(4, 4000, true, "02 01 03"), rtp(5, 7000, true, "02 01 04")},
     {{1000, "00 00 00 01 02 01 01", false}, {7000, "00 00 00 01 02 01 04", false}},
     0,
     1,
     0},
    {"whole units lost: a unit that begins with a parameter set is kept",
     {rtp(1, 1000, true, "02 01 84"), rtp(4, 4000, false, "40 01 0c"),
      rtp(5, 4000, true, "26 01 af")},
     {{1000, "00 00 00 01 02 01 84", false},
      {4000, "00 00 00 01 40 01 0c 00 00 00 01 26 01 af", true}},
     0,
     2,
     0},
    {"whole units lost: a unit whose fu starts the first slice segment is kept",
     {rtp(1, 1000, true, "02 01 84"), rtp(3, 4000, false, "62 01 93 aa"),
      rtp(4, 4000, true, "62 01 53 cc")},
     {{1000, "00 00 00 01 02 01 84", false}, {4000, "00 00 00 01 26 01 aa cc", true}},
     0,
     1,
     0},
    {"timestamp change closes a unit without marker",
     {rtp(1, 1000, false, "02 01 01"), rtp(2, 4000, false, "02 01 02"),
      rtp(3, 7000, false, "02 01 03")},
     {{1000, "00 00 00 01 02 01 01", false}, {4000, "00 00 00 01 02 01 02", false}},
     0,
     0,
     0},
    {"paci, unspecified types 51 and 63, fu of ap/fu/paci are rejected",
     {rtp(1, 1000, true, "64 01 00 00 02 01 9a"), rtp(2, 2000, true, "66 01 00"),
      rtp(3, 3000, true, "7e 01 00"), rtp(4, 4000, true, "62 01 b0 00"),
      rtp(5, 5000, true, "62 01 b1 00"), rtp(6, 6000, true, "62 01 b2 00"),
      rtp(7, 7000, true, "02 01 9a")},
     {{7000, "00 00 00 01 02 01 9a", false}},
     6,
     0,
     0},
    {"fu start inside a fragment",
     {rtp(1, 1000, false, "62 01 93 aa"), rtp(2, 1000, true, "62 01 93 bb"),
      rtp(3, 2000, true, "02 01 9a")},
     {{2000, "00 00 00 01 02 01 9a", false}},
     1,
     0,
     1},
    {"single nal unit inside a fragment",
     {rtp(1, 1000, false, "62 01 93 aa"), rtp(2, 1000, true, "02 01 9a")},
     {},
     1,
     0,
     1},
    {"marker inside fu drops the unit",
     {rtp(1, 1000, false, "62 01 93 aa"), rtp(2, 1000, true, "62 01 13 bb"),
      rtp(3, 2000, true, "02 01 01")},
     {{2000, "00 00 00 01 02 01 01", false}},
     0,
     0,
     1},
    {"fu too short, 1-byte and empty payloads",
     {rtp(1, 1000, true, "62 01"), rtp(2, 2000, true, "02"), rtp(3, 3000, true, "")},
     {},
     3,
     0,
     0},
    {"padding is stripped",
     {hex("a0 e0 00 01 00 00 03 e8 00 00 00 00 02 01 9a 00 00 03")},
     {{1000, "00 00 00 01 02 01 9a", false}},
     0,
     0,
     0},
    {"not rtp version 2", {hex("40 e0 00 01 00 00 03 e8 00 00 00 00 02 01 9a")}, {}, 1, 0, 0},
};

TEST(RtpH265Depacketizer, HandlesLossAndMalformedPayloads) {
  for (const auto& c : kDepacketizerCases) {
    SCOPED_TRACE(c.name);
    RtpH265Depacketizer d;
    std::vector<RtpH265Depacketizer::AccessUnit> got;
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

TEST(RtpH265Depacketizer, RejectsPaciAsUnimplemented) {
  RtpH265Depacketizer d;
  EXPECT_EQ(d.feed(rtp(1, 1000, true, "64 01 00 00 02 01 9a")).status().code(),
            absl::StatusCode::kUnimplemented);
}

TEST(RtpH265Depacketizer, RejectsAccessUnitsOverTheLimit) {
  RtpH265Depacketizer d;
  const Bytes fragment(1400, 0x11);
  uint16_t seq = 0;
  Bytes packet = rtp(seq++, 1000, false, "62 01 93");
  packet.insert(packet.end(), fragment.begin(), fragment.end());
  ASSERT_TRUE(d.feed(packet).ok());
  absl::Status status;
  for (size_t total = fragment.size();
       status.ok() && total <= RtpH265Depacketizer::kMaxAccessUnitBytes + 1400;
       total += fragment.size()) {
    packet = rtp(seq++, 1000, false, "62 01 13");
    packet.insert(packet.end(), fragment.begin(), fragment.end());
    status = d.feed(packet).status();
  }
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  auto next = d.feed(rtp(seq++, 4000, true, "02 01 9a"));
  ASSERT_TRUE(next.ok()) << next.status();
  ASSERT_TRUE(next->has_value());
  EXPECT_EQ((*next)->annex_b, hex("00 00 00 01 02 01 9a"));
}

}  // namespace
}  // namespace media
