// RTCP receiver reports as ffmpeg and GStreamer send them (RFC 3550 6.4): parsed into the
// per-reader loss and jitter metrics; malformed packets rejected without reading past the end.
#include <gtest/gtest.h>

#include "media/rtp.hpp"

namespace media {
namespace {

std::vector<uint8_t> bytes(std::initializer_list<int> values) {
  std::vector<uint8_t> out;
  for (int v : values) out.push_back(static_cast<uint8_t>(v));
  return out;
}

// RR with one block (ffmpeg sends RR + SDES in one compound packet).
const std::vector<uint8_t> kRrWithSdes =
    bytes({0x81, 201,  0x00, 0x07,  // V=2, RC=1, RR, length 7
           0x11, 0x22, 0x33, 0x44,  // reporter SSRC
           0xde, 0xad, 0xbe, 0xef,  // source SSRC
           0x40, 0xff, 0xff, 0xfe,  // fraction lost 64/256, cumulative lost -2
           0x00, 0x01, 0x00, 0x10,  // extended highest sequence
           0x00, 0x00, 0x01, 0x68,  // jitter 360
           0x00, 0x00, 0x00, 0x00,  // LSR
           0x00, 0x00, 0x00, 0x00,  // DLSR
           0x81, 202,  0x00, 0x02,  // SDES, one chunk
           0x11, 0x22, 0x33, 0x44, 0x01, 0x01, 0x61, 0x00});

TEST(ReportBlocks, ParsesCompoundRrAndSkipsSdes) {
  auto blocks = parse_report_blocks(kRrWithSdes);
  ASSERT_TRUE(blocks.ok()) << blocks.status();
  ASSERT_EQ(blocks->size(), 1u);
  const ReportBlock want{.reporter_ssrc = 0x11223344,
                         .ssrc = 0xdeadbeef,
                         .fraction_lost = 64,
                         .cumulative_lost = -2,
                         .highest_sequence = 0x10010,
                         .jitter = 360};
  EXPECT_EQ((*blocks)[0], want);
}

TEST(ReportBlocks, SenderReportBlocksToo) {
  auto sr = make_sender_report(0x01020304, 1'700'000'000'000'000, 90000, 10, 1000);
  auto blocks = parse_report_blocks(sr);
  ASSERT_TRUE(blocks.ok());
  EXPECT_TRUE(blocks->empty()) << "our SRs carry no report blocks";
}

TEST(ReportBlocks, RejectsMalformedWithoutOverread) {
  std::vector<std::vector<uint8_t>> bad = {
      bytes({0x81}),                               // truncated header
      bytes({0x41, 201, 0x00, 0x00}),              // version 1
      bytes({0x81, 201, 0x00, 0x07, 1, 2, 3, 4}),  // length past the end
      bytes({0x82, 201, 0x00, 0x07, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0,
             0,    0,   0,    0,    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}),  // RC=2 but room for 1
  };
  for (size_t i = 0; i < bad.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_FALSE(parse_report_blocks(bad[i]).ok());
  }
  // Every truncation of a valid packet is an error or a prefix, never a crash.
  for (size_t n = 0; n < kRrWithSdes.size(); ++n) {
    (void)parse_report_blocks(std::span(kRrWithSdes.data(), n));
  }
}

}  // namespace
}  // namespace media
