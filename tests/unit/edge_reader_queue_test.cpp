// ReaderQueue: the per-reader output queue and slow-reader policy without sockets (edge/
// reader_queue.hpp): budget and byte limits, keyframe/non-keyframe on overflow, the keyframe
// gate, partial writes, and the interleaved prefix rewritten for a reader's own channel.
#include "edge/reader_queue.hpp"

#include <gtest/gtest.h>

#include <string>

namespace edge {
namespace {

constexpr int64_t kMs = 1000;

// A frame of `packets` RTP packets of `body` bytes each, every one behind an interleaved prefix
// for `channel`; packet i's bytes are all 'a' + i.
media::PacketizedFramePtr frame(bool keyframe, size_t packets = 2, size_t body = 10,
                                uint8_t channel = 0) {
  auto f = std::make_shared<media::PacketizedFrame>();
  f->keyframe = keyframe;
  f->interleaved_channel = channel;
  for (size_t i = 0; i < packets; ++i) {
    f->packet_offsets.push_back(static_cast<uint32_t>(f->bytes.size()));
    f->bytes.insert(f->bytes.end(), {'$', channel, 0, static_cast<uint8_t>(body)});
    f->bytes.insert(f->bytes.end(), body, static_cast<uint8_t>('a' + i));
  }
  return f;
}

std::string gather(const std::vector<iovec>& iov) {
  std::string out;
  for (const auto& v : iov) out.append(static_cast<const char*>(v.iov_base), v.iov_len);
  return out;
}

ReaderQueue queue(size_t max_bytes = 1000, int64_t budget_ms = 1000) {
  return ReaderQueue({.max_bytes = max_bytes, .latency_budget_us = budget_ms * kMs});
}

struct PolicyCase {
  std::string_view name;
  size_t queued_frames;     // 28-byte frames already waiting, enqueued at t=0
  int64_t now_ms;           // when the next frame arrives
  int64_t behind_since_ms;  // -1: not behind yet
  bool keyframe;
  ReaderQueue::Verdict want;
  uint64_t want_skipped;
  size_t want_items;
};

TEST(ReaderQueue, OverflowPolicy) {
  // max 100 bytes: three 28-byte frames fit, a fourth overflows; budget 1000 ms: older than
  // 500 ms overflows, behind for more than 1000 ms disconnects.
  const PolicyCase cases[] = {
      {"room and fresh: queued", 2, 10, -1, false, ReaderQueue::Verdict::Queued, 0, 3},
      {"bytes overflow, delta frame: backlog dropped, skip to keyframe", 3, 10, -1, false,
       ReaderQueue::Verdict::Skipped, 4, 0},
      {"bytes overflow, keyframe: backlog dropped, keyframe queued", 3, 10, -1, true,
       ReaderQueue::Verdict::Queued, 3, 1},
      {"oldest older than half the budget", 1, 501, -1, false, ReaderQueue::Verdict::Skipped, 2, 0},
      {"exactly half the budget is not an overflow", 1, 500, -1, false,
       ReaderQueue::Verdict::Queued, 0, 2},
      {"behind for longer than the budget: disconnect", 3, 1200, 100, true,
       ReaderQueue::Verdict::Disconnect, 0, 3},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    ReaderQueue q = queue(100, 1000);
    if (c.behind_since_ms >= 0) {
      // An earlier overflow at behind_since_ms started the backlog clock.
      for (size_t i = 0; i < 4; ++i)
        (void)q.push_frame(frame(true), 0, true, c.behind_since_ms * kMs);
      q.clear();
      for (size_t i = 0; i < 4; ++i)
        (void)q.push_frame(frame(true), 0, true, c.behind_since_ms * kMs);
    }
    while (q.items() < c.queued_frames) (void)q.push_frame(frame(false), 0, true, 0);
    const ReaderQueue::Push push = q.push_frame(frame(c.keyframe), 0, true, c.now_ms * kMs);
    EXPECT_EQ(push.verdict, c.want);
    EXPECT_EQ(push.skipped, c.want_skipped);
    EXPECT_EQ(q.items(), c.want_items);
  }
}

TEST(ReaderQueue, KeyframeGateAfterASkip) {
  ReaderQueue q = queue(100, 1000);
  for (int i = 0; i < 3; ++i) (void)q.push_frame(frame(i == 0), 0, true, 0);
  EXPECT_EQ(q.push_frame(frame(false), 0, true, 10 * kMs).verdict, ReaderQueue::Verdict::Skipped);
  EXPECT_FALSE(q.passes(false));  // delta frames are not delivered until the next keyframe
  EXPECT_FALSE(q.passes(false));
  EXPECT_TRUE(q.passes(true));
  EXPECT_TRUE(q.passes(false));
  q.wait_for_keyframe();  // PAUSE, or PLAY without a cached GOP
  EXPECT_FALSE(q.passes(false));
}

TEST(ReaderQueue, PartialWritesKeepTheFramingAndTheStartedHead) {
  ReaderQueue q = queue();
  q.push_text("RTSP/1.0 200 OK\r\n\r\n", 0);
  (void)q.push_frame(frame(true), 0, true, 0);
  (void)q.push_frame(frame(false), 0, true, 0);
  std::vector<iovec> iov;
  ASSERT_EQ(q.build_iovecs(iov, 64), 3u);
  const std::string all = gather(iov);
  EXPECT_EQ(all.substr(0, 19), "RTSP/1.0 200 OK\r\n\r\n");
  EXPECT_EQ(q.bytes(), 19u + 28 + 28);
  int done = 0;
  q.consume(19 + 5, [&](const media::PacketizedFrame&) { ++done; });  // into the first frame
  EXPECT_EQ(done, 0);
  EXPECT_EQ(q.bytes(), 28u - 5 + 28);
  EXPECT_EQ(q.drop_unstarted_frames(), 1u);  // the started head stays: framing intact
  ASSERT_EQ(q.build_iovecs(iov, 64), 1u);
  EXPECT_EQ(gather(iov),
            std::string(reinterpret_cast<const char*>(frame(true)->bytes.data()) + 5, 23));
  q.consume(23, [&](const media::PacketizedFrame&) { ++done; });
  EXPECT_EQ(done, 1);
  EXPECT_TRUE(q.empty());
}

TEST(ReaderQueue, AnotherChannelGetsItsOwnPrefixes) {
  ReaderQueue q = queue();
  (void)q.push_frame(frame(true, 2, 3, /*channel=*/0), /*channel=*/2, true, 0);
  std::vector<iovec> iov;
  ASSERT_EQ(q.build_iovecs(iov, 64), 4u);  // prefix, body, prefix, body
  EXPECT_EQ(gather(iov), std::string("$\x02\x00\x03"
                                     "aaa"
                                     "$\x02\x00\x03"
                                     "bbb",
                                     14));
  q.consume(6, [](const media::PacketizedFrame&) {});  // into the first packet's body
  ASSERT_EQ(q.build_iovecs(iov, 64), 3u);              // its last byte, then prefix and body
  EXPECT_EQ(gather(iov), std::string("a$\x02\x00\x03"
                                     "bbb",
                                     8));
}

TEST(ReaderQueue, TheLateJoinersGopIsNotADelaySample) {
  ReaderQueue q = queue();
  (void)q.push_frame(frame(true), 0, /*live=*/false, 0);
  (void)q.push_frame(frame(false), 0, /*live=*/true, 0);
  int live = 0;
  q.consume(56, [&](const media::PacketizedFrame&) { ++live; });
  EXPECT_EQ(live, 1);
}

TEST(ReaderQueue, DrainingResetsTheBacklogClock) {
  ReaderQueue q = queue(100, 1000);
  for (int i = 0; i < 3; ++i) (void)q.push_frame(frame(true), 0, true, 0);
  (void)q.push_frame(frame(true), 0, true, 10 * kMs);  // overflow at 10 ms: behind since then
  q.consume(q.bytes(), [](const media::PacketizedFrame&) {});
  for (int i = 0; i < 3; ++i) (void)q.push_frame(frame(true), 0, true, 2000 * kMs);
  // Behind again only from now: no disconnect although 10 ms is long past.
  EXPECT_EQ(q.push_frame(frame(true), 0, true, 2010 * kMs).verdict, ReaderQueue::Verdict::Queued);
}

}  // namespace
}  // namespace edge
