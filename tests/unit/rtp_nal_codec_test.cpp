// Tests for media/rtp_h264 (RFC 6184) and media/rtp_h265 (RFC 7798): one typed suite over the
// codecs of rtp_h264_cases.hpp and rtp_h265_cases.hpp, each with a case table shared by
// packetizer and depacketizer and depacketizer-only cases for loss, wrap-around and malformed
// payloads; then the tests of one codec only.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "rtp_h264_cases.hpp"
#include "rtp_h265_cases.hpp"
#include "rtp_test_util.hpp"

namespace media::rtp_test {
namespace {

template <class Codec>
class RtpNalCodecTest : public ::testing::Test {};

struct CodecName {
  template <class Codec>
  static std::string GetName(int) {
    return std::string(Codec::kName);
  }
};

using Codecs = ::testing::Types<H264, H265>;
TYPED_TEST_SUITE(RtpNalCodecTest, Codecs, CodecName);

TYPED_TEST(RtpNalCodecTest, PacketizesSharedCases) {
  using Codec = TypeParam;
  for (const auto& c : Codec::shared_cases()) {
    SCOPED_TRACE(c.name);
    typename Codec::Packetizer p({.payload_type = Codec::kPayloadType,
                                  .ssrc = 0xcafe,
                                  .initial_sequence = 100,
                                  .max_packet_size = c.max_packet_size,
                                  .interleaved_channel = 4});
    const PacketizedFrame f = p.packetize(annex_b(c.nals), 90000, true);
    EXPECT_EQ(f.rtp_timestamp, 90000u);
    std::vector<WantPacket> want;
    for (const auto& w : c.want) want.push_back({w.marker, 90000, w.payload});
    ASSERT_NO_FATAL_FAILURE(expect_packets(f, 4, Codec::kPayloadType, 100, 0xcafe, want));
    for (size_t i = 0; i < f.packet_count(); ++i) {
      SCOPED_TRACE(i);
      ASSERT_LE(f.packet(i).size(), c.max_packet_size);
    }
    EXPECT_EQ(p.next_sequence(), 100 + c.want.size());
  }
}

TYPED_TEST(RtpNalCodecTest, RoundTripsSharedCases) {
  using Codec = TypeParam;
  for (const auto& c : Codec::shared_cases()) {
    SCOPED_TRACE(c.name);
    typename Codec::Packetizer p({.max_packet_size = c.max_packet_size});
    const PacketizedFrame f = p.packetize(annex_b(c.nals), 3000, false);
    typename Codec::Depacketizer d;
    const auto fed = feed_all(d, f);
    ASSERT_TRUE(fed.errors.empty()) << fed.errors.front();
    std::vector<Bytes> want_nals;
    for (const auto& n : c.nals) {
      if (!Codec::dropped(n)) want_nals.push_back(n);
    }
    ASSERT_EQ(fed.units.size(), 1u);
    EXPECT_EQ(fed.units[0].rtp_timestamp, 3000u);
    EXPECT_EQ(fed.units[0].annex_b, annex_b(want_nals));
    EXPECT_EQ(fed.units[0].keyframe, Codec::keyframe(want_nals));
    EXPECT_EQ(d.stats().packets, f.packet_count());
    EXPECT_EQ(d.stats().lost_packets, 0u);
  }
}

TYPED_TEST(RtpNalCodecTest, WritesExactBytes) {
  using Codec = TypeParam;
  typename Codec::Packetizer p({.payload_type = 96,
                                .ssrc = 0x11223344,
                                .initial_sequence = 0x1234,
                                .interleaved_channel = 2});
  const PacketizedFrame f = p.packetize(hex(Codec::kExactAccessUnit), 0x01020304, false);
  EXPECT_EQ(f.bytes, hex(Codec::kExactPacket));
  EXPECT_EQ(f.packet_offsets, std::vector<uint32_t>{0});
  EXPECT_EQ(f.track, 0u);
  EXPECT_FALSE(f.keyframe);
  EXPECT_EQ(f.rtp_bytes(), Codec::kExactRtpBytes);
}

TYPED_TEST(RtpNalCodecTest, SequenceWrapsAt65535) {
  using Codec = TypeParam;
  typename Codec::Packetizer p({.initial_sequence = 65534, .max_packet_size = 64});
  const PacketizedFrame a = p.packetize(annex_b({Codec::picture(111)}), 0, false);
  ASSERT_EQ(a.packet_count(), 3u);
  std::vector<uint16_t> seqs;
  for (size_t i = 0; i < a.packet_count(); ++i)
    seqs.push_back(RtpHeader::parse(a.packet(i))->sequence);
  EXPECT_EQ(seqs, (std::vector<uint16_t>{65534, 65535, 0}));
  EXPECT_EQ(p.next_sequence(), 1);
  const PacketizedFrame b = p.packetize(annex_b({Codec::picture(10)}), 3000, false);
  EXPECT_EQ(b.first_sequence, 1);
}

TYPED_TEST(RtpNalCodecTest, EmptyAccessUnitHasNoPackets) {
  using Codec = TypeParam;
  typename Codec::Packetizer p(RtpStreamConfig{});
  EXPECT_EQ(p.packetize(hex(Codec::kNothingToSend), 0, false).packet_count(), 0u);
  EXPECT_EQ(p.packetize({}, 0, false).packet_count(), 0u);
  EXPECT_EQ(p.next_sequence(), 0);
}

TYPED_TEST(RtpNalCodecTest, HandlesLossAndMalformedPayloads) {
  using Codec = TypeParam;
  for (const auto& c : Codec::depacketizer_cases()) {
    SCOPED_TRACE(c.name);
    typename Codec::Depacketizer d;
    ASSERT_NO_FATAL_FAILURE(
        expect_depacketized(d, c, [](const RtpAccessUnit& got, const NalWantAu& want) {
          EXPECT_EQ(got.rtp_timestamp, want.ts);
          EXPECT_EQ(got.annex_b, hex(want.annex_b));
          EXPECT_EQ(got.keyframe, want.keyframe);
        }));
  }
}

TYPED_TEST(RtpNalCodecTest, RejectsAccessUnitsOverTheLimit) {
  using Codec = TypeParam;
  typename Codec::Depacketizer d;
  const Bytes fragment(1400, 0x11);
  uint16_t seq = 0;
  Bytes packet = rtp(seq++, 1000, false, Codec::kFuStart);
  packet.insert(packet.end(), fragment.begin(), fragment.end());
  ASSERT_TRUE(d.feed(packet).ok());
  absl::Status status;
  for (size_t total = fragment.size(); status.ok() && total <= Codec::kMaxAccessUnitBytes + 1400;
       total += fragment.size()) {
    packet = rtp(seq++, 1000, false, Codec::kFuMiddle);
    packet.insert(packet.end(), fragment.begin(), fragment.end());
    status = d.feed(packet).status();
  }
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  auto next = d.feed(rtp(seq++, 4000, true, Codec::kSingleNal));
  ASSERT_TRUE(next.ok()) << next.status();
  ASSERT_TRUE(next->has_value());
  EXPECT_EQ((*next)->annex_b, annex_b({hex(Codec::kSingleNal)}));
}

// ---- H.265 only ----

TEST(RtpH265Packetizer, ClampsTinyMaxPacketSize) {
  RtpH265Packetizer p({.max_packet_size = 1});
  const PacketizedFrame f = p.packetize(annex_b({H265::nal(0x26, 0x01, 53)}), 0, true);
  EXPECT_EQ(f.packet_count(), 2u);
  EXPECT_EQ(f.packet(0).size(), 64u);
}

TEST(RtpH265Depacketizer, RejectsPaciAsUnimplemented) {
  RtpH265Depacketizer d;
  EXPECT_EQ(d.feed(rtp(1, 1000, true, "64 01 00 00 02 01 9a")).status().code(),
            absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace media::rtp_test
