// Tests for media/rtp_reception: what an RTCP receiver report says of a source (RFC 3550 A.1,
// A.3, A.8) after given packets, by table; then the fraction lost per interval and the jitter.
#include "media/rtp_reception.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>
#include <vector>

namespace media {
namespace {

constexpr uint32_t kSsrc = 0x1234abcd;

struct Case {
  std::string_view name;
  std::vector<uint16_t> sequences;  // in arrival order
  uint64_t lost;
  ReportBlock want;  // reporter_ssrc and jitter are not compared here
};

const Case kCases[] = {
    {"in order", {100, 101, 102, 103}, 0, {.highest_sequence = 103}},
    {"two lost of ten",
     {0, 1, 2, 4, 5, 6, 8, 9},
     2,
     // 256 * 2 / 10, truncated.
     {.fraction_lost = 51, .cumulative_lost = 2, .highest_sequence = 9}},
    // 6.4.1: the high 16 bits count the cycles of the sequence number.
    {"wraps once", {65534, 65535, 0, 1}, 0, {.highest_sequence = 0x10001}},
    {"wraps with a loss across it",
     {65533, 65534, 1, 2},
     2,
     {.fraction_lost = 85, .cumulative_lost = 2, .highest_sequence = 0x10002}},
    // The first packet to arrive is not the source's first: the one that overtook it counts as
    // neither lost nor a cycle.
    {"the second packet arrives first", {101, 100, 102}, 0, {.highest_sequence = 102}},
    {"a packet from before the wrap arrives after it",
     {65535, 0, 1, 65534},
     0,
     {.highest_sequence = 0x10001}},
    {"a late packet is not a new highest", {10, 12, 11}, 0, {.highest_sequence = 12}},
    // A.3: duplicates count as received, so the cumulative loss goes negative; the fraction
    // lost is then 0, and the loss a user sees is 0.
    {"a duplicate", {10, 11, 11, 12}, 0, {.cumulative_lost = -1, .highest_sequence = 12}},
    {"one packet", {7}, 0, {.highest_sequence = 7}},
};

TEST(RtpReception, ReportsWhatArrived) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    RtpReception r(90'000);
    for (size_t i = 0; i < c.sequences.size(); ++i) {
      r.on_packet(c.sequences[i], static_cast<uint32_t>(i * 3000),
                  static_cast<int64_t>(i) * 33'333);
    }
    EXPECT_EQ(r.received(), c.sequences.size());
    EXPECT_EQ(r.lost(), c.lost);
    ReportBlock want = c.want;
    want.ssrc = kSsrc;
    ReportBlock got = r.report(kSsrc);
    got.jitter = 0;
    EXPECT_EQ(got, want);
  }
}

TEST(RtpReception, NothingReceivedReportsNothing) {
  RtpReception r(90'000);
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.lost(), 0u);
  EXPECT_EQ(r.report(kSsrc), (ReportBlock{.ssrc = kSsrc}));
}

TEST(RtpReception, FractionLostIsPerIntervalAndTheCumulativeLossIsNot) {
  RtpReception r(90'000);
  for (uint16_t s = 0; s < 10; ++s) r.on_packet(s, s * 3000u, s * 33'333);
  EXPECT_EQ(r.report(kSsrc).fraction_lost, 0);
  for (uint16_t s = 10; s < 20; ++s) {
    if (s % 2 == 0) r.on_packet(s, s * 3000u, s * 33'333);  // half of them lost
  }
  const ReportBlock second = r.report(kSsrc);
  EXPECT_EQ(second.fraction_lost, 113);  // 256 * 4 / 9, truncated: 10..18 expected, 5 arrived
  EXPECT_EQ(second.cumulative_lost, 4);
  EXPECT_EQ(second.highest_sequence, 18u);
  // Nothing new since: no fraction, the cumulative loss stays.
  const ReportBlock third = r.report(kSsrc);
  EXPECT_EQ(third.fraction_lost, 0);
  EXPECT_EQ(third.cumulative_lost, 4);
  EXPECT_EQ(r.lost(), 4u);
}

// A source at `sent_rate` sends every 100 ms, and every other packet arrives `late_us` late;
// the receiver counts in `declared_rate` (the description's). A.8: J += (|D| - J) / 16 with |D|
// the late time in timestamp units each packet, so J approaches that.
double jitter_after(uint32_t declared_rate, uint32_t sent_rate, int64_t late_us,
                    uint32_t first_timestamp) {
  RtpReception r(declared_rate);
  for (uint16_t i = 0; i < 300; ++i) {
    r.on_packet(i, first_timestamp + i * (sent_rate / 10),
                i * 100'000 + (i % 2 == 1 ? late_us : 0));
  }
  return r.report(kSsrc).jitter;
}

TEST(RtpReception, JitterIsInTheSourcesTimestampUnits) {
  EXPECT_EQ(jitter_after(90'000, 90'000, 0, 0), 0.0) << "steady arrival: no jitter";
  EXPECT_NEAR(jitter_after(90'000, 90'000, 10'000, 0), 900, 1) << "10 ms at 90 kHz";
  EXPECT_NEAR(jitter_after(48'000, 48'000, 10'000, 0), 480, 1) << "10 ms at 48 kHz";
  EXPECT_NEAR(jitter_after(0, 90'000, 10'000, 0), 900, 1) << "an unknown rate counts as 90 kHz";
  // The timestamp wraps during the run: the transit difference is taken modulo 2^32.
  EXPECT_EQ(jitter_after(90'000, 90'000, 0, 0xFFFF0000u), 0.0);
  EXPECT_NEAR(jitter_after(90'000, 90'000, 10'000, 0xFFFF0000u), 900, 1);
}

}  // namespace
}  // namespace media
