// OriginSelector (edge/origin_selector.hpp): two origins of one stream, the active one fails.
// What goes out must look like one origin: one epoch, sequence numbers +1, DTS strictly
// increasing, and with the same camera behind both origins every camera frame exactly once.
#include "edge/origin_selector.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace edge {
namespace {

constexpr uint64_t kA = 111;  // the primary's epoch
constexpr uint64_t kB = 222;  // the standby's
constexpr int64_t kFrameUs = 33'333;
constexpr int64_t kTicks = 3000;  // one frame at 90 kHz

// A video frame carrying camera frame number `n` (its content: the same for both origins when
// they pass the same camera through, different when `encoder` differs). Each origin has its own
// sequence numbers and timeline (`seq_base`, `ts_base`).
media::FramePtr frame(uint64_t epoch, int n, int64_t now_us, uint64_t seq_base, int64_t ts_base,
                      int gop = 30, char encoder = 'c') {
  auto bytes = std::make_shared<std::string>(std::string(1, encoder) + std::to_string(n));
  auto f = std::make_shared<media::Frame>();
  f->stream = "cam1";
  f->codec = media::Codec::H264;
  f->origin_epoch = epoch;
  f->sequence = seq_base + static_cast<uint64_t>(n);
  f->dts_90k = f->pts_90k = ts_base + n * kTicks;
  f->keyframe = n % gop == 0;
  f->received_monotonic_us = now_us;
  f->payload = {reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size()};
  f->owner = bytes;
  return f;
}

std::shared_ptr<const rs::media::StreamInfo> info(uint64_t epoch, bool down, uint32_t priority) {
  auto i = std::make_shared<rs::media::StreamInfo>();
  i->set_stream("cam1");
  i->set_origin_epoch(epoch);
  i->set_state(down ? rs::media::STREAM_STATE_DOWN : rs::media::STREAM_STATE_LIVE);
  i->set_origin_priority(priority);
  return i;
}

// Collects what leaves the selector and checks it looks like one origin.
struct Viewer {
  std::vector<media::FramePtr> frames;
  std::vector<std::string> contents;
  std::vector<int64_t> sent_at;

  void take(std::vector<relay::Received>& out, int64_t now_us) {
    for (auto& m : out) {
      if (auto* f = std::get_if<media::FramePtr>(&m)) {
        frames.push_back(*f);
        contents.emplace_back(reinterpret_cast<const char*>((*f)->payload.data()),
                              (*f)->payload.size());
        sent_at.push_back(now_us);
      }
    }
    out.clear();
  }
  testing::AssertionResult looks_like_one_origin() const {
    for (size_t i = 1; i < frames.size(); ++i) {
      if (frames[i]->origin_epoch != frames[0]->origin_epoch)
        return testing::AssertionFailure() << "epoch changes at frame " << i;
      if (frames[i]->sequence != frames[i - 1]->sequence + 1)
        return testing::AssertionFailure()
               << "sequence " << frames[i - 1]->sequence << " then " << frames[i]->sequence;
      if (frames[i]->dts_90k <= frames[i - 1]->dts_90k)
        return testing::AssertionFailure()
               << "DTS " << frames[i - 1]->dts_90k << " then " << frames[i]->dts_90k;
    }
    return testing::AssertionSuccess();
  }
  int64_t largest_gap_us() const {
    int64_t gap = 0;
    for (size_t i = 1; i < sent_at.size(); ++i) gap = std::max(gap, sent_at[i] - sent_at[i - 1]);
    return gap;
  }
};

// Both origins pass frames 0..`until` of one camera through; A stops after `a_last`. The
// standby's copy arrives `skew_us` later. poll() runs every 5 ms, as the ingest loop does.
Viewer run_pass_through(int a_last, int until, int64_t skew_us) {
  OriginSelector selector;
  Viewer viewer;
  std::vector<relay::Received> out;
  int64_t now = 1'000'000;
  for (int n = 0; n <= until; ++n) {
    const int64_t t = 1'000'000 + n * kFrameUs;
    while (now + 5'000 < t) {
      now += 5'000;
      selector.poll(now, out);
      viewer.take(out, now);
    }
    now = t;
    if (n <= a_last) selector.on_message(frame(kA, n, t, 1000, 500'000), t, out);
    viewer.take(out, t);
    selector.on_message(frame(kB, n, t + skew_us, 7, 9'000'000), t + skew_us, out);
    viewer.take(out, t + skew_us);
  }
  return viewer;
}

TEST(OriginSelectorTest, OneOriginPassesThroughUnchanged) {
  OriginSelector selector;
  std::vector<relay::Received> out;
  for (int n = 0; n < 5; ++n)
    selector.on_message(frame(kA, n, n * kFrameUs, 1000, 0), n * kFrameUs, out);
  ASSERT_EQ(out.size(), 5u);
  const auto& first = std::get<media::FramePtr>(out[0]);
  EXPECT_EQ(first->origin_epoch, kA);
  EXPECT_EQ(first->sequence, 1000u);
  EXPECT_EQ(std::get<media::FramePtr>(out[4])->dts_90k, 4 * kTicks);
}

TEST(OriginSelectorTest, StandbyFramesAreHeldNotForwarded) {
  OriginSelector selector;
  std::vector<relay::Received> out;
  for (int n = 0; n < 10; ++n) {
    selector.on_message(frame(kA, n, n * kFrameUs, 0, 0), n * kFrameUs, out);
    selector.on_message(frame(kB, n, n * kFrameUs + 100, 0, 0), n * kFrameUs + 100, out);
  }
  EXPECT_EQ(out.size(), 10u);
  EXPECT_EQ(selector.stats().standby_frames, 10u);
  EXPECT_EQ(selector.stats().active_epoch, kA);
}

TEST(OriginSelectorTest, PassThroughSwitchLosesAndRepeatsNothing) {
  for (int64_t skew : {0, 2'000, 15'000}) {
    SCOPED_TRACE(skew);
    const Viewer viewer = run_pass_through(/*a_last=*/40, /*until=*/90, skew);
    EXPECT_TRUE(viewer.looks_like_one_origin());
    ASSERT_EQ(viewer.contents.size(), 91u);
    for (int n = 0; n <= 90; ++n) EXPECT_EQ(viewer.contents[n], "c" + std::to_string(n));
    // The first viewer-visible gap: silence threshold (1.5 frames) plus the 5 ms poll.
    EXPECT_LE(viewer.largest_gap_us(), 2 * kFrameUs + 5'000 + skew);
    // Timestamps continue on the primary's timeline.
    EXPECT_EQ(viewer.frames[90]->dts_90k, 500'000 + 90 * kTicks);
  }
}

TEST(OriginSelectorTest, IndependentEncodersSwitchAtTheStandbysKeyframe) {
  OriginSelector selector;
  Viewer viewer;
  std::vector<relay::Received> out;
  int64_t now = 0;
  for (int n = 0; n <= 100; ++n) {
    const int64_t t = n * kFrameUs;
    for (; now + 5'000 < t; now += 5'000) {
      selector.poll(now, out);
      viewer.take(out, now);
    }
    now = t;
    if (n <= 40) selector.on_message(frame(kA, n, t, 0, 0, 30, 'a'), t, out);
    viewer.take(out, t);
    // B's GOP is offset: its keyframes fall on n = 15, 45, 75.
    auto b = frame(kB, n, t + 1000, 50, 77'000, 30, 'b');
    auto copy = std::make_shared<media::Frame>(*b);
    copy->keyframe = (n + 15) % 30 == 0;
    selector.on_message(copy, t + 1000, out);
    viewer.take(out, t + 1000);
  }
  EXPECT_TRUE(viewer.looks_like_one_origin());
  EXPECT_EQ(selector.stats().switches_keyframe, 1u);
  // A's frames 0..40, then B from its keyframe at 45 on.
  ASSERT_GE(viewer.contents.size(), 42u);
  EXPECT_EQ(viewer.contents[40], "a40");
  EXPECT_EQ(viewer.contents[41], "b45");
  EXPECT_TRUE(viewer.frames[41]->keyframe);
  // The gap is the wait for B's keyframe (5 frames), at most one GOP.
  EXPECT_LE(viewer.largest_gap_us(), 30 * kFrameUs);
}

TEST(OriginSelectorTest, PrimaryResumingBeforeTheKeyframeCancelsTheSwitch) {
  OriginSelector selector;
  Viewer viewer;
  std::vector<relay::Received> out;
  for (int n = 0; n <= 60; ++n) {
    const int64_t t = n * kFrameUs;
    selector.poll(t, out);
    viewer.take(out, t);
    if (n <= 20 || n >= 24) selector.on_message(frame(kA, n, t, 0, 0, 30, 'a'), t, out);
    viewer.take(out, t);
    selector.on_message(frame(kB, n, t + 1000, 0, 0, 30, 'b'), t + 1000, out);
    viewer.take(out, t + 1000);
  }
  EXPECT_EQ(selector.stats().switches_cancelled, 1u);
  EXPECT_EQ(selector.stats().active_epoch, kA);
  for (const auto& c : viewer.contents) EXPECT_EQ(c[0], 'a');
}

TEST(OriginSelectorTest, SourceDownAtTheActiveOriginSwitchesToALiveStandby) {
  OriginSelector selector;
  Viewer viewer;
  std::vector<relay::Received> out;
  selector.on_message(info(kA, false, 0), 0, out);
  selector.on_message(info(kB, false, 1), 0, out);
  out.clear();
  for (int n = 0; n <= 70; ++n) {
    const int64_t t = n * kFrameUs;
    // A's camera is gone from frame 31 on: A still sends (nothing), reports DOWN at 35.
    if (n <= 30) selector.on_message(frame(kA, n, t, 0, 0), t, out);
    if (n == 35) selector.on_message(info(kA, true, 0), t, out);
    viewer.take(out, t);
    selector.on_message(frame(kB, n, t + 500, 0, 4'000'000), t + 500, out);
    viewer.take(out, t + 500);
  }
  EXPECT_EQ(selector.stats().active_epoch, kB);
  EXPECT_TRUE(viewer.looks_like_one_origin());
  EXPECT_EQ(viewer.contents.back(), "c70");
}

TEST(OriginSelectorTest, AnOriginThatAppearsAfterSilenceIsARestartPassedThrough) {
  OriginSelector selector;
  std::vector<relay::Received> out;
  for (int n = 0; n < 10; ++n)
    selector.on_message(frame(kA, n, n * kFrameUs, 0, 0), n * kFrameUs, out);
  out.clear();
  // A is gone; 3 s later a restarted origin (new epoch) appears.
  const int64_t t = 3'000'000;
  selector.on_message(frame(kB, 0, t, 0, 0), t, out);
  ASSERT_EQ(out.size(), 1u);
  const auto& f = std::get<media::FramePtr>(out[0]);
  EXPECT_EQ(f->origin_epoch, kB);  // StreamIngest sees the restart and rebases the timeline
  EXPECT_EQ(f->sequence, 0u);
  EXPECT_EQ(selector.stats().switches_cold, 1u);
}

TEST(OriginSelectorTest, ANewOriginDuringABriefPauseIsNoRestart) {
  // A pauses 80 ms just as a new origin of another encoder starts: no switch, A goes on.
  OriginSelector selector;
  Viewer viewer;
  std::vector<relay::Received> out;
  for (int n = 0; n < 30; ++n) {
    const int64_t t = n * kFrameUs + (n >= 10 ? 80'000 : 0);
    selector.on_message(frame(kA, n, t, 0, 0, 30, 'a'), t, out);
    viewer.take(out, t);
    if (n == 9) {
      for (int k = 0; k < 4; ++k) {
        const int64_t tb = t + 10'000 + k * 15'000;
        selector.on_message(frame(kB, k, tb, 0, 0, 30, 'b'), tb, out);
        selector.poll(tb + 5'000, out);
        viewer.take(out, tb);
      }
    }
  }
  EXPECT_EQ(selector.stats().active_epoch, kA);
  EXPECT_EQ(selector.stats().switches_cold, 0u);
  EXPECT_EQ(viewer.contents.size(), 30u);
  EXPECT_TRUE(viewer.looks_like_one_origin());
}

TEST(OriginSelectorTest, ANewOriginOfTheSameCameraLinesUpEvenIfItCameLate) {
  // The standby (re)started only after A went quiet, but it passes the same camera through.
  OriginSelector selector;
  Viewer viewer;
  std::vector<relay::Received> out;
  for (int n = 0; n <= 20; ++n) {
    selector.on_message(frame(kA, n, n * kFrameUs, 0, 0), n * kFrameUs, out);
    viewer.take(out, n * kFrameUs);
  }
  for (int n = 18; n <= 40; ++n) {  // B's first frames overlap A's last ones
    const int64_t t = 20 * kFrameUs + 5'000 + (n - 18) * kFrameUs;
    selector.on_message(frame(kB, n, t, 100, 77'000), t, out);
    viewer.take(out, t);
  }
  EXPECT_EQ(selector.stats().switches_aligned, 1u);
  EXPECT_TRUE(viewer.looks_like_one_origin());
  ASSERT_EQ(viewer.contents.size(), 41u);
  for (int n = 0; n <= 40; ++n) EXPECT_EQ(viewer.contents[n], "c" + std::to_string(n));
}

TEST(OriginSelectorTest, HistoryIsBounded) {
  OriginSelector selector;
  std::vector<relay::Received> out;
  for (int n = 0; n < 1000; ++n) {
    const int64_t t = n * 1000;  // 1000 fps for 1 s, the primary keeps up
    selector.on_message(frame(kA, n, t, 0, 0), t, out);
    selector.on_message(frame(kB, n, t, 0, 0), t, out);
  }
  EXPECT_EQ(out.size(), 1000u);
  EXPECT_EQ(selector.stats().switches_aligned, 0u);
  // A goes silent, B goes on: the lined-up switch releases no more than the history holds.
  out.clear();
  int n = 1000;
  for (; n < 1200 && selector.stats().switches_aligned == 0; ++n) {
    selector.on_message(frame(kB, n, n * 1000, 0, 0), n * 1000, out);
  }
  ASSERT_EQ(selector.stats().switches_aligned, 1u);
  EXPECT_LE(out.size(), kStandbyHistoryFrames);
  // ...and they are exactly the frames after A's last one.
  EXPECT_EQ(std::get<media::FramePtr>(out.front())->sequence, 1000u);
  EXPECT_EQ(std::get<media::FramePtr>(out.back())->sequence, static_cast<uint64_t>(n - 1));
}

}  // namespace
}  // namespace edge
