// The published timeline (origin/timeline.hpp): continuous across reconnects, loop points and
// source timestamp resets; steps no further than the wall-clock gap. Fake clock, no sleeps.
#include "origin/timeline.hpp"

#include <gtest/gtest.h>

namespace origin {
namespace {

constexpr uint32_t kVideo = 0;
constexpr uint32_t kAudio = 1;
constexpr uint32_t k90k = 90'000;
constexpr int64_t kFrame = 3600;  // 25 fps
constexpr int64_t kFrameUs = 40'000;

TEST(Timeline, FirstUnitStartsAtZeroAndOffsetsStayConstant) {
  Timeline t;
  auto a = t.map(kVideo, k90k, 1'000'000, 1'000'000, 0);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->dts, 0);
  EXPECT_TRUE(a->new_segment);
  auto b = t.map(kVideo, k90k, 1'000'000 + kFrame, 1'000'000 + kFrame, kFrameUs);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->dts, kFrame);
  EXPECT_FALSE(b->new_segment);
}

TEST(Timeline, ReconnectContinuesByTheWallClockGap) {
  Timeline t;
  int64_t now = 0;
  for (int i = 0; i < 10; ++i, now += kFrameUs) t.map(kVideo, k90k, i * kFrame, i * kFrame, now);
  const int64_t last = 9 * kFrame;
  // The camera is away for 3 s and comes back with its clock reset to 0.
  t.start_segment();
  now += 3'000'000;
  auto back = t.map(kVideo, k90k, 0, 0, now);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->new_segment);
  // The last frame was mapped at now - 3 s - 40 ms.
  EXPECT_EQ(back->dts, last + (3'000'000 + kFrameUs) * 90 / 1000);
}

TEST(Timeline, LoopPointStepsByOneFrame) {
  Timeline t;
  int64_t now = 0;
  for (int i = 0; i < 25; ++i, now += kFrameUs) t.map(kVideo, k90k, i * kFrame, i * kFrame, now);
  t.start_segment();
  // Paced: the first frame of the next loop is mapped right after the last one.
  auto looped = t.map(kVideo, k90k, 0, 0, now - kFrameUs + 100);
  ASSERT_TRUE(looped);
  EXPECT_EQ(looped->dts, 25 * kFrame);
}

TEST(Timeline, SourceClockJumpingBackStartsASegment) {
  Timeline t;
  t.map(kVideo, k90k, 900'000, 900'000, 0);
  auto back = t.map(kVideo, k90k, 100, 100, kFrameUs);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->new_segment);
  EXPECT_EQ(back->dts, kFrame);
}

TEST(Timeline, SourceClockLeapingAheadOfTheWallClockStartsASegment) {
  Timeline t;
  t.map(kVideo, k90k, 0, 0, 0);
  // 10 minutes of source time in 40 ms of wall time: capped to the wall-clock gap.
  auto leap = t.map(kVideo, k90k, 54'000'000, 54'000'000, kFrameUs);
  ASSERT_TRUE(leap);
  EXPECT_TRUE(leap->new_segment);
  EXPECT_EQ(leap->dts, kFrame);
}

TEST(Timeline, AudioUsesItsOwnClockAndTheSameOffset) {
  Timeline t;
  auto v = t.map(kVideo, k90k, 90'000, 90'000, 0);  // 1 s
  auto a = t.map(kAudio, 48'000, 48'000 + 1024, 48'000 + 1024, 1000);
  ASSERT_TRUE(v && a);
  EXPECT_EQ(v->dts, 0);
  EXPECT_EQ(a->dts, 1024) << "1 s + 1024 samples in the source is 1024 samples after video";
}

TEST(Timeline, AudioWithAnUnrelatedRtpBaseIsAlignedByArrival) {
  // RTP: every track starts at a random timestamp, so audio's source time says nothing about
  // where it sits next to video. A reconnect brings new random bases; audio must not be refused
  // (nor land hours away) because of them.
  Timeline t;
  int64_t now = 0;
  for (int i = 0; i < 10; ++i, now += kFrameUs) {
    t.map(kVideo, k90k, 7'000'000 + i * kFrame, 7'000'000 + i * kFrame, now);
  }
  auto a = t.map(kAudio, 48'000, 123'456'789, 123'456'789, now);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->dts, 9 * kFrame * 48'000 / 90'000) << "placed at video's latest time";
  t.start_segment();  // the publisher reconnects with new random bases
  now += 1'000'000;
  auto v2 = t.map(kVideo, k90k, 55, 55, now);
  auto a2 = t.map(kAudio, 48'000, 987'654'321, 987'654'321, now);
  ASSERT_TRUE(v2 && a2) << "audio of the new session is published";
  EXPECT_GT(a2->dts, a->dts);
  EXPECT_EQ(a2->dts, v2->dts * 48'000 / 90'000);
}

TEST(Timeline, UnitsThatDoNotAdvanceAreRefused) {
  Timeline t;
  t.map(kVideo, k90k, 0, 0, 0);  // video anchors the segment
  t.map(kAudio, 48'000, 0, 0, 0);
  t.map(kAudio, 48'000, 1024, 1024, 1000);
  EXPECT_FALSE(t.map(kAudio, 48'000, 1024, 1024, 2000));
  EXPECT_FALSE(t.map(kAudio, 48'000, 500, 500, 3000));
}

TEST(Timeline, BFramePtsMayPrecedeDtsOrder) {
  Timeline t;
  auto i = t.map(kVideo, k90k, 2 * kFrame, 0, 0);
  auto p = t.map(kVideo, k90k, 4 * kFrame, kFrame, kFrameUs);
  auto b = t.map(kVideo, k90k, 3 * kFrame, 2 * kFrame, 2 * kFrameUs);
  ASSERT_TRUE(i && p && b);
  EXPECT_LT(b->pts, p->pts);
  EXPECT_LT(p->dts, b->dts);
}

}  // namespace
}  // namespace origin
