// The receiver's pure parts: the UDP reorder buffer (in order, reordered, lost, duplicates,
// 65535 -> 0 wrap, window and hold limits) and per-track depacketization (marker completes a
// unit, 32-bit timestamp wrap extended, SSRC change), plus RTCP RR serialization.
#include <gtest/gtest.h>

#include "media/rtp.hpp"
#include "receiver/rtp_reorder_buffer.hpp"
#include "receiver/track_depacketizer.hpp"

namespace receiver {
namespace {

using namespace std::chrono_literals;

std::string pkt(uint16_t seq) {
  return std::to_string(seq);
}

std::vector<std::string> seqs(std::initializer_list<int> list) {
  std::vector<std::string> out;
  for (int s : list) out.push_back(pkt(static_cast<uint16_t>(s)));
  return out;
}

struct ReorderCase {
  std::string_view name;
  std::vector<int> arrivals;
  std::vector<std::string> want;  // delivered, in order, without any flush
  ReorderStats stats;
};

TEST(RtpReorderBuffer, PutsPacketsBackInOrder) {
  const ReorderCase cases[] = {
      {"in order", {1, 2, 3}, seqs({1, 2, 3}), {3, 0, 0, 0}},
      {"two swapped", {1, 3, 2, 4}, seqs({1, 2, 3, 4}), {4, 1, 0, 0}},
      {"duplicate", {1, 2, 2, 3}, seqs({1, 2, 3}), {3, 0, 0, 1}},
      {"late after delivery", {5, 6, 4}, seqs({5, 6}), {2, 0, 0, 1}},
      {"wrap 65535 -> 0", {65534, 65535, 0, 1}, seqs({65534, 65535, 0, 1}), {4, 0, 0, 0}},
      {"swapped across the wrap", {65535, 1, 0}, seqs({65535, 0, 1}), {3, 1, 0, 0}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    RtpReorderBuffer b;
    std::vector<std::string> out;
    for (int s : c.arrivals)
      b.push(static_cast<uint16_t>(s), pkt(static_cast<uint16_t>(s)), 0, out);
    EXPECT_EQ(out, c.want);
    EXPECT_EQ(b.stats().packets, c.stats.packets);
    EXPECT_EQ(b.stats().reordered, c.stats.reordered);
    EXPECT_EQ(b.stats().lost, c.stats.lost);
    EXPECT_EQ(b.stats().duplicates, c.stats.duplicates);
  }
}

TEST(RtpReorderBuffer, GivesUpOnAGapAfterTheHoldTime) {
  RtpReorderBuffer b(64, 50ms);
  std::vector<std::string> out;
  b.push(10, pkt(10), 0, out);
  b.push(12, pkt(12), 1'000, out);
  b.push(13, pkt(13), 2'000, out);
  EXPECT_EQ(out, seqs({10}));
  ASSERT_TRUE(b.next_due_us().has_value());
  EXPECT_EQ(*b.next_due_us(), 51'000);
  b.flush_due(50'999, out);
  EXPECT_EQ(out, seqs({10}));
  b.flush_due(51'000, out);
  EXPECT_EQ(out, seqs({10, 12, 13}));
  EXPECT_EQ(b.stats().lost, 1u);
  EXPECT_FALSE(b.next_due_us().has_value());
  b.push(11, pkt(11), 60'000, out);  // too late: its place was given up
  EXPECT_EQ(b.stats().duplicates, 1u);
  EXPECT_EQ(b.extended_highest() & 0xFFFF, 13u);
}

TEST(RtpReorderBuffer, AFullWindowGivesUpAtOnce) {
  RtpReorderBuffer b(4, 1s);
  std::vector<std::string> out;
  b.push(1, pkt(1), 0, out);
  for (int s = 3; s <= 7; ++s)
    b.push(static_cast<uint16_t>(s), pkt(static_cast<uint16_t>(s)), 0, out);
  EXPECT_EQ(out, seqs({1, 3, 4, 5, 6, 7}));  // 5 held > window 4: the gap at 2 is skipped
  EXPECT_EQ(b.stats().lost, 1u);
}

// One RTP packet: version 2, `pt`, marker, sequence, timestamp, ssrc, then the payload.
std::vector<uint8_t> rtp(uint16_t seq, uint32_t ts, bool marker, std::vector<uint8_t> payload,
                         uint32_t ssrc = 0x11223344) {
  std::vector<uint8_t> p = {0x80,
                            static_cast<uint8_t>((marker ? 0x80 : 0) | 96),
                            static_cast<uint8_t>(seq >> 8),
                            static_cast<uint8_t>(seq),
                            static_cast<uint8_t>(ts >> 24),
                            static_cast<uint8_t>(ts >> 16),
                            static_cast<uint8_t>(ts >> 8),
                            static_cast<uint8_t>(ts),
                            static_cast<uint8_t>(ssrc >> 24),
                            static_cast<uint8_t>(ssrc >> 16),
                            static_cast<uint8_t>(ssrc >> 8),
                            static_cast<uint8_t>(ssrc)};
  for (uint8_t b : payload) p.push_back(b);  // (insert() trips GCC 12's -Warray-bounds)
  return p;
}

TEST(TrackDepacketizer, H264UnitLeavesOnItsMarkerPacket) {
  auto d = TrackDepacketizer::create(0, media::Codec::H264, 90000);
  ASSERT_TRUE(d.ok());
  std::vector<MediaUnit> out;
  // An IDR slice in two FU-A fragments (RFC 6184 5.8): nothing until the marker packet.
  ASSERT_TRUE((*d)->feed(rtp(1, 1000, false, {0x7c, 0x85, 0xAA}), 1, out).ok());
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE((*d)->feed(rtp(2, 1000, true, {0x7c, 0x45, 0xBB}), 2, out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].keyframe);
  EXPECT_EQ(out[0].timestamp, 1000);
  EXPECT_EQ(out[0].received_wall_us, 2);
  EXPECT_EQ(out[0].data, (std::vector<uint8_t>{0, 0, 0, 1, 0x65, 0xAA, 0xBB}));
}

TEST(TrackDepacketizer, TimestampsAreExtendedAcrossTheWrap) {
  auto d = TrackDepacketizer::create(0, media::Codec::Pcmu, 8000);
  ASSERT_TRUE(d.ok());
  std::vector<MediaUnit> out;
  for (auto [seq, ts] :
       {std::pair<uint16_t, uint32_t>{1, 0xFFFFFF00u}, {2, 0xFFFFFFA0u}, {3, 0x00000040u}}) {
    ASSERT_TRUE((*d)->feed(rtp(seq, ts, true, {0x55}), 0, out).ok());
  }
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[1].timestamp - out[0].timestamp, 0xA0);
  EXPECT_EQ(out[2].timestamp - out[1].timestamp, 0xA0);  // no jump back at the wrap
}

TEST(TrackDepacketizer, SsrcChangeStartsOver) {
  auto d = TrackDepacketizer::create(0, media::Codec::H264, 90000);
  ASSERT_TRUE(d.ok());
  std::vector<MediaUnit> out;
  ASSERT_TRUE((*d)->feed(rtp(100, 5000, false, {0x7c, 0x85, 0xAA}), 0, out).ok());
  // A restarted camera: new SSRC, unrelated numbers; its single-NAL IDR plays at once.
  ASSERT_TRUE((*d)->feed(rtp(7, 90, true, {0x65, 0x01}, 0x55667788), 0, out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].data, (std::vector<uint8_t>{0, 0, 0, 1, 0x65, 0x01}));
  EXPECT_EQ((*d)->stats().ssrc_changes, 1u);
}

TEST(TrackDepacketizer, UnsupportedCodecIsRefused) {
  EXPECT_EQ(TrackDepacketizer::create(0, media::Codec::Unknown, 90000).status().code(),
            absl::StatusCode::kUnimplemented);
}

TEST(ReceiverReport, SerializesAndParsesBack) {
  media::ReportBlock b;
  b.ssrc = 0xCAFEBABE;
  b.fraction_lost = 12;
  b.cumulative_lost = 345;
  b.highest_sequence = 0x0001FFFF;
  b.jitter = 77;
  const auto rr = media::make_receiver_report(0x01020304, std::span(&b, 1));
  ASSERT_EQ(rr.size(), 32u);
  EXPECT_EQ(rr[0], 0x81);  // V=2, RC=1
  EXPECT_EQ(rr[1], 201);
  auto blocks = media::parse_report_blocks(rr);
  ASSERT_TRUE(blocks.ok()) << blocks.status();
  ASSERT_EQ(blocks->size(), 1u);
  b.reporter_ssrc = 0x01020304;
  EXPECT_EQ((*blocks)[0], b);
}

}  // namespace
}  // namespace receiver
